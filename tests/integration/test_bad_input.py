"""Integration tests of docker-gc against engines that fail or lie.

Nothing here may crash the binary: every case must end with exit 1, an
`Error:` line on stderr that names the endpoint, empty stdout, and no raw
control characters echoed to the terminal. Cases: no engine, permission
denied, a fake engine answering /images/json with every kind of bad body,
an engine too old for us, and an unsupported host scheme.
"""

import json
import os
import re
import shutil
import socket
import tempfile
import unittest
from pathlib import Path

from dgc_fixtures.dgc import binary_path, crash_signs, run_dgc
from dgc_fixtures.fake_engine import IMAGE_SIZE, IMAGE_SUMMARY, FakeEngine, Reply

NOBODY = "65534"
MAX_ERROR_BYTES = 16384
RAW_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
CONTROL_NAME = ("\x1b[31m\x07\x00\x08\x1b]0;pwned\x07" * 5000)[:100 * 1024]
FULL_BODY = json.dumps([IMAGE_SUMMARY] * 50).encode()

BAD_IMAGE_LISTS = {
    "garbage bytes": Reply(bytes(range(256)) * 4),
    "truncated JSON": Reply(json.dumps([IMAGE_SUMMARY]).encode()[:-20]),
    "object instead of array": Reply({"Images": [IMAGE_SUMMARY]}),
    "500 with a message": Reply({"message": "boom"}, status=500),
    "HTML page": Reply(b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>",
                       content_type="text/html"),
    "wrong types": Reply([dict(IMAGE_SUMMARY, Size="big", Created="yesterday",
                               RepoTags="app:1")]),
    "100 KB name of control characters": Reply([dict(IMAGE_SUMMARY, Id=CONTROL_NAME,
                                                     RepoTags=[CONTROL_NAME])]),
    "body cut mid-stream": Reply(FULL_BODY[:100], content_length=len(FULL_BODY)),
}


class BadInputCase(unittest.TestCase):
    """Shared assertions; each test gets a temporary directory."""

    def setUp(self):
        directory = tempfile.TemporaryDirectory(prefix="dgc-bad-input-")
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)
        os.chmod(self.directory, 0o755)

    def assert_clean_error(self, result, *mentions):
        """Exit 1 with an `Error:` naming each of `mentions`; no crash."""
        stderr_head = result.stderr[:1000]
        self.assertEqual(crash_signs(result), [], stderr_head)
        self.assertEqual(result.returncode, 1, stderr_head)
        self.assertEqual(result.stdout[:1000], "")
        self.assertRegex(stderr_head, r"(?m)^Error: ")
        for mention in mentions:
            self.assertTrue(mention in result.stderr,
                            f"{mention!r} not in stderr: {stderr_head!r}")
        self.assertLess(len(result.stderr), MAX_ERROR_BYTES, "error echoes bulk input")
        self.assertIsNone(RAW_CONTROL_CHARACTERS.search(result.stderr),
                          "raw control characters reached the terminal")


class EngineDownTest(BadInputCase):

    def test_socket_with_nothing_listening(self):
        path = self.directory / "dead.sock"
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
            dead.bind(str(path))
        host = f"unix://{path}"
        self.assert_clean_error(run_dgc("-H", host, "df", "--format", "json"), host)

    def test_socket_path_that_does_not_exist(self):
        host = f"unix://{self.directory}/no-such.sock"
        self.assert_clean_error(run_dgc("-H", host, "df", "--format", "json"), host)

    def test_unsupported_scheme(self):
        self.assert_clean_error(run_dgc("-H", "fd://", "df", "--format", "json"),
                                "fd://")


@unittest.skipUnless(os.geteuid() == 0, "needs root to run the binary as another user")
class PermissionDeniedTest(BadInputCase):

    def test_socket_only_root_may_open(self):
        with FakeEngine(self.directory) as fake:
            os.chmod(fake.socket_path, 0o600)
            binary = self.directory / "docker-gc"
            shutil.copy(binary_path(), binary)
            os.chmod(binary, 0o755)
            result = run_dgc("-H", fake.host, "df", "--format", "json", binary=str(binary),
                             env={"HOME": str(self.directory)},
                             prefix=("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}",
                                     "--clear-groups"))
        self.assert_clean_error(result, fake.host)
        self.assertIn("permission denied", result.stderr.lower())
        self.assertEqual(fake.requests, [], "root-only socket was opened by nobody")


class BadEngineAnswersTest(BadInputCase):

    def test_fake_engine_is_good_enough_to_work_with(self):
        with FakeEngine(self.directory) as fake:
            result = run_dgc("-H", fake.host, "df", "--format", "json")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["totals"]["layers_bytes"], IMAGE_SIZE)

    def test_bad_image_lists_are_errors(self):
        for case, reply in BAD_IMAGE_LISTS.items():
            with self.subTest(case=case):
                with FakeEngine(self.directory, {"/images/json": reply}) as fake:
                    result = run_dgc("-H", fake.host, "df", "--format", "json")
                self.assertIn("/images/json", fake.requests)
                self.assert_clean_error(result, fake.host)

    def test_engine_message_is_shown(self):
        with FakeEngine(self.directory, {"/images/json": BAD_IMAGE_LISTS["500 with a message"]}) as fake:
            result = run_dgc("-H", fake.host, "df", "--format", "json")
        self.assert_clean_error(result, fake.host, "boom")

    def test_too_old_api_version_is_named(self):
        with FakeEngine(self.directory, api_version="1.12") as fake:
            result = run_dgc("-H", fake.host, "df", "--format", "json")
        self.assert_clean_error(result, fake.host, "1.12")


if __name__ == "__main__":
    unittest.main()
