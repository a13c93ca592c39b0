"""Integration tests of several engines in one run (SPEC.md §11): `plan`,
`apply`, `df` and `check` with `--context` more than once and with
`--all-contexts`, against two private dockerds reached through docker
contexts the real docker CLI created.

Each engine's document inside dgc.fleet/v1 must be exactly what the
command prints for that engine alone (plus its context), the summary must
add up theirs, a fleet apply must free on each engine exactly what that
engine's plan said (checked against the engine's own LayersSize drop), and
an engine that is down, unknown or named twice must be reported as such
while the others are fully handled.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from datetime import datetime, timezone
from pathlib import Path

from dgc_fixtures.dgc import binary_path, crash_signs, dgc_environment, run_dgc
from dgc_fixtures.docker_cli import DockerCli, clean_environment, docker_path
from dgc_fixtures.engine import PrivateEngine, reset
from dgc_fixtures.fault_proxy import Fault, FaultProxy
from dgc_fixtures.formats import rfc3339
from dgc_fixtures.scenarios import bulk_scenario
from dgc_fixtures.stores import CONTAINERD, session_store

# How many old images each engine gets (different, so sums are not doubles).
COUNTS = {"alpha": 3, "beta": 5}


class FleetTest(unittest.TestCase):
    """Two private engines, "alpha" and "beta", and docker contexts for them."""

    @classmethod
    def setUpClass(cls):
        session_store().skip_on(cls, CONTAINERD, "it starts classic PrivateEngines of "
                                "its own, tested in the graphdriver pass")
        super().setUpClass()
        cls.private = {}
        try:
            cls.start_engines_and_contexts()
        except BaseException:  # unittest skips tearDownClass then
            cls.tearDownClass()
            raise

    @classmethod
    def start_engines_and_contexts(cls):
        for name in COUNTS:
            cls.private[name] = PrivateEngine()
            cls.private[name].start()
        cls.work = Path(tempfile.mkdtemp(prefix="dgc-fleet-"))
        cls.config = cls.work / "docker-config"
        cls.config.mkdir()
        # The default context's endpoint: a socket nobody listens on (never
        # the machine's own engine).
        cls.nowhere = f"unix://{cls.work}/nobody.sock"
        contexts = {"alpha": cls.private["alpha"].host,
                    "beta": cls.private["beta"].host,
                    "alpha-again": cls.private["alpha"].host,
                    "down": f"unix://{cls.work}/down.sock"}
        for context, host in contexts.items():
            subprocess.run([docker_path(), "context", "create", context,
                            "--docker", f"host={host}"],
                           env=clean_environment(DOCKER_CONFIG=str(cls.config)),
                           check=True, capture_output=True, text=True, timeout=60)
        cls.now = datetime.now(timezone.utc).replace(microsecond=0)
        cls.policy = cls.work / "gc.json"
        cls.policy.write_text(json.dumps({"rules": [
            {"name": "old", "match": "fleet*", "older_than": "1d"}]}))

    @classmethod
    def tearDownClass(cls):
        for engine in getattr(cls, "private", {}).values():
            engine.stop()
        if hasattr(cls, "work"):
            shutil.rmtree(cls.work, ignore_errors=True)
        super().tearDownClass()

    def setUp(self):
        self.scenarios = {}
        for name, count in COUNTS.items():
            engine = self.private[name].engine
            try:
                engine.version()
            except OSError:  # an earlier test shut it down
                self.private[name].start()
            reset(engine)
            scenario = bulk_scenario(self.now, count, prefix=f"fleet{name}")
            scenario.install(DockerCli(self.private[name].host))
            self.scenarios[name] = scenario

    def run_gc(self, *args, **env):
        """docker-gc ARGS with the contexts' config and the default context
        unreachable; fails the test on a crash."""
        result = run_dgc(*args, env={"DOCKER_CONFIG": str(self.config),
                                     "DOCKER_HOST": self.nowhere, **env})
        self.assertEqual(crash_signs(result), [], result.stderr)
        return result

    def json_of(self, *args, code=0):
        result = self.run_gc(*args)
        self.assertEqual(result.returncode, code, result.stderr)
        return json.loads(result.stdout)

    def plan_args(self):
        return ("plan", "--policy", str(self.policy), "--now", rfc3339(self.now),
                "--format", "json")

    def test_plan_documents_are_each_engines_own(self):
        fleet = self.json_of(*self.plan_args(), "--context", "alpha", "--context", "beta")
        self.assertEqual(fleet["schema"], "dgc.fleet/v1")
        self.assertEqual([e["context"] for e in fleet["engines"]], ["alpha", "beta"])
        total = 0
        for entry in fleet["engines"]:
            alone = self.json_of(*self.plan_args(), "--context", entry["context"])
            self.assertEqual({**alone, "context": entry["context"]}, entry)
            self.assertEqual(alone["engine"]["host"],
                             self.private[entry["context"]].host)
            self.assertEqual(alone["summary"]["delete"], COUNTS[entry["context"]])
            total += alone["summary"]["reclaimable_bytes"]
        self.assertGreater(total, 0)
        self.assertEqual(fleet["summary"]["reclaimable_bytes"], total)
        self.assertEqual(fleet["summary"]["engines"], 2)
        self.assertEqual(fleet["summary"]["failed"], 0)
        self.assertEqual(fleet["summary"]["duplicates"], [])

    def test_plan_table_has_a_section_per_engine_and_a_total(self):
        result = self.run_gc("plan", "--policy", str(self.policy),
                             "--context", "alpha", "--context", "beta")
        self.assertEqual(result.returncode, 0, result.stderr)
        out = result.stdout
        heading_a = f"=== alpha ({self.private['alpha'].host}) ==="
        heading_b = f"=== beta ({self.private['beta'].host}) ==="
        self.assertIn(heading_a, out)
        self.assertIn(heading_b, out)
        self.assertLess(out.index(heading_a), out.index(heading_b))
        self.assertIn("fleetalpha-00:1", out.split(heading_b)[0])
        self.assertIn("fleetbeta-04:1", out.split(heading_b)[1])
        self.assertRegex(out.splitlines()[-1], r"^Total over 2 engines: \S+ reclaimable$")

    def test_all_contexts_reports_unreachable_and_duplicate(self):
        result = self.run_gc(*self.plan_args(), "--all-contexts")
        self.assertEqual(result.returncode, 1, result.stderr)
        fleet = json.loads(result.stdout)
        entries = {e["context"]: e for e in fleet["engines"]}
        self.assertEqual(list(entries), ["default", "alpha", "beta", "down"])
        for failed in ("default", "down"):
            self.assertEqual(entries[failed]["error"]["code"], "DGC_EUNAVAILABLE",
                             entries[failed])
            self.assertNotIn("schema", entries[failed])
        self.assertEqual(entries["default"]["host"], self.nowhere)
        for name in ("alpha", "beta"):
            self.assertEqual(entries[name]["schema"], "dgc.plan/v1")
            self.assertEqual(entries[name]["summary"]["delete"], COUNTS[name])
        self.assertEqual(fleet["summary"]["failed"], 2)
        self.assertEqual(fleet["summary"]["duplicates"],
                         [{"context": "alpha-again", "same_engine_as": "alpha"}])
        self.assertEqual(fleet["summary"]["reclaimable_bytes"],
                         entries["alpha"]["summary"]["reclaimable_bytes"]
                         + entries["beta"]["summary"]["reclaimable_bytes"])
        self.assertIn('context "alpha-again" names the same engine as context "alpha"',
                      result.stderr)

    def test_all_contexts_with_context_or_host_is_a_usage_error(self):
        for extra in (("--context", "alpha"), ("-H", self.private["alpha"].host)):
            result = self.run_gc("plan", "--all-contexts", *extra)
            self.assertEqual(result.returncode, 2, result.stderr)
            self.assertIn("--all-contexts cannot be used with --host or --context",
                          result.stderr)
            self.assertEqual(result.stdout, "")

    def test_unknown_context_fails_alone(self):
        alone = self.run_gc(*self.plan_args(), "--context", "nope")
        self.assertEqual(alone.returncode, 1)
        self.assertIn("nope", alone.stderr)
        result = self.run_gc(*self.plan_args(), "--context", "alpha", "--context", "nope")
        self.assertEqual(result.returncode, 1, result.stderr)
        fleet = json.loads(result.stdout)
        self.assertEqual(fleet["engines"][0]["summary"]["delete"], COUNTS["alpha"])
        error = fleet["engines"][1]["error"]
        self.assertEqual(error["code"], "DGC_ENOTFOUND")
        self.assertIn("nope", error["message"])
        self.assertIn("Error: nope: ", result.stderr)

    def test_same_engine_twice_is_handled_once(self):
        result = self.run_gc(*self.plan_args(), "--context", "alpha", "--context",
                             "alpha-again")
        self.assertEqual(result.returncode, 0, result.stderr)
        fleet = json.loads(result.stdout)
        self.assertEqual([e["context"] for e in fleet["engines"]], ["alpha"])
        self.assertEqual(fleet["summary"]["duplicates"],
                         [{"context": "alpha-again", "same_engine_as": "alpha"}])
        self.assertIn("handled once", result.stderr)

    def test_df_sums_unused_reclaimable(self):
        fleet = self.json_of("df", "--format", "json", "--context", "alpha", "--context", "beta")
        total = 0
        for entry in fleet["engines"]:
            alone = self.json_of("df", "--format", "json", "--context", entry["context"])
            # What moves between two runs: the time, the disk's usage.
            for moving in ("captured_at", "disk"):
                self.assertIn(moving, entry)
                entry.pop(moving), alone.pop(moving)
            self.assertEqual({**alone, "context": entry["context"]}, entry)
            self.assertEqual(alone["totals"]["layers_bytes"],
                             self.private[entry["context"]].engine.layers_size())
            total += alone["totals"]["unused_reclaimable_bytes"]
        self.assertEqual(fleet["summary"]["reclaimable_bytes"], total)

    def test_check_is_one_line_with_the_worst_state(self):
        result = self.run_gc("check", "--warn", "1TB", "--context", "alpha", "--context", "beta")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(len(result.stdout.splitlines()), 1)
        self.assertRegex(result.stdout, r"^DOCKER-GC OK - alpha: OK .*; beta: OK .* \| alpha_used=\d+B")
        self.assertIn(" beta_used=", result.stdout)
        down = self.run_gc("check", "--warn", "1TB", "--context", "alpha", "--context", "down")
        self.assertEqual(down.returncode, 3, down.stdout)
        self.assertRegex(down.stdout, r"^DOCKER-GC UNKNOWN - alpha: OK .*; down: UNKNOWN ")

    def test_apply_frees_on_each_engine_what_its_plan_says(self):
        plans = {name: self.json_of(*self.plan_args(), "--context", name)
                 for name in COUNTS}
        before = {name: self.private[name].engine.layers_size() for name in COUNTS}
        lock, log = self.work / "apply.lock", self.work / "audit.log"
        result = self.run_gc("apply", "--yes", "--policy", str(self.policy),
                             "--now", rfc3339(self.now), "--format", "json",
                             "--lock", str(lock), "--log", str(log),
                             "--context", "alpha", "--context", "beta")
        self.assertEqual(result.returncode, 0, result.stderr)
        fleet = json.loads(result.stdout)
        freed = 0
        for entry in fleet["engines"]:
            name = entry["context"]
            engine = self.private[name].engine
            self.assertEqual(entry["schema"], "dgc.apply/v1")
            self.assertEqual(entry["summary"]["done"], COUNTS[name])
            self.assertEqual(entry["summary"]["failed"], 0)
            planned = plans[name]["summary"]["reclaimable_bytes"]
            self.assertEqual(before[name] - engine.layers_size(), planned)
            self.assertEqual(entry["summary"]["freed_bytes"], planned)
            deleted = {action["image"] for action in plans[name]["actions"]}
            left = {image["Id"] for image in engine.images()}
            self.assertEqual(deleted & left, set())
            self.assertIn(self.scenarios[name].image_id("keeper"), left)
            log_lines = Path(f"{log}.{name}").read_text().splitlines()
            self.assertEqual(len(log_lines), COUNTS[name])
            freed += planned
        self.assertEqual(fleet["summary"]["freed_bytes"], freed)
        self.assertEqual(fleet["summary"]["done"], sum(COUNTS.values()))
        self.assertFalse(log.exists())

    def test_apply_with_one_engine_down_finishes_the_other(self):
        plan_a = self.json_of(*self.plan_args(), "--context", "alpha")
        before_a = self.private["alpha"].engine.layers_size()
        self.private["beta"].shutdown()
        result = self.run_gc("apply", "--yes", "--policy", str(self.policy),
                             "--now", rfc3339(self.now), "--context", "alpha",
                             "--context", "beta")
        self.assertEqual(result.returncode, 1, result.stderr)
        out = result.stdout
        self.assertIn(f"=== beta ({self.private['beta'].host}) ===\nError: ", out)
        self.assertIn("Total reclaimed space over 2 engines (1 failed): ", out)
        self.assertIn("Error: beta: ", result.stderr)
        self.assertEqual(before_a - self.private["alpha"].engine.layers_size(),
                         plan_a["summary"]["reclaimable_bytes"])
        left = {image["Id"] for image in self.private["alpha"].engine.images()}
        self.assertEqual(left, {self.scenarios["alpha"].image_id("keeper")})

    def test_an_engine_killed_mid_apply_spares_the_others(self):
        """beta's dockerd dies while its first DELETEs are held by a proxy
        (each delayed, so the kill lands inside beta's run): beta's run ends
        there, saying so, with nothing deleted that the report calls done;
        alpha, applied alongside, is fully done; the exit code is 1."""
        plan_a = self.json_of(*self.plan_args(), "--context", "alpha")
        before_a = self.private["alpha"].engine.layers_size()
        beta = self.private["beta"]
        beta_images = {image["Id"] for image in beta.engine.images()}
        (self.work / "beta-proxy").mkdir(exist_ok=True)
        proxy = FaultProxy(self.work / "beta-proxy", beta.host,
                           [Fault("delay", method="DELETE", path=r"^/images/",
                                  times=None, delay_ms=1500)])
        self.addCleanup(proxy.__exit__, None, None, None)
        proxy.__enter__()
        subprocess.run([docker_path(), "context", "create", "beta-slow",
                        "--docker", f"host={proxy.host}"],
                       env=clean_environment(DOCKER_CONFIG=str(self.config)),
                       check=True, capture_output=True, text=True, timeout=60)
        self.addCleanup(subprocess.run, [docker_path(), "context", "rm", "beta-slow"],
                        env=clean_environment(DOCKER_CONFIG=str(self.config)),
                        capture_output=True, timeout=60)
        process = subprocess.Popen(
            [binary_path(), "apply", "--yes", "--policy", str(self.policy),
             "--now", rfc3339(self.now), "--format", "json",
             "--context", "alpha", "--context", "beta-slow"],
            env=dgc_environment(DOCKER_CONFIG=str(self.config), DOCKER_HOST=self.nowhere),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(process.kill)
        deadline = time.monotonic() + 60
        while proxy.count("DELETE", r"^/images/") == 0:
            self.assertIsNone(process.poll(), "the apply ended before beta's first DELETE")
            self.assertLess(time.monotonic(), deadline, "no DELETE reached beta's proxy")
            time.sleep(0.005)
        os.kill(int((beta.directory / "pid").read_text().strip()), signal.SIGKILL)
        stdout, stderr = process.communicate(timeout=120)
        self.assertEqual(crash_signs(subprocess.CompletedProcess(
            process.args, process.returncode, stdout, stderr)), [], stderr)
        self.assertEqual(process.returncode, 1, stderr)
        fleet = json.loads(stdout)
        entries = {entry["context"]: entry for entry in fleet["engines"]}
        alpha = entries["alpha"]
        self.assertEqual((alpha["summary"]["done"], alpha["summary"]["failed"]),
                         (COUNTS["alpha"], 0))
        self.assertEqual(alpha["summary"]["freed_bytes"],
                         plan_a["summary"]["reclaimable_bytes"])
        self.assertEqual(before_a - self.private["alpha"].engine.layers_size(),
                         plan_a["summary"]["reclaimable_bytes"])
        # beta: its run ended when the engine stopped answering; the held
        # DELETEs never reached it, so none is done.
        cut = entries["beta-slow"]
        self.assertEqual(cut.get("schema"), "dgc.apply/v1", cut)
        self.assertIn("the engine stopped answering", cut["summary"]["stopped"])
        self.assertEqual(cut["summary"]["done"], 0, cut["results"])
        self.assertEqual(cut["summary"]["freed_bytes"], 0)
        for result in cut["results"]:
            self.assertIn(result["status"], ("unknown", "failed", "skipped"), result)
        self.assertEqual(fleet["summary"]["done"], COUNTS["alpha"])
        self.assertEqual((fleet["summary"]["engines"], fleet["summary"]["failed"]), (2, 1))
        self.assertIn("Error: beta-slow: apply stopped: the engine stopped answering", stderr)
        beta.shutdown()
        beta.start()
        self.assertEqual({image["Id"] for image in beta.engine.images()}, beta_images,
                         "nothing of beta's went")

    def test_python_binding_plans_the_same_fleet(self):
        """dgc.fleet_plan (over the C API's dgc_fleet_plan) gives what the
        binary gives, engine by engine."""
        cli = self.json_of(*self.plan_args(), "--context", "alpha", "--context", "beta",
                           "--context", "down", code=1)
        script = ("import dgc, json, sys\n"
                  "print(json.dumps(dgc.fleet_plan(sys.argv[1], contexts=sys.argv[3:], "
                  "now=sys.argv[2])))\n")
        env = clean_environment(DOCKER_CONFIG=str(self.config))
        preload = os.environ.get("DGC_SANITIZER_PRELOAD")
        if preload:  # a libdgc.so built with ASan, in a Python built without
            env.update(LD_PRELOAD=preload,
                       ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
        result = subprocess.run(
            [sys.executable, "-c", script, str(self.policy), rfc3339(self.now),
             "alpha", "beta", "down"],
            env=env,
            capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        library = json.loads(result.stdout)
        self.assertEqual(library["schema"], "dgc.fleet/v1")
        self.assertEqual(library["summary"], cli["summary"])
        self.assertEqual([e["context"] for e in library["engines"]],
                         ["alpha", "beta", "down"])
        for ours, theirs in zip(library["engines"], cli["engines"]):
            for key in ("summary", "actions", "kept", "error"):
                self.assertEqual(ours.get(key), theirs.get(key), key)

    def test_fleet_refuses_one_engine_flags(self):
        for args in (("apply", "--yes", "--plan", str(self.policy)),
                     ("apply",),
                     ("plan", "--metrics-file", str(self.work / "m.prom")),
                     ("plan", "-o", str(self.work / "plan.json"))):
            result = self.run_gc(*args, "--context", "alpha", "--context", "beta")
            self.assertEqual(result.returncode, 2, (args, result.stderr))
            self.assertIn("cannot be used with several engines", result.stderr)
        self.assertFalse((self.work / "m.prom").exists())
        self.assertFalse((self.work / "plan.json").exists())
        for name in COUNTS:
            self.assertEqual(len(self.private[name].engine.images()), COUNTS[name] + 1)


if __name__ == "__main__":
    unittest.main()
