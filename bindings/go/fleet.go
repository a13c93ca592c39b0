package dgc

// Several engines in one call (SPEC.md §11): FleetPlan, FleetDF and
// FleetApply take docker context names and hosts and return one
// dgc.fleet/v1 document, as `docker gc plan|df|apply --context A --context
// B --format json` prints it.

// #include <stdlib.h>
// #include <dgc/dgc.h>
import "C"

import (
	"context"
	"encoding/json"
	"unsafe"
)

// FleetDoc is a dgc.fleet/v1 document of documents T (PlanDoc, DFDoc or
// ApplyReport), one entry per engine, in the order they were given.
type FleetDoc[T any] struct {
	Schema  string           `json:"schema"`  // "dgc.fleet/v1"
	Command string           `json:"command"` // "plan", "df" or "apply"
	Engines []FleetEngine[T] `json:"engines"`
	Summary FleetSummary     `json:"summary"`
	// ExitCode is what `docker gc` exits with for this fleet: 1 when an
	// engine failed, else 3 when an apply had actions fail, else 0. Not
	// part of the document.
	ExitCode int `json:"-"`
}

// FleetEngine is one engine of a fleet: its own document, or, when it
// failed, the error that stopped it.
type FleetEngine[T any] struct {
	Context string      // the docker context's name ("" for a host)
	Host    string      // the endpoint, set when the engine failed
	Error   *FleetError // nil when the engine has its document
	Doc     *T          // the engine's document when Error is nil
}

// FleetError is why a fleet's engine has no document.
type FleetError struct {
	Message string `json:"message"`
	Code    string `json:"code"` // the libdgc error's name, "DGC_E…"
}

// FleetDuplicate is a context left out because it names an engine the
// fleet already holds under another context.
type FleetDuplicate struct {
	Context      string `json:"context"`
	SameEngineAs string `json:"same_engine_as"`
}

// FleetSummary adds up the figures of the engines that did not fail.
type FleetSummary struct {
	Engines          int    `json:"engines"` // failed ones included
	Failed           int    `json:"failed"`
	ReclaimableBytes uint64 `json:"reclaimable_bytes"` // plan, df
	// apply:
	Done           int    `json:"done"`
	Skipped        int    `json:"skipped"`
	ActionsFailed  int    `json:"actions_failed"`
	PredictedBytes uint64 `json:"predicted_bytes"`
	FreedBytes     uint64 `json:"freed_bytes"`
	// Contexts left out as naming an engine already in the fleet.
	Duplicates []FleetDuplicate `json:"duplicates"`
}

// UnmarshalJSON reads an entry of "engines": the engine's document with
// its "context", or {"context", "host", "error"}.
func (e *FleetEngine[T]) UnmarshalJSON(text []byte) error {
	var head struct {
		Context string      `json:"context"`
		Host    string      `json:"host"`
		Error   *FleetError `json:"error"`
	}
	if err := json.Unmarshal(text, &head); err != nil {
		return err
	}
	e.Context, e.Host, e.Error = head.Context, head.Host, head.Error
	if e.Error != nil {
		return nil
	}
	e.Doc = new(T)
	return json.Unmarshal(text, e.Doc)
}

// FleetPlan is Planner{}.FleetPlan.
func FleetPlan(policyPath string, contexts, hosts []string) (*FleetDoc[PlanDoc], error) {
	return Planner{}.FleetPlan(policyPath, contexts, hosts)
}

// FleetPlan plans the policy at policyPath on each engine of contexts
// (docker context names) and hosts, as Plan plans one, at p.Now; an engine
// that fails is reported in its entry and the others are planned anyway.
// Errors: those of loading the policy; ErrCodeNotFound for an unknown
// context; ErrCodeInvalid for a host libdgc cannot use, or for neither
// contexts nor hosts.
func (p Planner) FleetPlan(policyPath string, contexts, hosts []string) (*FleetDoc[PlanDoc], error) {
	policy, err := loadPolicy(policyPath)
	if err != nil {
		return nil, err
	}
	defer C.dgc_policy_free(policy)
	return withClients[PlanDoc](contexts, hosts, func(buf *C.dgc_buf, code *C.int, clients **C.dgc_client, n C.size_t) C.int {
		return C.dgc_fleet_plan(buf, code, clients, n, policy, p.clock())
	})
}

// FleetDF returns the disk usage (dgc.df/v1) of each engine of contexts
// and hosts, as DF does for one. Errors: as FleetPlan's, but for the
// policy.
func FleetDF(contexts, hosts []string) (*FleetDoc[DFDoc], error) {
	return withClients[DFDoc](contexts, hosts, func(buf *C.dgc_buf, code *C.int, clients **C.dgc_client, n C.size_t) C.int {
		return C.dgc_fleet_df(buf, code, clients, n)
	})
}

// FleetApply plans the policy at policyPath afresh on each engine of
// contexts and hosts (at p.Now) and performs it there, as Apply performs a
// plan, the engines in parallel; cancelling ctx stops every engine after
// the actions in flight, and opts.OnResult (which then runs one action at
// a time per engine) may be called from several engines at once. Errors:
// as FleetPlan's.
func (p Planner) FleetApply(ctx context.Context, policyPath string, contexts, hosts []string,
	opts *ApplyOptions) (*FleetDoc[ApplyReport], error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	policy, err := loadPolicy(policyPath)
	if err != nil {
		return nil, err
	}
	defer C.dgc_policy_free(policy)
	run := startApplyRun(ctx, opts)
	defer run.free()
	doc, err := withClients[ApplyReport](contexts, hosts, func(buf *C.dgc_buf, code *C.int, clients **C.dgc_client, n C.size_t) C.int {
		return C.dgc_fleet_apply(buf, code, clients, n, policy, p.clock(), run.options())
	})
	if err != nil {
		return nil, err
	}
	return doc, run.err
}

// clock returns p.Now as libdgc's clock argument (0: its default).
func (p Planner) clock() C.int64_t {
	if p.Now.IsZero() {
		return 0
	}
	return C.int64_t(p.Now.Unix())
}

// withClients makes a client of each of contexts, then of each of hosts,
// calls write with them, and returns the dgc.fleet/v1 document it wrote
// with its exit code.
func withClients[T any](contexts, hosts []string,
	write func(buf *C.dgc_buf, code *C.int, clients **C.dgc_client, n C.size_t) C.int) (*FleetDoc[T], error) {
	if len(contexts)+len(hosts) == 0 {
		return nil, newError(ErrCodeInvalid, "give at least one context or host")
	}
	// C memory: cgo forbids passing C a Go array of C pointers.
	n := len(contexts) + len(hosts)
	array := (*[1 << 20]*C.dgc_client)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(uintptr(0)))))[:n:n]
	defer C.free(unsafe.Pointer(&array[0]))
	defer func() {
		for _, client := range array {
			if client != nil {
				C.dgc_client_free(client)
			}
		}
	}()
	for i, name := range contexts {
		cname := C.CString(name)
		err := call(func() C.int { return C.dgc_client_new_context(&array[i], cname) })
		C.free(unsafe.Pointer(cname))
		if err != nil {
			return nil, err
		}
	}
	for i, host := range hosts {
		client, err := newClient(host)
		if err != nil {
			return nil, err
		}
		array[len(contexts)+i] = client
	}
	var code C.int
	doc, err := readDocument[FleetDoc[T]](func(buf *C.dgc_buf) C.int {
		return write(buf, &code, &array[0], C.size_t(n))
	})
	if err != nil {
		return nil, err
	}
	doc.ExitCode = int(code)
	return doc, nil
}
