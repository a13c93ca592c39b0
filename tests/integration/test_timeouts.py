"""Never a hang (SPEC §9, `--timeout`): against an engine that accepts a
connection and never answers, or answers the headers and stalls in the
middle of the body, every command that talks to the engine exits 1 within
its --timeout plus a small margin, and the message names the request.
`apply` whose DELETE gets no answer reads the image back and reports what
that found.

The engine here is the fake one on a unix socket (a real engine does not
stall on purpose).
"""

import json
import os
import tempfile
import threading
import time
import unittest

from dgc_fixtures.dgc import crash_signs, run_dgc
from dgc_fixtures.fake_engine import (IMAGE_ID, FakeEngine, Reply, default_replies,
                                      deletable_fake_overrides)

TIMEOUT = "2s"
MARGIN_S = 8  # process start, connection, and a slow CI machine


class StallingEngineTest(unittest.TestCase):
    def setUp(self):
        directory = tempfile.TemporaryDirectory(prefix="dgc-timeouts-")
        self.addCleanup(directory.cleanup)
        self.directory = directory.name
        self.release = threading.Event()
        # Server threads waiting on `release` must end with the test.
        self.addCleanup(self.release.set)

    def run_against(self, overrides, *args):
        with FakeEngine(self.directory, overrides) as fake:
            started = time.monotonic()
            result = run_dgc("-H", fake.host, *args, "--timeout", TIMEOUT)
            elapsed = time.monotonic() - started
            self.release.set()
        self.assertEqual(crash_signs(result), [])
        return result, elapsed

    def assert_timed_out(self, result, elapsed, path):
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertLess(elapsed, 2 + MARGIN_S, result.stderr)
        self.assertIn("did not answer", result.stderr)
        self.assertIn(path, result.stderr)
        self.assertIn("timeout of 2s", result.stderr)

    def test_every_command_gives_up_on_an_engine_that_never_answers(self):
        for args in (("df",), ("plan",), ("snapshot", "-o", os.devnull),
                     ("version",), ("apply", "--yes")):
            with self.subTest(command=args[0]):
                self.release = threading.Event()
                self.addCleanup(self.release.set)
                result, elapsed = self.run_against(
                    {"/version": Reply(default_replies("1.41")["/version"].body,
                                       hold=self.release)}, *args)
                self.assert_timed_out(result, elapsed, "GET /version")

    def test_a_body_that_stalls_half_way_is_given_up_too(self):
        stalled = default_replies("1.41")["/images/json"]
        stalled.hold_body = self.release
        result, elapsed = self.run_against({"/images/json": stalled}, "plan")
        self.assert_timed_out(result, elapsed, "GET /v1.41/images/json")

    def test_no_timeout_means_no_limit(self):
        release_later = threading.Timer(3, self.release.set)
        release_later.start()
        self.addCleanup(release_later.cancel)
        with FakeEngine(self.directory, {"/images/json": Reply(
                default_replies("1.41")["/images/json"].body, hold=self.release)}) as fake:
            result = run_dgc("-H", fake.host, "df", "--format", "json", "--timeout", "0")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["schema"], "dgc.df/v1")

    def test_an_apply_whose_delete_stalls_reads_the_image_back_and_says_so(self):
        # The DELETE is held (never answered): after --timeout the image is
        # inspected; the fake still has it, so the action failed, nothing
        # was deleted, and the apply finished (exit 3), not sent again.
        overrides = deletable_fake_overrides()
        delete = overrides[f"/images/{IMAGE_ID}"]
        delete.hold = self.release
        policy = os.path.join(self.directory, "gc.json")
        with open(policy, "w") as f:
            json.dump({"rules": [{"match": "*", "older_than": "1h"}]}, f)
        result, elapsed = self.run_against(overrides, "apply", "--yes", "-p", policy,
                                           "--format", "json")
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertLess(elapsed, 2 + MARGIN_S)
        report = json.loads(result.stdout)
        [action] = report["results"]
        self.assertEqual(action["status"], "failed")
        self.assertIn("did not answer DELETE", action["detail"])
        self.assertIn("the image is still there: not deleted", action["detail"])
        self.assertEqual(report["summary"]["stopped"], "")

    def test_an_invalid_timeout_is_a_usage_error(self):
        result = run_dgc("-H", "unix:///nonexistent.sock", "plan", "--timeout", "soon")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("--timeout", result.stderr)


if __name__ == "__main__":
    unittest.main()
