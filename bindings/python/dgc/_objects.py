"""libdgc objects made from the values callers pass, and JSON read back.

Each maker returns a Handle, which owns the object and frees it when its
`with` block ends. Policies and snapshots come as a dict, JSON text (a str
or bytes starting with "{") or a path (any other str, or a PathLike); a
path goes to libdgc's own loader so errors name the file.
"""

import ctypes
import json
import os

from ._errors import check
from ._library import Buf, lib


class Handle:
    """Owns one libdgc object (`pointer`) and frees it when the `with`
    block ends."""

    def __init__(self, free):
        self.pointer = ctypes.c_void_p()
        self._free = free

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._free(self.pointer)
        self.pointer = ctypes.c_void_p()

    @property
    def out(self):
        """The `out` argument that makes libdgc store a new object here."""
        return ctypes.byref(self.pointer)


def json_text(value):
    """`value` as JSON bytes when it is a dict or JSON text; None when it
    is a path."""
    if isinstance(value, dict):
        return json.dumps(value).encode("utf-8")
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str) and value.lstrip().startswith("{"):
        return value.encode("utf-8")
    return None


def read_json(write, handle):
    """The document `write` (dgc_plan_to_json, dgc_df…) makes of `handle`,
    parsed."""
    buf = Buf()
    check(write(ctypes.byref(buf), handle.pointer))
    try:
        return json.loads(ctypes.string_at(buf.ptr, buf.size))
    finally:
        lib.dgc_buf_dispose(ctypes.byref(buf))


def policy(value):
    """The policy `value`: a dict, JSON text, a path, or None for the one
    docker gc uses by default ($DOCKER_CONFIG/gc.json, /etc/docker/gc.json,
    else the built-in default)."""
    handle = Handle(lib.dgc_policy_free)
    text = json_text(value)
    if text is not None:
        check(lib.dgc_policy_from_json(handle.out, text, len(text)))
    else:
        check(lib.dgc_policy_load(handle.out, None if value is None else os.fsencode(value)))
    return handle


def client(host):
    """A client for `host`, or the engine the docker CLI would use (None)."""
    handle = Handle(lib.dgc_client_free)
    check(lib.dgc_client_new(handle.out, host.encode("utf-8") if host else None))
    return handle


def inventory(host, snapshot):
    """The inventory of `snapshot` (a dict, JSON text or path) or, when it
    is None, of the engine at `host`."""
    handle = Handle(lib.dgc_inventory_free)
    if snapshot is None:
        with client(host) as engine:
            check(lib.dgc_inventory_fetch(handle.out, engine.pointer))
        return handle
    text = json_text(snapshot)
    if text is not None:
        check(lib.dgc_inventory_from_snapshot(handle.out, text, len(text)))
    else:
        check(lib.dgc_inventory_load_snapshot(handle.out, os.fsencode(snapshot)))
    return handle


def saved_plan(text):
    """The plan in `text` (dgc.plan/v1 JSON bytes)."""
    handle = Handle(lib.dgc_plan_free)
    check(lib.dgc_plan_from_json(handle.out, text, len(text)))
    return handle
