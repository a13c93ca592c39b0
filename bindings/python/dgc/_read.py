"""The read-only calls, plan() and df(): they never change the engine."""

from datetime import datetime

from . import _objects
from ._errors import check
from ._library import lib


def _now_unix(now):
    """Seconds since the epoch of `now` (a datetime or RFC 3339 text); 0,
    libdgc's default clock, for None."""
    if now is None:
        return 0
    if not isinstance(now, datetime):
        now = datetime.fromisoformat(str(now).replace("Z", "+00:00"))
    return int(now.timestamp())


def df(host=None, snapshot=None):
    """Disk usage (dgc.df/v1, a dict) of the engine at `host` (None: the
    one the docker CLI would use) or of `snapshot` (a dgc.snapshot/v1 dict,
    JSON text or file path). Raises DgcError."""
    with _objects.inventory(host, snapshot) as inventory:
        return _objects.read_json(lib.dgc_df, inventory)


def plan(policy, host=None, snapshot=None, now=None):
    """The plan (dgc.plan/v1, a dict) of `policy` on the engine at `host`
    or on `snapshot`, ages measured at `now` (a datetime or RFC 3339 text;
    default: when the inventory was read, a snapshot's captured_at).

    `policy` is a dict, JSON text, a gc.json path, or None for the policy
    docker gc uses by default. Raises DgcError: DGC_ENOTFOUND for a policy
    or snapshot file that is not there, DGC_EINVALID for a bad policy,
    DGC_EUNAVAILABLE for an engine that cannot be reached…"""
    with _objects.policy(policy) as parsed, \
            _objects.inventory(host, snapshot) as inventory, \
            _objects.Handle(lib.dgc_plan_free) as computed:
        check(lib.dgc_plan_compute(computed.out, inventory.pointer, parsed.pointer,
                                   _now_unix(now)))
        return _objects.read_json(lib.dgc_plan_to_json, computed)
