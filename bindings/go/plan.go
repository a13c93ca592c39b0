package dgc

// #include <stdlib.h>
// #include <dgc/dgc.h>
import "C"

import (
	"time"
	"unsafe"
)

// Planner computes plans, and disk usage with what a plan reclaims (DF,
// DFFromSnapshot). Its zero value measures ages as `docker gc plan` does
// without --now.
type Planner struct {
	// Now is the clock ages are measured at, to the second, as `docker gc
	// plan --now` sets it. Zero: the time the engine's inventory is read,
	// or a snapshot's captured_at.
	Now time.Time
}

// Plan is Planner{}.Plan: the plan of the policy at policyPath for the
// engine at host.
func Plan(policyPath, host string) (*PlanDoc, error) {
	return Planner{}.Plan(policyPath, host)
}

// PlanFromSnapshot is Planner{}.PlanFromSnapshot: the plan of the policy at
// policyPath for the dgc.snapshot/v1 file at snapshotPath.
func PlanFromSnapshot(policyPath, snapshotPath string) (*PlanDoc, error) {
	return Planner{}.PlanFromSnapshot(policyPath, snapshotPath)
}

// Plan evaluates the policy file at policyPath on the engine at host and
// returns what applying it would do (dgc.plan/v1). It only reads from the
// engine. policyPath "" is the policy docker gc uses by default
// ($DOCKER_CONFIG/gc.json, else /etc/docker/gc.json, else dangling images
// older than 24h); host "" is the engine the docker CLI would use.
// Errors: those of loading the policy, which name the file
// (ErrCodeNotFound "file not found: PATH", ErrCodeIO, ErrCodeInvalid
// naming the rule and field), then those of DF.
func (p Planner) Plan(policyPath, host string) (*PlanDoc, error) {
	return p.compute(policyPath, fromEngine(host))
}

// PlanFromSnapshot is Plan on the images recorded in the dgc.snapshot/v1
// file at snapshotPath instead of a live engine. Errors: those of loading
// the policy, then those of DFFromSnapshot.
func (p Planner) PlanFromSnapshot(policyPath, snapshotPath string) (*PlanDoc, error) {
	return p.compute(policyPath, fromSnapshot(snapshotPath))
}

// compute evaluates the policy at policyPath on the inventory read gives.
func (p Planner) compute(policyPath string, read inventoryReader) (*PlanDoc, error) {
	var plan *C.dgc_plan
	err := p.withPolicy(policyPath, read, func(inv *C.dgc_inventory, policy *C.dgc_policy, now C.int64_t) error {
		return call(func() C.int {
			return C.dgc_plan_compute(&plan, inv, policy, now)
		})
	})
	if err != nil {
		return nil, err
	}
	defer C.dgc_plan_free(plan)
	return readDocument[PlanDoc](func(buf *C.dgc_buf) C.int {
		return C.dgc_plan_to_json(buf, plan)
	})
}

// withPolicy loads the policy at policyPath, then reads the inventory read
// gives, and calls f with both and the clock to plan at (0: libdgc's
// default), which f must not keep.
func (p Planner) withPolicy(policyPath string, read inventoryReader,
	f func(inv *C.dgc_inventory, policy *C.dgc_policy, now C.int64_t) error) error {
	policy, err := loadPolicy(policyPath)
	if err != nil {
		return err
	}
	defer C.dgc_policy_free(policy)
	inv, err := read()
	if err != nil {
		return err
	}
	defer C.dgc_inventory_free(inv)
	var now C.int64_t // 0: libdgc's default clock
	if !p.Now.IsZero() {
		now = C.int64_t(p.Now.Unix())
	}
	return f(inv, policy, now)
}

// loadPolicy reads the policy file at path ("": the default lookup) for
// the caller to release with dgc_policy_free.
func loadPolicy(path string) (*C.dgc_policy, error) {
	cpath := cString(path)
	defer C.free(unsafe.Pointer(cpath))
	var policy *C.dgc_policy
	err := call(func() C.int { return C.dgc_policy_load(&policy, cpath) })
	return policy, err
}
