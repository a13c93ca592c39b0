"""Several engines in one call (SPEC.md §11): fleet_plan(), fleet_df()
and fleet_apply() take docker context names and hosts, and return one
dgc.fleet/v1 dict, as `docker gc plan|df|apply --context A --context B
--format json` prints it."""

import contextlib
import ctypes
import json
import threading

from . import _objects
from ._errors import check
from ._library import APPLY_OPTIONS_VERSION, ApplyOptions, Buf, RESULT_CALLBACK, lib
from ._read import _now_unix

# How often the waiting thread looks whether a fleet apply is done.
_POLL_S = 0.1


def _clients(stack, contexts, hosts):
    """A ctypes array of clients, one per context then per host, freed when
    `stack` closes. Raises DgcError for a context or host libdgc cannot use
    (DGC_ENOTFOUND for an unknown context), or with neither given."""
    handles = []
    for context in contexts:
        handle = stack.enter_context(_objects.Handle(lib.dgc_client_free))
        check(lib.dgc_client_new_context(handle.out, context.encode("utf-8")))
        handles.append(handle)
    for host in hosts:
        handles.append(stack.enter_context(_objects.client(host)))
    if not handles:
        raise ValueError("give at least one context or host")
    return (ctypes.c_void_p * len(handles))(*[h.pointer for h in handles])


def _document(call, *args):
    """Calls a dgc_fleet_ function and returns its document, parsed."""
    buf = Buf()
    code = ctypes.c_int(0)
    check(call(ctypes.byref(buf), ctypes.byref(code), *args))
    try:
        return json.loads(ctypes.string_at(buf.ptr, buf.size))
    finally:
        lib.dgc_buf_dispose(ctypes.byref(buf))


def fleet_plan(policy, contexts=(), hosts=(), now=None):
    """dgc.fleet/v1 of plan() on each engine of `contexts` (docker context
    names) and `hosts`: each engine's dgc.plan/v1 with its "context", or
    its "error" ({"message", "code"}) when it failed; the others are
    planned anyway. Raises DgcError for a bad policy or an unknown context."""
    with contextlib.ExitStack() as stack:
        parsed = stack.enter_context(_objects.policy(policy))
        clients = _clients(stack, contexts, hosts)
        return _document(lib.dgc_fleet_plan, clients, len(clients), parsed.pointer,
                         _now_unix(now))


def fleet_df(contexts=(), hosts=()):
    """dgc.fleet/v1 of df() on each engine of `contexts` and `hosts`."""
    with contextlib.ExitStack() as stack:
        clients = _clients(stack, contexts, hosts)
        return _document(lib.dgc_fleet_df, clients, len(clients))


def fleet_apply(policy, contexts=(), hosts=(), now=None):
    """Plans `policy` afresh on each engine of `contexts` and `hosts` and
    performs it there (as apply(policy, host) does, never with force);
    returns dgc.fleet/v1 with each engine's dgc.apply/v1. Never prompts.
    Ctrl-C cancels every engine's apply after the actions in flight, then
    raises KeyboardInterrupt with the fleet document as its `.report`."""
    flag = ctypes.c_int(0)
    outcome = {}
    done = threading.Event()

    def work():
        options = ApplyOptions(APPLY_OPTIONS_VERSION, ctypes.pointer(flag),
                               RESULT_CALLBACK(), None, 0)
        try:
            with contextlib.ExitStack() as stack:
                parsed = stack.enter_context(_objects.policy(policy))
                clients = _clients(stack, contexts, hosts)
                outcome["report"] = _document(lib.dgc_fleet_apply, clients, len(clients),
                                              parsed.pointer, _now_unix(now),
                                              ctypes.byref(options))
        except Exception as error:
            outcome["error"] = error
        finally:
            done.set()

    threading.Thread(target=work, name="dgc-fleet-apply").start()
    try:
        while not done.wait(_POLL_S):
            pass
    except KeyboardInterrupt as interrupt:
        flag.value = 1
        done.wait()
        interrupt.report = outcome.get("report")
        raise
    if "error" in outcome:
        raise outcome["error"]
    return outcome["report"]
