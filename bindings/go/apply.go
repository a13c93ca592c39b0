package dgc

// #include <stdlib.h>
// #include <dgc/dgc.h>
import "C"

import (
	"context"
	"encoding/json"
	"time"
)

// ApplyOptions tunes Apply; a nil *ApplyOptions means the defaults.
type ApplyOptions struct {
	// OnResult, when not nil, is called after each action with its
	// result, its 0-based index and the plan's number of actions, on the
	// goroutine running Apply. It must not panic. Cancelling Apply's
	// context from it stops the apply before the next action.
	OnResult func(result ActionResult, index, total int)
	// RequestTimeout is the longest one engine request may take: 0 for
	// libdgc's default (10 minutes), negative for no limit.
	RequestTimeout time.Duration
}

// Apply performs the plan's actions, and only those, on the engine at
// host ("": the engine the docker CLI would use): it reads the engine's
// inventory afresh, refuses a plan made for another engine, and re-checks
// each action against the engine before performing it, never with force.
//
// When ctx is done before the call, Apply returns ctx.Err() and does not
// contact the engine. When it is done during the apply, the action in
// flight finishes, the others are reported StatusSkipped and
// Summary.Stopped says why; the report is returned with a nil error, as
// when some actions were skipped or failed: the report says which.
//
// Errors before any action: those of DF; ErrCodeInvalid for a plan libdgc
// cannot read; ErrCodePrecondition for a plan made for another engine.
// When libdgc's result for OnResult cannot be decoded (a bug), the apply
// stops and Apply returns the report with an ErrCodeInternal error.
func Apply(ctx context.Context, plan *PlanDoc, host string, opts *ApplyOptions) (*ApplyReport, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cplan, err := cPlan(plan)
	if err != nil {
		return nil, err
	}
	defer C.dgc_plan_free(cplan)
	client, err := newClient(host)
	if err != nil {
		return nil, err
	}
	defer C.dgc_client_free(client)
	run := startApplyRun(ctx, opts)
	defer run.free()
	var report *C.dgc_report
	err = call(func() C.int {
		return C.dgc_apply_ex(&report, client, cplan, run.options())
	})
	if err != nil {
		return nil, err
	}
	defer C.dgc_report_free(report)
	doc, err := readDocument[ApplyReport](func(buf *C.dgc_buf) C.int {
		return C.dgc_report_to_json(buf, report)
	})
	if err != nil {
		return nil, err
	}
	return doc, run.err
}

// cPlan returns plan as libdgc reads it, for the caller to release with
// dgc_plan_free.
func cPlan(plan *PlanDoc) (*C.dgc_plan, error) {
	text, err := json.Marshal(plan)
	if err != nil {
		return nil, newError(ErrCodeInvalid, "the plan: "+err.Error())
	}
	ctext := C.CBytes(text)
	defer C.free(ctext)
	var cplan *C.dgc_plan
	err = call(func() C.int {
		return C.dgc_plan_from_json(&cplan, (*C.char)(ctext), C.size_t(len(text)))
	})
	return cplan, err
}
