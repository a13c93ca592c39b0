"""The README's library examples, exactly as written there, built and run
against the installed library: a C program, a Python script and a Go
program each print the plan of a policy for the engine DOCKER_HOST names,
and each plan equals `docker gc plan --format json`'s.

The examples are the code blocks after `<!-- example: NAME -->` in
README.md. The build is installed into a temporary prefix with `cmake
--install`; the programs find libdgc there (pkg-config, the Python
package's own path, cgo), never in the build tree.

Needs DGC_BIN, DGC_BUILD_DIR and DGC_CMAKE (ctest sets them), a C compiler,
pkg-config and go.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from dgc_fixtures.dgc import run_json
from dgc_fixtures.docker_cli import clean_environment
from dgc_fixtures.scenarios import incident_policy, incident_scenario
from dgc_fixtures.testcase import EngineTestCase

REPO = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 300


def readme_examples():
    """NAME -> code of each `<!-- example: NAME -->` block of README.md."""
    text = (REPO / "README.md").read_text()
    blocks = re.findall(r"<!-- example: (\S+) -->\n```\w+\n(.*?)```", text, re.S)
    return dict(blocks)


def required_env(name):
    value = os.environ.get(name, "")
    if not value:
        raise RuntimeError(f"{name} must be set (ctest sets it)")
    return value


def run(args, env, cwd=None):
    result = subprocess.run(args, env=env, cwd=cwd, capture_output=True,
                            text=True, timeout=BUILD_TIMEOUT_S)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} exited {result.returncode}:\n"
                             f"{result.stdout}\n{result.stderr}")
    return result.stdout


class ReadmeExamplesTest(EngineTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.examples = readme_examples()
        cls.work = tempfile.TemporaryDirectory(prefix="dgc-readme-")
        cls.root = Path(cls.work.name)
        cls.prefix = cls.root / "prefix"
        run([required_env("DGC_CMAKE"), "--install", required_env("DGC_BUILD_DIR"),
             "--prefix", str(cls.prefix)], clean_environment())
        [pc_file] = cls.prefix.glob("**/pkgconfig/libdgc.pc")
        cls.pkgconfig_dir = pc_file.parent
        cls.libdir = pc_file.parent.parent
        cls.install_scenario(incident_scenario(datetime.now(timezone.utc)))
        cls.policy = cls.root / "gc.json"
        cls.policy.write_text(json.dumps(incident_policy()))

    @classmethod
    def tearDownClass(cls):
        cls.work.cleanup()
        super().tearDownClass()

    def environment(self, **extra):
        """What a user's shell would have: DOCKER_HOST naming the engine, an
        empty docker config, and the installed prefix for pkg-config."""
        config = self.root / "docker-config"
        config.mkdir(exist_ok=True)
        return clean_environment(DOCKER_HOST=self.host, DOCKER_CONFIG=str(config),
                                 PKG_CONFIG_PATH=str(self.pkgconfig_dir), **extra)

    def assert_same_plan(self, output):
        program = json.loads(output)
        binary = run_json("-H", self.host, "plan", "-p", str(self.policy),
                          "--format", "json")
        self.assertGreater(binary["summary"]["reclaimable_bytes"], 0)
        # The same plan; only the clock (each run reads the engine anew) may
        # differ.
        self.assertEqual({**program, "now": None}, {**binary, "now": None})

    def test_the_c_example(self):
        source = self.root / "plan.c"
        source.write_text(self.examples["plan.c"])
        env = self.environment()
        flags = run(["pkg-config", "--cflags", "--libs", "libdgc"], env).split()
        run(["cc", "-std=c99", "-pedantic", "-Wall", "-Werror", str(source), *flags,
             f"-Wl,-rpath,{self.libdir}", "-o", str(self.root / "plan")], env)
        self.assert_same_plan(run([str(self.root / "plan"), str(self.policy)], env))

    def test_the_python_example(self):
        script = self.root / "plan.py"
        script.write_text(self.examples["plan.py"])
        [site] = self.prefix.glob("lib/python3*/*-packages")
        env = self.environment(PYTHONPATH=str(site))
        self.assert_same_plan(run(["/usr/bin/python3", str(script), str(self.policy)],
                                  env))

    def test_the_go_example(self):
        go = shutil.which("go")
        self.assertIsNotNone(go, "Debian's golang-go must be installed")
        module = self.root / "goexample"
        module.mkdir()
        (module / "main.go").write_text(self.examples["main.go"])
        binding = "github.com/docker-gc/docker-gc/bindings/go"
        (module / "go.mod").write_text(
            f"module example.com/plan\n\ngo 1.19\n\nrequire {binding} v0.0.0\n\n"
            f"replace {binding} => {REPO / 'bindings' / 'go'}\n")
        env = self.environment(GOPROXY="off", GOFLAGS="-mod=mod", GOENV="off",
                               GOCACHE=str(self.root / "gocache"),
                               GOPATH=str(self.root / "gopath"),
                               CGO_LDFLAGS=f"-Wl,-rpath,{self.libdir}")
        self.assert_same_plan(run([go, "run", ".", str(self.policy)], env, cwd=module))


if __name__ == "__main__":
    import unittest
    unittest.main()
