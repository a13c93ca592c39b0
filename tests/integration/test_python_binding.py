"""The Python binding (bindings/python, package `dgc`) against the real
engine: it gives the same documents as the docker-gc binary, raises
DgcError with libdgc's code, its name and its message, reads policies and
snapshots from files through libdgc (errors name the file), uses docker
gc's default policy for None, and applies plans (from a dict or a saved
plan file), passing each result to on_result.

Needs DGC_LIBRARY (the built libdgc.so) and bindings/python on PYTHONPATH;
ctest sets both. Runs on both stores: libdgc runs in this process, so the
environment docker gc needs on the session store (dgc_fixtures/stores.py)
is put in this process's environment.
"""

import json
import os
import tempfile
import unittest
from datetime import datetime, timezone
from pathlib import Path
from unittest import mock

import dgc

from dgc_fixtures.dgc import run_dgc, run_json
from dgc_fixtures.formats import rfc3339
from dgc_fixtures.scenarios import incident_scenario, shared_layers_scenario
from dgc_fixtures.stores import session_store
from dgc_fixtures.testcase import EngineTestCase

EXAMPLES = Path(__file__).resolve().parents[2] / "packaging" / "examples"
UNREACHABLE = "unix:///nonexistent/docker.sock"

INCIDENT_POLICY = {
    "rules": [
        {"name": "releases", "match": "onai-integrator-login-main-*", "keep_newest": 2},
        {"name": "legacy", "match": "docker-*", "older_than": "7d"},
        {"name": "dangling", "dangling": True, "older_than": "24h"},
    ],
    "protect": {"labels": ["gc.keep=true"]},
    "min_age": "1h",
}


def setUpModule():
    """libdgc reads the session store's variables from this process."""
    patcher = mock.patch.dict(os.environ, session_store().dgc_environment())
    patcher.start()
    unittest.addModuleCleanup(patcher.stop)


def without_volatile(document):
    """A df or plan document without the fields that differ between two
    reads of the same engine (the capture time)."""
    document = dict(document)
    document.pop("captured_at", None)
    document.pop("disk", None)  # the filesystem's usage moves on its own
    document.pop("now", None)
    return document


class DfTest(EngineTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.install_scenario(shared_layers_scenario())

    def test_df_equals_the_binary(self):
        from_binding = dgc.df(host=self.host)
        from_binary = run_json("-H", self.host, "df", "--format", "json")
        self.assertEqual(from_binding["schema"], "dgc.df/v1")
        self.assertEqual(without_volatile(from_binding), without_volatile(from_binary))
        self.assertEqual(from_binding["totals"]["layers_bytes"],
                         self.store.image_layers_bytes(self.engine))

    def test_df_from_a_snapshot_file(self):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "snapshot.json")
            self.assertEqual(
                run_dgc("-H", self.host, "snapshot", "-o", path).returncode, 0)
            from_snapshot = dgc.df(snapshot=path)
        live = dgc.df(host=self.host)
        # On containerd the snapshot keeps what the content store showed.
        self.assertEqual(from_snapshot["totals"], live["totals"])
        self.assertEqual(from_snapshot["exact"], live["exact"])

    def test_unreachable_engine_raises_with_the_endpoint(self):
        with self.assertRaises(dgc.DgcError) as raised:
            dgc.df(host=UNREACHABLE)
        self.assertIn(UNREACHABLE, str(raised.exception))
        self.assertEqual(raised.exception.code, -3)
        self.assertEqual(raised.exception.name, "DGC_EUNAVAILABLE")
        self.assertTrue(str(raised.exception).startswith("DGC_EUNAVAILABLE: "))


class WithoutEngineTest(unittest.TestCase):
    """No engine needed: policies and snapshots given as paths (str or
    PathLike) are read by libdgc, errors naming the file; an apply on an
    unreachable engine raises libdgc's error from its worker thread."""

    def test_missing_snapshot_file_is_named(self):
        with self.assertRaises(dgc.DgcError) as raised:
            dgc.df(snapshot="/nonexistent/snapshot.json")
        self.assertEqual(raised.exception.name, "DGC_ENOTFOUND")
        self.assertIn("/nonexistent/snapshot.json", raised.exception.message)

    def test_missing_policy_file_is_not_found(self):
        calls = {"plan": lambda path: dgc.plan(path, snapshot=EXAMPLES / "snapshot.json"),
                 "apply": lambda path: dgc.apply(path, host=UNREACHABLE)}
        for name, call in calls.items():
            with self.subTest(call=name):
                with self.assertRaises(dgc.DgcError) as raised:
                    call("/nonexistent/gc.json")
                self.assertEqual((raised.exception.code, raised.exception.name),
                                 (-2, "DGC_ENOTFOUND"))
                self.assertEqual(str(raised.exception),
                                 "DGC_ENOTFOUND: file not found: /nonexistent/gc.json")

    def test_invalid_policy_file_is_named(self):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "gc.json")
            with open(path, "w") as f:
                json.dump({"rules": [{"match": "x", "keep_newest": "two"}]}, f)
            with self.assertRaises(dgc.DgcError) as raised:
                dgc.plan(path, snapshot=EXAMPLES / "snapshot.json")
        self.assertEqual((raised.exception.code, raised.exception.name), (-1, "DGC_EINVALID"))
        self.assertIn(path, raised.exception.message)
        self.assertIn("keep_newest", raised.exception.message)

    def test_apply_on_an_unreachable_engine(self):
        plan = dgc.plan(EXAMPLES / "gc.json", snapshot=EXAMPLES / "snapshot.json")
        with self.assertRaises(dgc.DgcError) as raised:
            dgc.apply(plan, host=UNREACHABLE)
        self.assertEqual((raised.exception.code, raised.exception.name),
                         (-3, "DGC_EUNAVAILABLE"))
        self.assertIn(UNREACHABLE, raised.exception.message)

    def test_plan_of_the_examples_equals_the_binary(self):
        now = "2026-12-01T00:00:00Z"
        from_binding = dgc.plan(EXAMPLES / "gc.json", snapshot=EXAMPLES / "snapshot.json",
                                now=now)
        from_binary = run_json("plan", "--from", str(EXAMPLES / "snapshot.json"),
                               "-p", str(EXAMPLES / "gc.json"), "--now", now,
                               "--format", "json")
        self.assertTrue(from_binary["actions"])
        self.assertEqual(from_binding, from_binary)


class PlanAndApplyTest(EngineTestCase):
    def setUp(self):
        loaded_at = datetime.now(timezone.utc)
        self.scenario = self.install_scenario(incident_scenario(loaded_at))
        self.now = rfc3339(self.store.after_load(loaded_at))

    def test_plan_equals_the_binary(self):
        with tempfile.TemporaryDirectory() as directory:
            policy_path = os.path.join(directory, "gc.json")
            with open(policy_path, "w") as f:
                json.dump(INCIDENT_POLICY, f)
            from_binary = run_json("-H", self.host, "plan", "-p", policy_path,
                                   "--now", self.now, "--format", "json")
            from_binding = dgc.plan(policy_path, host=self.host, now=self.now)
        self.assertEqual(from_binding["actions"], from_binary["actions"])
        self.assertEqual(from_binding["summary"], from_binary["summary"])

    def test_invalid_policy_raises_naming_the_field(self):
        with self.assertRaises(dgc.DgcError) as raised:
            dgc.plan({"rules": [{"match": "x", "keep_newest": "two"}]}, host=self.host)
        self.assertIn("keep_newest", str(raised.exception))
        self.assertEqual((raised.exception.code, raised.exception.name), (-1, "DGC_EINVALID"))
        self.assertTrue(str(raised.exception).startswith("DGC_EINVALID: "))

    def test_no_policy_is_docker_gc_default_policy(self):
        with tempfile.TemporaryDirectory() as directory:
            with open(os.path.join(directory, "gc.json"), "w") as f:
                json.dump(INCIDENT_POLICY, f)
            with mock.patch.dict(os.environ, {"DOCKER_CONFIG": directory}):
                from_default = dgc.plan(None, host=self.host, now=self.now)
        from_dict = dgc.plan(INCIDENT_POLICY, host=self.host, now=self.now)
        self.assertTrue(from_dict["actions"])
        self.assertEqual(from_default["actions"], from_dict["actions"])

    def test_apply_of_a_saved_plan_file_reports_each_result(self):
        plan = dgc.plan(INCIDENT_POLICY, host=self.host, now=self.now)
        self.assertGreater(len(plan["actions"]), 1)
        seen = []
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "plan.json")
            with open(path, "w") as f:
                json.dump(plan, f)
            report = dgc.apply(path, host=self.host, on_result=seen.append)
        self.assertEqual([result["image"] for result in report["results"]],
                         [action["image"] for action in plan["actions"]])
        self.assertEqual(report["summary"]["done"], len(plan["actions"]))
        self.assertEqual(seen, report["results"])

    def test_apply_frees_what_the_plan_predicts(self):
        plan = dgc.plan(INCIDENT_POLICY, host=self.host, now=self.now)
        self.assertGreater(plan["summary"]["reclaimable_bytes"], 0)
        before = self.store.occupied(self.engine)
        report = dgc.apply(plan, host=self.host)
        after = self.store.occupied(self.engine)
        self.assertEqual(report["schema"], "dgc.apply/v1")
        self.assertEqual(report["summary"]["failed"], 0)
        self.assertEqual(report["summary"]["done"], len(plan["actions"]))
        self.assertEqual(report["summary"]["freed_bytes"], before - after)
        self.assertEqual(report["summary"]["freed_bytes"],
                         plan["summary"]["reclaimable_bytes"])
        self.assertEqual(dgc.plan(INCIDENT_POLICY, host=self.host, now=self.now)["actions"], [])


if __name__ == "__main__":
    unittest.main()
