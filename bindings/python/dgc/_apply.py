"""apply(): performs a plan on the engine, cancellably.

dgc_apply_ex runs on a worker thread (ctypes releases the GIL during the
call) while the calling thread waits for it. A Ctrl-C (KeyboardInterrupt)
in the calling thread, or a `cancel` Event set by any thread, sets the cancel
flag libdgc reads before each action: the actions in flight finish, the
rest are reported "skipped" and the report's summary.stopped says why.
"""

import ctypes
import json
import os
import threading

from . import _objects
from ._errors import check
from ._library import APPLY_OPTIONS_VERSION, RESULT_CALLBACK, ApplyOptions, lib
from ._read import plan

PLAN_SCHEMA = "dgc.plan/v1"
_POLL_S = 0.1  # how often the waiting thread looks at `cancel`


def _is_plan(text):
    """Whether the JSON `text` is a dgc.plan/v1 document."""
    try:
        document = json.loads(text)
    except ValueError:
        return False
    return isinstance(document, dict) and document.get("schema") == PLAN_SCHEMA


def _file_bytes(path):
    """The contents of the file `path`, or None when it cannot be read."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def _plan_text(plan_or_policy, host):
    """The dgc.plan/v1 JSON bytes to perform: `plan_or_policy` itself when
    it is a plan (a dict, JSON text or file), else the plan of the policy it
    is (a dict, JSON text, path or None) on the engine at `host`."""
    text = _objects.json_text(plan_or_policy)
    if isinstance(plan_or_policy, (str, os.PathLike)) and text is None:
        text = _file_bytes(plan_or_policy)
    if text is not None and _is_plan(text):
        return text
    return json.dumps(plan(plan_or_policy, host=host)).encode("utf-8")


class _Run:
    """One dgc_apply_ex call on a worker thread. libdgc's objects are made,
    used and freed on that thread only, so the waiting thread may leave at
    any time without freeing anything the worker still uses."""

    def __init__(self, text, host, on_result, cancel):
        self.flag = ctypes.c_int(0)
        self.report = None
        self.error = None
        self._on_result = on_result
        self._cancel = cancel
        self._done = threading.Event()
        self._callback = RESULT_CALLBACK(self._result)
        self._thread = threading.Thread(target=self._work, args=(text, host),
                                        name="dgc-apply")

    def _work(self, text, host):
        """The worker: performs the plan; sets `report`, or `error`."""
        options = ApplyOptions(APPLY_OPTIONS_VERSION, ctypes.pointer(self.flag),
                               self._callback, None, 0)
        try:
            with _objects.saved_plan(text) as loaded, _objects.client(host) as engine, \
                    _objects.Handle(lib.dgc_report_free) as report:
                check(lib.dgc_apply_ex(report.out, engine.pointer, loaded.pointer,
                                       ctypes.byref(options)))
                self.report = _objects.read_json(lib.dgc_report_to_json, report)
        except Exception as error:
            self.error = error
        finally:
            self._done.set()

    def _result(self, text, length, index, total, payload):
        """dgc_result_cb, on the worker: passes a set `cancel` on before the
        next action and the result to on_result; an exception raised by
        on_result stops the apply (outcome() raises it) and on_result is not
        called again."""
        if self._cancel is not None and self._cancel.is_set():
            self.flag.value = 1
        if self._on_result is None or self.error is not None:
            return 0
        try:
            self._on_result(json.loads(ctypes.string_at(text, length)))
        except Exception as error:
            self.error = error
            return 1
        return 0

    def start(self):
        """Starts the worker, at once cancelled if `cancel` is already set."""
        if self._cancel is not None and self._cancel.is_set():
            self.flag.value = 1
        self._thread.start()

    def wait(self, interruptible=True):
        """Waits until the worker is done, passing a set `cancel` on to
        libdgc meanwhile. A KeyboardInterrupt ends the wait, unless not
        `interruptible`: then the wait goes on. (An Event, not
        Thread.join: on Python 3.11 a KeyboardInterrupt during join() can
        mark a running thread as stopped, bpo-45274.)"""
        while self._thread.ident is not None and not self._done.is_set():
            try:
                self._done.wait(_POLL_S)
            except KeyboardInterrupt:
                if interruptible:
                    raise
            if self._cancel is not None and self._cancel.is_set():
                self.flag.value = 1

    def stop(self):
        """Cancels: the apply stops after the actions in flight. Sets
        `cancel` too, so other threads see the run was cancelled."""
        self.flag.value = 1
        if self._cancel is not None:
            self._cancel.set()

    def outcome(self):
        """The report of a finished run; raises its error instead, with the
        report attached as `.report` when there is one."""
        if self.error is not None:
            if self.report is not None:
                self.error.report = self.report
            raise self.error
        return self.report


def apply(plan_or_policy, host=None, *, on_result=None, cancel=None):
    """Performs a plan on the engine at `host` (None: the one the docker CLI
    would use), every action re-checked against the engine first, never
    with force; returns the report (dgc.apply/v1, a dict). Never prompts:
    the caller has decided.

    `plan_or_policy` is a plan (a dgc.plan/v1 dict as plan() returns, its
    JSON text or a saved plan file), which is performed exactly, or a policy
    (as plan() takes it; None for the default policy), planned first.
    `on_result`, when given, is called with each action's result (a dict,
    one element of the report's "results") on the worker thread; if it
    raises, the apply stops after that action and apply() raises the same
    exception with the report as its `.report`.
    `cancel`, a threading.Event: setting it stops the apply after the action
    in flight; the report then has the remaining actions "skipped" and says
    why in summary.stopped.

    Ctrl-C (KeyboardInterrupt) during the apply cancels it the same way
    (and sets `cancel`), waits for the actions in flight, then raises
    KeyboardInterrupt with the partial report as its `.report` (None when
    the apply failed before its first action). Raises DgcError for failures
    before the first action (engine unreachable, a plan for another engine:
    DGC_EPRECONDITION…)."""
    run = _Run(_plan_text(plan_or_policy, host), host, on_result, cancel)
    try:
        run.start()
        run.wait()
    except KeyboardInterrupt as interrupt:
        run.stop()
        run.wait(interruptible=False)
        interrupt.report = run.report
        raise
    return run.outcome()
