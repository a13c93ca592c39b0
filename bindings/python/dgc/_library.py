"""Finds and loads libdgc with ctypes and declares the C API it uses.

The first of these that loads is used:
  1. the DGC_LIBRARY environment variable (a path): an override;
  2. the library `cmake --install` installed with the package, recorded
     relative to the package in _install_layout.py (absent from the source
     tree and from pip installs);
  3. the SONAME this package was made for (libdgc.so.0.2 for 0.2.x) through
     the dynamic loader's search;
  4. ctypes.util.find_library("dgc").
Loading fails with ImportError when none loads, or when the library's
MAJOR.MINOR differs from the package's (while 0.x each minor version may
change the ABI). `lib` is the loaded library, `path` what it was loaded as.
"""

import ctypes
import ctypes.util
import os

from ._version import __version__

_MAJOR, _MINOR = (int(part) for part in __version__.split(".")[:2])
SONAME = f"libdgc.so.{_MAJOR}.{_MINOR}" if _MAJOR == 0 else f"libdgc.so.{_MAJOR}"


class Buf(ctypes.Structure):
    """dgc_buf: `size` bytes at `ptr`, released with dgc_buf_dispose."""

    _fields_ = [("ptr", ctypes.c_void_p), ("size", ctypes.c_size_t)]


# dgc_result_cb; the JSON text comes as a pointer, read with its length.
RESULT_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t,
                                   ctypes.c_size_t, ctypes.c_size_t, ctypes.c_void_p)

APPLY_OPTIONS_VERSION = 1


class ApplyOptions(ctypes.Structure):
    """dgc_apply_options, version 1."""

    _fields_ = [("version", ctypes.c_uint),
                ("cancel", ctypes.POINTER(ctypes.c_int)),
                ("on_result", RESULT_CALLBACK),
                ("payload", ctypes.c_void_p),
                ("request_timeout_ms", ctypes.c_int64)]


_HANDLE = ctypes.c_void_p
_OUT = ctypes.POINTER(ctypes.c_void_p)
_BUF = ctypes.POINTER(Buf)
_SIGNATURES = {
    "dgc_init": (ctypes.c_int, []),
    "dgc_client_new": (ctypes.c_int, [_OUT, ctypes.c_char_p]),
    "dgc_client_new_context": (ctypes.c_int, [_OUT, ctypes.c_char_p]),
    "dgc_client_free": (None, [_HANDLE]),
    "dgc_inventory_fetch": (ctypes.c_int, [_OUT, _HANDLE]),
    "dgc_inventory_from_snapshot": (ctypes.c_int, [_OUT, ctypes.c_char_p, ctypes.c_size_t]),
    "dgc_inventory_load_snapshot": (ctypes.c_int, [_OUT, ctypes.c_char_p]),
    "dgc_inventory_free": (None, [_HANDLE]),
    "dgc_df": (ctypes.c_int, [_BUF, _HANDLE]),
    "dgc_policy_from_json": (ctypes.c_int, [_OUT, ctypes.c_char_p, ctypes.c_size_t]),
    "dgc_policy_load": (ctypes.c_int, [_OUT, ctypes.c_char_p]),
    "dgc_policy_free": (None, [_HANDLE]),
    "dgc_plan_compute": (ctypes.c_int, [_OUT, _HANDLE, _HANDLE, ctypes.c_int64]),
    "dgc_plan_from_json": (ctypes.c_int, [_OUT, ctypes.c_char_p, ctypes.c_size_t]),
    "dgc_plan_to_json": (ctypes.c_int, [_BUF, _HANDLE]),
    "dgc_plan_free": (None, [_HANDLE]),
    "dgc_apply_ex": (ctypes.c_int, [_OUT, _HANDLE, _HANDLE, ctypes.POINTER(ApplyOptions)]),
    "dgc_report_to_json": (ctypes.c_int, [_BUF, _HANDLE]),
    "dgc_report_free": (None, [_HANDLE]),
    "dgc_fleet_plan": (ctypes.c_int, [_BUF, ctypes.POINTER(ctypes.c_int), ctypes.c_void_p,
                                      ctypes.c_size_t, _HANDLE, ctypes.c_int64]),
    "dgc_fleet_df": (ctypes.c_int, [_BUF, ctypes.POINTER(ctypes.c_int), ctypes.c_void_p,
                                    ctypes.c_size_t]),
    "dgc_fleet_apply": (ctypes.c_int, [_BUF, ctypes.POINTER(ctypes.c_int), ctypes.c_void_p,
                                       ctypes.c_size_t, _HANDLE, ctypes.c_int64,
                                       ctypes.POINTER(ApplyOptions)]),
    "dgc_buf_dispose": (None, [_BUF]),
    "dgc_error_last": (ctypes.c_char_p, []),
    "dgc_error_name": (ctypes.c_char_p, [ctypes.c_int]),
    "dgc_version": (ctypes.c_char_p, []),
}


def _installed_path():
    """The library installed with the package, or None outside an install."""
    try:
        from ._install_layout import LIBRARY
    except ImportError:
        return None
    return os.path.normpath(os.path.join(os.path.dirname(__file__), LIBRARY))


def _candidates():
    """Where to look, in order (see the module docstring)."""
    override = os.environ.get("DGC_LIBRARY")
    if override:
        return [override]
    installed = _installed_path()
    found = ctypes.util.find_library("dgc")
    return [name for name in (installed, SONAME, found) if name]


def _open():
    """The first candidate that loads, and its name."""
    failures = []
    for candidate in _candidates():
        try:
            return ctypes.CDLL(candidate), candidate
        except OSError as error:
            failures.append(str(error))
    raise ImportError(f"dgc {__version__}: cannot load libdgc ({'; '.join(failures)}); "
                      f"install libdgc {_MAJOR}.{_MINOR} or set DGC_LIBRARY to its path")


def _check_version(library, name):
    """Raises ImportError unless `library` is libdgc MAJOR.MINOR."""
    try:
        function = library.dgc_version_number
    except AttributeError:
        raise ImportError(f"dgc {__version__}: {name} is not libdgc {_MAJOR}.{_MINOR} "
                          "(it has no dgc_version_number)") from None
    function.restype = ctypes.c_int
    function.argtypes = []
    number = function()
    if (number // 1000000, number // 1000 % 1000) != (_MAJOR, _MINOR):
        raise ImportError(f"dgc {__version__} needs libdgc {_MAJOR}.{_MINOR}, but {name} is "
                          f"libdgc {number // 1000000}.{number // 1000 % 1000}."
                          f"{number % 1000}")


def _load():
    """Loads, checks and initialises libdgc; returns it and its name."""
    library, name = _open()
    _check_version(library, name)
    for function_name, (restype, argtypes) in _SIGNATURES.items():
        function = getattr(library, function_name)
        function.restype = restype
        function.argtypes = argtypes
    # Apply runs on a worker thread: initialise libcurl once, up front.
    if library.dgc_init() != 0:
        raise ImportError(f"dgc: {name}: {library.dgc_error_last().decode('utf-8', 'replace')}")
    return library, name


lib, path = _load()
