"""The version of the dgc package: the libdgc version it was made for.

While libdgc is 0.x each minor version may change its ABI, so the package
only loads a libdgc with the same MAJOR.MINOR (see _library.py).
bindings/python/CMakeLists.txt checks that this equals the project's
version, and pyproject.toml reads it from here.
"""

__version__ = "0.2.0"
