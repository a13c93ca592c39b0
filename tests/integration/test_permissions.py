"""Integration tests of docker-gc run by a user who may not do everything.

The binary runs as `nobody` (setpriv), against a private dockerd whose
socket is root:docker 0660, as dockerd makes it. Without the socket's
group the run fails as docker's does ("permission denied while trying to
connect to the Docker daemon socket at …", which the real docker CLI
says too) and says which group to join; with that group it works, so the
advice is right. A socket behind a directory the user may not search says
so. Paths the user may not write fail with exit 1 and a message naming the
path and the system's reason: --lock, --log and -o. The cache is a
speed-up and a memory of last uses, not a result: a cache directory the
user may not write makes a warning that names it, and plan, df and apply
still work.
"""

import json
import os
import shutil
import subprocess
import tempfile
import unittest
from datetime import datetime, timezone
from pathlib import Path

from dgc_fixtures.dgc import binary_path, run_dgc
from dgc_fixtures.docker_cli import DockerCli, clean_environment, docker_path
from dgc_fixtures.engine import PrivateEngine
from dgc_fixtures.imagegen import ImageSpec, file_layer
from dgc_fixtures.testcase import RunAssertions

NOBODY = 65534
IMAGE = ImageSpec(tags=["perm-app:1"], layers=[file_layer("app/blob", 20000, "perm")],
                  created=datetime(2025, 3, 1, tzinfo=timezone.utc))
# Matches nothing on the test engine: apply has nothing to do.
NOOP_POLICY = {"rules": [{"match": "no-such-image-*", "older_than": "1d"}]}


@unittest.skipUnless(os.geteuid() == 0, "runs the binary as another user (needs root)")
class PermissionsTest(RunAssertions, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.private = PrivateEngine()
        cls.engine = cls.private.start()
        cls.addClassCleanup(cls.private.stop)
        # dockerd's directory is 0700 (mkdtemp): let others reach the
        # socket, whose own mode (0660, the docker group) then decides.
        os.chmod(cls.private.directory, 0o711)
        cls.socket = Path(cls.private.directory) / "docker.sock"
        cls.socket_gid = cls.socket.stat().st_gid
        DockerCli(cls.engine.host).load([IMAGE])
        cls._tools = tempfile.TemporaryDirectory(prefix="dgc-perm-")
        cls.addClassCleanup(cls._tools.cleanup)
        cls.tools = Path(cls._tools.name)
        os.chmod(cls.tools, 0o755)
        # The binary where nobody may run it (the build tree may be private).
        cls.binary = cls.tools / "docker-gc"
        shutil.copy(binary_path(), cls.binary)
        os.chmod(cls.binary, 0o755)
        cls.policy = cls.tools / "noop.json"
        cls.policy.write_text(json.dumps(NOOP_POLICY))
        os.chmod(cls.policy, 0o644)

    def setUp(self):
        directory = tempfile.TemporaryDirectory(prefix="dgc-perm-case-")
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)
        os.chmod(self.directory, 0o755)  # root's: nobody may not write here
        self.home = self.directory / "home"
        self.home.mkdir()
        os.chown(self.home, NOBODY, NOBODY)
        self.cache = self.home / "cache"

    def as_nobody(self, groups=()):
        """setpriv's arguments to run as nobody with supplementary `groups`."""
        group_flags = ([f"--groups={','.join(map(str, groups))}"] if groups
                       else ["--clear-groups"])
        return ("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", *group_flags)

    def run_as_member(self, *args, **env):
        """docker-gc as nobody in the socket's group, with its own HOME and
        cache (XDG_CACHE_HOME) unless `env` says otherwise."""
        environment = {"HOME": str(self.home), "XDG_CACHE_HOME": str(self.cache), **env}
        return run_dgc("-H", self.engine.host, *args, binary=str(self.binary),
                       env=environment, prefix=self.as_nobody([self.socket_gid]))

    # --- The socket ---------------------------------------------------------

    def test_socket_without_its_group(self):
        result = run_dgc("-H", self.engine.host, "df", binary=str(self.binary),
                         env={"HOME": str(self.home)}, prefix=self.as_nobody())
        group = self.socket.group()
        self.assert_fails(result, "permission denied while trying to connect to the "
                          f"Docker daemon socket at {self.engine.host}: Permission denied",
                          f"the socket belongs to group {group}",
                          f"usermod -aG {group} USER")
        docker = subprocess.run(
            [*self.as_nobody(), docker_path(), "-H", self.engine.host, "version"],
            env=clean_environment(HOME=str(self.home)), capture_output=True, text=True,
            timeout=60)
        self.assertNotEqual(docker.returncode, 0)
        self.assertIn("permission denied while trying to connect to the Docker daemon "
                      "socket", docker.stderr)

    def test_member_of_the_socket_group_may_connect(self):
        result = self.assert_works(self.run_as_member("df", "--format", "json"))
        usage = json.loads(result.stdout)
        self.assertEqual([image["refs"] for image in usage["images"]], [["perm-app:1"]])
        self.assertNotIn("WARNING", result.stderr)

    def test_socket_behind_a_directory_the_user_may_not_search(self):
        os.chmod(self.private.directory, 0o700)
        try:
            result = self.run_as_member("df")
        finally:
            os.chmod(self.private.directory, 0o711)
        self.assert_fails(result, f"Docker daemon socket at {self.engine.host}",
                          f"a directory on the path of {self.socket} may not be searched")

    # --- Files docker gc writes ---------------------------------------------

    def test_lock_file_in_a_directory_the_user_may_not_write(self):
        lock = self.directory / "apply.lock"
        self.assert_fails(self.run_as_member("apply", "--yes", "-p", str(self.policy),
                                             "--lock", str(lock)),
                          f"cannot open the lock file {lock}: Permission denied")
        self.assertFalse(lock.exists())

    def test_lock_file_the_user_may_not_write(self):
        lock = self.directory / "apply.lock"
        lock.write_text("")
        os.chmod(lock, 0o644)
        self.assert_fails(self.run_as_member("apply", "--yes", "-p", str(self.policy),
                                             "--lock", str(lock)),
                          f"cannot open the lock file {lock}: Permission denied")

    def test_audit_log_the_user_may_not_write(self):
        log = self.directory / "apply.log"
        self.assert_fails(self.run_as_member("apply", "--yes", "-p", str(self.policy),
                                             "--log", str(log)),
                          f"cannot open the audit log {log}: Permission denied")
        self.assertFalse(log.exists())

    def test_plan_output_the_user_may_not_write(self):
        output = self.directory / "plan.json"
        self.assert_fails(self.run_as_member("plan", "-p", str(self.policy), "-o",
                                             str(output)),
                          str(output), "Permission denied")

    def test_writable_paths_work(self):
        # The same runs with paths nobody may write: the failures above
        # are the permissions, not the commands.
        result = self.assert_works(self.run_as_member(
            "apply", "--yes", "-p", str(self.policy), "--lock", str(self.home / "apply.lock"),
            "--log", str(self.home / "apply.log")))
        self.assertNotIn("WARNING", result.stderr)
        self.assertTrue((self.home / "apply.lock").exists())

    # --- The cache: a warning, not a failure ----------------------------------

    def test_cache_the_user_may_not_write_is_a_warning(self):
        read_only = self.directory / "cache"
        read_only.mkdir()
        os.chmod(read_only, 0o755)
        for args in (("plan", "--format", "json"), ("df", "--format", "json"),
                     ("apply", "--yes", "-p", str(self.policy), "--format", "json")):
            with self.subTest(command=args[0]):
                result = self.assert_works(self.run_as_member(
                    *args, XDG_CACHE_HOME=str(read_only)))
                json.loads(result.stdout)
                self.assertRegex(result.stderr,
                                 rf"(?m)^WARNING: .*{read_only}/docker-gc.*Permission denied")
        self.assertEqual(list(read_only.iterdir()), [])


if __name__ == "__main__":
    unittest.main()
