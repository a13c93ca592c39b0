"""Integration tests of `docker-gc apply` against a real engine.

Apply must do exactly what the plan says and nothing else: the expected
deletions come from the scenario descriptions (dgc_fixtures/scenarios.py),
bytes are checked against the engine's own figures (/system/df LayersSize,
plus the content store on containerd: dgc_fixtures/stores.py), and every
protected image and every container must survive. Runs on both stores. Also covered: saved plans
and what changes between plan and apply (a new container, a new tag, an
image removed by someone else), images with several references and parent
chains (never a "must be forced" 409), plans for another engine, the lock,
the audit log, confirmation, an engine killed mid-apply and SIGTERM.
"""

import fcntl
import json
import os
import pty
import signal
import tempfile
import threading
import time
import unittest
from datetime import datetime, timedelta, timezone
from pathlib import Path

from dgc_fixtures.dgc import (PARALLEL_DELETES, crash_signs, finish, run_binary, run_json,
                              start_binary)
from dgc_fixtures.docker_cli import DockerCli
from dgc_fixtures.engine import PrivateEngine, container_states, image_tags, reset
from dgc_fixtures.fake_engine import (IMAGE_ID, FakeEngine, Reply, default_replies,
                                      deletable_fake_overrides)
from dgc_fixtures.formats import human_size, rfc3339
from dgc_fixtures.imagegen import ImageSpec, file_layer
from dgc_fixtures.scenarios import (build_parent_chain, bulk_scenario, incident_outcome,
                                    incident_policy, incident_scenario,
                                    multi_reference_scenario)
from dgc_fixtures.stores import CONTAINERD, session_store
from dgc_fixtures.testcase import EngineTestCase

AUDIT_FIELDS = {"time", "engine", "engine_id", "op", "image", "refs", "status", "bytes",
                "detail"}
FORCE_WORDS = ("force", "409", "conflict")


def read_log(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


def wait_for_log_lines(path, count, process, timeout=60):
    """Waits until the audit log has `count` lines (or the binary ended)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Path(path).exists() and len(Path(path).read_text().splitlines()) >= count:
            return
        if process.poll() is not None:
            return
        time.sleep(0.005)
    raise AssertionError(f"{path} did not reach {count} lines in {timeout}s")


def wait_until(condition, what, process, timeout=30):
    """Polls `condition` until it holds; fails if `process` (a started
    binary) ends first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the binary ended before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"not {what} after {timeout}s")
        time.sleep(0.005)


def proc_state(stat_path):
    """The scheduler state letter in a /proc/.../stat file ("" if gone)."""
    try:
        stat = Path(stat_path).read_text()
    except FileNotFoundError:
        return ""
    return stat[stat.rindex(")") + 2]


def all_threads_stopped(pid):
    """Whether every thread of process `pid` is stopped by a signal."""
    states = [proc_state(task / "stat") for task in Path(f"/proc/{pid}/task").iterdir()]
    return bool(states) and all(state == "T" for state in states)


def sleeping_in_poll(pid):
    """Whether the main thread of `pid` sleeps in poll/select: for the
    binary (one thread, blocking requests), waiting for the engine."""
    try:
        wchan = Path(f"/proc/{pid}/wchan").read_text()
    except FileNotFoundError:
        return False
    return proc_state(f"/proc/{pid}/stat") == "S" and ("poll" in wchan or "select" in wchan)


def signal_pending(pid, number):
    """Whether signal `number` is still pending for process `pid` (sent
    but not yet taken by its handler)."""
    masks = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("SigPnd:", "ShdPnd:")):
            masks |= int(line.split()[1], 16)
    return bool(masks & (1 << (number - 1)))


class ApplyCase(EngineTestCase):
    """Helpers: a temporary directory per test, policy files, apply runs.
    Plans and applies without a time of their own run at `self.at_args`,
    past min_age since images loaded during the test (stores.after_load)."""

    def setUp(self):
        directory = tempfile.TemporaryDirectory(prefix="dgc-apply-")
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)
        os.chmod(self.directory, 0o755)
        self.at_args = ("--now", rfc3339(self.store.after_load(datetime.now(timezone.utc))))

    def write_policy(self, name, document):
        path = self.directory / name
        path.write_text(json.dumps(document))
        return str(path)

    def plan(self, policy, now=None, *extra):
        return run_json("-H", self.host, "plan", "-p", policy, "--format", "json",
                        *(("--now", rfc3339(now)) if now else self.at_args), *extra)

    def apply_json(self, *args, expect=0):
        """`apply --yes --format json ARGS` on the engine (at `at_args`
        unless ARGS give --now or --plan); checks the exit code and returns
        the report."""
        if "--now" not in args and "--plan" not in args:
            args += self.at_args
        result = run_binary("-H", self.host, "apply", "--yes", "--format", "json", *args)
        self.assertEqual(crash_signs(result), [])
        self.assertEqual(result.returncode, expect, result.stderr)
        report = json.loads(result.stdout)
        self.assertEqual(report["schema"], "dgc.apply/v1")
        return report

    def assert_never_forced(self, report):
        for result in report["results"]:
            for word in FORCE_WORDS:
                self.assertNotIn(word, result["detail"].lower(), result)

    def assert_matches_plan(self, report, plan):
        """The report has one result per planned action, in plan order."""
        self.assertEqual([(result["op"], result["image"], sorted(result["refs"]))
                          for result in report["results"]],
                         [(action["op"], action["image"], sorted(action["refs"]))
                          for action in plan["actions"]])


class IncidentApplyTest(ApplyCase):
    """SPEC §3's policy applied to the incident scenario, end to end."""

    def setUp(self):
        super().setUp()
        self.now = datetime.now(timezone.utc).replace(microsecond=0)
        self.scenario = self.install_scenario(incident_scenario(self.now))
        self.outcome = incident_outcome()
        self.policy = self.write_policy("gc.json", incident_policy())
        self.at = self.store.after_load(self.now)
        self.kept_roles = [role for role, (decision, _, _) in self.outcome.items()
                           if decision == "keep"]
        self.deleted_ids = {self.scenario.image_id(role)
                            for role, (decision, _, _) in self.outcome.items()
                            if decision == "delete"}
        self.expected_bytes = (self.scenario.expected_bytes()
                               - self.scenario.expected_bytes(self.kept_roles))

    def assert_only_the_planned_set_is_gone(self, containers_before):
        tags = image_tags(self.engine)
        self.assertEqual(set(tags), {self.scenario.image_id(role) for role in self.kept_roles})
        for role in self.kept_roles:
            with self.subTest(kept=role):
                self.assertEqual(tags[self.scenario.image_id(role)],
                                 sorted(self.scenario.images[role].tags))
        self.assertEqual(container_states(self.engine), containers_before)
        self.assertEqual(self.cli.container_state("backend-1"), "running")
        self.assertEqual(self.cli.container_state("frontend-1"), "created")
        self.assertEqual(self.cli.container_state("docker-worker-1"), "exited")
        self.assertEqual(self.store.image_bytes(self.engine),
                         self.scenario.expected_bytes(self.kept_roles))

    def test_apply_deletes_exactly_the_planned_set(self):
        plan = self.plan(self.policy, self.at)
        containers = container_states(self.engine)
        before = self.store.occupied(self.engine)
        report = self.apply_json("-p", self.policy, "--now", rfc3339(self.at))
        self.assert_matches_plan(report, plan)
        self.assertEqual({result["image"] for result in report["results"]}, self.deleted_ids)
        self.assertEqual([result["status"] for result in report["results"]],
                         ["done"] * len(self.deleted_ids), report["results"])
        summary = report["summary"]
        self.assertEqual((summary["done"], summary["skipped"], summary["failed"]),
                         (len(self.deleted_ids), 0, 0))
        self.assertEqual(summary["predicted_bytes"], self.expected_bytes)
        self.assertEqual(summary["freed_bytes"], self.expected_bytes)
        self.assertEqual(before - self.store.occupied(self.engine), self.expected_bytes)
        self.assertEqual(report["engine"]["id"], self.engine.get_json("/info")["ID"])
        for result, action in zip(report["results"], plan["actions"]):
            with self.subTest(image=result["image"]):
                self.assertEqual(result["predicted_bytes"], action["bytes"])
                self.assertEqual(result["freed_bytes"], action["bytes"])
                self.assertIn(result["image"], result["deleted"])
                self.assertEqual(sorted(result["untagged"]), sorted(action["refs"]))
        self.assert_only_the_planned_set_is_gone(containers)
        self.assertEqual(self.plan(self.policy, self.at)["actions"], [])
        again = self.apply_json("-p", self.policy, "--now", rfc3339(self.at))
        self.assertEqual(again["results"], [])
        self.assertEqual(again["summary"]["freed_bytes"], 0)

    def test_table_prints_each_action_and_the_total(self):
        plan = self.plan(self.policy, self.at)
        result = run_binary("-H", self.host, "apply", "--yes", "-p", self.policy,
                            "--now", rfc3339(self.at))
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = [line for line in result.stdout.splitlines() if line.strip()]
        if self.store.containerd:
            self.assertEqual(lines.pop(), "Measured as the drop of the engine's LayersSize plus "
                                          "the content blobs gone from containerd's content store")
        self.assertEqual(lines[-1], f"Total reclaimed space: {human_size(self.expected_bytes)}")
        for action in plan["actions"]:
            short = action["image"].removeprefix("sha256:")[:12]
            matching = [line for line in lines if short in line]
            self.assertEqual(len(matching), 1, result.stdout)
            self.assertIn("done", matching[0])
        self.assertEqual(len(lines), len(plan["actions"]) + 1, result.stdout)

    def test_force_is_yes_and_never_forces(self):
        containers = container_states(self.engine)
        result = run_binary("-H", self.host, "apply", "-f", "-p", self.policy,
                            "--now", rfc3339(self.at), "--format", "json")
        self.assertEqual(result.returncode, 0, result.stderr)
        report = json.loads(result.stdout)
        self.assertEqual(report["summary"]["done"], len(self.deleted_ids))
        self.assert_only_the_planned_set_is_gone(containers)

    def test_saved_plan_applies_the_same_set(self):
        saved = self.directory / "plan.json"
        plan = self.plan(self.policy, self.at, "-o", str(saved))
        containers = container_states(self.engine)
        before = self.store.occupied(self.engine)
        report = self.apply_json("--plan", str(saved))
        self.assert_matches_plan(report, plan)
        self.assertEqual(report["summary"]["done"], len(self.deleted_ids))
        self.assertEqual(report["summary"]["freed_bytes"], self.expected_bytes)
        self.assertEqual(before - self.store.occupied(self.engine), self.expected_bytes)
        self.assert_only_the_planned_set_is_gone(containers)


class SavedPlanRaceTest(ApplyCase):
    """Between `plan -o` and `apply --plan` the engine changes: each action
    is re-checked, the unsafe ones skipped, the rest done, nothing else."""

    def test_changes_after_the_plan_skip_only_the_affected_actions(self):
        now = datetime.now(timezone.utc).replace(microsecond=0)
        scenario = self.install_scenario(bulk_scenario(now, 5, prefix="race"))
        policy = self.write_policy("race.json", {"rules": [
            {"name": "races", "match": "race-*", "older_than": "1d"}]})
        saved = self.directory / "plan.json"
        plan = self.plan(policy, None, "-o", str(saved))
        self.assertEqual(len(plan["actions"]), 5)
        ids = {role: scenario.image_id(role) for role in scenario.images}
        # (a) a container, (b) a new tag, (c) removed by someone else; and an
        # image the policy would select now, which the saved plan lacks.
        self.cli.create("race-00:1", "racer")
        self.cli.tag("race-01:1", "race-01:new")
        self.cli.rmi("race-02:1")
        late = ImageSpec(["race-99:1"], [file_layer("app/late.bin", size=900, seed="late")],
                         now - timedelta(days=5))
        self.cli.load([late])
        tags_before = image_tags(self.engine)
        before = self.store.occupied(self.engine)

        report = self.apply_json("--plan", str(saved))
        self.assert_matches_plan(report, plan)
        results = {result["image"]: result for result in report["results"]}
        self.assertEqual(results[ids["bulk:00"]]["status"], "skipped")
        self.assertIn("racer", results[ids["bulk:00"]]["detail"])
        self.assertEqual(results[ids["bulk:01"]]["status"], "skipped")
        self.assertIn("gained the reference race-01:new", results[ids["bulk:01"]]["detail"])
        self.assertEqual(results[ids["bulk:02"]]["status"], "skipped")
        self.assertIn("already removed", results[ids["bulk:02"]]["detail"])
        for role in ("bulk:03", "bulk:04"):
            self.assertEqual(results[ids[role]]["status"], "done", results[ids[role]])
        self.assertEqual((report["summary"]["done"], report["summary"]["skipped"],
                          report["summary"]["failed"]), (2, 3, 0))
        for result in report["results"]:
            if result["status"] == "skipped":
                self.assertEqual(result["freed_bytes"], 0)

        expected_tags = {image_id: tags for image_id, tags in tags_before.items()
                         if image_id not in (ids["bulk:03"], ids["bulk:04"])}
        self.assertEqual(image_tags(self.engine), expected_tags)
        self.assertEqual(expected_tags[ids["bulk:01"]], ["race-01:1", "race-01:new"])
        self.assertIn(self.store.image_id(late), expected_tags)
        self.assertEqual(self.cli.container_state("racer"), "created")
        freed = (scenario.expected_bytes(["bulk:00", "bulk:01", "bulk:03", "bulk:04", "keeper"])
                 - scenario.expected_bytes(["bulk:00", "bulk:01", "keeper"]))
        self.assertEqual(report["summary"]["freed_bytes"], freed)
        self.assertEqual(before - self.store.occupied(self.engine), freed)


    def test_image_that_gained_a_child_is_skipped_untouched(self):
        # Someone builds on a planned image between plan and apply: it is
        # now the parent of an image that stays (protected, SPEC §3.3).
        now = datetime.now(timezone.utc).replace(microsecond=0)
        scenario = self.install_scenario(bulk_scenario(now, 2, prefix="kid"))
        policy = self.write_policy("kid.json", {"rules": [
            {"name": "kid", "match": "kid-*", "older_than": "1d"}]})
        saved = self.directory / "plan.json"
        plan = self.plan(policy, None, "-o", str(saved))
        self.assertEqual(len(plan["actions"]), 2)
        build_parent_chain(self.cli, "grandkid:1", "kid-00:1", {"grandkid.txt": b"g" * 10})
        tags_before = image_tags(self.engine)
        report = self.apply_json("--plan", str(saved))
        results = {result["image"]: result for result in report["results"]}
        parent = results[scenario.image_id("bulk:00")]
        self.assertEqual(parent["status"], "skipped", parent)
        self.assertEqual(parent["untagged"], [])
        self.assertEqual(results[scenario.image_id("bulk:01")]["status"], "done")
        del tags_before[scenario.image_id("bulk:01")]
        self.assertEqual(image_tags(self.engine), tags_before)

    def test_image_with_several_references_that_gained_a_child_keeps_them_all(self):
        # As above, for deletes that remove references by name before the
        # image goes by ID (two tags in one repository; two repositories):
        # the engine is asked about children before any reference goes.
        now = datetime.now(timezone.utc).replace(microsecond=0)
        scenario = self.install_scenario(multi_reference_scenario(now))
        policy = self.write_policy("kids.json", {"rules": [
            {"name": "multi", "match": ["multi", "cross-*"], "older_than": "1d"}]})
        saved = self.directory / "plan.json"
        plan = self.plan(policy, None, "-o", str(saved))
        planned = {scenario.image_id("one_repo"), scenario.image_id("two_repos")}
        self.assertEqual({(action["op"], action["image"]) for action in plan["actions"]},
                         {("delete", image_id) for image_id in planned})
        build_parent_chain(self.cli, "kid-of-multi:1", "multi:latest", {"kid.txt": b"k" * 10})
        build_parent_chain(self.cli, "kid-of-cross:1", "cross-b:prod", {"kid.txt": b"c" * 10})
        tags_before = image_tags(self.engine)
        before = self.store.occupied(self.engine)
        report = self.apply_json("--plan", str(saved))
        self.assertEqual({result["image"] for result in report["results"]}, planned)
        for result in report["results"]:
            with self.subTest(image=result["image"]):
                self.assertEqual(result["status"], "skipped", result)
                self.assertIn("an image was built on it since the plan", result["detail"])
                self.assertEqual((result["untagged"], result["deleted"]), ([], []))
        self.assertEqual(image_tags(self.engine), tags_before)
        self.assertEqual(self.store.occupied(self.engine), before)

    def test_untag_whose_kept_reference_went_does_not_delete_the_image(self):
        # The plan untags part:1 because part:stable keeps the image. If
        # part:stable is gone by apply time, removing part:1 would delete
        # the image: not the action the plan lists.
        now = datetime.now(timezone.utc).replace(microsecond=0)
        scenario = self.install_scenario(multi_reference_scenario(now))
        policy = self.write_policy("untag.json", {"rules": [
            {"name": "stable", "match": "part:stable", "keep": True},
            {"name": "old", "match": "part", "older_than": "1d"}]})
        saved = self.directory / "plan.json"
        plan = self.plan(policy, None, "-o", str(saved))
        partial = scenario.image_id("partial")
        self.assertEqual([(action["op"], action["image"], action["refs"], action["bytes"])
                          for action in plan["actions"]],
                         [("untag", partial, ["part:1"], 0)])
        self.cli.rmi("part:stable")
        tags_before = image_tags(self.engine)
        before = self.store.occupied(self.engine)
        report = self.apply_json("--plan", str(saved))
        result = report["results"][0]
        self.assertEqual(result["status"], "skipped", result)
        self.assertEqual(result["deleted"], [])
        self.assertEqual(report["summary"]["freed_bytes"], 0)
        self.assertEqual(image_tags(self.engine), tags_before)
        self.assertEqual(tags_before[partial], ["part:1"])
        self.assertEqual(self.store.occupied(self.engine), before)


class ManyReferencesTest(ApplyCase):
    maxDiff = None
    """Images with several tags, in one repository and across two; a tag
    to untag beside one to keep; a parent with its child; a dangling image
    on a chain of untagged parents. All done, and never "must be forced"."""

    COPIED = {"tree": {"tree.txt": b"t" * 2500},
              "old": {"old.txt": b"o" * 1800},
              "new": {"new.txt": b"n" * 1300}}
    POLICY = {"rules": [
        {"name": "stable", "match": "part:stable", "keep": True},
        {"name": "old", "match": ["multi", "cross-*", "part", "tree-*"], "older_than": "1d"},
        {"name": "dangling", "dangling": True, "older_than": "1d"},
    ]}

    def test_everything_is_done_without_force(self):
        now = datetime.now(timezone.utc).replace(microsecond=0)
        scenario = self.install_scenario(multi_reference_scenario(now))
        bases = {name: ImageSpec([f"{name}:1"],
                                 [file_layer(f"base/{name}.bin", size=size, seed=name)],
                                 now - timedelta(days=10))
                 for name, size in (("tree-base", 4200), ("dang-base", 3300))}
        self.cli.load(list(bases.values()))
        tree_app, tree_parents = build_parent_chain(self.cli, "tree-app:1", "tree-base:1",
                                                    self.COPIED["tree"])
        # Built twice with one tag: the first build's image is left dangling
        # on its untagged parents; the LABEL step comes from the cache, so
        # the nearest-the-base intermediate is shared with the second build.
        old_top, old_parents = build_parent_chain(self.cli, "dang-app:1", "dang-base:1",
                                                  self.COPIED["old"])
        new_top, new_parents = build_parent_chain(self.cli, "dang-app:1", "dang-base:1",
                                                  self.COPIED["new"])
        self.assertNotEqual(old_top, new_top)
        only_old = sorted(set(old_parents) - set(new_parents))
        self.assertEqual(len(only_old), 1, "the LABEL step was not taken from the cache")
        policy = self.write_policy("multi.json", self.POLICY)
        later = datetime.now(timezone.utc) + timedelta(days=2)
        plan = self.plan(policy, later)

        ids = {role: scenario.image_id(role) for role in scenario.images}
        expected = {("untag", ids["partial"], ("part:1",)),
                    ("delete", ids["one_repo"], ("multi:1", "multi:latest")),
                    ("delete", ids["two_repos"], ("cross-a:1", "cross-b:prod")),
                    ("delete", tree_app, ("tree-app:1",)),
                    ("delete", self.store.image_id(bases["tree-base"]), ("tree-base:1",)),
                    ("delete", old_top, ())}
        self.assertEqual({(action["op"], action["image"], tuple(sorted(action["refs"])))
                          for action in plan["actions"]}, expected)
        actions = {action["image"]: action for action in plan["actions"]}
        self.assertEqual(sorted(actions[tree_app]["also_removes"]), sorted(tree_parents))
        self.assertEqual(sorted(actions[old_top]["also_removes"]), only_old)

        tags_before = image_tags(self.engine)
        before = self.store.occupied(self.engine)
        report = self.apply_json("-p", policy, "--now", rfc3339(later))
        self.assert_matches_plan(report, plan)
        self.assert_never_forced(report)
        self.assertEqual([result["status"] for result in report["results"]],
                         ["done"] * len(expected), report["results"])
        order = [result["image"] for result in report["results"]]
        self.assertEqual(report["results"][0]["op"], "untag", "untags come first")
        self.assertLess(order.index(tree_app),
                        order.index(self.store.image_id(bases["tree-base"])),
                        "children before parents")

        freed = before - self.store.occupied(self.engine)
        self.assertEqual(report["summary"]["freed_bytes"], freed)
        if self.store.containerd:
            # The classic builder's per-step config blobs are kept through
            # containerd labels docker gc cannot read: its images' bytes
            # are bounds, which hold what went.
            self.assertFalse(plan["summary"]["exact"])
            self.assertLessEqual(report["summary"]["predicted_bytes"], freed)
            self.assertGreaterEqual(plan["summary"]["reclaimable_bytes_max"], freed)
        else:
            expected_bytes = (scenario.images["one_repo"].layers[-1].size
                              + scenario.images["two_repos"].layers[-1].size
                              + sum(len(data) for data in self.COPIED["tree"].values())
                              + bases["tree-base"].size
                              + sum(len(data) for data in self.COPIED["old"].values()))
            self.assertEqual(report["summary"]["predicted_bytes"], expected_bytes)
            self.assertEqual(freed, expected_bytes)
        untag = [result for result in report["results"] if result["op"] == "untag"][0]
        self.assertEqual(untag["freed_bytes"], 0)
        self.assertEqual(untag["untagged"], ["part:1"])
        self.assertEqual(untag["deleted"], [])

        gone = {ids["one_repo"], ids["two_repos"], tree_app, *tree_parents,
                self.store.image_id(bases["tree-base"]), old_top, *only_old}
        expected_tags = {image_id: tags for image_id, tags in tags_before.items()
                         if image_id not in gone}
        expected_tags[ids["partial"]] = ["part:stable"]
        self.assertEqual(image_tags(self.engine), expected_tags)
        self.assertEqual(self.plan(policy, later)["actions"], [])


class SavedPlanRefusedTest(ApplyCase):
    """`apply --plan` refuses plans it must not perform, before touching
    anything."""

    def setUp(self):
        super().setUp()
        now = datetime.now(timezone.utc).replace(microsecond=0)
        self.install_scenario(bulk_scenario(now, 3, prefix="refuse"))
        policy = self.write_policy("refuse.json", {"rules": [
            {"name": "refuse", "match": "refuse-*", "older_than": "1d"}]})
        saved = self.directory / "plan.json"
        self.plan(policy, None, "-o", str(saved))
        self.saved = json.loads(saved.read_text())
        self.assertEqual(len(self.saved["actions"]), 3)
        self.tags = image_tags(self.engine)

    def apply_edited(self, edit):
        document = json.loads(json.dumps(self.saved))
        edit(document)
        path = self.directory / "edited.json"
        path.write_text(json.dumps(document))
        result = run_binary("-H", self.host, "apply", "--yes", "--format", "json",
                            "--plan", str(path))
        self.assertEqual(crash_signs(result), [])
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertRegex(result.stderr, r"(?m)^Error: ")
        self.assertEqual(image_tags(self.engine), self.tags, "apply changed the engine")
        return result

    def test_the_unedited_plan_is_accepted(self):
        report = self.apply_json("--plan", str(self.directory / "plan.json"))
        self.assertEqual(report["summary"]["done"], 3)

    def test_plan_for_another_engine_is_refused(self):
        other = "AAAA:BBBB:CCCC:DDDD:EEEE:FFFF:GGGG:HHHH:IIII:JJJJ:KKKK:LLLL"

        def edit(document):
            document["engine"]["id"] = other
        result = self.apply_edited(edit)
        self.assertIn(other, result.stderr)

    def test_unknown_schema_is_refused(self):
        def edit(document):
            document["schema"] = "dgc.plan/v999"
        result = self.apply_edited(edit)
        self.assertIn("dgc.plan/v999", result.stderr)

    def test_snapshot_instead_of_plan_is_refused(self):
        def edit(document):
            document.clear()
            document.update({"schema": "dgc.snapshot/v1", "images": []})
        self.apply_edited(edit)


class SlowFakeEngine(FakeEngine):
    """A FakeEngine that answers /images/json only after `delay` seconds,
    so an apply against it runs (and holds its lock) that long."""

    def __init__(self, directory, delay):
        self.delay = delay
        super().__init__(directory)

    def _handler_class(self, api_version):
        fake = self
        base = super()._handler_class(api_version)

        class Handler(base):
            def answer(self, send_body):
                if self.path.split("?")[0].endswith("/images/json"):
                    time.sleep(fake.delay)
                super().answer(send_body)

        return Handler


class EngineBreaksOffTest(unittest.TestCase):
    """The engine dies in the middle of an action (a fake engine cuts its
    answer short). Under a read: that action failed, with the engine's
    error, and the apply stops with exit 1. Under the DELETE: the image is
    read back and the action settled as found."""

    POLICY = {"rules": [{"name": "all", "match": "*", "older_than": "1h"}]}

    def setUp(self):
        directory = tempfile.TemporaryDirectory(prefix="dgc-apply-fake-")
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)
        os.chmod(self.directory, 0o755)
        self.policy = self.directory / "all.json"
        self.policy.write_text(json.dumps(self.POLICY))

    def apply_with(self, overrides):
        with FakeEngine(self.directory, overrides) as fake:
            result = run_binary("-H", fake.host, "apply", "--yes", "--format", "json",
                                "-p", str(self.policy))
        self.assertEqual(crash_signs(result), [])
        return fake, result

    def test_fake_engine_lets_the_delete_through(self):
        _, result = self.apply_with(deletable_fake_overrides())
        self.assertEqual(result.returncode, 0, result.stderr)
        report = json.loads(result.stdout)
        self.assertEqual([entry["status"] for entry in report["results"]], ["done"])

    def assert_action_failed(self, overrides):
        fake, result = self.apply_with(overrides)
        self.assertEqual(result.returncode, 1, result.stderr)
        report = json.loads(result.stdout)
        self.assertEqual(len(report["results"]), 1)
        entry = report["results"][0]
        self.assertEqual(entry["status"], "failed", entry)
        self.assertIn(fake.host, entry["detail"])
        self.assertEqual((report["summary"]["done"], report["summary"]["skipped"],
                          report["summary"]["failed"]), (0, 0, 1))
        self.assertTrue(report["summary"]["stopped"])

    def test_cut_off_during_the_delete(self):
        # The fake still has the image when it is read back: nothing was
        # deleted, the action failed, the apply went on to its end (exit 3)
        # and the DELETE was sent once.
        overrides = deletable_fake_overrides()
        overrides[f"/images/{IMAGE_ID}"] = Reply(b'[{"Untagged": "app:1"}',
                                                 content_length=5000)
        fake, result = self.apply_with(overrides)
        self.assertEqual(result.returncode, 3, result.stderr)
        report = json.loads(result.stdout)
        [entry] = report["results"]
        self.assertEqual(entry["status"], "failed", entry)
        self.assertIn(fake.host, entry["detail"])
        self.assertIn("was lost", entry["detail"])
        self.assertIn("the image is still there: not deleted", entry["detail"])
        self.assertEqual(report["summary"]["stopped"], "")
        self.assertEqual(fake.requests.count(f"/images/{IMAGE_ID}"), 1)

    def test_cut_off_during_the_last_check_before_the_delete(self):
        # The image is inspected twice: reading the inventory, and the
        # re-check before its DELETE by ID, which is also the last check
        # before it; the engine dies answering the last.
        overrides = deletable_fake_overrides()
        inspect = default_replies("1.41")[f"/images/{IMAGE_ID}/json"]
        overrides[f"/images/{IMAGE_ID}/json"] = [
            inspect, Reply(b'{"Id": "sha256:', content_length=5000)]
        self.assert_action_failed(overrides)


class LockTest(ApplyCase):
    """--lock FILE: one apply at a time; the second waits up to
    --lock-timeout, then exits 1 naming the lock file."""

    def setUp(self):
        super().setUp()
        now = datetime.now(timezone.utc).replace(microsecond=0)
        self.install_scenario(bulk_scenario(now, 2, prefix="locked"))
        self.policy = self.write_policy("lock.json", {"rules": [
            {"name": "locked", "match": "locked-*", "older_than": "1d"}]})
        self.lock = self.directory / "gc.lock"
        self.tags = image_tags(self.engine)

    def hold_lock(self):
        handle = open(self.lock, "a+")
        self.addCleanup(handle.close)
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return handle

    def apply_locked(self, *extra):
        return run_binary("-H", self.host, "apply", "--yes", "--format", "json",
                          "-p", self.policy, "--lock", str(self.lock), *self.at_args,
                          *extra)

    def assert_refused(self, result):
        self.assertEqual(crash_signs(result), [])
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn(f"another docker gc apply holds {self.lock}", result.stderr)
        self.assertEqual(result.stdout, "")
        self.assertEqual(image_tags(self.engine), self.tags)

    def test_free_lock_is_taken_and_released(self):
        result = self.apply_locked()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["summary"]["done"], 2)
        self.hold_lock()  # released again: we can take it

    def test_held_lock_fails_at_once_by_default(self):
        self.hold_lock()
        started = time.monotonic()
        self.assert_refused(self.apply_locked())
        self.assertLess(time.monotonic() - started, 10)

    def test_lock_timeout_waits_then_fails(self):
        self.hold_lock()
        started = time.monotonic()
        result = self.apply_locked("--lock-timeout", "2s")
        elapsed = time.monotonic() - started
        self.assert_refused(result)
        self.assertGreaterEqual(elapsed, 2.0)
        self.assertLess(elapsed, 15)

    def test_lock_freed_within_the_timeout_is_taken(self):
        handle = self.hold_lock()
        releaser = threading.Timer(1.0, lambda: fcntl.flock(handle, fcntl.LOCK_UN))
        releaser.start()
        self.addCleanup(releaser.cancel)
        started = time.monotonic()
        result = self.apply_locked("--lock-timeout", "20s")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertGreaterEqual(time.monotonic() - started, 0.9)
        self.assertEqual(json.loads(result.stdout)["summary"]["done"], 2)

    def test_second_of_two_concurrent_applies_exits_1(self):
        with SlowFakeEngine(self.directory, delay=4) as fake:
            first = start_binary("-H", fake.host, "apply", "--yes", "--format", "json",
                                 "--lock", str(self.lock))
            deadline = time.monotonic() + 30
            while not fake.requests and time.monotonic() < deadline and first.poll() is None:
                time.sleep(0.05)
            self.assertTrue(fake.requests, "the first apply never reached the engine")
            second = self.apply_locked()
            first_result = finish(first)
        self.assert_refused(second)
        self.assertEqual(first_result.returncode, 0, first_result.stderr)
        self.assertEqual(json.loads(first_result.stdout)["schema"], "dgc.apply/v1")
        # The first one released the lock when it ended.
        third = self.apply_locked()
        self.assertEqual(third.returncode, 0, third.stderr)
        self.assertEqual(json.loads(third.stdout)["summary"]["done"], 2)


class AuditAndConfirmationTest(ApplyCase):
    """--log writes one JSON line per action; without --yes apply asks on
    a terminal and refuses when stdin is not one."""

    def setUp(self):
        super().setUp()
        now = datetime.now(timezone.utc).replace(microsecond=0)
        self.scenario = self.install_scenario(bulk_scenario(now, 4, prefix="audit"))
        self.policy = self.write_policy("audit.json", {"rules": [
            {"name": "audit", "match": "audit-*", "older_than": "1d"}]})
        self.tags = image_tags(self.engine)

    def test_log_has_one_line_per_action(self):
        log = self.directory / "audit.log"
        log.write_text('{"earlier": "line"}\n')
        started = datetime.now(timezone.utc).replace(microsecond=0)
        report = self.apply_json("-p", self.policy, "--log", str(log))
        lines = read_log(log)
        self.assertEqual(lines[0], {"earlier": "line"}, "the log is appended to")
        lines = lines[1:]
        self.assertEqual(len(lines), len(report["results"]))
        self.assertEqual(len(lines), 4)
        engine_id = self.engine.get_json("/info")["ID"]
        for line, result in zip(lines, report["results"]):
            with self.subTest(image=result["image"]):
                self.assertLessEqual(AUDIT_FIELDS, set(line))
                self.assertEqual(line["engine"], self.host)
                self.assertEqual(line["engine_id"], engine_id)
                self.assertEqual((line["op"], line["image"], line["refs"], line["status"],
                                  line["bytes"], line["detail"]),
                                 (result["op"], result["image"], result["refs"],
                                  result["status"], result["freed_bytes"], result["detail"]))
                self.assertEqual(line["status"], "done")
                logged_at = datetime.strptime(line["time"][:19], "%Y-%m-%dT%H:%M:%S")
                self.assertTrue(line["time"].endswith("Z"), line["time"])
                self.assertLess(abs(logged_at.replace(tzinfo=timezone.utc) - started),
                                timedelta(minutes=5))
        self.assertEqual(sum(line["bytes"] for line in lines),
                         report["summary"]["freed_bytes"])

    def test_without_yes_and_no_terminal_exits_2_and_deletes_nothing(self):
        result = run_binary("-H", self.host, "apply", "-p", self.policy)
        self.assertEqual(crash_signs(result), [])
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertEqual(result.stdout, "")
        self.assertIn("--yes", result.stderr)
        self.assertEqual(image_tags(self.engine), self.tags)

    def answer_prompt(self, answer):
        controller, terminal = pty.openpty()
        try:
            process = start_binary("-H", self.host, "apply", "-p", self.policy,
                                   "--format", "json", *self.at_args, stdin=terminal)
            os.write(controller, answer)
            return finish(process)
        finally:
            os.close(terminal)
            os.close(controller)

    def test_answering_no_on_a_terminal_deletes_nothing(self):
        result = self.answer_prompt(b"n\n")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("[y/N]", result.stderr)
        self.assertIn("audit-00:1", result.stderr, "the prompt lists what it would do")
        self.assertEqual(image_tags(self.engine), self.tags)

    def test_answering_yes_on_a_terminal_applies(self):
        result = self.answer_prompt(b"y\n")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["summary"]["done"], 4)
        self.assertEqual(image_tags(self.engine),
                         {self.scenario.image_id("keeper"): ["keeper:1"]})


class InterruptedApplyTest(unittest.TestCase):
    """An apply of many actions interrupted midway, on a private engine
    whose dockerd the test can freeze and kill: by the engine dying, and by
    SIGTERM to the binary."""

    COUNT = 36

    @classmethod
    def setUpClass(cls):
        session_store().skip_on(cls, CONTAINERD, "it starts a classic PrivateEngine of its "
                                "own (to freeze and kill its dockerd), tested in the "
                                "graphdriver pass")
        super().setUpClass()
        cls.private = PrivateEngine()
        cls.engine = cls.private.start()
        cls.host = cls.engine.host
        cls.cli = DockerCli(cls.host)

    @classmethod
    def tearDownClass(cls):
        cls.private.stop()
        super().tearDownClass()

    def setUp(self):
        directory = tempfile.TemporaryDirectory(prefix="dgc-interrupt-")
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)
        try:
            self.engine.version()
        except OSError:  # an earlier test left the engine down
            self.private.shutdown()
            self.private.start()
        reset(self.engine)
        self.now = datetime.now(timezone.utc).replace(microsecond=0)
        self.scenario = bulk_scenario(self.now, self.COUNT, prefix="many")
        self.scenario.install(self.cli)
        self.scenario.verify(self.engine)
        self.policy = self.directory / "many.json"
        self.policy.write_text(json.dumps({"rules": [
            {"name": "many", "match": "many-*", "older_than": "1d"}]}))
        self.log = self.directory / "audit.log"
        self.bulk_ids = {self.scenario.image_id(role) for role in self.scenario.images
                         if role != "keeper"}

    def dockerd_pid(self):
        return int((self.private.directory / "pid").read_text().strip())

    def freeze_engine_under(self, process):
        """SIGSTOPs dockerd and waits until it is stopped and the apply is
        waiting for its answer inside an action: from then on, no action
        can finish and the audit log stays as it is. Returns dockerd's pid."""
        dockerd = self.dockerd_pid()
        os.kill(dockerd, signal.SIGSTOP)
        wait_until(lambda: all_threads_stopped(dockerd), "dockerd stopped", process)
        wait_until(lambda: sleeping_in_poll(process.pid),
                   "the apply waiting for the stopped engine", process)
        return dockerd

    def start_apply(self):
        return start_binary("-H", self.host, "apply", "--yes", "--format", "json",
                            "-p", str(self.policy), "--log", str(self.log))

    def assert_log_matches(self, report):
        lines = read_log(self.log)
        self.assertEqual([(line["op"], line["image"], line["status"]) for line in lines],
                         [(result["op"], result["image"], result["status"])
                          for result in report["results"]])

    def test_engine_killed_mid_apply_then_rerun_completes(self):
        process = self.start_apply()
        wait_for_log_lines(self.log, 3, process)
        # Freeze the engine first, so the apply cannot finish before the
        # kill: it waits inside the next action, the one the engine dies under.
        dockerd = self.freeze_engine_under(process)
        logged = len(read_log(self.log))
        os.kill(dockerd, signal.SIGKILL)
        result = finish(process)
        self.private.shutdown()
        self.private.start()

        self.assertEqual(crash_signs(result), [])
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertRegex(result.stderr, r"(?m)^Error: ")
        report = json.loads(result.stdout)
        self.assert_log_matches(report)
        self.assertEqual(len(report["results"]), self.COUNT)
        self.assertTrue(report["summary"]["stopped"], report["summary"])
        statuses = [entry["status"] for entry in report["results"]]
        self.assertGreaterEqual(logged, 3)
        self.assertEqual(statuses[:logged], ["done"] * logged,
                         "the actions told before the engine died")
        # The group in flight when it died: up to PARALLEL_DELETES actions,
        # each done (answered before the freeze), failed (it died under a
        # read) or unknown (under its DELETE: the engine may have untagged
        # or even deleted it before dying, and could not be read back).
        group = statuses[logged:].index("skipped") if "skipped" in statuses[logged:] \
            else self.COUNT - logged
        self.assertGreaterEqual(group, 1)
        self.assertLessEqual(group, PARALLEL_DELETES)
        in_flight = report["results"][logged:logged + group]
        cut = [entry for entry in in_flight if entry["status"] != "done"]
        self.assertGreaterEqual(len(cut), 1, in_flight)
        for entry in cut:
            self.assertIn(entry["status"], ("failed", "unknown"), entry)
            self.assertIn(self.host, entry["detail"])
            if entry["status"] == "unknown":
                self.assertIn("was lost", entry["detail"])
                self.assertIn("reading the image again failed too", entry["detail"])
        for entry in report["results"][logged + group:]:
            self.assertEqual(entry["status"], "skipped", entry)
            self.assertTrue(entry["detail"].startswith("not run: "), entry)
        done = statuses.count("done")
        self.assertLess(done, self.COUNT)
        summary = report["summary"]
        self.assertEqual((summary["done"], summary["failed"] + summary["unknown"],
                          summary["skipped"]), (done, len(cut), self.COUNT - logged - group))
        done_ids = {entry["image"] for entry in report["results"] if entry["status"] == "done"}
        done_roles = [role for role in self.scenario.images
                      if self.scenario.image_id(role) in done_ids]
        self.assertEqual(report["summary"]["freed_bytes"],
                         self.scenario.expected_layers_size()
                         - self.scenario.expected_layers_size(
                             [role for role in self.scenario.images if role not in done_roles]))
        left = {image["Id"] for image in self.engine.images()}
        self.assertEqual(left & done_ids, set(), "images reported done are gone")
        self.assertIn(self.scenario.image_id("keeper"), left)

        # The engine may have taken an in-flight image's tag but not the
        # image before it died: then the policy no longer names it.
        untagged = {image_id for image_id in left & self.bulk_ids
                    if not self.engine.image_inspect(image_id)["RepoTags"]}
        self.assertLessEqual(untagged, {entry["image"] for entry in cut})

        rerun = finish(self.start_apply())
        self.assertEqual(rerun.returncode, 0, rerun.stderr)
        second = json.loads(rerun.stdout)
        self.assertEqual({entry["status"] for entry in second["results"]}, {"done"})
        self.assertEqual({entry["image"] for entry in second["results"]},
                         (left & self.bulk_ids) - untagged)
        self.assertEqual({image["Id"] for image in self.engine.images()},
                         {self.scenario.image_id("keeper")} | untagged)
        final = run_json("-H", self.host, "plan", "-p", str(self.policy), "--format", "json")
        self.assertEqual(final["actions"], [])

    def test_sigterm_stops_after_the_actions_in_flight(self):
        process = self.start_apply()
        wait_for_log_lines(self.log, 3, process)
        try:
            # Holds the apply inside an action while SIGTERM arrives.
            self.freeze_engine_under(process)
            logged = len(read_log(self.log))
            process.send_signal(signal.SIGTERM)
            wait_until(lambda: not signal_pending(process.pid, signal.SIGTERM),
                       "the binary took SIGTERM", process)
        finally:
            os.kill(self.dockerd_pid(), signal.SIGCONT)
        result = finish(process)
        self.assertEqual(crash_signs(result), [])
        self.assertEqual(result.returncode, 1, result.stderr)
        report = json.loads(result.stdout)
        self.assertIn("SIGTERM", report["summary"]["stopped"])
        self.assertRegex(result.stderr, r"(?m)^Error: .*SIGTERM")
        statuses = [entry["status"] for entry in report["results"]]
        done = statuses.count("done")
        # The group in flight is finished, no other action is started.
        self.assertGreaterEqual(done - logged, 1)
        self.assertLessEqual(done - logged, PARALLEL_DELETES)
        self.assertGreaterEqual(done, 3)
        self.assertLess(done, self.COUNT)
        self.assertEqual(statuses, ["done"] * done + ["skipped"] * (self.COUNT - done))
        for entry in report["results"][done:]:
            self.assertEqual(entry["detail"], "not run: interrupted by SIGTERM")
            self.assertEqual(entry["freed_bytes"], 0)
        self.assertEqual((report["summary"]["done"], report["summary"]["skipped"],
                          report["summary"]["failed"]), (done, self.COUNT - done, 0))
        self.assert_log_matches(report)
        done_ids = {entry["image"] for entry in report["results"][:done]}
        self.assertEqual({image["Id"] for image in self.engine.images()},
                         (self.bulk_ids - done_ids) | {self.scenario.image_id("keeper")})


if __name__ == "__main__":
    unittest.main()
