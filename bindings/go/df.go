package dgc

// #include <dgc/dgc.h>
import "C"

// DF returns the disk usage (dgc.df/v1) of the engine at host, or, when
// host is "", of the engine the docker CLI would use (DOCKER_HOST,
// DOCKER_CONTEXT, the config's current context). It only reads from the
// engine. Errors: ErrCodeInvalid or ErrCodeNotFound for a host or context
// it cannot use; ErrCodeUnavailable, ErrCodeTimeout, ErrCodePermission,
// ErrCodeEngine, ErrCodeProtocol from the engine; ErrCodePrecondition for
// an engine whose bytes cannot be accounted exactly.
func DF(host string) (*DFDoc, error) {
	return diskUsage(fromEngine(host))
}

// DFFromSnapshot returns the disk usage (dgc.df/v1) recorded in the
// dgc.snapshot/v1 file at path. Errors name the file: ErrCodeNotFound,
// ErrCodeIO, ErrCodeInvalid, ErrCodePrecondition.
func DFFromSnapshot(path string) (*DFDoc, error) {
	return diskUsage(fromSnapshot(path))
}

// DFWithPolicy is Planner{}.DF: the disk usage of the engine at host with
// what the policy at policyPath would reclaim.
func DFWithPolicy(policyPath, host string) (*DFDoc, error) {
	return Planner{}.DF(policyPath, host)
}

// DFFromSnapshotWithPolicy is Planner{}.DFFromSnapshot: the disk usage
// recorded in the dgc.snapshot/v1 file at snapshotPath with what the policy
// at policyPath would reclaim.
func DFFromSnapshotWithPolicy(policyPath, snapshotPath string) (*DFDoc, error) {
	return Planner{}.DFFromSnapshot(policyPath, snapshotPath)
}

// DF is DF(host) plus what the policy at policyPath would reclaim of each
// resource kind, and its watermark (DFDoc.Policy), as `docker gc df -p`
// shows: the plan is made as Plan makes it, at p.Now. policyPath "" is the
// policy docker gc uses by default. Errors: those of Plan.
func (p Planner) DF(policyPath, host string) (*DFDoc, error) {
	return p.diskUsage(policyPath, fromEngine(host))
}

// DFFromSnapshot is DF on the dgc.snapshot/v1 file at snapshotPath instead
// of a live engine. Errors: those of PlanFromSnapshot.
func (p Planner) DFFromSnapshot(policyPath, snapshotPath string) (*DFDoc, error) {
	return p.diskUsage(policyPath, fromSnapshot(snapshotPath))
}

// diskUsage returns the dgc.df/v1 document of the inventory read gives.
func diskUsage(read inventoryReader) (*DFDoc, error) {
	inv, err := read()
	if err != nil {
		return nil, err
	}
	defer C.dgc_inventory_free(inv)
	return readDocument[DFDoc](func(buf *C.dgc_buf) C.int {
		return C.dgc_df(buf, inv)
	})
}

// diskUsage returns the dgc.df/v1 document of the inventory read gives,
// with what the policy at policyPath would reclaim.
func (p Planner) diskUsage(policyPath string, read inventoryReader) (*DFDoc, error) {
	var doc *DFDoc
	err := p.withPolicy(policyPath, read, func(inv *C.dgc_inventory, policy *C.dgc_policy, now C.int64_t) error {
		var err error
		doc, err = readDocument[DFDoc](func(buf *C.dgc_buf) C.int {
			return C.dgc_df_for_policy(buf, inv, policy, now)
		})
		return err
	})
	return doc, err
}
