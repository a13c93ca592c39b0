"""DgcError, the exception for every libdgc failure, and `check`, which
turns a libdgc return code into one."""

from ._library import lib


class DgcError(Exception):
    """A libdgc failure. `code` is the negative DGC_E... code, `name` its
    name ("DGC_ENOTFOUND"), `message` libdgc's message naming what is at
    fault (the endpoint, file, rule or field); str() gives "NAME: message"."""

    def __init__(self, code, name, message):
        super().__init__(f"{name}: {message}")
        self.code = code
        self.name = name
        self.message = message


def check(code):
    """Returns if `code` is DGC_OK; raises DgcError with this thread's last
    libdgc message otherwise (call it on the thread that made the call)."""
    if code != 0:
        raise DgcError(code, lib.dgc_error_name(code).decode("ascii"),
                       lib.dgc_error_last().decode("utf-8", "replace"))
