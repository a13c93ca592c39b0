"""Integration tests of docker-gc against a real dockerd over ssh://.

A private sshd on 127.0.0.1 (dgc_fixtures/sshd.py) runs the far side's
`docker system dial-stdio` against a private engine; docker-gc runs `ssh`
from PATH, a wrapper giving the client its key and known hosts. Over ssh,
by -H, DOCKER_HOST, a context made by the real `docker context create`
and a path to the engine's socket in the URL, the plan is the document
the engine's unix socket gives (but for the host) and df the same usage;
apply deletes what the plan says and frees exactly the drop in the
engine's LayersSize. A wrong key, an unknown host key and a far side
without docker each fail with exit 1 and ssh's own words; TLS flags with
ssh:// are a usage error; a request timeout still applies; a Ctrl-C
(SIGINT to the process group) lets the action in flight finish. No ssh
process is left after any run, and a run never has more ssh processes
than its connection limit plus one per request that changes the engine.

Each ssh process costs a handshake (about half a second on the test
machine, more to a remote host), which keeps the number of images small.
"""

import json
import os
import signal
import subprocess
import tempfile
import time
import unittest
from datetime import datetime, timezone
from pathlib import Path

from dgc_fixtures.dgc import (PARALLEL_DELETES, binary_path, crash_signs, dgc_environment,
                              run_dgc)
from dgc_fixtures.docker_cli import DockerCli, clean_environment, docker_path
from dgc_fixtures.engine import PrivateEngine, reset
from dgc_fixtures.imagegen import ImageSpec, file_layer
from dgc_fixtures.sshd import GOOD, UNKNOWN_HOST, WRONG_KEY, SshServer
from dgc_fixtures.testcase import RunAssertions
from test_apply import (all_threads_stopped, read_log, signal_pending, sleeping_in_poll,
                        wait_for_log_lines, wait_until)

# libdgc's kMaxSshConnections: ssh processes serving one endpoint.
MAX_SSH_CONNECTIONS = 3
NOW = "2025-06-01T00:00:00Z"
APPS = 9
SHARED = file_layer("base/blob", 30000, "ssh-base")


def app_images():
    """ssh-app:1…APPS on a shared base layer, a day apart (the newest last)."""
    return [ImageSpec(tags=[f"ssh-app:{n}"],
                      layers=[SHARED, file_layer(f"app/blob{n}", 10000 + n, f"ssh-{n}")],
                      created=datetime(2025, 3, n, tzinfo=timezone.utc))
            for n in range(1, APPS + 1)]


KEEP_NEWEST = {"rules": [{"name": "apps", "match": "ssh-app", "keep_newest": 1}]}
# Every app image: the last of them frees the shared base, so apply deletes
# them in groups of 4, 4 and 1 (PARALLEL_DELETES; the base is held by no
# image outside the group until the last).
EVERY_APP = {"rules": [{"name": "apps", "match": "ssh-app", "keep_newest": 0}]}


def without_host(document):
    """The document without the fields naming the endpoint."""
    document = json.loads(json.dumps(document))
    document["engine"].pop("host")
    return document


@unittest.skipUnless(os.geteuid() == 0, "starts its own dockerd and sshd (needs root)")
class SshTest(RunAssertions, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls._directory = tempfile.TemporaryDirectory(prefix="dgc-ssh-")
        cls.addClassCleanup(cls._directory.cleanup)
        cls.directory = Path(cls._directory.name)
        cls.private = PrivateEngine()
        cls.engine = cls.private.start()
        cls.addClassCleanup(cls.private.stop)
        cls.cli = DockerCli(cls.engine.host)
        cls.sshd = SshServer(cls.directory / "sshd", cls.engine.host).start()
        cls.addClassCleanup(cls.sshd.stop)
        cls.no_docker = SshServer(cls.directory / "sshd-no-docker", cls.engine.host,
                                  remote_docker=False).start()
        cls.addClassCleanup(cls.no_docker.stop)
        cls.policy = cls.directory / "gc.json"
        cls.policy.write_text(json.dumps(KEEP_NEWEST))

    def setUp(self):
        reset(self.engine)
        self.cli.load(app_images())

    def tearDown(self):
        for server in (self.sshd, self.no_docker):
            self.assertEqual(server.ssh_processes(), [], "ssh processes left behind")

    def ssh_env(self, variant=GOOD, server=None, **extra):
        return {"PATH": (server or self.sshd).client_path(variant), **extra}

    def plan(self, *args, env=None):
        return json.loads(self.assert_works(run_dgc(
            *args, "plan", "-p", str(self.policy), "--now", NOW, "--format", "json",
            env=env)).stdout)

    # --- The same engine, reached over ssh ------------------------------

    def test_plan_over_ssh_is_the_plan_over_the_unix_socket(self):
        unix = self.plan("-H", self.engine.host)
        self.assertEqual(len(unix["actions"]), APPS - 1, unix["actions"])
        starts = self.sshd.ssh_starts()
        via_flag = self.plan("-H", self.sshd.url, env=self.ssh_env())
        self.assertLessEqual(self.sshd.ssh_starts() - starts, MAX_SSH_CONNECTIONS)
        via_env = self.plan(env=self.ssh_env(DOCKER_HOST=self.sshd.url))
        via_path = self.plan("-H", self.sshd.engine_url(), env=self.ssh_env())
        for document, host in ((via_flag, self.sshd.url), (via_env, self.sshd.url),
                               (via_path, self.sshd.engine_url())):
            self.assertEqual(document["engine"]["host"], host)
            self.assertEqual(without_host(document), without_host(unix))

    def test_docker_context(self):
        with tempfile.TemporaryDirectory(prefix="dgc-ssh-config-") as config:
            env = self.ssh_env(DOCKER_CONFIG=config)
            docker = subprocess.run(
                [docker_path(), "context", "create", "ssh-engine", "--docker",
                 f"host={self.sshd.url}"],
                env=clean_environment(**env), capture_output=True, text=True, timeout=60)
            self.assertEqual(docker.returncode, 0, docker.stderr)
            plan = self.plan("--context", "ssh-engine", env=env)
            self.assertEqual(plan["engine"]["host"], self.sshd.url)
            self.assertEqual(without_host(plan), without_host(self.plan("-H", self.engine.host)))

    def test_a_fleet_of_an_ssh_and_a_unix_engine(self):
        """SPEC §11: one run over two engines, one reached over ssh and one
        over its unix socket, both named by contexts the docker CLI made:
        each engine's document is its own, and apply frees on each exactly
        what its plan said, by the engine's own LayersSize."""
        other = PrivateEngine()
        other_engine = other.start()
        self.addCleanup(other.stop)
        DockerCli(other_engine.host).load(app_images())
        config = tempfile.TemporaryDirectory(prefix="dgc-ssh-fleet-")
        self.addCleanup(config.cleanup)
        env = self.ssh_env(DOCKER_CONFIG=config.name)
        engines = {"over-ssh": (self.sshd.url, self.engine),
                   "local": (other_engine.host, other_engine)}
        for name, (host, _) in engines.items():
            created = subprocess.run(
                [docker_path(), "context", "create", name, "--docker", f"host={host}"],
                env=clean_environment(**env), capture_output=True, text=True, timeout=60)
            self.assertEqual(created.returncode, 0, created.stderr)
        contexts = ("--context", "over-ssh", "--context", "local")
        fleet = self.plan(*contexts, env=env)
        self.assertEqual(fleet["schema"], "dgc.fleet/v1")
        self.assertEqual([entry["context"] for entry in fleet["engines"]],
                         ["over-ssh", "local"])
        for entry in fleet["engines"]:
            alone = self.plan("--context", entry["context"], env=env)
            self.assertEqual({**alone, "context": entry["context"]}, entry)
            self.assertEqual(alone["engine"]["host"], engines[entry["context"]][0])
            self.assertEqual(len(alone["actions"]), APPS - 1)
        self.assertEqual(fleet["summary"]["reclaimable_bytes"],
                         sum(entry["summary"]["reclaimable_bytes"]
                             for entry in fleet["engines"]))
        before = {name: engine.layers_size() for name, (_, engine) in engines.items()}
        report = json.loads(self.assert_works(run_dgc(
            *contexts, "apply", "--yes", "-p", str(self.policy), "--now", NOW,
            "--format", "json", env=env)).stdout)
        self.assertEqual(report["schema"], "dgc.fleet/v1")
        for entry, planned in zip(report["engines"], fleet["engines"]):
            name = entry["context"]
            self.assertEqual(entry["summary"]["failed"], 0, entry)
            self.assertEqual(entry["summary"]["done"], APPS - 1)
            self.assertEqual(entry["summary"]["freed_bytes"],
                             planned["summary"]["reclaimable_bytes"])
            self.assertEqual(before[name] - engines[name][1].layers_size(),
                             entry["summary"]["freed_bytes"])

    def test_df(self):
        unix = json.loads(self.assert_works(run_dgc(
            "-H", self.engine.host, "df", "--format", "json")).stdout)
        over_ssh = json.loads(self.assert_works(run_dgc(
            "-H", self.sshd.url, "df", "--format", "json", env=self.ssh_env())).stdout)
        self.assertEqual(over_ssh["totals"], unix["totals"])
        self.assertEqual(over_ssh["images"], unix["images"])
        self.assertEqual(over_ssh["totals"]["layers_bytes"], self.engine.layers_size())
        # The engine's disk is not this machine's: no local path is read.
        self.assertIsNotNone(unix["disk"])
        self.assertIsNone(over_ssh["disk"])

    def test_apply_frees_exactly_the_engines_drop(self):
        plan = self.plan("-H", self.sshd.url, env=self.ssh_env())
        before = self.engine.layers_size()
        starts = self.sshd.ssh_starts()
        started = time.monotonic()
        result = self.assert_works(run_dgc(
            "-H", self.sshd.url, "apply", "--yes", "-p", str(self.policy), "--now", NOW,
            "--format", "json", env=self.ssh_env()))
        elapsed = time.monotonic() - started
        report = json.loads(result.stdout)
        self.assertEqual([(r["op"], r["image"], r["status"]) for r in report["results"]],
                         [(a["op"], a["image"], "done") for a in plan["actions"]])
        self.assertEqual(report["summary"]["freed_bytes"], before - self.engine.layers_size())
        self.assertEqual(report["summary"]["freed_bytes"], plan["summary"]["reclaimable_bytes"])
        self.assertEqual([tag for image in self.engine.images() for tag in image["RepoTags"]],
                         [f"ssh-app:{APPS}"])
        # Each DELETE goes on a fresh connection (never re-sent by libcurl
        # on a reused one): one ssh each, beyond the pool.
        deletes = len(plan["actions"])
        spawned = self.sshd.ssh_starts() - starts
        self.assertGreaterEqual(spawned, deletes)
        self.assertLessEqual(spawned, MAX_SSH_CONNECTIONS + deletes)
        print(f"\napply of {deletes} deletions over ssh: {spawned} ssh processes, "
              f"{elapsed:.2f} s", flush=True)

    # --- What goes wrong -------------------------------------------------

    def test_wrong_key(self):
        starts = self.sshd.ssh_starts()
        result = run_dgc("-H", self.sshd.url, "df", env=self.ssh_env(WRONG_KEY))
        self.assert_fails(result, self.sshd.url, "Permission denied (publickey)",
                          "exited with status 255")
        # Not tried again: the same key would be refused again.
        self.assertEqual(self.sshd.ssh_starts() - starts, 1)
        self.assertNotIn("sent 3 times", result.stderr)

    def test_unknown_host_key(self):
        result = run_dgc("-H", self.sshd.url, "df", env=self.ssh_env(UNKNOWN_HOST))
        self.assert_fails(result, self.sshd.url, "Host key verification failed")

    def test_no_docker_on_the_far_side(self):
        result = run_dgc("-H", self.no_docker.url, "df",
                         env=self.ssh_env(server=self.no_docker))
        self.assert_fails(result, self.no_docker.url, "docker: command not found",
                          "status 127", "is docker 18.09 or later installed")

    def test_no_ssh_client(self):
        empty = self.directory / "empty-bin"
        empty.mkdir(exist_ok=True)
        result = run_dgc("-H", self.sshd.url, "df", env={"PATH": str(empty)})
        self.assert_fails(result, self.sshd.url, "cannot start ssh: No such file or directory")

    def test_tls_flags_are_a_usage_error(self):
        result = run_dgc("-H", self.sshd.url, "--tlsverify", "df", env=self.ssh_env())
        self.assertEqual(crash_signs(result), [])
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("cannot be used with the ssh:// host", result.stderr)
        self.assertEqual(self.sshd.ssh_processes(), [])

    def test_request_timeout_applies(self):
        dockerd = int((self.private.directory / "pid").read_text().strip())
        os.kill(dockerd, signal.SIGSTOP)
        try:
            started = time.monotonic()
            result = run_dgc("-H", self.sshd.url, "df", "--timeout", "2s",
                             env=self.ssh_env())
            elapsed = time.monotonic() - started
        finally:
            os.kill(dockerd, signal.SIGCONT)
        self.assert_fails(result, self.sshd.url, "did not answer")
        self.assertLess(elapsed, 15)

    def test_ctrl_c_finishes_the_actions_in_flight(self):
        log = self.directory / "audit.log"
        log.unlink(missing_ok=True)
        every_app = self.directory / "every-app.json"
        every_app.write_text(json.dumps(EVERY_APP))
        config = tempfile.TemporaryDirectory(prefix="dgc-config-")
        self.addCleanup(config.cleanup)
        # Its own process group, as a terminal's foreground job: the
        # SIGINT reaches docker-gc and every ssh it did not detach.
        process = subprocess.Popen(
            [binary_path(), "-H", self.sshd.url, "apply", "--yes", "-p", str(every_app),
             "--now", NOW, "--format", "json", "--log", str(log)],
            env=dgc_environment(DOCKER_CONFIG=config.name, **self.ssh_env()),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True)
        self.addCleanup(process.kill)
        wait_for_log_lines(log, 1, process)
        dockerd = int((self.private.directory / "pid").read_text().strip())
        # The engine frozen, the apply waits inside its next action (over
        # ssh) when the SIGINT comes.
        os.kill(dockerd, signal.SIGSTOP)
        try:
            wait_until(lambda: all_threads_stopped(dockerd), "dockerd stopped", process)
            wait_until(lambda: sleeping_in_poll(process.pid),
                       "the apply waiting for the engine", process)
            logged = len(read_log(log))
            os.killpg(process.pid, signal.SIGINT)
            wait_until(lambda: not signal_pending(process.pid, signal.SIGINT),
                       "docker-gc took SIGINT", process)
        finally:
            os.kill(dockerd, signal.SIGCONT)
        stdout, stderr = process.communicate(timeout=60)
        self.assertEqual(process.returncode, 1, stderr)
        report = json.loads(stdout)
        self.assertIn("SIGINT", report["summary"]["stopped"])
        statuses = [entry["status"] for entry in report["results"]]
        self.assertEqual(len(statuses), APPS)
        done = statuses.count("done")
        self.assertGreaterEqual(done - logged, 1)
        self.assertLessEqual(done - logged, PARALLEL_DELETES)
        self.assertLess(done, APPS)
        self.assertEqual(statuses, ["done"] * done + ["skipped"] * (APPS - done),
                         "the actions in flight are finished, over their ssh, and no other")


if __name__ == "__main__":
    unittest.main()
