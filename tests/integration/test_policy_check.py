"""Integration tests of `docker-gc policy check FILE`.

A good policy prints "ok" and one line per rule on stdout. A bad one exits
1 with each problem on stderr as
`Error: FILE: rule N ("NAME"): field "F": …`, all problems of the file
together. Each error class of SPEC §3 is checked alone (exactly one problem
in an otherwise valid policy) and then several at once. No engine is needed:
the checks run against a host where nothing listens.
"""

import json
import os
import re
import tempfile
import unittest
from pathlib import Path

from dgc_fixtures.dgc import crash_signs, run_dgc
from dgc_fixtures.scenarios import incident_policy

# Nothing listens here: policy check must not need an engine.
NO_ENGINE = "unix:///nonexistent/dgc-policy-check.sock"
GOOD_RULE = {"name": "good", "match": "app", "older_than": "7d"}

# Error class -> (the one bad rule, the field the message must name). The
# bad rule is the second of three, so its number is 2.
BAD_RULES = {
    "unknown field": ({"name": "typo", "match": "app", "older_than": "7d",
                       "olderthan": "2d"}, "olderthan"),
    "keep_newest of the wrong type": ({"name": "type", "match": "app",
                                       "keep_newest": "2"}, "keep_newest"),
    "match of the wrong type": ({"name": "match-type", "match": 7,
                                 "older_than": "7d"}, "match"),
    "dangling of the wrong type": ({"name": "dangling-type", "dangling": "yes",
                                    "older_than": "7d"}, "dangling"),
    "labels of the wrong type": ({"name": "labels-type", "match": "app", "labels": "a=b",
                                  "older_than": "7d"}, "labels"),
    "negative keep_newest": ({"name": "negative", "match": "app", "keep_newest": -1},
                             "keep_newest"),
    "bad duration": ({"name": "duration", "match": "app", "older_than": "7 days"},
                     "older_than"),
    "unknown duration unit": ({"name": "unit", "match": "app", "older_than": "7y"},
                              "older_than"),
    "unclosed glob class": ({"name": "glob", "match": "[abc", "older_than": "7d"}, "match"),
    "unclosed glob class in an array": ({"name": "globs", "match": ["app", "[abc"],
                                         "older_than": "7d"}, "match"),
    "group_by without keep_newest": ({"name": "group", "match": "app", "older_than": "7d",
                                      "group_by": "rule"}, "group_by"),
    "unknown group_by": ({"name": "group-kind", "match": "app", "keep_newest": 2,
                          "group_by": "colour"}, "group_by"),
    "group_by label without a key": ({"name": "group-label", "match": "app",
                                      "keep_newest": 2, "group_by": "label:"}, "group_by"),
}

# Problems of the rule as a whole: the message names the fields involved.
WHOLE_RULE_PROBLEMS = {
    "both match and dangling": ({"name": "both", "match": "app", "dangling": True,
                                 "older_than": "7d"}, ("match", "dangling")),
    "neither match nor dangling": ({"name": "neither", "older_than": "7d"},
                                   ("match", "dangling")),
    "no effect": ({"name": "idle", "match": "app"}, ("keep_newest", "older_than", "keep")),
}


class PolicyCheckCase(unittest.TestCase):

    def setUp(self):
        directory = tempfile.TemporaryDirectory(prefix="dgc-policy-check-")
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)
        os.chmod(self.directory, 0o755)

    def write(self, name, document):
        path = self.directory / name
        path.write_text(document if isinstance(document, str) else json.dumps(document))
        return str(path)

    def check(self, path):
        return run_dgc("-H", NO_ENGINE, "policy", "check", path)

    def errors_of(self, path):
        """Runs the check; requires exit 1, empty stdout, and only `Error:`
        lines on stderr; returns those lines without the prefix."""
        result = self.check(path)
        self.assertEqual(crash_signs(result), [])
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertEqual(result.stdout, "")
        lines = result.stderr.splitlines()
        self.assertTrue(lines)
        for line in lines:
            self.assertTrue(line.startswith("Error: "), result.stderr)
        return [line.removeprefix("Error: ") for line in lines]

    def rule_error_pattern(self, path, number, name, field):
        prefix = re.escape(f'{path}: rule {number} ("{name}"): ')
        if field is None:
            return prefix
        return prefix + re.escape(f'field "{field}": ') + r"\S"


class GoodPolicyTest(PolicyCheckCase):

    def test_spec_example_is_ok_with_one_line_per_rule(self):
        result = self.check(self.write("gc.json", incident_policy()))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")
        lines = result.stdout.splitlines()
        self.assertEqual(lines[0], "ok")
        rule_lines = [line for line in lines if line.startswith("rule ")]
        self.assertEqual(len(rule_lines), 3, result.stdout)
        expected = [('rule 1 "releases"', ["onai-integrator-login-main-*", "keep_newest 2"]),
                    ('rule 2 "legacy"', ["docker-*", "older_than 7d"]),
                    ('rule 3 "dangling"', ["dangling", "older_than 24h"])]
        for line, (start, words) in zip(rule_lines, expected):
            with self.subTest(rule=start):
                self.assertTrue(line.startswith(start), line)
                for word in words:
                    self.assertIn(word, line)

    def test_every_rule_field_is_accepted_and_unnamed_rules_get_numbers(self):
        policy = {"rules": [
            {"match": ["app", "web:*"], "labels": ["team", "tier=web"], "keep_newest": 3,
             "older_than": "36h", "group_by": "label:com.docker.compose.project"},
            {"match": "myapp-main-*", "keep_newest": 1, "group_by": "rule"},
            {"name": "allow", "match": "base:?.[0-9]", "keep": True},
            {"dangling": True, "older_than": "2w"},
            {"match": "cache", "older_than": "90m"},
        ], "protect": {"match": ["postgres:*"], "labels": ["gc.keep=true"]}, "min_age": "2h"}
        result = self.check(self.write("full.json", policy))
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertEqual(lines[0], "ok")
        rule_lines = [line for line in lines if line.startswith("rule ")]
        self.assertEqual([line.split(":")[0] for line in rule_lines],
                         ['rule 1 "rule 1"', 'rule 2 "rule 2"', 'rule 3 "allow"',
                          'rule 4 "rule 4"', 'rule 5 "rule 5"'])

    def test_check_does_not_need_an_engine(self):
        result = self.check(self.write("gc.json", incident_policy()))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotIn(NO_ENGINE, result.stdout + result.stderr)


class BadPolicyTest(PolicyCheckCase):

    def policy_with(self, bad_rule):
        return {"rules": [GOOD_RULE, bad_rule, dict(GOOD_RULE, name="also-good")]}

    def test_each_field_error_names_file_rule_and_field(self):
        for case, (rule, field) in BAD_RULES.items():
            with self.subTest(case=case):
                path = self.write("bad.json", self.policy_with(rule))
                errors = self.errors_of(path)
                pattern = self.rule_error_pattern(path, 2, rule["name"], field)
                self.assertTrue(any(re.match(pattern, line) for line in errors),
                                f"no line matches {pattern!r}: {errors}")
                for line in errors:
                    self.assertNotIn("rule 1 ", line, "the good rules are not blamed")
                    self.assertNotIn("rule 3 ", line, "the good rules are not blamed")

    def test_whole_rule_problems_name_file_rule_and_fields(self):
        for case, (rule, fields) in WHOLE_RULE_PROBLEMS.items():
            with self.subTest(case=case):
                path = self.write("bad.json", self.policy_with(rule))
                errors = self.errors_of(path)
                self.assertEqual(len(errors), 1, errors)
                self.assertRegex(errors[0], self.rule_error_pattern(path, 2, rule["name"],
                                                                    None))
                for field in fields:
                    self.assertIn(f'"{field}"', errors[0])

    def test_each_problem_is_reported_once(self):
        # One mistake, one message: an invalid keep_newest or older_than is
        # not also reported as the rule "having no effect".
        for case, (rule, field) in BAD_RULES.items():
            with self.subTest(case=case):
                errors = self.errors_of(self.write("bad.json", self.policy_with(rule)))
                self.assertEqual(len(errors), 1, errors)

    def test_duplicate_rule_names_blame_the_second(self):
        path = self.write("dup.json", {"rules": [
            GOOD_RULE, {"name": "good", "match": "web", "older_than": "1d"}]})
        errors = self.errors_of(path)
        self.assertEqual(len(errors), 1, errors)
        self.assertRegex(errors[0], self.rule_error_pattern(path, 2, "good", "name"))

    def test_unnamed_rule_is_named_by_its_number(self):
        path = self.write("unnamed.json", {"rules": [
            GOOD_RULE, {"match": "app", "older_than": "1x"}]})
        errors = self.errors_of(path)
        self.assertRegex(errors[0], self.rule_error_pattern(path, 2, "rule 2", "older_than"))

    def test_top_level_problems_name_file_and_field(self):
        cases = {
            "unknown top-level field": ({"rules": [GOOD_RULE], "protekt": {}}, "protekt"),
            "bad min_age": ({"rules": [GOOD_RULE], "min_age": "soon"}, "min_age"),
            "rules not an array": ({"rules": {"name": "x"}}, "rules"),
            "unknown protect field": ({"rules": [GOOD_RULE], "protect": {"names": []}},
                                      "protect.names"),
            "bad protect glob": ({"rules": [GOOD_RULE], "protect": {"match": ["[abc"]}},
                                 "protect.match"),
        }
        for case, (policy, field) in cases.items():
            with self.subTest(case=case):
                path = self.write("top.json", policy)
                errors = self.errors_of(path)
                self.assertTrue(any(line.startswith(f'{path}: field "{field}": ')
                                    for line in errors), errors)

    def test_several_errors_are_reported_together_in_file_order(self):
        path = self.write("many.json", {"rules": [
            {"name": "typo", "match": "app", "older_than": "7d", "colour": "red"},
            GOOD_RULE,
            {"name": "glob", "match": "[abc", "older_than": "7d"},
            {"name": "group", "match": "app", "older_than": "7d", "group_by": "rule"},
            {"name": "good", "match": "web", "older_than": "7d"},
        ], "extra": True})
        errors = self.errors_of(path)
        expected = [self.rule_error_pattern(path, 1, "typo", "colour"),
                    self.rule_error_pattern(path, 3, "glob", "match"),
                    self.rule_error_pattern(path, 4, "group", "group_by"),
                    self.rule_error_pattern(path, 5, "good", "name")]
        rule_errors = [line for line in errors if ": rule " in line]
        self.assertEqual(len(rule_errors), len(expected), errors)
        for line, pattern in zip(rule_errors, expected):
            self.assertRegex(line, pattern)
        self.assertIn(f'{path}: field "extra": ', "\n".join(errors))

    def test_unreadable_files_are_named(self):
        cases = {"invalid JSON": self.write("broken.json", '{"rules": [ {"name": '),
                 "not an object": self.write("array.json", "[]"),
                 "missing file": str(self.directory / "missing.json")}
        for case, path in cases.items():
            with self.subTest(case=case):
                errors = self.errors_of(path)
                self.assertIn(path, errors[0])

    def test_plan_refuses_the_same_policy_with_the_same_messages(self):
        rule, field = BAD_RULES["unclosed glob class"]
        path = self.write("bad.json", self.policy_with(rule))
        result = run_dgc("-H", NO_ENGINE, "plan", "-p", path)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertEqual(result.stdout, "")
        self.assertRegex(result.stderr, r"(?m)^Error: "
                         + self.rule_error_pattern(path, 2, rule["name"], field))

    def test_usage_errors_exit_2(self):
        for args in ((), ("a.json", "b.json")):
            with self.subTest(args=args):
                result = run_dgc("-H", NO_ENGINE, "policy", "check", *args)
                self.assertEqual(crash_signs(result), [])
                self.assertEqual(result.returncode, 2, result.stderr)


if __name__ == "__main__":
    unittest.main()
