"""The Python binding as users install it (bindings/python): `cmake
--install` puts the `dgc` package into the prefix's Python path, where it
loads the installed libdgc with neither DGC_LIBRARY nor LD_LIBRARY_PATH;
`pip install --no-build-isolation --no-index` builds and installs it offline
with Debian's setuptools. Each, imported from where it was installed, plans
packaging/examples exactly as the docker-gc binary does. A libdgc of another
version, or a library that is not libdgc, is refused at import.

Needs DGC_BUILD_DIR (the build tree), DGC_CMAKE (cmake), DGC_BIN and
DGC_LIBRARY (the built binary and library); ctest sets them.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from dgc_fixtures.dgc import run_json

SOURCE_DIR = Path(__file__).resolve().parents[2]
BINDING_DIR = SOURCE_DIR / "bindings" / "python"
EXAMPLES = SOURCE_DIR / "packaging" / "examples"
NOW = "2026-12-01T00:00:00Z"
RUN_TIMEOUT_S = 300

# Run by the interpreter under test: imports dgc, plans the examples and
# prints the plan, where dgc and the libdgc it mapped come from.
PLAN_SCRIPT = """
import json, sys
import dgc
plan = dgc.plan(sys.argv[1], snapshot=sys.argv[2], now=sys.argv[3])
with open("/proc/self/maps") as maps:
    libraries = {line.split()[-1] for line in maps if "libdgc" in line}
print(json.dumps({"plan": plan, "package": dgc.__file__, "version": dgc.__version__,
                  "libraries": sorted(libraries)}))
"""


def run(*command, env=None, cwd=None):
    """Runs `command`; returns the CompletedProcess (text)."""
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT_S)


def python_environment(python_path, **variables):
    """This environment without DGC_LIBRARY, LD_LIBRARY_PATH or PYTHONPATH,
    then PYTHONPATH=`python_path` and `variables`."""
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("DGC_LIBRARY", "LD_LIBRARY_PATH", "PYTHONPATH")}
    environment.update(PYTHONPATH=str(python_path), **variables)
    return environment


def binary_plan():
    """docker-gc's plan of packaging/examples at NOW."""
    return run_json("plan", "--from", str(EXAMPLES / "snapshot.json"),
                    "-p", str(EXAMPLES / "gc.json"), "--now", NOW, "--format", "json")


class InstalledPackageCase(unittest.TestCase):
    """Helpers: a temporary directory per class; running Python on it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        directory = tempfile.TemporaryDirectory(prefix="dgc-py-install-")
        cls.addClassCleanup(directory.cleanup)
        cls.directory = Path(directory.name)

    def run_python(self, python_path, *args, **variables):
        """/usr/bin/python3 (the interpreter under test) with `args`, in an
        empty directory, importing from `python_path` only."""
        work = Path(tempfile.mkdtemp(dir=self.directory))
        return run(sys.executable, "-s", *args, cwd=work,
                   env=python_environment(python_path, **variables))

    def plan_from(self, python_path, **variables):
        """What PLAN_SCRIPT prints, importing dgc from `python_path`."""
        result = self.run_python(python_path, "-c", PLAN_SCRIPT, str(EXAMPLES / "gc.json"),
                                 str(EXAMPLES / "snapshot.json"), NOW, **variables)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def assert_plans_as_the_binary(self, outcome):
        expected = binary_plan()
        self.assertTrue(expected["actions"])
        self.assertEqual(outcome["plan"], expected)
        self.assertEqual(outcome["version"], "0.2.0")


class CmakeInstallTest(InstalledPackageCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.prefix = cls.directory / "prefix"
        result = run(os.environ["DGC_CMAKE"], "--install", os.environ["DGC_BUILD_DIR"],
                     "--prefix", str(cls.prefix))
        if result.returncode != 0:
            raise AssertionError(f"cmake --install failed: {result.stdout}{result.stderr}")
        cls.site = cls.prefix / "lib" / "python3" / "dist-packages"

    def test_package_is_in_the_prefix_python_path(self):
        package = self.site / "dgc"
        self.assertTrue((package / "__init__.py").is_file())
        self.assertTrue((package / "_install_layout.py").is_file())
        self.assertFalse((package / "__pycache__").exists())

    def test_installed_package_uses_the_installed_library(self):
        outcome = self.plan_from(self.site)
        self.assertEqual(Path(outcome["package"]), self.site / "dgc" / "__init__.py")
        self.assertTrue(outcome["libraries"])
        for library in outcome["libraries"]:
            self.assertTrue(library.startswith(f"{self.prefix}/"), outcome["libraries"])
        self.assert_plans_as_the_binary(outcome)

    def test_another_version_is_refused(self):
        # A copy of the installed tree whose package says it is 0.3.0.
        copy = self.directory / "other-prefix"
        shutil.copytree(self.prefix, copy, symlinks=True)
        site = copy / self.site.relative_to(self.prefix)
        (site / "dgc" / "_version.py").write_text('__version__ = "0.3.0"\n')
        result = self.run_python(site, "-c", "import dgc")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(f"ImportError: dgc 0.3.0 needs libdgc 0.3, but {copy}/lib/", result.stderr)
        self.assertIn("is libdgc 0.2.0", result.stderr)


class PipInstallTest(InstalledPackageCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # pip builds in the source tree: build from a copy.
        source = cls.directory / "source"
        shutil.copytree(BINDING_DIR, source, ignore=shutil.ignore_patterns(
            "__pycache__", "build", "*.egg-info"))
        cls.target = cls.directory / "target"
        result = run(sys.executable, "-m", "pip", "install", "--no-build-isolation",
                     "--no-index", "--no-cache-dir", "--disable-pip-version-check",
                     "--target", str(cls.target), str(source))
        if result.returncode != 0:
            raise AssertionError(f"pip install failed: {result.stdout}{result.stderr}")

    def test_installs_the_package_and_its_metadata(self):
        self.assertTrue((self.target / "dgc" / "__init__.py").is_file())
        self.assertFalse((self.target / "dgc" / "_install_layout.py").exists())
        metadata = (self.target / "dgc-0.2.0.dist-info" / "METADATA").read_text()
        self.assertIn("Version: 0.2.0", metadata)
        self.assertNotIn("Requires-Dist", metadata)

    def test_pip_installed_package_plans_as_the_binary(self):
        library = os.environ["DGC_LIBRARY"]
        outcome = self.plan_from(self.target, DGC_LIBRARY=library)
        self.assertEqual(Path(outcome["package"]), self.target / "dgc" / "__init__.py")
        self.assertEqual(outcome["libraries"], [os.path.realpath(library)])
        self.assert_plans_as_the_binary(outcome)

    def test_a_library_that_is_not_libdgc_is_refused(self):
        result = self.run_python(self.target, "-c", "import dgc", DGC_LIBRARY="libc.so.6")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("ImportError: dgc 0.2.0: libc.so.6 is not libdgc 0.2", result.stderr)

    def test_a_missing_library_is_named(self):
        result = self.run_python(self.target, "-c", "import dgc",
                                 DGC_LIBRARY="/nonexistent/libdgc.so.0.2")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("ImportError: dgc 0.2.0: cannot load libdgc (/nonexistent/libdgc.so.0.2",
                      result.stderr)


if __name__ == "__main__":
    unittest.main()
