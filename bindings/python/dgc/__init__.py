"""Python binding of libdgc: exact, safe garbage collection for Docker images.

Standard library only: ctypes over the C API (<dgc/dgc.h>). The shared
library is found through the DGC_LIBRARY environment variable (a path), else
the system's library search (libdgc.so.0).

Example:
    import dgc
    usage = dgc.df()                                   # dgc.df/v1, a dict
    plan = dgc.plan({"rules": [{"dangling": True, "older_than": "24h"}]})
    print(plan["summary"]["reclaimable_bytes"])
    report = dgc.apply(plan)                           # dgc.apply/v1
"""

import ctypes
import ctypes.util
import json
import os
from datetime import datetime

__all__ = ["DgcError", "plan", "apply", "df", "version"]


class DgcError(Exception):
    """A libdgc failure: `code` is the negative DGC_E... code, the message
    names what is at fault (the endpoint, file, rule or field)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class _Buf(ctypes.Structure):
    _fields_ = [("ptr", ctypes.c_void_p), ("size", ctypes.c_size_t)]


def _load_library():
    path = os.environ.get("DGC_LIBRARY") or ctypes.util.find_library("dgc") \
        or "libdgc.so.0.2"
    lib = ctypes.CDLL(path)
    handle = ctypes.c_void_p
    out = ctypes.POINTER(ctypes.c_void_p)
    signatures = {
        "dgc_client_new": (ctypes.c_int, [out, ctypes.c_char_p]),
        "dgc_client_free": (None, [handle]),
        "dgc_inventory_fetch": (ctypes.c_int, [out, handle]),
        "dgc_inventory_from_snapshot": (ctypes.c_int, [out, ctypes.c_char_p, ctypes.c_size_t]),
        "dgc_df": (ctypes.c_int, [ctypes.POINTER(_Buf), handle]),
        "dgc_inventory_free": (None, [handle]),
        "dgc_policy_from_json": (ctypes.c_int, [out, ctypes.c_char_p, ctypes.c_size_t]),
        "dgc_policy_free": (None, [handle]),
        "dgc_plan_compute": (ctypes.c_int, [out, handle, handle, ctypes.c_int64]),
        "dgc_plan_from_json": (ctypes.c_int, [out, ctypes.c_char_p, ctypes.c_size_t]),
        "dgc_plan_to_json": (ctypes.c_int, [ctypes.POINTER(_Buf), handle]),
        "dgc_plan_free": (None, [handle]),
        "dgc_apply": (ctypes.c_int, [out, handle, handle]),
        "dgc_report_to_json": (ctypes.c_int, [ctypes.POINTER(_Buf), handle]),
        "dgc_report_free": (None, [handle]),
        "dgc_buf_dispose": (None, [ctypes.POINTER(_Buf)]),
        "dgc_error_last": (ctypes.c_char_p, []),
        "dgc_version": (ctypes.c_char_p, []),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    return lib


_lib = _load_library()


def _check(code):
    if code != 0:
        raise DgcError(code, _lib.dgc_error_last().decode("utf-8", "replace"))


class _Handle:
    """Owns one libdgc object and frees it when the `with` block ends."""

    def __init__(self, free):
        self.pointer = ctypes.c_void_p()
        self._free = free

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._free(self.pointer)
        self.pointer = ctypes.c_void_p()


def _to_json(write, handle):
    buf = _Buf()
    _check(write(ctypes.byref(buf), handle))
    try:
        return json.loads(ctypes.string_at(buf.ptr, buf.size).decode("utf-8"))
    finally:
        _lib.dgc_buf_dispose(ctypes.byref(buf))


def _bytes_of(document):
    """A policy or plan given as a dict, a JSON string or a file path."""
    if isinstance(document, dict):
        return json.dumps(document).encode("utf-8")
    if isinstance(document, (bytes, bytearray)):
        return bytes(document)
    text = str(document)
    if not text.lstrip().startswith("{") and os.path.exists(text):
        with open(text, "rb") as f:
            return f.read()
    return text.encode("utf-8")


def _client(host):
    client = _Handle(_lib.dgc_client_free)
    _check(_lib.dgc_client_new(ctypes.byref(client.pointer),
                               host.encode("utf-8") if host else None))
    return client


def _inventory(host, snapshot):
    inventory = _Handle(_lib.dgc_inventory_free)
    if snapshot is not None:
        data = _bytes_of(snapshot)
        _check(_lib.dgc_inventory_from_snapshot(ctypes.byref(inventory.pointer),
                                                data, len(data)))
        return inventory
    with _client(host) as client:
        _check(_lib.dgc_inventory_fetch(ctypes.byref(inventory.pointer),
                                        client.pointer))
    return inventory


def _now_unix(now):
    if now is None:
        return 0
    if isinstance(now, datetime):
        return int(now.timestamp())
    return int(datetime.fromisoformat(str(now).replace("Z", "+00:00")).timestamp())


def df(host=None, snapshot=None):
    """Disk usage (dgc.df/v1) of the engine at `host` (None: as docker
    resolves it) or of a snapshot (a dict, JSON text or a file path)."""
    with _inventory(host, snapshot) as inventory:
        return _to_json(_lib.dgc_df, inventory.pointer)


def plan(policy, host=None, snapshot=None, now=None):
    """The plan (dgc.plan/v1) of `policy` (a dict, JSON text or a file path)
    on the engine or a snapshot, ages measured at `now` (a datetime or an
    RFC 3339 string; default: when the inventory was read). Reads only."""
    data = _bytes_of(policy)
    with _Handle(_lib.dgc_policy_free) as parsed, \
            _inventory(host, snapshot) as inventory, \
            _Handle(_lib.dgc_plan_free) as computed:
        _check(_lib.dgc_policy_from_json(ctypes.byref(parsed.pointer), data, len(data)))
        _check(_lib.dgc_plan_compute(ctypes.byref(computed.pointer), inventory.pointer,
                                     parsed.pointer, _now_unix(now)))
        return _to_json(_lib.dgc_plan_to_json, computed.pointer)


def apply(plan_or_policy, host=None):
    """Performs a plan (a dgc.plan/v1 dict, as `plan()` returns) or a policy
    (planned first) on the engine, every action re-checked first; returns
    the report (dgc.apply/v1). Never prompts: the caller has decided."""
    document = plan_or_policy
    if isinstance(document, dict) and document.get("schema") != "dgc.plan/v1":
        document = plan(document, host=host)
    elif not isinstance(document, dict):
        text = _bytes_of(document)
        parsed = json.loads(text)
        document = parsed if parsed.get("schema") == "dgc.plan/v1" \
            else plan(parsed, host=host)
    data = json.dumps(document).encode("utf-8")
    with _Handle(_lib.dgc_plan_free) as loaded, _client(host) as client, \
            _Handle(_lib.dgc_report_free) as report:
        _check(_lib.dgc_plan_from_json(ctypes.byref(loaded.pointer), data, len(data)))
        _check(_lib.dgc_apply(ctypes.byref(report.pointer), client.pointer,
                              loaded.pointer))
        return _to_json(_lib.dgc_report_to_json, report.pointer)


def version():
    """libdgc's version."""
    return _lib.dgc_version().decode("utf-8")
