"""`docker gc check` (SPEC §9) against real engines, as Nagios runs it: one
line on stdout, "DOCKER-GC STATE - text | perfdata", and exit 0 OK, 1
WARNING, 2 CRITICAL or 3 UNKNOWN.

Sizes are checked on the test engine against Docker's usage by the
engine's own /system/df figures; percentages on an engine whose data root
is a small tmpfs, against what statvfs measures. Every error — an engine
that does not answer, a bad flag, no level at all — is 3 UNKNOWN, never
docker gc's usual exit codes.
"""

import math
import re
import unittest
from datetime import datetime, timedelta, timezone

from dgc_fixtures.dgc import crash_signs, run_dgc, run_json
from dgc_fixtures.imagegen import ImageSpec, file_layer
from dgc_fixtures.scenarios import bulk_scenario
from dgc_fixtures.testcase import EngineTestCase
from dgc_fixtures.reclaim import PrivateEngineCase, ReclaimCase, docker_usage, system_df

NOWHERE = "unix:///nonexistent/dgc-check.sock"
STATES = {"OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}
LINE = re.compile(r"DOCKER-GC (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]+?)(?: \| (.*))?")
# Nagios plugin guidelines: 'label'=value[UOM];[warn];[crit];[min];[max]
PERFDATA = re.compile(r"'?([^'=]+)'?=(-?[0-9.]+)(s|%|B|KB|MB|TB|c)?"
                      r"(?:;([0-9.]*)(?:;([0-9.]*)(?:;([0-9.]*)(?:;([0-9.]*))?)?)?)?")


def share_of(total, percent):
    """Bytes of `percent` (may have two decimals) of `total`, rounded
    down, as watermarks count them."""
    return total * round(percent * 100) // 10000


class Checked:
    """One run of `docker gc check`: its state, text and perfdata (label ->
    dict of value, uom, warn, crit, min, max, each None when empty)."""

    def __init__(self, test, result):
        test.assertEqual(crash_signs(result), [])
        test.assertEqual(result.stderr, "", "check writes nothing on stderr")
        test.assertTrue(result.stdout.endswith("\n"), result.stdout)
        test.assertEqual(result.stdout.count("\n"), 1, f"not one line: {result.stdout!r}")
        line = result.stdout.rstrip("\n")
        match = LINE.fullmatch(line)
        test.assertIsNotNone(match, line)
        self.line = line
        self.state, self.text = match.group(1), match.group(2)
        test.assertEqual(result.returncode, STATES[self.state], line)
        self.perfdata = {}
        for item in (match.group(3) or "").split():
            field = PERFDATA.fullmatch(item)
            test.assertIsNotNone(field, f"perfdata {item!r} of {line}")
            label, value, uom, *thresholds = field.groups()
            self.perfdata[label] = dict(
                value=float(value), uom=uom,
                **{name: float(text) if text else None
                   for name, text in zip(("warn", "crit", "min", "max"), thresholds)})


class CheckCase(ReclaimCase):
    """Policies in a temporary directory (write_policy), and check runs."""

    def check(self, *args, host=None):
        return Checked(self, run_dgc("-H", host or self.host, "check", *args))


class ErrorsAreUnknownTest(CheckCase):
    """Whatever goes wrong, Nagios gets 3 and one line saying what."""

    host = NOWHERE

    def test_an_unreachable_engine_is_unknown_naming_it(self):
        checked = self.check("--warn", "80%")
        self.assertEqual(checked.state, "UNKNOWN")
        self.assertIn("/nonexistent/dgc-check.sock", checked.text)
        self.assertEqual(checked.perfdata, {})

    def test_usage_errors_are_unknown_not_exit_2(self):
        for args, says in [(["--warn", "lots"], "--warn"),
                           (["--crit", "101%"], "--crit"),
                           (["--warn", "80%", "--crit", "40GB"], "both percentages or both sizes"),
                           (["--warn", "90%", "--crit", "80%"], "below the warning level"),
                           (["--timeout", "soon"], "--timeout"),
                           (["--no-such-flag"], "no-such-flag"),
                           (["extra"], "accepts no arguments"),
                           (["--warn", "80%", "--metrics-file", "-"], "--metrics-file")]:
            with self.subTest(args=args):
                checked = self.check(*args)
                self.assertEqual(checked.state, "UNKNOWN")
                self.assertIn(says, checked.text)

    def test_no_level_at_all_is_unknown_and_says_how_to_give_one(self):
        # The built-in default policy has no threshold.
        checked = self.check()
        self.assertEqual(checked.state, "UNKNOWN")
        self.assertIn("no levels to check", checked.text)
        self.assertIn("--warn", checked.text)

    def test_an_invalid_policy_is_unknown_naming_the_file(self):
        policy = self.write_policy({"threshold": {"high": "50%", "low": "60%"}})
        checked = self.check("-p", policy)
        self.assertEqual(checked.state, "UNKNOWN")
        self.assertIn(policy, checked.text)

    def test_help_is_help(self):
        result = run_dgc("check", "--help")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("Usage:  docker gc check [OPTIONS]", result.stdout)
        self.assertIn("--warn", result.stdout)


class SizeLevelsTest(EngineTestCase, CheckCase):
    """Sizes of Docker's own usage on the test engine: each state, with
    levels set around the usage the engine itself reports."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        now = datetime.now(timezone.utc).replace(microsecond=0)
        cls.install_scenario(bulk_scenario(now, 3, prefix="chk"))
        # chk-NN has a layer of its own of 1000+NN bytes; chk-02 is the
        # least recently used.
        cls.own = {index: 1000 + index for index in range(3)}

    def setUp(self):
        super().setUp()
        self.used = docker_usage(system_df(self.engine))

    def threshold_policy(self, high, low, match="chk-*"):
        return self.write_policy({
            "rules": [{"name": "old", "match": match, "older_than": "1d"}],
            "threshold": {"high": f"{high}B", "low": f"{low}B"},
        })

    def test_below_high_is_ok(self):
        checked = self.check("-p", self.threshold_policy(self.used + 1, 1000))
        self.assertEqual(checked.state, "OK")
        self.assertIn(f"(high {self.used + 1}B)", checked.text)
        self.assertEqual(checked.perfdata["used"], dict(
            value=self.used, uom="B", warn=self.used + 1, crit=None, min=0, max=None))
        # Below high the policy does nothing yet.
        self.assertEqual(checked.perfdata["reclaimable"]["value"], 0)
        self.assertNotIn("used_percent", checked.perfdata)

    def test_at_high_a_cleanup_is_due_warning(self):
        policy = self.threshold_policy(self.used, self.used - self.own[2])
        checked = self.check("-p", policy)
        self.assertEqual(checked.state, "WARNING")
        # The least recently used image's own layer reaches low exactly.
        self.assertEqual(checked.perfdata["reclaimable"]["value"], self.own[2])
        self.assertEqual(checked.perfdata["used"]["warn"], self.used)

    def test_a_policy_that_cannot_get_below_high_is_critical(self):
        policy = self.threshold_policy(self.used, self.used - 1, match="none-*")
        checked = self.check("-p", policy)
        self.assertEqual(checked.state, "CRITICAL")
        self.assertIn("cleanup alone cannot fix it", checked.text)
        self.assertEqual(checked.perfdata["reclaimable"]["value"], 0)

    def test_crit_at_the_usage_is_critical(self):
        policy = self.threshold_policy(self.used, self.used - self.own[2])
        checked = self.check("-p", policy, "--crit", f"{self.used}B")
        self.assertEqual(checked.state, "CRITICAL")
        self.assertEqual(checked.perfdata["used"]["crit"], self.used)
        checked = self.check("-p", policy, "--crit", f"{self.used + 1}B")
        self.assertEqual(checked.state, "WARNING")

    def test_flags_without_a_threshold(self):
        policy = self.write_policy({
            "rules": [{"name": "old", "match": "chk-*", "older_than": "1d"}]})
        checked = self.check("-p", policy, "--warn", f"{self.used + 1}B")
        self.assertEqual(checked.state, "OK")
        self.assertIn(f"(warning {self.used + 1}B)", checked.text)
        # Without a threshold the policy takes everything it selects: the
        # three images' own layers (their base stays with keeper:1).
        self.assertEqual(checked.perfdata["reclaimable"]["value"], sum(self.own.values()))
        checked = self.check("-p", policy, "--warn", f"{self.used}B")
        self.assertEqual(checked.state, "WARNING")
        checked = self.check("-p", policy, "--crit", f"{self.used}B")
        self.assertEqual(checked.state, "CRITICAL")
        self.assertIsNone(checked.perfdata["used"]["warn"])


class DiskLevelsTest(PrivateEngineCase, CheckCase):
    """Percentages of a real, small disk (a tmpfs data root): the levels,
    the usage and the perfdata are statvfs's bytes."""

    SMALL_DISK_MB = 96

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        now = datetime.now(timezone.utc).replace(microsecond=0)
        cls.cli.load([ImageSpec([f"junk-{index}:1"],
                                [file_layer(f"junk/{index}.bin", 8000000, seed=f"junk-{index}")],
                                now - timedelta(days=30 - index)) for index in range(3)])

    def setUp(self):
        super().setUp()
        self.used, self.total = self.private.disk_usage()
        self.percent = 100.0 * self.used / self.total
        self.floor = math.floor(self.percent)
        self.assertGreaterEqual(self.floor, 15, "the junk images fill the disk")

    def threshold_policy(self, high, low, match="junk-*"):
        return self.write_policy({
            "rules": [{"name": "junk", "match": match, "older_than": "1d"}],
            "threshold": {"high": f"{high}%", "low": f"{low}%"},
        })

    def test_below_high_is_ok_with_the_disks_bytes(self):
        high = self.floor + 1
        checked = self.check("-p", self.threshold_policy(high, 5))
        self.assertEqual(checked.state, "OK")
        critical = (high + 100) / 2
        self.assertIn(f"(high {high}%, critical {critical:g}%)", checked.text)
        self.assertEqual(checked.perfdata["used"], dict(
            value=self.used, uom="B", warn=share_of(self.total, high),
            crit=share_of(self.total, critical), min=0, max=self.total))
        percent = checked.perfdata["used_percent"]
        self.assertEqual(percent["uom"], "%")
        self.assertAlmostEqual(percent["value"], self.percent, delta=0.01)
        self.assertLessEqual(percent["value"], self.percent)
        self.assertEqual((percent["warn"], percent["crit"], percent["min"], percent["max"]),
                         (high, critical, 0, 100))

    def test_at_high_warning_and_the_plan_brings_it_below(self):
        policy = self.threshold_policy(self.floor, self.floor - 10)
        checked = self.check("-p", policy)
        self.assertEqual(checked.state, "WARNING")
        plan = run_json("-H", self.host, "plan", "-p", policy, "--format", "json")
        self.assertGreater(plan["summary"]["reclaimable_bytes"], 0)
        self.assertEqual(checked.perfdata["reclaimable"]["value"],
                         plan["summary"]["reclaimable_bytes"])
        self.assertLess(self.used - plan["summary"]["reclaimable_bytes"],
                        share_of(self.total, self.floor))

    def test_at_high_with_nothing_to_take_is_critical(self):
        checked = self.check("-p", self.threshold_policy(self.floor, self.floor - 10,
                                                         match="none-*"))
        self.assertEqual(checked.state, "CRITICAL")
        self.assertIn("still at or above its high watermark", checked.text)

    def test_crit_overrides_the_default(self):
        policy = self.threshold_policy(self.floor + 1, 5)
        checked = self.check("-p", policy, "--warn", "1%", "--crit", f"{self.floor}%")
        self.assertEqual(checked.state, "CRITICAL")
        self.assertIn(f"(warning 1%, critical {self.floor}%)", checked.text)
        self.assertEqual(checked.perfdata["used"]["crit"], share_of(self.total, self.floor))


if __name__ == "__main__":
    unittest.main()
