"""Python binding of libdgc: exact, safe garbage collection for Docker images.

Standard library only: ctypes over the C API (<dgc/dgc.h>). Documents are
dicts shaped as the docker-gc binary's `--format json` output. Which
libdgc is loaded, and the version check, are in _library.py; DGC_LIBRARY
(a path) overrides the search.

Example:
    import dgc
    usage = dgc.df()                                   # dgc.df/v1
    plan = dgc.plan({"rules": [{"dangling": True, "older_than": "24h"}]})
    print(plan["summary"]["reclaimable_bytes"])
    try:
        report = dgc.apply(plan)                       # dgc.apply/v1
    except KeyboardInterrupt as interrupt:             # Ctrl-C: cancelled
        report = interrupt.report                      # after the action in flight
    except dgc.DgcError as error:
        print(error.name, error.message)               # DGC_EUNAVAILABLE …
    fleet = dgc.fleet_plan(None, contexts=["prod", "staging"])  # dgc.fleet/v1
"""

from ._apply import apply
from ._errors import DgcError
from ._fleet import fleet_apply, fleet_df, fleet_plan
from ._library import lib as _lib
from ._read import df, plan
from ._version import __version__

__all__ = ["DgcError", "plan", "apply", "df", "fleet_plan", "fleet_df", "fleet_apply",
           "version", "__version__"]


def version():
    """The loaded libdgc's version, e.g. "0.2.0"."""
    return _lib.dgc_version().decode("utf-8")
