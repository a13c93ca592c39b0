// Package dgc is the Go binding of libdgc: exact, safe garbage collection
// for Docker images.
//
// It is a thin cgo layer over libdgc's C API (<dgc/dgc.h>, found with
// `pkg-config libdgc`) and uses the standard library only. Every function
// goes through the same orchestration as the docker-gc plugin, and its
// results are the plugin's JSON documents as typed structs: PlanDoc
// (dgc.plan/v1), DFDoc (dgc.df/v1) and ApplyReport (dgc.apply/v1).
//
// Plan and DF only read from the engine; Apply is the one call that changes
// it, and never with force. Failures are *Error values carrying libdgc's
// code and a message naming the endpoint, file, rule or field at fault.
//
// Example:
//
//	plan, err := dgc.Plan("gc.json", "") // "": the engine docker would use
//	if err != nil {
//		log.Fatal(err)
//	}
//	fmt.Println(plan.Summary.ReclaimableBytes, "bytes to reclaim")
//	report, err := dgc.Apply(ctx, plan, "", nil)
//	if err != nil {
//		log.Fatal(err)
//	}
//	fmt.Println(report.Summary.FreedBytes, "bytes freed")
//
// The binding expects libdgc 0.2 (while libdgc is 0.x, each minor version
// may change the ABI); the first call fails with an *Error of code
// ErrCodePrecondition when the library found at run time is another.
package dgc
