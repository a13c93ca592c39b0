"""The per-image details cache (SPEC §9) against the real engine.

Requests are counted from docker gc's own `-D` trace of every request it
sends: a warm run (the cache filled by a first run) asks the engine for no
image's inspect or history, and its plan is the cold run's, byte for byte;
`--no-cache` neither reads nor writes the cache; a corrupt cache file is
ignored and rewritten; two runs at once leave a cache file that is whole
and that a third run uses.
"""

import json
import re
import subprocess
import tempfile
import unittest
from datetime import datetime, timezone
from pathlib import Path

from dgc_fixtures.dgc import binary_path, dgc_environment, run_dgc
from dgc_fixtures.formats import rfc3339
from dgc_fixtures.scenarios import incident_policy, incident_scenario
from dgc_fixtures.testcase import EngineTestCase

DETAIL_REQUEST = re.compile(r"^DEBUG: GET /v[0-9.]+/images/sha256:[0-9a-f]{64}/(json|history):",
                            re.MULTILINE)


class CacheTest(EngineTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        loaded = datetime.now(timezone.utc).replace(microsecond=0)
        cls.scenario = cls.install_scenario(incident_scenario(loaded))
        cls.at = rfc3339(cls.store.after_load(loaded))

    def setUp(self):
        self.directory = tempfile.TemporaryDirectory(prefix="dgc-cache-test-")
        self.cache_home = Path(self.directory.name) / "xdg"
        self.policy = Path(self.directory.name) / "gc.json"
        self.policy.write_text(json.dumps(incident_policy()))

    def tearDown(self):
        self.directory.cleanup()

    def plan_args(self, *extra):
        return ("-H", self.host, "-D", "plan", "-p", str(self.policy), "--now", self.at,
                "--format", "json", *extra)

    def plan(self, *extra):
        """Runs a traced plan with this test's cache home; returns (plan
        text, number of image detail requests)."""
        result = run_dgc(*self.plan_args(*extra),
                         env={"XDG_CACHE_HOME": str(self.cache_home)})
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout, len(DETAIL_REQUEST.findall(result.stderr))

    def cache_files(self):
        directory = self.cache_home / "docker-gc"
        return sorted(directory.glob("details-*.json")) if directory.exists() else []

    def images(self):
        return len(self.engine.images())

    def test_a_warm_run_asks_for_no_images_details(self):
        cold, cold_requests = self.plan()
        self.assertEqual(cold_requests, 2 * self.images())
        [cache] = self.cache_files()
        self.assertEqual(json.loads(cache.read_text())["schema"], "dgc.image-details/v1")
        warm, warm_requests = self.plan()
        self.assertEqual(warm_requests, 0)
        self.assertEqual(warm, cold)

    def test_no_cache_neither_reads_nor_writes_it(self):
        self.plan()
        [cache] = self.cache_files()
        before = cache.read_bytes()
        _, requests = self.plan("--no-cache")
        self.assertEqual(requests, 2 * self.images())
        self.assertEqual(cache.read_bytes(), before)

    def test_a_corrupt_cache_is_ignored_and_rewritten(self):
        cold, _ = self.plan()
        [cache] = self.cache_files()
        text = cache.read_text()
        cache.write_text(text[:len(text) // 2])
        again, requests = self.plan()
        self.assertEqual(requests, 2 * self.images())
        self.assertEqual(again, cold)
        self.assertEqual(json.loads(cache.read_text())["schema"], "dgc.image-details/v1")
        _, warm_requests = self.plan()
        self.assertEqual(warm_requests, 0)

    def test_two_runs_at_once_leave_a_whole_cache(self):
        environment = dgc_environment(XDG_CACHE_HOME=str(self.cache_home))
        runs = [subprocess.Popen([binary_path(), *self.plan_args()], env=environment,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(2)]
        outputs = [run.communicate(timeout=120) for run in runs]
        for run, (stdout, stderr) in zip(runs, outputs):
            self.assertEqual(run.returncode, 0, stderr)
        self.assertEqual(outputs[0][0], outputs[1][0])
        [cache] = self.cache_files()
        document = json.loads(cache.read_text())
        self.assertEqual(set(document["images"]), {image["Id"] for image in self.engine.images()})
        warm, requests = self.plan()
        self.assertEqual(requests, 0)
        self.assertEqual(warm, outputs[0][0])


if __name__ == "__main__":
    unittest.main()
