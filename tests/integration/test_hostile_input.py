"""Integration tests of docker-gc with hostile text and hostile policies.

On a real engine: images whose labels (keys and values) hold terminal
escape sequences, C1 controls, bidirectional overrides and isolates
("Trojan Source"), a character the engine turned into U+FFFD, and 100 kB
of text; a container whose name is 100 kB long; history steps with the
same. Tags cannot hold these (the engine validates references), nor can
container names hold controls. A policy groups by the hostile label, so
its value reaches the plan's reasons, and its rule name is hostile too.
The table must show all of it escaped and cut (nothing a terminal obeys,
no line longer than a screenful); `--format json` must be one valid JSON
document holding the exact strings the engine reports.

Policies: a 50 MB file, one nested 100,000 deep, and one with bytes that
are not UTF-8 each fail with exit 1 and a message naming the file and the
problem, with bounded memory (the peak RSS of the run, from wait4).
"""

import json
import os
import re
import subprocess
import tempfile
import unittest
from datetime import datetime, timezone
from pathlib import Path

from dgc_fixtures.dgc import binary_path, dgc_environment, run_dgc
from dgc_fixtures.engine import reset
from dgc_fixtures.imagegen import ImageSpec, file_layer
from dgc_fixtures.testcase import EngineTestCase

HUGE = 100 * 1024
EXAMPLE_SNAPSHOT = Path(__file__).resolve().parents[2] / "packaging" / "examples" / "snapshot.json"
# What a terminal would obey: ESC sequences (colour, clear screen, title),
# BEL, C1 CSI, an override and an isolate; "\udcff" is not a character
# (JSON's lone surrogate): the engine stores U+FFFD for it.
HOSTILE = ("\x1b[31mred\x1b[0m\x1b[2J\x1b]0;pwned\x07\u009b31m"
           "\u202egpj.exe\u2066iso\u2069\u200f\udcff")
HOSTILE_LABEL = (HOSTILE + "v" * HUGE)
HOSTILE_KEY = "\x1b[1mgroup\u202e"
CONTAINER_NAME = "n" * HUGE
RULE_NAME = "\x1b[31mrule\u202e\u2067"
# Characters no table may print: C0 controls but newline, DEL, C1 controls,
# bidirectional controls and the line and paragraph separators.
TERMINAL_CONTROLS = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\u2028\u2029]")
MAX_LINE_CHARS = 1000
MAX_TABLE_BYTES = 20000


def created(day):
    return datetime(2025, 1, day, tzinfo=timezone.utc)


def spec(tag, day):
    return ImageSpec(tags=[tag], layers=[file_layer(f"{tag}/blob", 2000, tag)],
                     created=created(day), labels={HOSTILE_KEY: HOSTILE_LABEL, "plain": "1"},
                     empty_history=[f"LABEL {HOSTILE}", "RUN " + "h" * HUGE])


def policy_document():
    return {"rules": [{"name": RULE_NAME, "match": "hostile-*", "keep_newest": 1,
                       "group_by": f"label:{HOSTILE_KEY}"}]}


def run_raw(*args):
    """Runs docker-gc and returns (exit code, stdout bytes, stderr bytes),
    decoding nothing: the tests check the bytes are UTF-8."""
    result = subprocess.run([binary_path(), *args], env=dgc_environment(),
                            capture_output=True, timeout=120)
    return result.returncode, result.stdout, result.stderr


def peak_rss_kib(*args):
    """Runs docker-gc ARGS to completion and returns (exit code, stderr
    text, its peak resident set in KiB, from wait4). The peak also counts
    this process's own pages from before the exec (vfork): keep it small
    while measuring."""
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen([binary_path(), *args], env=dgc_environment(),
                                   stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        return process.returncode, errors.read().decode("utf-8", "replace"), usage.ru_maxrss


class HostileEngineTextTest(EngineTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        reset(cls.engine)
        cls.specs = {"a": spec("hostile-a:1", 1), "c": spec("hostile-c:1", 2),
                     "b": spec("hostile-b:1", 3)}
        cls.ids = dict(zip(cls.specs, cls.cli.load(list(cls.specs.values()))))
        cls.cli.create("hostile-a:1", CONTAINER_NAME)
        directory = tempfile.TemporaryDirectory(prefix="dgc-hostile-")
        cls.addClassCleanup(directory.cleanup)
        cls.policy = Path(directory.name) / "gc.json"
        cls.policy.write_text(json.dumps(policy_document()))
        # What the engine itself reports, the strings JSON must carry.
        cls.engine_label = cls.engine.image_inspect(cls.ids["c"])["Config"]["Labels"][HOSTILE_KEY]
        cls.engine_name = cls.engine.containers()[0]["Names"][0].removeprefix("/")

    def assert_safe_table(self, stdout, stderr):
        self.assertLess(len(stdout), MAX_TABLE_BYTES, "the table echoes bulk text")
        for stream in (stdout, stderr):
            text = stream.decode("utf-8")  # strict: raises on invalid UTF-8
            self.assertIsNone(TERMINAL_CONTROLS.search(text),
                              f"a terminal control reached the screen: {text[:2000]!r}")
            for line in text.splitlines():
                self.assertLessEqual(len(line), MAX_LINE_CHARS, line[:200])
        return stdout.decode()

    def test_engine_kept_the_hostile_text(self):
        # The setup is hostile: otherwise the tests below prove nothing.
        self.assertTrue(self.engine_label.startswith("\x1b[31mred"))
        self.assertIn("\u202e", self.engine_label)
        self.assertIn("\ufffd", self.engine_label)
        self.assertGreater(len(self.engine_label), HUGE)
        self.assertEqual(self.engine_name, CONTAINER_NAME)

    def test_plan_table_escapes_and_cuts(self):
        code, stdout, stderr = run_raw("-H", self.host, "plan", "-p", str(self.policy))
        self.assertEqual(code, 0, stderr[:2000])
        table = self.assert_safe_table(stdout, stderr)
        self.assertIn("\\x1b[31mred", table)     # escaped, visible
        self.assertIn("\\u009b", table)
        self.assertIn("group\\u202e=", table)
        self.assertIn("…", table)                # cut
        self.assertIn("hostile-c:1", table)
        self.assertIn("in use by container nnnn", table)

    def test_plan_json_holds_the_exact_strings(self):
        code, stdout, stderr = run_raw("-H", self.host, "plan", "-p", str(self.policy),
                                       "--format", "json")
        self.assertEqual(code, 0, stderr[:2000])
        plan = json.loads(stdout.decode("utf-8"))
        actions = {action["image"]: action for action in plan["actions"]}
        kept = {image["image"]: image for image in plan["kept"]}
        self.assertEqual(set(actions), {self.ids["c"]})
        action = actions[self.ids["c"]]
        self.assertEqual(action["rule"], RULE_NAME)
        self.assertIn(f"{HOSTILE_KEY}={self.engine_label}", action["reason"])
        self.assertIn(f"{HOSTILE_KEY}={self.engine_label}", kept[self.ids["b"]]["reason"])
        self.assertIn(f"container {self.engine_name}", kept[self.ids["a"]]["reason"])

    def test_df_and_policy_check_tables_are_safe(self):
        code, stdout, stderr = run_raw("-H", self.host, "df")
        self.assertEqual(code, 0, stderr[:2000])
        self.assert_safe_table(stdout, stderr)
        code, stdout, stderr = run_raw("policy", "check", str(self.policy))
        self.assertEqual(code, 0, stderr[:2000])
        self.assertIn("\\x1b[31mrule\\u202e\\u2067", self.assert_safe_table(stdout, stderr))

    def test_snapshot_round_trip_keeps_the_strings(self):
        with tempfile.TemporaryDirectory(prefix="dgc-hostile-") as directory:
            snapshot = Path(directory) / "snapshot.json"
            code, _, stderr = run_raw("-H", self.host, "snapshot", "-o", str(snapshot))
            self.assertEqual(code, 0, stderr[:2000])
            live = run_raw("-H", self.host, "plan", "-p", str(self.policy), "--format", "json",
                           "--now", "2026-01-01T00:00:00Z")
            replayed = run_raw("plan", "--from", str(snapshot), "-p", str(self.policy),
                               "--format", "json", "--now", "2026-01-01T00:00:00Z")
        live_plan, replayed_plan = (json.loads(out.decode("utf-8"))
                                    for _, out, _ in (live, replayed))
        self.assertEqual(live_plan["actions"], replayed_plan["actions"])
        self.assertEqual(live_plan["kept"], replayed_plan["kept"])


class NotUtf8FileNameTest(unittest.TestCase):

    def test_plan_json_stays_valid(self):
        # A file name is bytes: one that is not UTF-8 reaches the plan's
        # "policy" field, which must still be JSON (U+FFFD for the byte).
        with tempfile.TemporaryDirectory(prefix="dgc-hostile-") as directory:
            path = os.path.join(os.fsencode(directory), b"gc-\xff.json")
            with open(path, "w") as policy:
                json.dump(policy_document(), policy)
            code, stdout, stderr = run_raw("plan", "--from", str(EXAMPLE_SNAPSHOT),
                                           "-p", path, "--format", "json")
            table_code, table, table_stderr = run_raw("plan", "--from",
                                                      str(EXAMPLE_SNAPSHOT), "-p", path)
        self.assertEqual(code, 0, stderr[:2000])
        plan = json.loads(stdout.decode("utf-8"))
        self.assertTrue(plan["policy"].endswith("gc-\ufffd.json"), plan["policy"])
        self.assertEqual(table_code, 0, table_stderr[:2000])
        self.assertIn("gc-\\xff.json", table.decode("utf-8"))


class HostilePolicyTest(unittest.TestCase):
    """Policies that are too big, too deep or not text."""

    def setUp(self):
        directory = tempfile.TemporaryDirectory(prefix="dgc-hostile-policy-")
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)
        small = self.directory / "small.json"
        small.write_text(json.dumps(policy_document()))
        code, stderr, self.baseline_kib = peak_rss_kib("policy", "check", str(small))
        self.assertEqual(code, 0, stderr)

    def check_rejected(self, name, data, *mentions):
        """Checks `policy check` and `plan` reject the policy file `name`
        (written with `data` unless None) naming it and each of
        `mentions`, in bounded memory."""
        path = self.directory / name
        if data is not None:
            path.write_bytes(data)
        code, stderr, rss_kib = peak_rss_kib("policy", "check", str(path))
        self.assertEqual(code, 1, stderr[:2000])
        self.assertIn(str(path), stderr)
        for mention in mentions:
            self.assertIn(mention, stderr)
        self.assertLess(len(stderr), 4000, "the error echoes the file")
        # Bounded memory: a few MiB over a tiny policy's run, whatever the
        # file's size.
        self.assertLess(rss_kib, self.baseline_kib + 8 * 1024,
                        f"{name}: peak RSS {rss_kib} KiB, baseline {self.baseline_kib} KiB")
        # And the same from plan, which reads policies the same way.
        result = run_dgc("plan", "--from", str(EXAMPLE_SNAPSHOT), "-p", str(path))
        self.assertEqual(result.returncode, 1, result.stderr[:2000])
        self.assertIn(str(path), result.stderr)
        return stderr

    def test_fifty_megabytes(self):
        # Written in pieces: this process stays small, so the peak RSS
        # measured is the binary's (a child's peak counts its parent's
        # pages from before exec).
        path = self.directory / "huge.json"
        rule = json.dumps({"match": "app-*", "older_than": "7d"}).encode() + b","
        piece = rule * (1024 * 1024 // len(rule))
        with open(path, "wb") as huge:
            huge.write(b'{"rules": [')
            for _ in range(50):
                huge.write(piece)
            huge.write(rule[:-1] + b"]}")
        size = path.stat().st_size
        self.assertGreater(size, 50 * 1000 * 1000)
        self.check_rejected("huge.json", None, "too large", f"{size} bytes", "1048576")

    def test_nested_100000_deep(self):
        # The parser descends only where the policy has a value to read,
        # so the error is the first value of the wrong kind, found without
        # walking the nesting (and without recursion).
        depth = 100000
        self.check_rejected("deep-array.json",
                            b'{"rules": ' + b"[" * depth + b"]" * depth + b"}",
                            "rule 1: want an object")
        self.check_rejected("deep-object.json",
                            b'{"min_age": ' + b'{"a":' * depth + b"1" + b"}" * depth + b"}",
                            'field "min_age": want a duration')
        self.check_rejected("deep-unknown.json",
                            b'{"rules": [], "x": ' + b"[" * depth + b"]" * depth + b"}",
                            'field "x": unknown field')

    def test_bytes_that_are_not_utf8(self):
        self.check_rejected("latin1.json",
                            b'{"rules": [{"name": "caf\xe9", "match": "x", "older_than": "1d"}]}',
                            "the text is not valid UTF-8: byte 0xe9 at line 1, column 25")


if __name__ == "__main__":
    unittest.main()
