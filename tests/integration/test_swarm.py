"""Integration tests of packaging/swarm/deploy.sh (SPEC.md §11): docker gc
as a Swarm global job.

The session engine becomes a one-node swarm (`docker swarm init` on a free
loopback port; it leaves the swarm afterwards, even when a test fails).
deploy.sh builds the job image from the binary under test, runs `docker gc`
on the node as the `docker-gc` service with the engine's own (private)
socket mounted, and waits. The documents the service's log holds are
compared with what the binary run directly gives: a plan must be the same
plan (only the engine's address, the policy's path and the job's container
state differ), an apply must delete exactly what that plan selected. The
policy also selects the job image by name and age (the clock is set years
ahead), so the job image stays only because the task's container uses it:
that protection is what keeps docker gc from deleting its own image. Also:
a second run replacing the first (and a second engine standing for another
node, which deploy.sh loads the job image into), refused arguments, an
invalid policy, a rejected task (a missing socket), a failed one, and one
that does not finish in time (its engine stalls, behind a fault proxy),
which also keeps the next deploy from starting; and that shellcheck finds
nothing in deploy.sh. About 40 s in all. The same job on a real swarm of
two nodes, each cleaned through its own engine: test_swarm_nodes.py.
"""

import json
import socket
import subprocess
import tempfile
import time
import unittest
from datetime import datetime, timezone
from pathlib import Path

from dgc_fixtures.dgc import CRASH_MARKERS, binary_path, run_json
from dgc_fixtures.docker_cli import DockerCli, clean_environment, docker_path
from dgc_fixtures.engine import PrivateEngine, reset, socket_path_of
from dgc_fixtures.fault_proxy import Fault, FaultProxy
from dgc_fixtures.imagegen import ImageSpec, file_layer
from dgc_fixtures.stores import CONTAINERD
from dgc_fixtures.testcase import EngineTestCase

DEPLOY = Path(__file__).resolve().parents[2] / "packaging" / "swarm" / "deploy.sh"
SERVICE = "docker-gc"
CACHE_VOLUME = "docker-gc-cache"
JOB_REPOSITORY = "docker-gc-job"
DEPLOY_TIMEOUT_S = 60
# Far enough ahead that every image, the job image included, is older than
# the policy's 7 days and its min_age.
NOW = "2030-01-01T00:00:00Z"
POLICY = {"rules": [{"name": "legacy", "match": "docker-*", "older_than": "7d"}],
          "protect": {"labels": ["gc.keep=true"]}}
OLD = datetime(2025, 6, 1, tzinfo=timezone.utc)


def image_specs():
    """name -> ImageSpec: the policy selects the docker-old-* images; the
    others stay (in use by a container, protected by label, no rule)."""
    def spec(tag, seed, labels=None):
        return ImageSpec(tags=[tag], layers=[file_layer(f"{seed}/blob", 20000, seed)],
                         created=OLD, labels=labels or {})
    return {"docker-old-backend": spec("docker-old-backend:latest", "backend"),
            "docker-old-nginx": spec("docker-old-nginx:1.0", "nginx"),
            "docker-worker": spec("docker-worker:latest", "worker"),
            "docker-pinned": spec("docker-pinned:latest", "pinned", {"gc.keep": "true"}),
            "app": spec("app:v1", "app")}


SELECTED = ("docker-old-backend", "docker-old-nginx")


def job_images(cli):
    """The IDs of the job images on the engine `cli` drives."""
    return cli.run("image", "ls", "-q", "--no-trunc", "--filter",
                   "label=docker-gc.job=true").stdout.split()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SwarmJobTest(EngineTestCase):
    """deploy.sh on a one-node swarm made of the session engine."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.store.skip_on(cls, CONTAINERD, "deploy.sh is tested on the classic store; "
                          "what its job runs, the binary, is tested on both")
        cls.started = time.monotonic()
        cls.policy_dir = tempfile.TemporaryDirectory(prefix="dgc-swarm-")
        cls.policy_file = Path(cls.policy_dir.name) / "gc.json"
        cls.policy_file.write_text(json.dumps(POLICY))
        reset(cls.engine)
        cls.networks = cls.network_names()
        cls.addClassCleanup(cls.leave_swarm)
        port = free_port()
        cls.cli.run("swarm", "init", "--advertise-addr", f"127.0.0.1:{port}",
                    "--listen-addr", f"127.0.0.1:{port}")

    @classmethod
    def network_names(cls):
        return set(cls.cli.run("network", "ls", "--format", "{{.Name}}").stdout.split())

    @classmethod
    def leave_swarm(cls):
        """Leaves the engine as the other tests expect it: no service,
        container, job image, cache volume, swarm, nor the networks the
        swarm made (docker_gwbridge outlives it)."""
        cls.cli.run("service", "rm", SERVICE, check=False)
        reset(cls.engine)
        cls.cli.run("swarm", "leave", "--force", check=False)
        cls.cli.run("volume", "rm", CACHE_VOLUME, check=False)
        for network in cls.network_names() - cls.networks:
            cls.cli.run("network", "rm", network, check=False)
        cls.policy_dir.cleanup()
        print(f"\n{cls.__name__}: {time.monotonic() - cls.started:.1f}s in all")

    def setUp(self):
        self.cli.run("service", "rm", SERVICE, check=False)
        reset(self.engine)
        self.specs = image_specs()
        self.ids = dict(zip(self.specs, self.cli.load(list(self.specs.values()))))
        self.cli.create(self.ids["docker-worker"], "worker-1")

    def deploy(self, *args, **env):
        """Runs deploy.sh ARGS on the session engine; returns the
        CompletedProcess (text) and prints how long it took."""
        environment = clean_environment(
            DOCKER_HOST=self.host, DOCKER_CONFIG=self.cli.config_dir,
            DGC_BINARY=binary_path(), DGC_DOCKER=docker_path(),
            DGC_NODE_SOCKET=socket_path_of(self.host),
            DGC_WAIT_TIMEOUT=str(DEPLOY_TIMEOUT_S))
        environment.update(env)
        started = time.monotonic()
        result = subprocess.run([str(DEPLOY), *args], env=environment,
                                capture_output=True, text=True,
                                timeout=DEPLOY_TIMEOUT_S + 60)
        print(f"\ndeploy.sh {' '.join(args)}: exit {result.returncode} in "
              f"{time.monotonic() - started:.1f}s")
        return result

    def assert_deployed(self, result):
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, "")
        self.assertRegex(result.stderr, r"node \S+: complete \(task \w+\)")

    def service_documents(self):
        """The JSON document the service's one task printed, read from the
        whole service's log and from the task's, which must agree; its
        stderr must hold no crash or sanitizer report."""
        tasks = self.cli.run("service", "ps", "-q", "--no-trunc", SERVICE).stdout.split()
        self.assertEqual(len(tasks), 1, "a one-node swarm runs one task")
        whole = self.cli.run("service", "logs", "--raw", SERVICE)
        per_task = self.cli.run("service", "logs", "--raw", tasks[0])
        self.assertEqual(whole.stdout, per_task.stdout)
        # The job's stderr: sanitizer reports of an instrumented binary
        # land there, not in the test run's report directory.
        self.assertEqual([marker for marker in CRASH_MARKERS if marker in whole.stderr],
                         [], whole.stderr[:2000])
        return json.loads(whole.stdout)

    def direct(self, *args):
        """The same docker gc command, run directly on the session engine."""
        return run_json("-H", self.host, *args, "--format", "json",
                        "-p", str(self.policy_file), "--now", NOW)

    def job_image(self):
        """The ID of the one job image on the engine."""
        images = [image for image in self.engine.images()
                  if any(tag.startswith(JOB_REPOSITORY + ":")
                         for tag in image["RepoTags"] or [])]
        self.assertEqual(len(images), 1, images)
        return images[0]["Id"]

    def service_image(self):
        """The image the service's tasks run."""
        return self.cli.run("service", "inspect", "--format",
                            "{{.Spec.TaskTemplate.ContainerSpec.Image}}", SERVICE).stdout.strip()

    def test_plan_in_the_job_is_the_direct_plan(self):
        result = self.deploy("plan", "--format", "json", "-p", str(self.policy_file),
                             "--now", NOW)
        self.assert_deployed(result)
        in_job = self.service_documents()
        direct = self.direct("plan")
        job_image = self.job_image()

        self.assertEqual(in_job["schema"], "dgc.plan/v1")
        self.assertEqual(in_job["engine"]["host"], "unix:///var/run/docker.sock")
        self.assertEqual(in_job["policy"], "/etc/docker/gc.json")
        self.assertEqual(sorted(action["image"] for action in in_job["actions"]),
                         sorted(self.ids[name] for name in SELECTED))
        # The job image: selected by name and age, kept only because the
        # task's container uses it (running in the job, exited afterwards;
        # the engine may not have marked it running yet when docker gc reads
        # the containers).
        reasons = {entry["image"]: entry["reason"] for entry in in_job["kept"]}
        self.assertRegex(reasons[job_image],
                         r"^in use by container docker-gc\.\S+ \((running|created)\)$")
        direct_reasons = {entry["image"]: entry["reason"] for entry in direct["kept"]}
        self.assertRegex(direct_reasons[job_image],
                         r"^in use by container docker-gc\.\S+ \(exited\)$")

        for document in (in_job, direct):
            document["engine"].pop("host")
            document.pop("policy")
            for entry in document["kept"]:
                if entry["image"] == job_image:
                    entry.pop("reason")
        self.assertEqual(in_job, direct)

    def test_apply_in_the_job_deletes_what_the_plan_selects(self):
        planned = self.direct("plan")
        self.assertEqual(sorted(action["image"] for action in planned["actions"]),
                         sorted(self.ids[name] for name in SELECTED))
        result = self.deploy("apply", "-y", "--format", "json",
                             "--policy", str(self.policy_file), "--now", NOW)
        self.assert_deployed(result)
        report = self.service_documents()

        self.assertEqual(report["schema"], "dgc.apply/v1")
        self.assertEqual(report["summary"]["failed"], 0, report)
        self.assertEqual(report["summary"]["done"], len(planned["actions"]))
        self.assertEqual(report["summary"]["predicted_bytes"],
                         planned["summary"]["reclaimable_bytes"])
        self.assertEqual([(entry["op"], entry["image"]) for entry in report["results"]],
                         [(action["op"], action["image"]) for action in planned["actions"]])
        remaining = {image["Id"] for image in self.engine.images()}
        for name, image_id in self.ids.items():
            if name in SELECTED:
                self.assertNotIn(image_id, remaining, name)
            else:
                self.assertIn(image_id, remaining, name)
        self.assertIn(self.job_image(), remaining)
        self.assertEqual(self.cli.container_state("worker-1"), "created")

    def test_a_second_run_replaces_the_finished_service(self):
        # Another engine stands for a second node: deploy.sh loads the job
        # image there (the swarm itself has one node).
        with PrivateEngine() as other:
            other_cli = DockerCli(other.host)
            first = self.deploy("df", "--format", "json", DGC_NODE_HOSTS=other.host)
            self.assert_deployed(first)
            self.assertIn(f"loading the job image into {other.host}", first.stderr)
            first_image = self.job_image()
            self.assertEqual(self.service_image(), first_image)
            self.assertEqual(job_images(other_cli), [first_image])

            second = self.deploy("df", "--format", "json", DGC_NODE_HOSTS=other.host)
            self.assert_deployed(second)
            self.assertIn("removing the finished previous docker-gc service", second.stderr)
            self.assertEqual(self.service_documents()["schema"], "dgc.df/v1")
            # The first run's container and image are gone, on both engines.
            second_image = self.job_image()
            self.assertNotEqual(second_image, first_image)
            self.assertEqual(self.service_image(), second_image)
            self.assertEqual(job_images(other_cli), [second_image])
            containers = [container for container in self.engine.containers()
                          if container["Labels"].get("com.docker.swarm.service.name") == SERVICE]
            self.assertEqual(len(containers), 1, containers)

    def test_refused_arguments_change_nothing(self):
        cases = [((), "no docker gc command given"),
                 (("apply", "--format", "json"), "add --yes"),
                 (("plan", "--from", "snapshot.json"), "--from is not supported"),
                 (("apply", "-y", "--lock=/run/lock"), "--lock is not supported"),
                 (("plan", "-Htcp://elsewhere:2375"), "-H is not supported"),
                 (("plan", "-p", "a.json", "--policy", "b.json"), "the policy is given twice")]
        for args, message in cases:
            with self.subTest(args=args):
                result = self.deploy(*args)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertIn(message, result.stderr)
        self.assertEqual(self.cli.run("service", "ls", "-q").stdout, "")

    def test_an_invalid_policy_is_refused_before_deploying(self):
        bad = Path(self.policy_dir.name) / "bad.json"
        bad.write_text('{"rules": [{"match": "x", "older_then": "7d"}]}')
        result = self.deploy("plan", "-p", str(bad))
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn(f"the policy file {bad} is not valid", result.stderr)
        self.assertIn("older_then", result.stderr)
        self.assertEqual(self.cli.run("service", "ls", "-q").stdout, "")

    def test_a_rejected_task_is_reported_and_its_service_removed(self):
        result = self.deploy("plan", DGC_NODE_SOCKET="/nonexistent/docker.sock")
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertRegex(result.stderr, r"node \S+ rejected task \w+: .*"
                         r"bind source path does not exist: /nonexistent/docker.sock")
        self.assertEqual(self.cli.run("service", "ls", "-q").stdout, "")

    def test_a_job_that_does_not_finish_times_out_and_blocks_the_next(self):
        # The node's "socket" is a proxy to the engine that never answers
        # /images/json: docker gc waits (its --timeout is 2m), deploy.sh not.
        with tempfile.TemporaryDirectory(prefix="dgc-swarm-stall-") as directory, \
                FaultProxy(directory, self.host,
                           [Fault("stall", path=r"^/images/json", times=None)]) as proxy:
            try:
                result = self.deploy("plan", DGC_NODE_SOCKET=str(proxy.socket_path),
                                     DGC_WAIT_TIMEOUT="3")
                self.assertEqual(result.returncode, 1, result.stderr)
                self.assertIn("the docker-gc tasks did not finish within 3s", result.stderr)
                self.assertRegex(result.stderr, r"node \S+: running \(task \w+\)")
                self.assertIn("the service is left running", result.stderr)

                again = self.deploy("plan")
                self.assertEqual(again.returncode, 1, again.stderr)
                self.assertRegex(again.stderr, r"the previous docker-gc service is still "
                                 r"running \(task \w+ on node \w+ is running\)")
                self.assertGreater(proxy.count("GET", r"^/images/json"), 0)
            finally:
                self.cli.run("service", "rm", SERVICE, check=False)

    def test_a_failed_task_is_reported_and_its_output_kept(self):
        result = self.deploy("plan", "--now", "yesterday")
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertRegex(result.stderr, r"node \S+: failed, exit 2: task: non-zero exit \(2\)")
        self.assertIn("docker gc failed on some node(s)", result.stderr)
        logs = self.cli.run("service", "logs", "--raw", SERVICE)
        self.assertEqual(logs.stdout, "")
        self.assertIn("--now", logs.stderr)


class DeployScriptTest(unittest.TestCase):
    """deploy.sh itself, without an engine."""

    def test_shellcheck_finds_nothing(self):
        result = subprocess.run(["shellcheck", str(DEPLOY)], capture_output=True,
                                text=True, timeout=60)
        self.assertEqual((result.returncode, result.stdout), (0, ""), result.stderr)


if __name__ == "__main__":
    unittest.main()
