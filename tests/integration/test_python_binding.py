"""The Python binding (bindings/python, package `dgc`) against the real
engine: it gives the same documents as the docker-gc binary, raises
DgcError with libdgc's message, and applies plans.

Needs DGC_LIBRARY (the built libdgc.so) and bindings/python on PYTHONPATH;
ctest sets both.
"""

import json
import os
import tempfile
import unittest
from datetime import datetime, timezone

import dgc

from dgc_fixtures.dgc import run_dgc, run_json
from dgc_fixtures.scenarios import incident_scenario, shared_layers_scenario
from dgc_fixtures.testcase import EngineTestCase

INCIDENT_POLICY = {
    "rules": [
        {"name": "releases", "match": "onai-integrator-login-main-*", "keep_newest": 2},
        {"name": "legacy", "match": "docker-*", "older_than": "7d"},
        {"name": "dangling", "dangling": True, "older_than": "24h"},
    ],
    "protect": {"labels": ["gc.keep=true"]},
    "min_age": "1h",
}


def without_volatile(document):
    """A df or plan document without the fields that differ between two
    reads of the same engine (the capture time)."""
    document = dict(document)
    document.pop("captured_at", None)
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
        self.assertEqual(from_binding["totals"]["layers_bytes"], self.engine.layers_size())

    def test_df_from_a_snapshot_file(self):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "snapshot.json")
            self.assertEqual(
                run_dgc("-H", self.host, "snapshot", "-o", path).returncode, 0)
            from_snapshot = dgc.df(snapshot=path)
        self.assertEqual(from_snapshot["totals"], dgc.df(host=self.host)["totals"])

    def test_unreachable_engine_raises_with_the_endpoint(self):
        with self.assertRaises(dgc.DgcError) as raised:
            dgc.df(host="unix:///nonexistent/docker.sock")
        self.assertIn("unix:///nonexistent/docker.sock", str(raised.exception))
        self.assertLess(raised.exception.code, 0)


class PlanAndApplyTest(EngineTestCase):
    def setUp(self):
        self.scenario = self.install_scenario(
            incident_scenario(datetime.now(timezone.utc)))

    def test_plan_equals_the_binary(self):
        with tempfile.TemporaryDirectory() as directory:
            policy_path = os.path.join(directory, "gc.json")
            with open(policy_path, "w") as f:
                json.dump(INCIDENT_POLICY, f)
            now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            from_binary = run_json("-H", self.host, "plan", "-p", policy_path,
                                   "--now", now, "--format", "json")
            from_binding = dgc.plan(policy_path, host=self.host, now=now)
        self.assertEqual(from_binding["actions"], from_binary["actions"])
        self.assertEqual(from_binding["summary"], from_binary["summary"])

    def test_invalid_policy_raises_naming_the_field(self):
        with self.assertRaises(dgc.DgcError) as raised:
            dgc.plan({"rules": [{"match": "x", "keep_newest": "two"}]}, host=self.host)
        self.assertIn("keep_newest", str(raised.exception))

    def test_apply_frees_what_the_plan_predicts(self):
        plan = dgc.plan(INCIDENT_POLICY, host=self.host)
        self.assertGreater(plan["summary"]["reclaimable_bytes"], 0)
        before = self.engine.layers_size()
        report = dgc.apply(plan, host=self.host)
        after = self.engine.layers_size()
        self.assertEqual(report["schema"], "dgc.apply/v1")
        self.assertEqual(report["summary"]["failed"], 0)
        self.assertEqual(report["summary"]["done"], len(plan["actions"]))
        self.assertEqual(report["summary"]["freed_bytes"], before - after)
        self.assertEqual(report["summary"]["freed_bytes"],
                         plan["summary"]["reclaimable_bytes"])
        self.assertEqual(dgc.plan(INCIDENT_POLICY, host=self.host)["actions"], [])


if __name__ == "__main__":
    unittest.main()
