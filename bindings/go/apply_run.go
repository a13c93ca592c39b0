package dgc

// What libdgc reads during one dgc_apply_ex call: its options, the cancel
// flag set when the context is done, and the per-result callback. cgo
// forbids C from holding Go pointers, so all of it lives in C memory and
// the callback finds its Go state through a runtime/cgo.Handle.

/*
#include <stdint.h>
#include <stdlib.h>
#include <dgc/dgc.h>

typedef struct {
  dgc_apply_options options;
  int cancel;
  uintptr_t handle;
} dgc_go_apply_run;

extern int dgcGoOnResult(char* json, size_t len, size_t index, size_t total,
                         void* payload);
*/
import "C"

import (
	"context"
	"runtime/cgo"
	"sync/atomic"
	"time"
	"unsafe"
)

// applyRun is the state of one dgc_apply_ex call.
type applyRun struct {
	c        *C.dgc_go_apply_run
	ctx      context.Context
	onResult func(result ActionResult, index, total int)
	handle   cgo.Handle    // of this applyRun, when onResult is set
	err      error         // set when a result could not be decoded
	stop     chan struct{} // closed to end the context watcher
	stopped  chan struct{} // closed when the context watcher has ended
}

// startApplyRun makes the state of an apply with opts (nil: the defaults)
// and starts watching ctx: once it is done, the cancel flag is set. The
// caller releases it with free.
func startApplyRun(ctx context.Context, opts *ApplyOptions) *applyRun {
	run := &applyRun{
		c:       (*C.dgc_go_apply_run)(C.calloc(1, C.sizeof_dgc_go_apply_run)),
		ctx:     ctx,
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	run.c.options.version = C.DGC_APPLY_OPTIONS_VERSION
	run.c.options.cancel = &run.c.cancel
	if opts != nil {
		run.c.options.request_timeout_ms = timeoutMillis(opts.RequestTimeout)
		if opts.OnResult != nil {
			run.onResult = opts.OnResult
			run.handle = cgo.NewHandle(run)
			run.c.handle = C.uintptr_t(run.handle)
			run.c.options.on_result = C.dgc_result_cb(C.dgcGoOnResult)
			run.c.options.payload = unsafe.Pointer(&run.c.handle)
		}
	}
	go func() {
		defer close(run.stopped)
		select {
		case <-ctx.Done():
			run.cancel()
		case <-run.stop:
		}
	}()
	return run
}

// timeoutMillis converts an ApplyOptions.RequestTimeout for libdgc.
func timeoutMillis(timeout time.Duration) C.int64_t {
	if timeout < 0 {
		return -1
	}
	return C.int64_t(timeout.Milliseconds())
}

// options returns the options to pass to dgc_apply_ex.
func (r *applyRun) options() *C.dgc_apply_options {
	return &r.c.options
}

// cancel sets the flag libdgc reads before each action.
func (r *applyRun) cancel() {
	atomic.StoreInt32((*int32)(unsafe.Pointer(&r.c.cancel)), 1)
}

// free ends the context watcher and releases the C memory and the handle.
func (r *applyRun) free() {
	close(r.stop)
	<-r.stopped
	if r.onResult != nil {
		r.handle.Delete()
	}
	C.free(unsafe.Pointer(r.c))
}

// dgcGoOnResult is the dgc_result_cb of an applyRun: it passes the result
// to OnResult, then sets the cancel flag when OnResult cancelled the
// context, so that the apply stops before the next action. Returning
// non-zero stops the apply: done when the result cannot be decoded.
//
//export dgcGoOnResult
func dgcGoOnResult(text *C.char, size C.size_t, index, total C.size_t, payload unsafe.Pointer) C.int {
	run := cgo.Handle(*(*C.uintptr_t)(payload)).Value().(*applyRun)
	result, err := decode[ActionResult](C.GoBytes(unsafe.Pointer(text), C.int(size)))
	if err != nil {
		run.err = err
		return 1
	}
	run.onResult(*result, int(index), int(total))
	if run.ctx.Err() != nil {
		run.cancel()
	}
	return 0
}
