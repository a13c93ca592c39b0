"""Stopping dgc.apply() (bindings/python) part-way, on a fake engine holding
two deletable images whose first DELETE it keeps in flight: a `cancel`
Event set by another thread, or a Ctrl-C (SIGINT) in the calling thread,
lets that action finish and runs no other (the fake gets no second
DELETE); the report has the rest "skipped" and summary.stopped set, and the
KeyboardInterrupt carries it as `.report`. Also: on_result sees every
result, and an exception it raises stops the apply the same way.

Needs DGC_LIBRARY and bindings/python on PYTHONPATH (ctest sets both).
"""

import os
import signal
import tempfile
import threading
import unittest

import dgc

from dgc_fixtures.fake_engine import FakeEngine, two_deletable_images_overrides

POLICY = {"rules": [{"name": "all", "match": "*", "older_than": "1h"}]}
WAIT_S = 30


class CallbackFailed(Exception):
    """What the test's on_result raises."""


class CancelTest(unittest.TestCase):
    def setUp(self):
        directory = tempfile.TemporaryDirectory(prefix="dgc-py-cancel-")
        self.addCleanup(directory.cleanup)
        os.chmod(directory.name, 0o755)
        self.release = threading.Event()
        self.cancel = threading.Event()
        overrides = two_deletable_images_overrides()
        self.fake = FakeEngine(directory.name, overrides)
        self.fake.__enter__()
        self.addCleanup(self.fake.__exit__, None, None, None)
        self.addCleanup(self.release.set)  # never leave a request held
        self.plan = dgc.plan(POLICY, host=self.fake.host)
        self.delete_routes = [f"/images/{action['image']}" for action in self.plan["actions"]]
        self.assertEqual(len(self.delete_routes), 2, self.plan)
        for route in self.delete_routes:
            overrides[route].hold = self.release

    def deletes(self):
        """The DELETE requests the fake received, in order."""
        return [route for route in self.fake.requests if route in self.delete_routes]

    def during_first_delete(self, act):
        """On another thread: once the fake holds the first action's DELETE
        in flight, runs `act`, then releases the DELETE when `self.cancel`
        is set (apply sets it when a Ctrl-C cancels), so the cancel is in
        place before the action in flight ends."""

        def run():
            try:
                self.fake.wait_for_request(self.delete_routes[0], WAIT_S)
                act()
                self.cancel.wait(WAIT_S)
            finally:
                self.release.set()

        thread = threading.Thread(target=run, name="test-canceller")
        thread.start()
        self.addCleanup(thread.join)

    def assert_stopped_after_the_first_action(self, report, why):
        self.assertEqual(report["schema"], "dgc.apply/v1")
        self.assertEqual([result["status"] for result in report["results"]],
                         ["done", "skipped"], report)
        self.assertEqual((report["summary"]["done"], report["summary"]["skipped"],
                          report["summary"]["failed"]), (1, 1, 0))
        self.assertIn(why, report["summary"]["stopped"])
        self.assertIn(why, report["results"][1]["detail"])
        self.assertEqual(self.deletes(), self.delete_routes[:1])

    def test_cancel_event_stops_after_the_action_in_flight(self):
        self.during_first_delete(self.cancel.set)
        report = dgc.apply(self.plan, host=self.fake.host, cancel=self.cancel)
        self.assert_stopped_after_the_first_action(report, "cancelled")

    def test_ctrl_c_stops_after_the_action_in_flight_and_keeps_the_report(self):
        # Python's own SIGINT handler, even when ctest was started with
        # SIGINT ignored (a background job).
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        self.addCleanup(signal.signal, signal.SIGINT, previous)
        self.during_first_delete(lambda: os.kill(os.getpid(), signal.SIGINT))
        with self.assertRaises(KeyboardInterrupt) as raised:
            dgc.apply(self.plan, host=self.fake.host, cancel=self.cancel)
        self.assertTrue(self.cancel.is_set())
        self.assert_stopped_after_the_first_action(raised.exception.report, "cancelled")

    def test_cancel_set_before_apply_runs_nothing(self):
        self.cancel.set()
        report = dgc.apply(self.plan, host=self.fake.host, cancel=self.cancel)
        self.assertEqual([result["status"] for result in report["results"]],
                         ["skipped", "skipped"])
        self.assertIn("cancelled", report["summary"]["stopped"])
        self.assertEqual(self.deletes(), [])

    def test_on_result_gets_every_result(self):
        self.release.set()
        seen = []
        report = dgc.apply(self.plan, host=self.fake.host, on_result=seen.append)
        self.assertEqual([result["status"] for result in report["results"]],
                         ["done", "done"])
        self.assertEqual(seen, report["results"])
        self.assertEqual(self.deletes(), self.delete_routes)

    def test_an_exception_in_on_result_stops_the_apply(self):
        self.release.set()

        def fail(result):
            raise CallbackFailed(result["image"])

        with self.assertRaises(CallbackFailed) as raised:
            dgc.apply(self.plan, host=self.fake.host, on_result=fail)
        self.assertEqual(str(raised.exception), self.plan["actions"][0]["image"])
        self.assert_stopped_after_the_first_action(raised.exception.report, "callback")


if __name__ == "__main__":
    unittest.main()
