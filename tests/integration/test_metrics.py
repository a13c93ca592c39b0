"""What monitoring reads from docker gc (SPEC §9): `--metrics-file` of plan,
apply and check, and stderr's syslog priorities when systemd connects it
to the journal.

Metrics files are checked with Prometheus's own `promtool check metrics`
(Debian package `prometheus`), and their values against the engine's own
figures (/system/df before and after an apply, statvfs of a small tmpfs
data root) and the apply's report. Journal prefixes are checked the way
systemd sets them up: stderr is a pipe and $JOURNAL_STREAM names its
device and inode.
"""

import json
import os
import re
import stat
import subprocess
import time
import unittest
from datetime import datetime, timedelta, timezone
from pathlib import Path

from dgc_fixtures.dgc import binary_path, run_dgc
from dgc_fixtures.docker_cli import clean_environment
from dgc_fixtures.formats import rfc3339
from dgc_fixtures.imagegen import ImageSpec, file_layer
from dgc_fixtures.resources import ContainerSpec, create_container, runnable_image
from dgc_fixtures.testcase import EngineTestCase
from dgc_fixtures.reclaim import PrivateEngineCase, ReclaimCase, engine_drop, system_df

NOWHERE = "unix:///nonexistent/dgc-metrics.sock"
PROMTOOL = "/usr/bin/promtool"
SAMPLE = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')
KINDS = ("images", "containers", "volumes", "build_cache")


class MetricsFile:
    """A metrics file, parsed: `types` and `helps` by family, `samples` as
    {(name, frozenset of (label, value)): value}."""

    def __init__(self, path):
        self.text = Path(path).read_text(encoding="utf-8")
        self.types, self.helps, self.samples = {}, {}, {}
        for line in self.text.splitlines():
            if line.startswith("# TYPE "):
                name, kind = line[7:].split(" ", 1)
                self.types[name] = kind
            elif line.startswith("# HELP "):
                name, text = line[7:].split(" ", 1)
                self.helps[name] = text
            else:
                name, labels, value = SAMPLE.fullmatch(line).groups()
                key = (name, frozenset(LABEL.findall(labels or "")))
                assert key not in self.samples, f"duplicate series {key}"
                self.samples[key] = float(value)

    def value(self, name, **labels):
        """The value of the series `name` with exactly `labels` (KeyError
        when absent)."""
        return self.samples[(name, frozenset(labels.items()))]

    def by(self, name, label, **labels):
        """{value of `label`: sample value} of the family `name`."""
        found = {}
        for (sample_name, sample_labels), value in self.samples.items():
            as_dict = dict(sample_labels)
            if sample_name == name and all(as_dict.get(k) == v for k, v in labels.items()):
                found[as_dict[label]] = value
        return found

    def names(self):
        return {name for name, _ in self.samples}


class MetricsCase(ReclaimCase):
    def promtool_accepts(self, path):
        """`promtool check metrics` finds no problem in the file."""
        self.assertTrue(os.access(PROMTOOL, os.X_OK),
                        f"{PROMTOOL} is missing: install Debian's prometheus package")
        with open(path, "rb") as metrics:
            result = subprocess.run([PROMTOOL, "check", "metrics"], stdin=metrics,
                                    capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(result.stdout + result.stderr, "")

    def assert_written_atomically(self, path):
        """0644, and nothing but the metrics files in their directory: no
        temporary file left behind."""
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o644)
        leftovers = [name for name in os.listdir(os.path.dirname(path))
                     if not name.endswith((".prom", ".json"))]
        self.assertEqual(leftovers, [])

    def assert_run_metrics(self, metrics, command, started, ended, success):
        self.assertEqual(metrics.value("docker_gc_last_run_success", command=command),
                         1 if success else 0)
        timestamp = metrics.value("docker_gc_last_run_timestamp_seconds", command=command)
        self.assertGreaterEqual(timestamp, started - 0.01)
        self.assertLessEqual(timestamp, ended + 0.01)
        duration = metrics.value("docker_gc_last_run_duration_seconds", command=command)
        self.assertGreaterEqual(duration, 0)
        self.assertLessEqual(duration, ended - started + 0.01)

    def assert_named_as_prometheus_says(self, metrics):
        for name in metrics.names():
            self.assertTrue(name.startswith("docker_gc_"), name)
            self.assertEqual(metrics.types[name], "gauge", name)
            self.assertFalse(name.endswith("_total"), f"{name}: _total is for counters")
            self.assertTrue(metrics.helps[name], name)


class MetricsOfRealRunsTest(PrivateEngineCase, MetricsCase):
    """Old images and a stopped container on an engine whose data root is
    a small tmpfs; the metrics of plan, apply and check of one policy."""

    SMALL_DISK_MB = 96

    def setUp(self):
        super().setUp()
        now = datetime.now(timezone.utc).replace(microsecond=0)
        self.cli.load([ImageSpec([f"junk-{index}:1"],
                                 [file_layer(f"junk/{index}.bin", 2000000 + index,
                                             seed=f"junk-{index}")],
                                 now - timedelta(days=30)) for index in range(3)])
        self.job = create_container(self.cli, runnable_image(self.cli),
                                    ContainerSpec("job", "exited", write_bytes=30000))
        # Containers cannot be aged without restarting the engine: act two
        # hours ahead instead.
        self.at = rfc3339(now + timedelta(hours=2))
        self.policy = self.write_policy({
            "rules": [{"name": "junk", "match": "junk-*", "older_than": "1d"}],
            "containers": {"stopped_older_than": "1h"},
        })
        self.metrics_dir = self.directory / "textfile"
        self.metrics_dir.mkdir()

    def tearDown(self):
        for container in self.engine.containers():
            self.engine.delete(f"/containers/{container['Id']}?force=1")

    def run_with_metrics(self, command, *args, name=None):
        """Runs COMMAND with --metrics-file; returns (result, parsed file,
        path, start and end times)."""
        path = str(self.metrics_dir / f"{name or command}.prom")
        started = time.time()
        result = run_dgc("-H", self.host, command, *args, "--metrics-file", path)
        ended = time.time()
        self.promtool_accepts(path)
        self.assert_written_atomically(path)
        return result, MetricsFile(path), path, started, ended

    def test_apply_metrics_are_the_engines_figures(self):
        path = str(self.metrics_dir / "apply.prom")
        with open(path, "w") as old:
            old.write("old contents\n")
        old_inode = os.stat(path).st_ino
        before = system_df(self.engine)
        used_before, total = self.private.disk_usage()
        result, metrics, path, started, ended = self.run_with_metrics(
            "apply", "-p", self.policy, "--now", self.at, "--yes", "--format", "json")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotEqual(os.stat(path).st_ino, old_inode, "replaced by a rename")
        report = json.loads(result.stdout)
        after = system_df(self.engine)
        self.assert_run_metrics(metrics, "apply", started, ended, success=True)
        self.assert_named_as_prometheus_says(metrics)

        summary = report["summary"]
        self.assertEqual(summary["done"], 4, report)
        self.assertEqual(metrics.by("docker_gc_last_run_actions", "status"),
                         {"done": 4, "skipped": 0, "failed": 0, "unknown": 0})
        freed = metrics.by("docker_gc_last_run_freed_bytes", "kind", command="apply")
        self.assertEqual(set(freed), set(KINDS))
        self.assertEqual(sum(freed.values()), summary["freed_bytes"])
        self.assertEqual(sum(freed.values()), engine_drop(before, after))
        self.assertEqual(freed["images"], before["layers"] - after["layers"])
        self.assertEqual(freed["containers"], before["containers"][self.job.id])
        self.assertEqual(metrics.value("docker_gc_reclaimable_bytes", command="apply"),
                         summary["predicted_bytes"])

        # The engine as the apply read it, before acting.
        usage = metrics.by("docker_gc_usage_bytes", "kind", command="apply")
        self.assertEqual(usage, {
            "images": before["layers"],
            "containers": sum(before["containers"].values()),
            "volumes": sum(before["volumes"].values()),
            "build_cache": sum(before["cache"].values())})
        self.assertEqual(metrics.value("docker_gc_disk_size_bytes", command="apply"), total)
        self.assertEqual(metrics.value("docker_gc_disk_used_bytes", command="apply"),
                         used_before)

    def test_plan_metrics_are_the_plans(self):
        policy = self.write_policy({
            "rules": [{"name": "junk", "match": "junk-*", "older_than": "1d"}],
            "containers": {"stopped_older_than": "1h"},
            "threshold": {"high": "1%", "low": "0.01%"},
        }, "watermarks.json")
        result, metrics, _, started, ended = self.run_with_metrics(
            "plan", "-p", policy, "--now", self.at, "--format", "json")
        self.assertEqual(result.returncode, 0, result.stderr)
        plan = json.loads(result.stdout)
        self.assert_run_metrics(metrics, "plan", started, ended, success=True)
        self.assert_named_as_prometheus_says(metrics)
        self.assertEqual(metrics.value("docker_gc_reclaimable_bytes", command="plan"),
                         plan["summary"]["reclaimable_bytes"])
        by_rule = {}
        for action in plan["actions"]:
            by_rule[action["rule"]] = by_rule.get(action["rule"], 0) + action["bytes"]
        self.assertEqual(set(by_rule), {"junk", "containers"})
        self.assertEqual(metrics.by("docker_gc_rule_reclaimable_bytes", "rule"), by_rule)
        watermark = plan["watermark"]
        for name, field in [("high", "high_bytes"), ("low", "low_bytes"),
                            ("used", "used_before_bytes"),
                            ("used_after", "used_after_bytes"),
                            ("shortfall", "shortfall_bytes")]:
            self.assertEqual(metrics.value(f"docker_gc_watermark_{name}_bytes",
                                           command="plan", measure="disk"),
                             watermark[field], name)
        used, _ = self.private.disk_usage()
        self.assertEqual(watermark["used_before_bytes"], used)
        self.assertNotIn("docker_gc_last_run_actions", metrics.names())

    def test_check_metrics_and_three_files_side_by_side(self):
        result, check, _, started, ended = self.run_with_metrics(
            "check", "-p", self.policy, "--warn", "1kB")
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assert_run_metrics(check, "check", started, ended, success=True)
        self.assert_named_as_prometheus_says(check)
        self.assertEqual(check.value("docker_gc_check_state", command="check"), 1)
        self.assertEqual(check.value("docker_gc_check_warning_bytes", command="check",
                                     measure="docker"), 1000)
        _, plan, _, _, _ = self.run_with_metrics("plan", "-p", self.policy, "--now", self.at)
        _, apply, _, _, _ = self.run_with_metrics(
            "apply", "-p", self.policy, "--now", self.at, "--yes")
        # node_exporter's textfile collector merges every *.prom file of the
        # directory: no series twice, one HELP and TYPE per family.
        seen = {}
        for metrics in (check, plan, apply):
            for key in metrics.samples:
                self.assertNotIn(key, seen)
                seen[key] = True
            for name, help_text in metrics.helps.items():
                for other in (check, plan, apply):
                    if name in other.helps:
                        self.assertEqual(other.helps[name], help_text, name)

    def test_a_failed_run_still_writes_that_it_failed(self):
        path = str(self.metrics_dir / "plan.prom")
        started = time.time()
        result = run_dgc("-H", NOWHERE, "plan", "--metrics-file", path)
        ended = time.time()
        self.assertEqual(result.returncode, 1, result.stderr)
        self.promtool_accepts(path)
        metrics = MetricsFile(path)
        self.assert_run_metrics(metrics, "plan", started, ended, success=False)
        self.assertEqual(metrics.names(), {"docker_gc_last_run_success",
                                           "docker_gc_last_run_timestamp_seconds",
                                           "docker_gc_last_run_duration_seconds"})
        checked = run_dgc("-H", NOWHERE, "check", "--warn", "1GB", "--metrics-file", path)
        self.assertEqual(checked.returncode, 3, checked.stdout)
        self.promtool_accepts(path)
        self.assertEqual(MetricsFile(path).value("docker_gc_check_state", command="check"), 3)

    def test_an_unwritable_metrics_file_is_an_error_naming_it(self):
        path = "/nonexistent/dgc/docker-gc.prom"
        result = run_dgc("-H", self.host, "plan", "-p", self.policy, "--metrics-file", path)
        self.assertEqual(result.returncode, 1)
        self.assertIn(path, result.stderr)
        result = run_dgc("-H", self.host, "check", "--warn", "1%", "--metrics-file", path)
        self.assertEqual(result.returncode, 3)
        self.assertTrue(result.stdout.startswith("DOCKER-GC UNKNOWN - "), result.stdout)
        self.assertIn(path, result.stdout)
        result = run_dgc("-H", self.host, "plan", "--metrics-file", "-")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("--metrics-file", result.stderr)


def run_on_journal_pipe(*args, journal_stream=None):
    """Runs the binary with stderr on a pipe, and JOURNAL_STREAM set to
    that pipe's "device:inode" (True), to `journal_stream` (a string), or
    unset (None); returns (exit code, stderr text)."""
    read_end, write_end = os.pipe()
    try:
        status = os.fstat(write_end)
        environment = clean_environment()
        environment.pop("JOURNAL_STREAM", None)
        if journal_stream is True:
            environment["JOURNAL_STREAM"] = f"{status.st_dev}:{status.st_ino}"
        elif journal_stream is not None:
            environment["JOURNAL_STREAM"] = journal_stream
        process = subprocess.Popen([binary_path(), *args], env=environment,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=write_end)
        os.close(write_end)
        write_end = None
        with os.fdopen(read_end, encoding="utf-8", errors="replace") as stderr:
            read_end = None
            text = stderr.read()
        return process.wait(timeout=120), text
    finally:
        for fd in (read_end, write_end):
            if fd is not None:
                os.close(fd)


class JournalPrefixTest(EngineTestCase, ReclaimCase):
    """stderr lines carry <3> <4> <6> <7> exactly when JOURNAL_STREAM names
    stderr, as under systemd."""

    def test_errors_are_priority_3(self):
        code, text = run_on_journal_pipe("-H", NOWHERE, "plan", journal_stream=True)
        self.assertEqual(code, 1)
        self.assertRegex(text, r"\A<3>Error: .*/nonexistent/dgc-metrics\.sock.*\n\Z")

    def test_usage_errors_are_priority_3_on_every_line(self):
        code, text = run_on_journal_pipe("plan", "--format", "yaml", journal_stream=True)
        self.assertEqual(code, 2)
        lines = text.splitlines()
        self.assertEqual(len(lines), 2, text)
        self.assertTrue(lines[0].startswith("<3>docker gc plan: invalid --format"), text)
        self.assertEqual(lines[1], "<3>See 'docker gc plan --help'.")

    def test_debug_and_info_lines(self):
        output = os.path.join(self.directory, "snapshot.json")
        code, text = run_on_journal_pipe("-D", "-H", self.host, "snapshot", "-o", output,
                                         journal_stream=True)
        self.assertEqual(code, 0, text)
        lines = text.splitlines()
        self.assertTrue(any(line.startswith("<7>DEBUG: ") for line in lines), text)
        self.assertTrue(lines[-1].startswith("<6>Saved "), text)
        for line in lines:
            self.assertRegex(line, r"\A<[3467]>")
            self.assertEqual(line.startswith("<7>"), line[3:].startswith("DEBUG: "), line)

    def test_no_prefix_unless_journal_stream_names_stderr(self):
        for journal_stream in (None, "1:1", "garbage"):
            with self.subTest(journal_stream=journal_stream):
                code, text = run_on_journal_pipe("-H", NOWHERE, "plan",
                                                 journal_stream=journal_stream)
                self.assertEqual(code, 1)
                self.assertTrue(text.startswith("Error: "), text)


if __name__ == "__main__":
    unittest.main()
