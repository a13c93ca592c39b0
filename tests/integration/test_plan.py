"""Integration tests of `docker-gc plan` against a real engine.

What a plan must hold is worked out from the scenario descriptions in
dgc_fixtures/scenarios.py (which images a policy deletes, untags or keeps,
and the bytes each layer has), never copied from the binary. Bytes are then
checked against the engine itself: deleting exactly the planned set with the
real docker CLI (no force) must drop what the engine occupies (/system/df
LayersSize, plus the content store on containerd) by exactly
`summary.reclaimable_bytes`, action by action. Runs on both stores (see
dgc_fixtures/stores.py); plans are made past min_age since the load. And `plan` must never change
the engine: state and event stream are compared around it, and a fake engine
records that it only ever receives GET requests.
"""

import json
import os
import re
import tempfile
import time
import unittest
import urllib.parse
from datetime import datetime, timedelta, timezone
from pathlib import Path

from dgc_fixtures.dgc import run_dgc, run_json
from dgc_fixtures.engine import reset
from dgc_fixtures.fake_engine import IMAGE_ID, FakeEngine, deletable_fake_overrides
from dgc_fixtures.formats import human_size, rfc3339
from dgc_fixtures.imagegen import ImageSpec, file_layer
from dgc_fixtures.scenarios import (COMPOSE_PROJECT_LABEL, RELEASE_REPOS,
                                    build_parent_chain, family_scenario,
                                    incident_outcome, incident_policy,
                                    incident_scenario, reference_names_scenario)
from dgc_fixtures.stores import CONTAINERD
from dgc_fixtures.testcase import EngineTestCase

BACKEND, FRONTEND = RELEASE_REPOS
READ_ONLY_METHODS = {"GET", "HEAD"}


def engine_state(engine):
    """Everything `plan` must leave alone: each image's references and tag
    time, each container's image and state."""
    images = {}
    for image in engine.images():
        inspect = engine.image_inspect(image["Id"])
        images[image["Id"]] = (sorted(inspect["RepoTags"] or []),
                               sorted(inspect["RepoDigests"] or []),
                               inspect["Metadata"].get("LastTagTime"),
                               inspect["Parent"])
    containers = {container["Id"]: (container["Names"], container["ImageID"],
                                    container["State"])
                  for container in engine.containers()}
    return {"images": images, "containers": containers}


def engine_events(engine, since, until):
    """The engine's events between two unix times (seconds), as dicts."""
    status, _, body = engine.request("GET", f"/events?since={since}&until={until}")
    if status != 200:
        raise AssertionError(f"GET /events: {status} {body[:300]!r}")
    return [json.loads(line) for line in body.decode().splitlines() if line.strip()]


def remove_with_cli(cli, action):
    """Performs one plan action with the docker CLI as a careful user
    would: `docker rmi` each listed reference (an untag, or the delete when
    it is the last), or the image ID when it has none. Never forced."""
    if action["refs"]:
        cli.rmi(*action["refs"])
    else:
        cli.rmi(action["image"])


def by_image(entries):
    return {entry["image"]: entry for entry in entries}


class PlanCase(EngineTestCase):
    """Helpers: a temporary directory, policy files, plan runs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.directory = tempfile.TemporaryDirectory(prefix="dgc-plan-")

    @classmethod
    def tearDownClass(cls):
        cls.directory.cleanup()
        super().tearDownClass()

    @classmethod
    def write_policy(cls, name, document):
        path = Path(cls.directory.name) / name
        path.write_text(json.dumps(document))
        return str(path)

    @classmethod
    def plan(cls, policy_path, now, *extra):
        """`plan --format json` on the engine, at `now`: the parsed plan."""
        return run_json("-H", cls.host, "plan", "-p", policy_path, "--now", rfc3339(now),
                        "--format", "json", *extra)

    def assert_sequential_bytes(self, plan, scenario, present_roles):
        """Each action's bytes are what it frees after the actions before
        it, as the scenario's layers say; they add up to the total."""
        role_of = {scenario.image_id(role): role for role in present_roles}
        remaining = list(present_roles)
        for action in plan["actions"]:
            with self.subTest(action=action["refs"] or action["image"]):
                if action["op"] == "untag":
                    self.assertEqual(action["bytes"], 0)
                    continue
                before = scenario.expected_bytes(remaining)
                remaining.remove(role_of[action["image"]])
                self.assertEqual(action["bytes"], before - scenario.expected_bytes(remaining))
        self.assertEqual(sum(action["bytes"] for action in plan["actions"]),
                         plan["summary"]["reclaimable_bytes"])


class IncidentPlanTest(PlanCase):
    """SPEC §3's policy on the incident scenario; read-only checks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.now = datetime.now(timezone.utc).replace(microsecond=0)
        cls.scenario = cls.install_scenario(incident_scenario(cls.now))
        cls.outcome = incident_outcome()
        cls.policy = cls.write_policy("gc.json", incident_policy())
        cls.plan_now = cls.store.after_load(cls.now)
        cls.result = run_dgc("-H", cls.host, "plan", "-p", cls.policy,
                             "--now", rfc3339(cls.plan_now), "--format", "json")

    def document(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        return json.loads(self.result.stdout)

    def roles(self, decision):
        return [role for role, (wanted, _, _) in self.outcome.items() if wanted == decision]

    def ids(self, roles):
        return {self.scenario.image_id(role) for role in roles}

    def role_of(self, image_id):
        return {self.scenario.image_id(role): role for role in self.scenario.images}[image_id]

    def test_output_is_one_plan_document(self):
        plan = self.document()
        self.assertEqual(plan["schema"], "dgc.plan/v1")
        self.assertEqual(plan["now"], rfc3339(self.plan_now))
        info = self.engine.get_json("/info")
        self.assertEqual(plan["engine"]["host"], self.host)
        self.assertEqual(plan["engine"]["id"], info["ID"])
        self.assertEqual(plan["engine"]["storage_driver"], info["Driver"])
        self.assertEqual(plan["engine"]["api_version"], self.engine.version()["ApiVersion"])
        self.assertEqual(plan["warnings"], [])

    def test_deletes_exactly_the_expected_images(self):
        plan = self.document()
        deleted = {action["image"] for action in plan["actions"] if action["op"] == "delete"}
        self.assertEqual(sorted(self.role_of(image) for image in deleted),
                         sorted(self.roles("delete")))
        self.assertEqual([action for action in plan["actions"] if action["op"] != "delete"], [])

    def test_each_action_names_every_reference_and_the_deciding_rule(self):
        for image_id, action in by_image(self.document()["actions"]).items():
            role = self.role_of(image_id)
            with self.subTest(role=role):
                _, rule, words = self.outcome[role]
                self.assertEqual(sorted(action["refs"]), sorted(self.scenario.images[role].tags))
                self.assertEqual(action["rule"], rule)
                for word in words:
                    self.assertIn(word, action["reason"])
                self.assertEqual(action["also_removes"], [])
                self.assertEqual(action["size"], self.scenario.expected_size(role))

    def test_keeps_exactly_the_other_images_with_their_reasons(self):
        kept = by_image(self.document()["kept"])
        self.assertEqual(sorted(self.role_of(image) for image in kept),
                         sorted(self.roles("keep")))
        for role in self.roles("keep"):
            with self.subTest(role=role):
                entry = kept[self.scenario.image_id(role)]
                _, rule, words = self.outcome[role]
                self.assertEqual(sorted(entry["refs"]), sorted(self.scenario.images[role].tags))
                if rule is not None:
                    self.assertEqual(entry["rule"], rule)
                for word in words:
                    self.assertIn(word, entry["reason"])

    def test_protections_are_marked_protected(self):
        kept = by_image(self.document()["kept"])
        for role in ("legacy:docker-worker", "rollback"):
            with self.subTest(role=role):
                self.assertIs(kept[self.scenario.image_id(role)]["protected"], True)
        for role in ("release:" + BACKEND + ":v3", "dangling_young"):
            with self.subTest(role=role):
                self.assertIs(kept[self.scenario.image_id(role)]["protected"], False)

    def test_every_image_a_container_uses_is_reported_protected(self):
        # SPEC §3.3: an image used by any container, in any state, is
        # protected, whatever rule also keeps it.
        kept = by_image(self.document()["kept"])
        for container in self.scenario.containers:
            with self.subTest(container=container.name, state=container.state):
                entry = kept[self.scenario.image_id(container.image_role)]
                self.assertIs(entry["protected"], True, entry)

    def test_summary_counts(self):
        summary = self.document()["summary"]
        self.assertEqual(summary["images"], len(self.scenario.images))
        self.assertEqual(summary["delete"], len(self.roles("delete")))
        self.assertEqual(summary["untag"], 0)
        self.assertEqual(summary["keep"], len(self.roles("keep")))

    def test_bytes_are_the_layers_only_deleted_images_use(self):
        plan = self.document()
        kept_roles = self.roles("keep")
        self.assertEqual(plan["summary"]["reclaimable_bytes"],
                         self.scenario.expected_bytes()
                         - self.scenario.expected_bytes(kept_roles))
        self.assert_sequential_bytes(plan, self.scenario, list(self.scenario.images))

    def test_naive_bytes_is_the_sum_of_deleted_image_sizes(self):
        self.assertEqual(self.document()["summary"]["naive_bytes"],
                         sum(self.scenario.expected_size(role) for role in self.roles("delete")))

    def test_output_file_holds_the_same_plan(self):
        path = Path(self.directory.name) / "out.json"
        result = run_dgc("-H", self.host, "plan", "-p", self.policy,
                         "--now", rfc3339(self.plan_now), "--format", "json", "-o", str(path))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(path.read_text()), json.loads(result.stdout))
        self.assertEqual(json.loads(result.stdout), self.document())
        # With the table on stdout, -o still writes the JSON plan.
        path.unlink()
        table = run_dgc("-H", self.host, "plan", "-p", self.policy,
                        "--now", rfc3339(self.plan_now), "-o", str(path))
        self.assertEqual(table.returncode, 0, table.stderr)
        self.assertEqual(json.loads(path.read_text()), self.document())

    def test_table_lists_every_action_and_ends_with_the_total(self):
        plan = self.document()
        table = run_dgc("-H", self.host, "plan", "-p", self.policy,
                        "--now", rfc3339(self.plan_now))
        self.assertEqual(table.returncode, 0, table.stderr)
        self.assertEqual(table.stdout,
                         run_dgc("-H", self.host, "plan", "-p", self.policy, "--now",
                                 rfc3339(self.plan_now), "--format", "table").stdout)
        for action in plan["actions"]:
            short = action["image"].removeprefix("sha256:")[:12]
            line = [line for line in table.stdout.splitlines() if short in line]
            self.assertEqual(len(line), 1, f"{short} not on exactly one line:\n{table.stdout}")
            for ref in action["refs"]:
                self.assertIn(ref, line[0])
        lines = [line for line in table.stdout.splitlines() if line.strip()]
        reclaimable = (self.scenario.expected_bytes()
                       - self.scenario.expected_bytes(self.roles("keep")))
        naive = sum(self.scenario.expected_size(role) for role in self.roles("delete"))
        self.assertEqual(lines[-1], f"Total reclaimable space: {human_size(reclaimable)} "
                                    f"(naive estimate: {human_size(naive)})")

    @unittest.skipIf(os.path.exists("/etc/docker/gc.json"),
                     "/etc/docker/gc.json would be the default policy")
    def test_without_a_policy_file_old_dangling_images_are_deleted(self):
        # The built-in default: dangling images older than 24h.
        plan = run_json("-H", self.host, "plan", "--now", rfc3339(self.plan_now),
                        "--format", "json")
        self.assertEqual([(action["op"], action["image"]) for action in plan["actions"]],
                         [("delete", self.scenario.image_id("dangling_old"))])

    def test_policy_in_docker_config_is_the_default(self):
        config = Path(self.directory.name) / "config"
        config.mkdir()
        (config / "gc.json").write_text(json.dumps(incident_policy()))
        plan = run_json("-H", self.host, "plan", "--now", rfc3339(self.plan_now),
                        "--format", "json", env={"DOCKER_CONFIG": str(config)})
        self.assertEqual(plan["actions"], self.document()["actions"])
        self.assertEqual(plan["kept"], self.document()["kept"])

    def test_plan_from_a_snapshot_equals_the_live_plan(self):
        snapshot = Path(self.directory.name) / "snapshot.json"
        made = run_dgc("-H", self.host, "snapshot", "-o", str(snapshot))
        self.assertEqual(made.returncode, 0, made.stderr)
        offline = run_json("plan", "--from", str(snapshot), "-p", self.policy,
                           "--now", rfc3339(self.plan_now), "--format", "json")
        live = self.document()
        # On containerd the snapshot keeps what the content store showed.
        for key in ("schema", "now", "summary", "actions", "kept", "warnings"):
            with self.subTest(key=key):
                self.assertEqual(offline[key], live[key])
        # Without --now, ages count from the snapshot's captured_at (on
        # containerd all images are then younger than min_age: loaded).
        captured_at = json.loads(snapshot.read_text())["captured_at"]
        at_capture = run_json("plan", "--from", str(snapshot), "-p", self.policy,
                              "--format", "json")
        self.assertEqual(at_capture["now"], captured_at)
        self.assertEqual([a["image"] for a in at_capture["actions"]],
                         [] if self.store.containerd else [a["image"] for a in live["actions"]])


class IncidentPlanAgainstEngineTest(PlanCase):
    """The plan's bytes against what the engine really frees. Each test
    installs the scenario afresh, since it deletes images."""

    def setUp(self):
        self.now = datetime.now(timezone.utc).replace(microsecond=0)
        self.scenario = self.install_scenario(incident_scenario(self.now))
        self.policy = self.write_policy("gc.json", incident_policy())

    def test_deleting_the_planned_set_frees_exactly_the_plan_bytes(self):
        plan = self.plan(self.policy, self.store.after_load(self.now))
        self.assertEqual(plan["summary"]["delete"], 8, "the scenario has 8 images to delete")
        start = self.store.occupied(self.engine)
        for action in plan["actions"]:
            with self.subTest(action=action["refs"] or action["image"]):
                before = self.store.occupied(self.engine)
                remove_with_cli(self.cli, action)
                self.assertEqual(before - self.store.occupied(self.engine), action["bytes"])
        self.assertEqual(start - self.store.occupied(self.engine),
                         plan["summary"]["reclaimable_bytes"])
        self.assertEqual(sum(action["bytes"] for action in plan["actions"]),
                         plan["summary"]["reclaimable_bytes"])
        left = {image["Id"] for image in self.engine.images()}
        self.assertEqual(left, {self.scenario.image_id(role)
                                for role, (decision, _, _) in incident_outcome().items()
                                if decision == "keep"})
        self.assertEqual(self.plan(self.policy, self.store.after_load(self.now))["actions"],
                         [])

    def test_plan_changes_nothing_on_the_engine(self):
        select_all = self.write_policy("all.json", {
            "rules": [{"name": "all", "match": "*", "older_than": "1h"},
                      {"name": "untagged", "dangling": True, "older_than": "1h"}],
            "min_age": "1h"})
        before = engine_state(self.engine)
        time.sleep(1.1)  # the install's events end before `since`
        since = int(time.time())
        for policy in (self.policy, select_all):
            for extra in (("--format", "json"), ("--format", "table"),
                          ("-o", str(Path(self.directory.name) / "unchanged.json"))):
                result = run_dgc("-H", self.host, "plan", "-p", policy, *extra)
                self.assertEqual(result.returncode, 0, result.stderr)
        plan = self.plan(select_all, self.now + timedelta(days=1))
        # No protect section: only the images containers use stay.
        protected = {container.image_role for container in self.scenario.containers}
        self.assertEqual(plan["summary"]["delete"], len(self.scenario.images) - len(protected))
        until = int(time.time()) + 1
        self.assertEqual(engine_state(self.engine), before)
        self.assertEqual(engine_events(self.engine, since, until), [])
        self.scenario.verify(self.engine)
        # The same check sees a change when there is one.
        since = int(time.time())
        self.cli.tag("docker-nginx:latest", "docker-nginx:seen")
        events = engine_events(self.engine, since, int(time.time()) + 1)
        self.assertIn("tag", [event.get("Action") for event in events])
        self.assertNotEqual(engine_state(self.engine), before)


class RuleSemanticsTest(PlanCase):
    """SPEC §3's rule fields, one policy at a time, on the incident
    scenario (read only)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.now = datetime.now(timezone.utc).replace(microsecond=0)
        cls.scenario = cls.install_scenario(incident_scenario(cls.now))

    def selected(self, policy):
        """The (op, role) of every action of `policy`'s plan, sorted."""
        plan = self.plan(self.write_policy("rules.json", policy),
                         self.store.after_load(self.now))
        role_of = {self.scenario.image_id(role): role for role in self.scenario.images}
        return sorted((action["op"], role_of[action["image"]]) for action in plan["actions"])

    def test_keep_newest_with_older_than_selects_only_old_ones(self):
        # Newest 1 kept (v4); of v1 (28d), v2 (21d), v3 (10d) only those
        # older than 15d.
        self.assertEqual(self.selected({"rules": [
            {"match": "onai-integrator-login-main-*", "keep_newest": 1, "older_than": "15d"}]}),
            sorted(("delete", f"release:{repository}:{version}")
                   for repository in RELEASE_REPOS for version in ("v1", "v2")))

    def test_keep_newest_zero_selects_all_but_protected(self):
        # backend v4 is used by the running backend-1.
        self.assertEqual(self.selected({"rules": [{"match": BACKEND, "keep_newest": 0}]}),
                         [("delete", f"release:{BACKEND}:{version}")
                          for version in ("v1", "v2", "v3")])

    def test_labels_must_hold(self):
        # docker-worker is used by a container; rollback has no compose label.
        self.assertEqual(self.selected({"rules": [
            {"match": "*", "labels": ["com.docker.compose.project=docker"],
             "older_than": "1d"}]}),
            [("delete", "legacy:docker-backend"), ("delete", "legacy:docker-frontend"),
             ("delete", "legacy:docker-nginx")])
        self.assertEqual(self.selected({"rules": [
            {"match": "*", "labels": ["gc.keep"], "older_than": "1d"}]}),
            [("delete", "rollback")])

    def test_protect_match_protects_references(self):
        self.assertEqual(self.selected({"rules": [{"match": "docker-*", "older_than": "1d"}],
                                        "protect": {"match": ["docker-nginx:*", "*:rollback"]}}),
                         [("delete", "legacy:docker-backend"),
                          ("delete", "legacy:docker-frontend")])

    def test_min_age_protects_images_younger_than_it(self):
        self.store.skip_on(self, CONTAINERD, "`docker load` sets LastTagTime there, so "
                           "min_age 30d counts from the load for every image and no "
                           "image's age comes from its Created date")
        # Only the legacy images (40d) and rollback (35d) are older than 30d.
        self.assertEqual(self.selected({"rules": [{"match": "*", "older_than": "1d"}],
                                        "min_age": "30d"}),
                         [("delete", "legacy:docker-backend"),
                          ("delete", "legacy:docker-frontend"),
                          ("delete", "legacy:docker-nginx"), ("delete", "rollback")])

    def test_first_matching_rule_decides(self):
        # docker-backend:rollback is kept by the first rule; the second
        # never sees it.
        self.assertEqual(self.selected({"rules": [
            {"name": "allow", "match": "docker-backend:rollback", "keep": True},
            {"name": "legacy", "match": "docker-*", "older_than": "7d"}]}),
            [("delete", "legacy:docker-backend"), ("delete", "legacy:docker-frontend"),
             ("delete", "legacy:docker-nginx")])


class GlobTest(PlanCase):
    """Which references a `match` glob selects (SPEC §3): without `:` it
    matches the repository, with `:` repository:tag; `*` spans `/`; the
    whole string must match."""

    CASES = {
        "app": ["app:1", "app:2-rc"],
        "app:?": ["app:1"],
        "*app": ["app:1", "app:2-rc", "registry.local:5000/team/app:1", "web/app:1"],
        "ap[px]": ["app:1", "app:2-rc", "apx:1"],
        "*/app:1": ["registry.local:5000/team/app:1", "web/app:1"],
        "web": ["web:1"],
        "*:2-*": ["app:2-rc"],
        "registry.local:5000/*": ["registry.local:5000/team/app:1"],
        "a": [],
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scenario = cls.install_scenario(reference_names_scenario())

    def test_globs(self):
        for glob, expected in self.CASES.items():
            with self.subTest(glob=glob):
                policy = self.write_policy("glob.json", {"rules": [
                    {"match": glob, "older_than": "1d"}]})
                plan = self.plan(policy, self.store.after_load(datetime.now(timezone.utc)))
                self.assertEqual(sorted(ref for action in plan["actions"]
                                        for ref in action["refs"]), expected)

    def test_array_of_globs_matches_any(self):
        policy = self.write_policy("globs.json", {"rules": [
            {"match": ["web", "apx"], "older_than": "1d"}]})
        plan = self.plan(policy, self.store.after_load(datetime.now(timezone.utc)))
        self.assertEqual(sorted(ref for action in plan["actions"] for ref in action["refs"]),
                         ["apx:1", "web:1"])


class UntagPlanTest(PlanCase):
    """A policy that keeps `latest` and selects the other tags: backend v4
    (tagged v4 and latest) is untagged, not deleted, once no container uses
    it; while one does, nothing at all is done to it."""

    POLICY = {"rules": [
        {"name": "keep-latest", "match": "*:latest", "keep": True},
        {"name": "old-backend", "match": BACKEND, "older_than": "1d"},
    ]}

    def setUp(self):
        self.now = datetime.now(timezone.utc).replace(microsecond=0)
        self.scenario = self.install_scenario(incident_scenario(self.now))
        self.policy = self.write_policy("untag.json", self.POLICY)
        self.v4 = self.scenario.image_id(f"release:{BACKEND}:v4")

    def expected_deleted(self):
        return {self.scenario.image_id(f"release:{BACKEND}:{version}")
                for version in ("v1", "v2", "v3")}

    def test_image_in_use_is_not_untagged(self):
        plan = self.plan(self.policy, self.store.after_load(self.now))
        self.assertEqual({action["image"] for action in plan["actions"]},
                         self.expected_deleted())
        self.assertEqual({action["op"] for action in plan["actions"]}, {"delete"})
        kept = by_image(plan["kept"])[self.v4]
        self.assertIn("backend-1 (running)", kept["reason"])
        self.assertIs(kept["protected"], True)

    def test_some_references_selected_untags_them_for_zero_bytes(self):
        self.cli.run("rm", "-f", "backend-1")  # test setup: the image is free now
        plan = self.plan(self.policy, self.store.after_load(self.now))
        untags = [action for action in plan["actions"] if action["op"] == "untag"]
        self.assertEqual(len(untags), 1, plan["actions"])
        self.assertEqual(untags[0]["image"], self.v4)
        self.assertEqual(untags[0]["refs"], [f"{BACKEND}:v4"])
        self.assertEqual(untags[0]["rule"], "old-backend")
        self.assertEqual(untags[0]["bytes"], 0)
        self.assertEqual(plan["actions"][0]["op"], "untag", "untags come first")
        self.assertEqual({action["image"] for action in plan["actions"]
                          if action["op"] == "delete"}, self.expected_deleted())
        self.assertEqual(plan["summary"]["untag"], 1)
        self.assertEqual(plan["summary"]["delete"], 3)
        self.assertEqual(plan["summary"]["images"], len(self.scenario.images))
        # SPEC §4's example: keep counts every image that stays, the
        # untagged one included (images = delete + keep).
        self.assertEqual(plan["summary"]["keep"], len(self.scenario.images) - 3)
        kept = by_image(plan["kept"])[self.v4]
        self.assertEqual(kept["refs"], [f"{BACKEND}:latest"])
        before = self.store.occupied(self.engine)
        for action in plan["actions"]:
            remove_with_cli(self.cli, action)
        self.assertEqual(before - self.store.occupied(self.engine),
                         plan["summary"]["reclaimable_bytes"])
        self.assertEqual(self.engine.image_inspect(self.v4)["RepoTags"], [f"{BACKEND}:latest"])
        roles = [role for role in self.scenario.images
                 if self.scenario.image_id(role) not in self.expected_deleted()]
        self.assertEqual(self.store.image_bytes(self.engine), self.scenario.expected_bytes(roles))


class MinAgeTest(PlanCase):
    """min_age counts from the later of Created and LastTagTime: an old
    image tagged a moment ago is protected."""

    def test_freshly_tagged_old_image_is_kept_as_younger_than_min_age(self):
        self.store.skip_on(self, CONTAINERD, "`docker load` sets LastTagTime there, so "
                           "every loaded image is as young as the freshly tagged one")
        now = datetime.now(timezone.utc).replace(microsecond=0)
        scenario = self.install_scenario(incident_scenario(now))
        policy = self.write_policy("gc.json", incident_policy())
        self.cli.tag("docker-nginx:latest", "docker-nginx:retagged")
        nginx = scenario.image_id("legacy:docker-nginx")
        plan = self.plan(policy, datetime.now(timezone.utc) + timedelta(minutes=5))
        self.assertNotIn(nginx, by_image(plan["actions"]))
        kept = by_image(plan["kept"])[nginx]
        self.assertIn("younger than", kept["reason"])
        self.assertIn("1h", kept["reason"])
        self.assertIs(kept["protected"], True)
        self.assertIn(scenario.image_id("legacy:docker-backend"), by_image(plan["actions"]))
        # Two hours on, the tag is old enough: both references go.
        later = self.plan(policy, datetime.now(timezone.utc) + timedelta(hours=2))
        action = by_image(later["actions"])[nginx]
        self.assertEqual(action["op"], "delete")
        self.assertEqual(sorted(action["refs"]),
                         ["docker-nginx:latest", "docker-nginx:retagged"])


class GroupByTest(PlanCase):
    """keep_newest per repository, per rule (a family of repositories) and
    per compose project label; family_scenario's ages decide."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.now = datetime.now(timezone.utc).replace(microsecond=0)
        cls.scenario = cls.install_scenario(family_scenario(cls.now))

    def deleted_roles(self, rule):
        path = self.write_policy("group.json", {"rules": [rule]})
        plan = self.plan(path, self.store.after_load(self.now))
        role_of = {self.scenario.image_id(role): role for role in self.scenario.images}
        self.assertEqual({action["op"] for action in plan["actions"]} - {"delete"}, set())
        self.assert_sequential_bytes(plan, self.scenario, list(self.scenario.images))
        return sorted(role_of[action["image"]] for action in plan["actions"])

    def test_group_by_rule_treats_the_repositories_as_one_family(self):
        self.assertEqual(self.deleted_roles({"name": "family", "match": "myapp-main-*",
                                             "keep_newest": 1, "group_by": "rule"}),
                         ["family:myapp-main-1", "family:myapp-main-2"])

    def test_group_by_repository_is_the_default(self):
        # Each myapp-main-N repository holds one image: all are the newest.
        for group_by in ({}, {"group_by": "repository"}):
            with self.subTest(group_by=group_by):
                self.assertEqual(self.deleted_roles({"name": "family", "match": "myapp-main-*",
                                                     "keep_newest": 1, **group_by}), [])
        self.assertEqual(self.deleted_roles({"name": "shop", "match": "shop-*",
                                             "keep_newest": 1}),
                         ["shop:shop-web:1"])

    def test_group_by_label_groups_by_compose_project(self):
        self.assertEqual(
            self.deleted_roles({"name": "projects", "match": "*", "keep_newest": 1,
                                "group_by": f"label:{COMPOSE_PROJECT_LABEL}"}),
            ["family:myapp-main-1", "family:myapp-main-2",
             "shop:shop-api:1", "shop:shop-web:1"])

    def test_group_by_rule_across_projects_keeps_one_image(self):
        self.assertEqual(
            self.deleted_roles({"name": "all", "match": "*", "keep_newest": 1,
                                "group_by": "rule"}),
            sorted(role for role in self.scenario.images if role != "shop:shop-web:2"))


class ParentChainPlanTest(PlanCase):
    """A classic-builder image: deleting it also removes its untagged
    parents, which the plan lists in also_removes and counts in bytes. The
    built layers' bytes come from the copied files on graphdriver; on
    containerd the builder's snapshots and blobs are checked against the
    engine's drop only."""

    COPIED = {"config.txt": b"c" * 3000, "data/more.bin": b"m" * 700}
    BASE_LAYER_SIZE = 5000

    def setUp(self):
        base = ImageSpec(["chain-base:1"],
                         [file_layer("base/chain.bin", size=self.BASE_LAYER_SIZE,
                                     seed="chain-base")],
                         datetime(2025, 1, 1, tzinfo=timezone.utc))
        reset(self.engine)
        self.cli.load([base])
        self.base_id = self.store.image_id(base)
        self.built_id, self.intermediates = build_parent_chain(
            self.cli, "chain-app:1", "chain-base:1", self.COPIED)
        # Built just now: plan two days on so min_age does not protect it.
        self.later = datetime.now(timezone.utc) + timedelta(days=2)

    def test_child_delete_lists_its_untagged_parents_and_their_bytes(self):
        policy = self.write_policy("chain.json", {"rules": [
            {"name": "app", "match": "chain-app", "older_than": "1d"}]})
        plan = self.plan(policy, self.later)
        self.assertEqual([action["image"] for action in plan["actions"]], [self.built_id])
        action = plan["actions"][0]
        self.assertEqual(sorted(action["also_removes"]), sorted(self.intermediates))
        if not self.store.containerd:
            copied = sum(len(data) for data in self.COPIED.values())
            self.assertEqual(action["bytes"], copied)
        self.assertEqual(plan["summary"]["reclaimable_bytes"], action["bytes"])
        self.assertEqual([entry["image"] for entry in plan["kept"]], [self.base_id])
        before = self.store.occupied(self.engine)
        remove_with_cli(self.cli, action)
        self.assert_freed(before - self.store.occupied(self.engine), action["bytes"],
                          action.get("bytes_max"))
        self.assertEqual({image["Id"] for image in self.engine.images()}, {self.base_id})

    def test_child_comes_before_its_parent(self):
        policy = self.write_policy("chain-all.json", {"rules": [
            {"name": "chain", "match": "chain-*", "older_than": "1d"}]})
        plan = self.plan(policy, self.later)
        self.assertEqual([action["image"] for action in plan["actions"]],
                         [self.built_id, self.base_id])
        if not self.store.containerd:
            self.assertEqual([action["bytes"] for action in plan["actions"]],
                             [sum(len(data) for data in self.COPIED.values()),
                              self.BASE_LAYER_SIZE])
        before = self.store.occupied(self.engine)
        for action in plan["actions"]:
            remove_with_cli(self.cli, action)
        summary = plan["summary"]
        self.assert_freed(before - self.store.occupied(self.engine),
                          summary["reclaimable_bytes"], summary.get("reclaimable_bytes_max"))
        self.assertEqual(self.store.occupied(self.engine), 0)

    def assert_freed(self, freed, predicted, predicted_max):
        """Classic store: `freed` is exactly `predicted`. containerd store:
        the classic builder's per-step config blobs are kept through labels
        docker gc cannot read, so the figure is a bound (predicted_max set)
        that holds what was freed."""
        if not self.store.containerd:
            self.assertEqual(freed, predicted)
            self.assertIsNone(predicted_max)
            return
        self.assertIsNotNone(predicted_max)
        self.assertLessEqual(predicted, freed)
        self.assertGreaterEqual(predicted_max, freed)


    def test_parent_of_an_image_that_stays_is_protected(self):
        policy = self.write_policy("base.json", {"rules": [
            {"name": "base", "match": "chain-base", "older_than": "1d"}]})
        plan = self.plan(policy, self.later)
        self.assertEqual(plan["actions"], [])
        kept = by_image(plan["kept"])[self.base_id]
        self.assertIs(kept["protected"], True)
        self.assertIn("parent", kept["reason"])
        self.assertIn("chain-app:1", kept["reason"])


class RecordingFakeEngine(FakeEngine):
    """A FakeEngine that records the method of every request (any method,
    even ones it cannot answer) and answers POST from the same table as GET
    (FakeEngine answers DELETE already)."""

    def __init__(self, directory, overrides=None):
        self.methods = []
        super().__init__(directory, overrides)

    def _handler_class(self, api_version):
        fake = self
        base = super()._handler_class(api_version)

        class Handler(base):
            def parse_request(self):
                parsed = super().parse_request()
                if parsed:
                    fake.methods.append((self.command, self.path))
                return parsed

            def do_POST(self):
                self.answer(send_body=True)

        return Handler


class PlanSendsOnlyGetTest(unittest.TestCase):
    """`plan` never sends anything but GET (or HEAD), even when its policy
    selects everything; `apply` on the same fake does send a DELETE, which
    shows the recording would catch one."""

    SELECT_ALL = {"rules": [{"name": "all", "match": "*", "older_than": "1h"},
                            {"name": "untagged", "dangling": True, "older_than": "1h"}]}

    def setUp(self):
        directory = tempfile.TemporaryDirectory(prefix="dgc-plan-fake-")
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)
        os.chmod(self.directory, 0o755)
        self.policy = self.directory / "all.json"
        self.policy.write_text(json.dumps(self.SELECT_ALL))

    def test_plan_selecting_everything_sends_only_get(self):
        with RecordingFakeEngine(self.directory, deletable_fake_overrides()) as fake:
            for extra in (("--format", "json"), ("--format", "table"),
                          ("-o", str(self.directory / "plan.json"))):
                result = run_dgc("-H", fake.host, "plan", "-p", str(self.policy), *extra)
                self.assertEqual(result.returncode, 0, result.stderr)
        plan = json.loads((self.directory / "plan.json").read_text())
        self.assertEqual([action["image"] for action in plan["actions"]], [IMAGE_ID])
        self.assertTrue(fake.methods)
        self.assertEqual({method for method, _ in fake.methods} - READ_ONLY_METHODS, set(),
                         fake.methods)

    def test_apply_on_the_same_fake_is_recorded_deleting(self):
        with RecordingFakeEngine(self.directory, deletable_fake_overrides()) as fake:
            result = run_dgc("-H", fake.host, "apply", "-p", str(self.policy), "--yes",
                             "--format", "json")
        deletes = [urllib.parse.unquote(path.split("?")[0]) for method, path in fake.methods
                   if method == "DELETE"]
        # The image's one reference goes with the image, deleted by ID.
        self.assertEqual([re.sub(r"^/v[\d.]+", "", path) for path in deletes],
                         [f"/images/{IMAGE_ID}"], (result.stderr, fake.methods))


if __name__ == "__main__":
    unittest.main()
