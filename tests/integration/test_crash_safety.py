"""Crash safety of `docker-gc apply` (issue 12, item 4), on a real engine.

`apply` is killed with SIGKILL at seeded random moments, then run again:
the engine must end exactly as after a run that was never interrupted,
nothing outside the plan may be gone at any moment, the lock of the killed
run must not stop the next one, and the audit log must be JSON lines of
which only the last, cut short, may not parse, and the next run must say
so. The same with the engine itself (the private dockerd) killed mid-apply
and started again; the interrupted run must also report honestly.

The scenario (crash_scenario) is 10 small images: containers in each
state protect three, the policy keeps one and untags a reference of
another, and five are deleted (one with tags in two repositories, one
dangling, one sharing busybox with protected images). Its expected end is
worked out from the description, not from docker gc, and checked with the
engine's own figures (/system/df LayersSize, the image and container
lists). Requests go through a fault proxy (dgc_fixtures/fault_proxy.py)
that delays every DELETE by DELETE_DELAY_MS and each image read by
READ_DELAY_MS, so that kills land before the first DELETE, while one is in
flight and between two; the proxy's record of each request's arrival and
answer says which, and the test prints the counts.

Runs: DGC_CRASH_RUNS apply kills (default 20) and DGC_CRASH_ENGINE_RUNS
engine kills (default 4); DGC_CRASH_SEED fixes the seed (printed either
way, to replay a failure). Half of the runs apply a saved plan (`apply
--plan`), half the policy (`apply -p`). The whole file takes about 80 s
on 2 shared cores with the defaults (docs/reliability.md has figures).

Not exercised by a real kill: a record torn in the middle of its write.
Each record is one write(2) of a few hundred bytes, which SIGKILL does not
cut; a full disk or a power loss can. So in a seeded third of the runs the
test cuts the killed run's last record itself, as those would, and checks
that the next run reports it (byte offset and size) and writes after it on
a new line.
"""

import json
import os
import random
import re
import shutil
import signal
import tempfile
import time
import unittest
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from dgc_fixtures.dgc import PARALLEL_DELETES, crash_signs, finish, run_json, start_binary
from dgc_fixtures.docker_cli import DockerCli
from dgc_fixtures.engine import PrivateEngine, container_states, image_tags
from dgc_fixtures.fault_proxy import Fault, FaultProxy
from dgc_fixtures.formats import rfc3339
from dgc_fixtures.imagegen import ImageSpec, busybox_layer, file_layer, write_save_tarball
from dgc_fixtures.scenarios import ContainerPlan, Scenario
from dgc_fixtures.stores import CONTAINERD, session_store

RUN_TIMEOUT_S = 60
IDLE_TIMEOUT_S = 10
DELETE_DELAY_MS = 150
READ_DELAY_MS = 40
AUDIT_FIELDS = {"time", "engine", "engine_id", "op", "image", "refs", "status", "bytes",
                "detail"}
MODES = ("--plan", "-p")
# Where a kill landed, from the proxy's record of the DELETEs.
KINDS = ("before the first DELETE", "during a DELETE", "between DELETEs",
         "after the last DELETE", "after the run ended")
POLICY = {"rules": [{"name": "keep", "match": ["crash-keep", "crash-p:stable"], "keep": True},
                    {"name": "old", "match": "crash-*", "older_than": "7d"},
                    {"name": "dangling", "dangling": True, "older_than": "1d"}],
          "min_age": "1h"}
# The roles POLICY deletes; "partial" loses crash-p:1; the rest stay whole.
DELETED = ("old_a", "old_b", "cross", "dangling", "old_c")
UNTAGGED = {"partial": ["crash-p:1"]}


def crash_scenario(now):
    """Images 10 days old (dated from `now`) on a shared 2000-byte base, or
    on busybox where a container runs them: old_a (crash-a:1), old_b
    (crash-b:1 and crash-b:latest), cross (crash-x:1, crash-y:1: two
    repositories), old_c (crash-c:1, on busybox like the protected ones),
    dangling (no tag), partial (crash-p:1, crash-p:stable), kept
    (crash-keep:1), and three used by a container each: running
    (crash-run:1, running), created (crash-created:1) and exited
    (crash-exited:1)."""
    base = file_layer("base/crash.bin", size=2000, seed="crash-base")
    busybox = busybox_layer()

    def image(tags, name, below=base):
        return ImageSpec(tags, [below, file_layer(f"app/{name}.bin", size=900,
                                                  seed=f"crash-{name}")],
                         now - timedelta(days=10))

    return Scenario({
        "old_a": image(["crash-a:1"], "a"),
        "old_b": image(["crash-b:1", "crash-b:latest"], "b"),
        "cross": image(["crash-x:1", "crash-y:1"], "cross"),
        "old_c": image(["crash-c:1"], "c", busybox),
        "dangling": image([], "dangling"),
        "partial": image(["crash-p:1", "crash-p:stable"], "partial"),
        "kept": image(["crash-keep:1"], "kept"),
        "running": image(["crash-run:1"], "run", busybox),
        "created": image(["crash-created:1"], "created"),
        "exited": image(["crash-exited:1"], "exited", busybox),
    }, [ContainerPlan("crash-running", "running", "running"),
        ContainerPlan("crash-created", "created", "created"),
        ContainerPlan("crash-exited", "exited", "exited")])


def parse_log(data):
    """The audit log's lines: (records, bad), where records are the parsed
    lines and bad lists (byte offset, text) of the lines that do not parse.
    Empty lines are neither."""
    records, bad = [], []
    offset = 0
    for line in data.split(b"\n"):
        if line.strip():
            try:
                records.append(json.loads(line))
            except ValueError:
                bad.append((offset, line))
        offset += len(line) + 1
    return records, bad


def start_apply(host, *args):
    """Starts `docker-gc -H host apply --yes --format json ARGS` (with an
    empty DOCKER_CONFIG: a cold cache, every image is read)."""
    return start_binary("-H", host, "apply", "--yes", "--format", "json", "--timeout", "10s",
                        *args)


def kill_kind(seen, moment, ended):
    """Where a kill at `moment` landed (one of KINDS), from the proxy's
    record `seen`; `ended`: the binary had exited before it."""
    if ended:
        return KINDS[4]
    deletes = [request for request in seen if request.method == "DELETE"
               and request.received_at <= moment]
    if any(request.in_flight_at(moment) for request in deletes):
        return KINDS[1]
    return KINDS[0] if not deletes else KINDS[2]


class CrashSafetyTest(unittest.TestCase):
    """Kills at random points, on a private engine of its own (its dockerd
    is killed too)."""

    @classmethod
    def setUpClass(cls):
        session_store().skip_on(cls, CONTAINERD, "it starts a classic PrivateEngine of its "
                                "own (to kill its dockerd), tested in the graphdriver pass")
        super().setUpClass()
        seed = os.environ.get("DGC_CRASH_SEED") or str(random.SystemRandom().randrange(10**6))
        cls.seed = int(seed)
        print(f"\ncrash safety: seed {cls.seed} (DGC_CRASH_SEED={cls.seed} replays it)")
        # Class cleanups run even when setUpClass fails half way.
        cls.private = PrivateEngine()
        cls.addClassCleanup(cls.private.stop)
        cls.engine = cls.private.start()
        cls.host = cls.engine.host
        cls.cli = DockerCli(cls.host)
        cls.directory = Path(tempfile.mkdtemp(prefix="dgc-crash-"))
        cls.addClassCleanup(shutil.rmtree, cls.directory, ignore_errors=True)
        os.chmod(cls.directory, 0o755)
        now = datetime.now(timezone.utc).replace(microsecond=0)
        # Past min_age even if the reloads set LastTagTime.
        cls.now_args = ("--now", rfc3339(now + timedelta(hours=2)))
        cls.scenario = crash_scenario(now)
        cls.tarball = cls.directory / "images.tar"
        write_save_tarball(cls.tarball, list(cls.scenario.images.values()))
        cls.scenario.install(cls.cli)
        cls.scenario.verify(cls.engine)
        cls.initial_tags = image_tags(cls.engine)
        cls.initial_containers = container_states(cls.engine)
        cls.policy = cls.directory / "gc.json"
        cls.policy.write_text(json.dumps(POLICY))
        cls.plan_file = cls.directory / "plan.json"
        cls.plan = run_json("-H", cls.host, "plan", "-p", str(cls.policy), "--format", "json",
                            "-o", str(cls.plan_file), *cls.now_args)
        cls.expected_tags = cls.expected_end()
        cls.kept_roles = [role for role in cls.scenario.images if role not in DELETED]

    @classmethod
    def expected_end(cls):
        """Image ID -> tags after a complete apply, from the description."""
        tags = {}
        for role, spec in cls.scenario.images.items():
            if role not in DELETED:
                tags[cls.scenario.image_id(role)] = sorted(
                    set(spec.tags) - set(UNTAGGED.get(role, [])))
        return tags

    def setUp(self):
        self.run_directory = Path(tempfile.mkdtemp(prefix="run-", dir=self.directory))
        self.addCleanup(shutil.rmtree, self.run_directory, ignore_errors=True)

    def restore(self):
        """Brings the engine back to the scenario: the tarball loaded again
        (deleted images and references come back), the running container
        running again (after an engine restart it has exited)."""
        self.cli.run("load", "-q", "-i", str(self.tarball))
        if self.cli.container_state("crash-running") != "running":
            self.cli.run("start", "crash-running")
        self.assertEqual(image_tags(self.engine), self.initial_tags)
        self.assertEqual(container_states(self.engine), self.initial_containers)

    def mode_args(self, mode):
        """The apply arguments of a mode: the saved plan, or the policy."""
        if mode == "--plan":
            return ("--plan", str(self.plan_file))
        return ("-p", str(self.policy), *self.now_args)

    def apply_args(self, mode, log, lock):
        return (*self.mode_args(mode), "--log", str(log), "--lock", str(lock))

    def slow_proxy(self):
        """A proxy to the engine that delays DELETEs and image reads."""
        proxy = FaultProxy(self.run_directory, self.host, [
            Fault("delay", method="DELETE", path=r"^/images/", times=None,
                  delay_ms=DELETE_DELAY_MS),
            Fault("delay", path=r"^/images/[^/?]+/json$", times=None, delay_ms=READ_DELAY_MS)])
        return proxy.__enter__()

    def assert_nothing_outside_the_plan_changed(self):
        """Every image the plan does not name has its ID and tags; a planned
        image has only tags it had; "partial" keeps its kept tag; every
        container is there, with its image."""
        now = image_tags(self.engine)
        planned = {action["image"] for action in self.plan["actions"]}
        for image_id, tags in self.initial_tags.items():
            if image_id not in planned:
                self.assertEqual(now.get(image_id), tags, image_id)
            elif image_id in now:
                self.assertLessEqual(set(now[image_id]), set(tags), image_id)
        self.assertIn("crash-p:stable", now[self.scenario.image_id("partial")])
        self.assertEqual({name: entry[:2] for name, entry in container_states(self.engine).items()},
                         {name: entry[:2] for name, entry in self.initial_containers.items()})

    def deletes_half_done(self):
        """How many planned deletions the engine shows cut off between
        their requests: the image there, some of its tags gone."""
        now = image_tags(self.engine)
        return sum(1 for action in self.plan["actions"]
                   if action["op"] == "delete" and action["image"] in now
                   and now[action["image"]] != self.initial_tags[action["image"]])

    def assert_ended_as_a_clean_run(self, states_kept=True):
        """The engine holds exactly the expected images, tags and bytes,
        and the containers (in their states, unless the engine restarted)."""
        self.assertEqual(image_tags(self.engine), self.expected_tags)
        self.assertEqual(self.engine.layers_size(),
                         self.scenario.expected_layers_size(self.kept_roles))
        now = container_states(self.engine)
        if not states_kept:
            now = {name: entry[:2] + (self.initial_containers[name][2],)
                   for name, entry in now.items()}
        self.assertEqual(now, self.initial_containers)

    def assert_log_lines_valid(self, log, torn_at=None):
        """Every line of the audit log parses and has the audit fields,
        except one torn line at byte `torn_at` when given. Returns the
        records."""
        records, bad = parse_log(log.read_bytes() if log.exists() else b"")
        self.assertEqual([offset for offset, _ in bad], [] if torn_at is None else [torn_at],
                         bad)
        for record in records:
            self.assertLessEqual(AUDIT_FIELDS, set(record), record)
        return records

    def rerun(self, mode, log, lock, torn=None):
        """Runs apply again, straight to the engine, to completion: exit 0,
        every action done or skipped; the torn line `torn` (offset, size)
        reported on stderr. Returns the report."""
        result = finish(start_apply(self.host, *self.apply_args(mode, log, lock)), RUN_TIMEOUT_S)
        self.assertEqual(crash_signs(result), [])
        self.assertEqual(result.returncode, 0, result.stderr)
        report = json.loads(result.stdout)
        self.assertLessEqual({entry["status"] for entry in report["results"]},
                             {"done", "skipped"}, report["results"])
        if torn is None:
            self.assertNotIn("torn", result.stderr)
        else:
            self.assertIn(f"WARNING: the audit log {log} ends in a torn line: {torn[1]} bytes "
                          f"at byte offset {torn[0]} without a newline", result.stderr)
        return report

    def tear_last_record(self, log, rng):
        """Cuts the log's last record short, as a full disk or a power loss
        would (or writes half a record when there is none). Returns (byte
        offset, size) of the torn line."""
        data = log.read_bytes() if log.exists() else b""
        if data:
            start = data.rstrip(b"\n").rfind(b"\n") + 1
            line = data[start:].rstrip(b"\n")
        else:
            start, line = 0, b'{"time":"2026-01-01T00:00:00Z","engine":"unix:///x","op":"delete"}'
        cut = rng.randrange(1, len(line))
        log.write_bytes(data[:start] + line[:cut])
        return start, cut

    def clean_run(self):
        """A run through the slowed proxy, never interrupted, once per
        class: it must end as expected. Returns (its seconds, when its
        first DELETE came, how many DELETEs it sent)."""
        if not hasattr(type(self), "timing"):
            self.restore()
            proxy = self.slow_proxy()
            started = time.monotonic()
            clean = finish(start_apply(proxy.host, *self.mode_args("-p")), RUN_TIMEOUT_S)
            clean_s = time.monotonic() - started
            first_delete_s = min(request.received_at for request in proxy.seen()
                                 if request.method == "DELETE") - started
            type(self).timing = (clean_s, first_delete_s, proxy.count("DELETE", ""))
            proxy.__exit__(None, None, None)
            self.assertEqual(clean.returncode, 0, clean.stderr)
            self.assert_ended_as_a_clean_run()
        return type(self).timing

    def interrupt(self, mode, log, lock, delay, kill):
        """Starts apply (`mode`, `log`, `lock`) through the slowed proxy,
        waits `delay` seconds, calls `kill(process)`, waits for the binary
        to end and for the proxy to finish the requests in flight (a
        DELETE sent before the kill reaches the engine all the same).
        Returns (the run's CompletedProcess, where the kill landed: one of
        KINDS)."""
        proxy = self.slow_proxy()
        try:
            process = start_apply(proxy.host, *self.apply_args(mode, log, lock))
            time.sleep(delay)
            ended = process.poll() is not None
            moment = time.monotonic()
            kill(process)
            result = finish(process, RUN_TIMEOUT_S)
            self.assertTrue(proxy.wait_idle(IDLE_TIMEOUT_S), "the proxy finished its requests")
            kind = kill_kind(proxy.seen(), moment, ended)
            if kind == KINDS[2] and proxy.count("DELETE", "") == self.clean_run()[2]:
                kind = KINDS[3]
        finally:
            proxy.__exit__(None, None, None)
        return result, kind

    def test_apply_killed_at_random_points_then_rerun(self):
        runs = int(os.environ.get("DGC_CRASH_RUNS", "20"))
        rng = random.Random(self.seed)
        started = time.monotonic()
        clean_s, first_delete_s, deletes = self.clean_run()
        kinds = Counter()
        torn_lines = half_done = 0
        for run in range(runs):
            mode = MODES[run % 2]
            # One run in five aims before the first DELETE (the inventory
            # is read then), the others anywhere in the DELETEs.
            delay = (rng.uniform(0, first_delete_s) if run % 5 == 4
                     else rng.uniform(first_delete_s, clean_s))
            tear = rng.random() < 1 / 3
            with self.subTest(run=run, mode=mode, delay=round(delay, 3)):
                self.restore()
                log = self.run_directory / f"audit-{run}.log"
                lock = self.run_directory / f"apply-{run}.lock"
                killed, kind = self.interrupt(mode, log, lock, delay,
                                              lambda process: process.send_signal(signal.SIGKILL))
                kinds[kind] += 1
                if kind != KINDS[4]:
                    self.assertEqual(killed.returncode, -signal.SIGKILL)
                if kind != KINDS[0]:
                    self.assertTrue(lock.exists(), "the killed run held the lock")
                self.assert_nothing_outside_the_plan_changed()
                half_done += self.deletes_half_done()
                records = self.assert_log_lines_valid(log)
                gone = image_tags(self.engine)
                for record in records:
                    if record["status"] == "done" and record["op"] == "delete":
                        self.assertNotIn(record["image"], gone, record)
                torn = self.tear_last_record(log, rng) if tear else None
                torn_lines += torn is not None
                report = self.rerun(mode, log, lock, torn)
                self.assert_ended_as_a_clean_run()
                records = self.assert_log_lines_valid(log, torn[0] if torn else None)
                self.assertEqual([(record["image"], record["status"])
                                  for record in records[-len(report["results"]):]]
                                 if report["results"] else [],
                                 [(entry["image"], entry["status"])
                                  for entry in report["results"]])
        elapsed = time.monotonic() - started
        print(f"\napply killed {runs} times (clean run {clean_s:.2f}s, {deletes} DELETEs, "
              f"the first after {first_delete_s:.2f}s): "
              + ", ".join(f"{kinds[kind]} {kind}" for kind in KINDS)
              + f"; {half_done} left a delete half done; {torn_lines} torn records "
              f"reported; {elapsed:.1f}s")
        self.assertGreater(kinds[KINDS[1]] + kinds[KINDS[2]], 0, "no kill landed mid-apply")

    def test_apply_killed_between_the_references_of_one_delete(self):
        # crash-x:1 is gone, crash-y:1 and the image are not: the kill
        # lands in the read just before the DELETE by ID.
        cross = self.scenario.image_id("cross")
        for mode in MODES:
            with self.subTest(mode=mode):
                self.restore()
                log = self.run_directory / f"between-{mode}.log"
                lock = self.run_directory / "apply.lock"
                first = Fault("delay", method="DELETE", path=r"^/images/crash-x:1$")
                held = Fault("delay", path="^/images/" + re.escape(cross) + "/json$",
                             delay_ms=30000, after=first)
                with FaultProxy(self.run_directory, self.host, [first, held]) as proxy:
                    process = start_apply(proxy.host, *self.apply_args(mode, log, lock))
                    deadline = time.monotonic() + RUN_TIMEOUT_S
                    while not held.acted and process.poll() is None:
                        self.assertLess(time.monotonic(), deadline)
                        time.sleep(0.01)
                    process.send_signal(signal.SIGKILL)
                    finish(process, RUN_TIMEOUT_S)
                self.assertEqual(image_tags(self.engine).get(cross), ["crash-y:1"])
                self.assert_nothing_outside_the_plan_changed()
                report = self.rerun(mode, log, lock)
                entry = next(entry for entry in report["results"] if entry["image"] == cross)
                self.assertEqual(entry["status"], "done", entry)
                self.assert_ended_as_a_clean_run()

    def test_engine_killed_at_random_points_then_restarted(self):
        runs = int(os.environ.get("DGC_CRASH_ENGINE_RUNS", "4"))
        rng = random.Random(self.seed + 1)
        started = time.monotonic()
        clean_s, first_delete_s, _ = self.clean_run()
        kinds = Counter()
        codes = Counter()
        outcomes = Counter()
        for run in range(runs):
            mode = MODES[run % 2]
            delay = rng.uniform(first_delete_s / 2, clean_s)
            with self.subTest(run=run, mode=mode, delay=round(delay, 3)):
                self.restore()
                log = self.run_directory / f"engine-{run}.log"
                lock = self.run_directory / "apply.lock"
                dockerd = int((self.private.directory / "pid").read_text())
                result, kind = self.interrupt(mode, log, lock, delay,
                                              lambda _: os.kill(dockerd, signal.SIGKILL))
                kinds[kind] += 1
                self.private.shutdown()
                self.private.start()
                codes[result.returncode] += 1
                outcomes[self.assert_honest_report(result, log)] += 1
                self.assert_nothing_outside_the_plan_changed()
                self.rerun(mode, log, lock)
                self.assert_ended_as_a_clean_run(states_kept=False)
        elapsed = time.monotonic() - started
        print(f"\nengine killed {runs} times: "
              + ", ".join(f"{kinds[kind]} {kind}" for kind in KINDS)
              + f"; exit codes {dict(sorted(codes.items()))}; "
              + ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
              + f"; {elapsed:.1f}s")

    def assert_honest_report(self, result, log):
        """The run the engine died under: exit 0 with everything done when
        it finished first; else exit 1, and, when it got as far as acting,
        a report of done actions, then the group the engine died under (up
        to PARALLEL_DELETES actions, each done if answered before, else
        failed or unknown, at least one of them cut), then the rest skipped
        as not run, each as the engine now shows it; the audit log says the
        same. Returns what the run said, in a few words."""
        self.assertEqual(crash_signs(result), [])
        if result.returncode == 0:
            self.assertEqual(image_tags(self.engine), self.expected_tags)
            return "finished first"
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertRegex(result.stderr, r"(?m)^Error: ")
        records = self.assert_log_lines_valid(log)
        if not result.stdout:  # it died before acting
            self.assertEqual(image_tags(self.engine), self.initial_tags)
            self.assertEqual(records, [])
            return "stopped before acting"
        report = json.loads(result.stdout)
        statuses = [entry["status"] for entry in report["results"]]
        cut = [i for i, status in enumerate(statuses) if status in ("failed", "unknown")]
        self.assertTrue(cut, statuses)
        first, last = cut[0], cut[-1]
        self.assertEqual(statuses[:first], ["done"] * first, statuses)
        # One group in flight: its members between the first and the last
        # cut were done or cut; the rest were not run.
        self.assertLess(last - first, PARALLEL_DELETES, statuses)
        self.assertLessEqual(set(statuses[first:last + 1]), {"done", "failed", "unknown"})
        self.assertEqual(statuses[last + 1:], ["skipped"] * (len(statuses) - last - 1))
        self.assertTrue(report["summary"]["stopped"], report["summary"])
        now = image_tags(self.engine)
        for entry in report["results"]:
            if entry["status"] == "done" and entry["op"] == "delete":
                self.assertNotIn(entry["image"], now, entry)
            elif entry["status"] == "done":
                self.assertFalse(set(entry["refs"]) & set(now.get(entry["image"], [])), entry)
            elif entry["status"] == "skipped":
                self.assertTrue(entry["detail"].startswith("not run: "), entry)
                self.assertEqual(now.get(entry["image"]), self.initial_tags[entry["image"]])
        self.assertEqual([(record["image"], record["status"]) for record in records],
                         [(entry["image"], entry["status"]) for entry in report["results"]])
        return f"{statuses[first]} under the kill"


if __name__ == "__main__":
    unittest.main()
