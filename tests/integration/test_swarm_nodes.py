"""Integration tests of packaging/swarm/deploy.sh on a real two-node swarm
(SPEC.md §11): the global job runs once on every node, against that
node's own engine, and cleans each node.

Two private dockerds on this machine form the swarm, a manager and a
worker (`docker swarm init` and `docker swarm join` on free loopback
ports). Each runs in a mount and UTS namespace of its own
(PrivateEngine(node=…), tests/lib/engine.sh engine_start_node;
ENGINES.md §4): there, one common directory holds that engine's own
docker.sock, which is the path deploy.sh bind-mounts into every task
(DGC_NODE_SOCKET), /etc/docker is its own (so each has its own /info ID)
and the hostname is the node's name. Each swarm network bridge gets a
name of its own, made before the swarm, so the two engines never share
one on the host. deploy.sh runs against the manager and loads the job
image into the worker (DGC_NODE_HOSTS); this process reaches each engine
by its real socket.

Each node holds different images (same names and roles, different
content, so different IDs): two the policy selects, one a container
uses, one protected by label, one no rule matches. A plan in the job must
give, per node (read per task from `docker service logs --raw`), exactly
the plan `docker gc plan` gives run directly on that node's engine, with
that engine's /info ID; the two differ. An apply must delete on each node
exactly what that node's plan selected, and nothing else. If both tasks
reached one engine, or a node were left out, these comparisons fail.
About 25 s in all; the swarm is left and both engines are stopped even
when a step fails.
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
from dgc_fixtures.engine import PrivateEngine, reset
from dgc_fixtures.imagegen import ImageSpec, file_layer
from dgc_fixtures.stores import CONTAINERD, session_store

DEPLOY = Path(__file__).resolve().parents[2] / "packaging" / "swarm" / "deploy.sh"
SERVICE = "docker-gc"
JOB_REPOSITORY = "docker-gc-job"
DEPLOY_TIMEOUT_S = 60
# How long the worker may take to be a ready node after joining.
JOIN_TIMEOUT_S = 30
# Far enough ahead that every image, the job image included, is older than
# the policy's 7 days.
NOW = "2030-01-01T00:00:00Z"
POLICY = {"rules": [{"name": "legacy", "match": "docker-*", "older_than": "7d"}],
          "protect": {"labels": ["gc.keep=true"]}}
OLD = datetime(2025, 6, 1, tzinfo=timezone.utc)
NODES = ("dgc-manager", "dgc-worker")
SELECTED = ("docker-old-backend", "docker-old-nginx")
# The swarm's networks whose bridges would be made on the host under a
# fixed name: made first, with a bridge name of each engine's own.
GATEWAY_NETWORK = "docker_gwbridge"


def node_image_specs(node):
    """name -> ImageSpec of the images on `node`: the same names and roles
    on every node, content (so IDs) of the node's own. The policy selects
    the docker-old-* images; docker-worker is in use, docker-pinned
    protected by label, app matched by no rule."""
    def spec(tag, seed, labels=None):
        return ImageSpec(tags=[tag], layers=[file_layer(f"{seed}/blob", 20000, f"{node}-{seed}")],
                         created=OLD, labels=labels or {})
    return {"docker-old-backend": spec("docker-old-backend:latest", "backend"),
            "docker-old-nginx": spec("docker-old-nginx:1.0", "nginx"),
            "docker-worker": spec("docker-worker:latest", "worker"),
            "docker-pinned": spec("docker-pinned:latest", "pinned", {"gc.keep": "true"}),
            "app": spec("app:v1", "app")}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def comparable(document, job_image):
    """`document` (a plan) without what differs between the job and a
    direct run: the engine's address, the policy's path, and the reason
    the job image is kept (its task's container is running in the job,
    exited afterwards)."""
    document = json.loads(json.dumps(document))
    document["engine"].pop("host")
    document.pop("policy")
    for entry in document["kept"]:
        if entry["image"] == job_image:
            entry.pop("reason")
    return document


class SwarmNodesTest(unittest.TestCase):
    """deploy.sh on a swarm of two private engines: a manager, a worker."""

    @classmethod
    def setUpClass(cls):
        session_store().skip_on(cls, CONTAINERD, "deploy.sh is tested on the classic store; "
                                "what its job runs, the binary, is tested on both")
        super().setUpClass()
        cls.started = time.monotonic()
        cls.work = tempfile.TemporaryDirectory(prefix="dgc-swarm-nodes-")
        cls.addClassCleanup(cls.work.cleanup)
        work = Path(cls.work.name)
        cls.policy_file = work / "gc.json"
        cls.policy_file.write_text(json.dumps(POLICY))
        # In each engine's mount namespace, its own directory is mounted
        # here: NODE_SOCKET is each node's own socket.
        mountpoint = work / "node"
        mountpoint.mkdir()
        cls.node_socket = str(mountpoint / "docker.sock")
        cls.engines = {}
        cls.clis = {}
        for name in NODES:
            private = PrivateEngine(node=(mountpoint, name))
            cls.addClassCleanup(private.stop)
            private.start()
            cls.engines[name] = private
            cls.clis[name] = DockerCli(private.host)
        cls.addClassCleanup(cls.dismantle_swarm)
        cls.form_swarm()
        print(f"\n{cls.__name__}: swarm of {len(NODES)} nodes formed in "
              f"{time.monotonic() - cls.started:.1f}s")

    @classmethod
    def form_swarm(cls):
        """The manager inits, the worker joins; each first gets its own
        gateway bridge (a host bridge named docker_gwbridge would be one
        for both engines, and the host's own if it runs swarm)."""
        manager, worker = (cls.clis[name] for name in NODES)
        for name in NODES:
            # Linux allows 15 characters; the engine's directory has a
            # random suffix of 8.
            bridge = "dgcgw-" + cls.engines[name].directory.name[-8:]
            cls.clis[name].run("network", "create", "--driver", "bridge",
                               "--opt", f"com.docker.network.bridge.name={bridge}",
                               "--opt", "com.docker.network.bridge.enable_icc=false",
                               GATEWAY_NETWORK)
        manager_port = worker_port = free_port()
        while worker_port == manager_port:
            worker_port = free_port()
        manager.run("swarm", "init", "--advertise-addr", f"127.0.0.1:{manager_port}",
                    "--listen-addr", f"127.0.0.1:{manager_port}")
        token = manager.run("swarm", "join-token", "-q", "worker").stdout.strip()
        worker.run("swarm", "join", "--token", token,
                   "--advertise-addr", f"127.0.0.1:{worker_port}",
                   "--listen-addr", f"127.0.0.1:{worker_port}", f"127.0.0.1:{manager_port}")
        cls.node_ids = {name: cls.engines[name].engine.info()["Swarm"]["NodeID"]
                        for name in NODES}
        expected = sorted(f"{cls.node_ids[name]} {name} Ready Active" for name in NODES)
        deadline = time.monotonic() + JOIN_TIMEOUT_S
        while True:
            listed = sorted(manager.run("node", "ls", "--format", "{{.ID}} {{.Hostname}} "
                                        "{{.Status}} {{.Availability}}").stdout.splitlines())
            if listed == expected:
                return
            if time.monotonic() >= deadline:
                raise AssertionError(f"the swarm's nodes are not ready within {JOIN_TIMEOUT_S}s: "
                                     f"docker node ls gives {listed}, expected {expected}")
            time.sleep(0.2)

    @classmethod
    def dismantle_swarm(cls):
        """Leaves no service, swarm, nor network bridge behind (the engines
        are stopped afterwards, with their mount namespaces)."""
        manager = cls.clis.get(NODES[0])
        if manager is not None:
            manager.run("service", "rm", SERVICE, check=False)
        for name in reversed(NODES):  # the worker first
            if name in cls.clis:
                cls.clis[name].run("swarm", "leave", "--force", check=False)
        for cli in cls.clis.values():
            networks = cli.run("network", "ls", "--filter", "driver=bridge", "-q",
                               check=False).stdout.split()
            if networks:
                cli.run("network", "rm", *networks, check=False)
        print(f"\n{cls.__name__}: {time.monotonic() - cls.started:.1f}s in all")

    def setUp(self):
        self.clis[NODES[0]].run("service", "rm", SERVICE, check=False)
        self.ids = {}
        for name in NODES:
            cli = self.clis[name]
            reset(self.engines[name].engine)
            specs = node_image_specs(name)
            self.ids[name] = dict(zip(specs, cli.load(list(specs.values()))))
            cli.create(self.ids[name]["docker-worker"], "worker-1")
        self.assertEqual(set(self.ids[NODES[0]].values()) & set(self.ids[NODES[1]].values()),
                         set(), "each node's images are its own")

    def deploy(self, *args):
        """Runs deploy.sh ARGS against the manager, the worker's engine in
        DGC_NODE_HOSTS; returns the CompletedProcess (text)."""
        manager = self.engines[NODES[0]]
        environment = clean_environment(
            DOCKER_HOST=manager.host, DOCKER_CONFIG=self.clis[NODES[0]].config_dir,
            DGC_BINARY=binary_path(), DGC_DOCKER=docker_path(),
            DGC_NODE_SOCKET=self.node_socket,
            DGC_NODE_HOSTS=self.engines[NODES[1]].host,
            DGC_WAIT_TIMEOUT=str(DEPLOY_TIMEOUT_S))
        started = time.monotonic()
        result = subprocess.run([str(DEPLOY), *args], env=environment,
                                capture_output=True, text=True,
                                timeout=DEPLOY_TIMEOUT_S + 60)
        print(f"\ndeploy.sh {' '.join(args)}: exit {result.returncode} in "
              f"{time.monotonic() - started:.1f}s")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, "")
        for name in NODES:
            self.assertRegex(result.stderr, rf"node {name}: complete \(task \w+\)")
        self.assertIn(f"on {len(NODES)} node(s)", result.stderr)
        return result

    def node_documents(self):
        """node name -> the JSON document its task printed: the service has
        one task per node, each complete, read from the task's own log."""
        manager = self.clis[NODES[0]]
        tasks = manager.run("service", "ps", "-q", "--no-trunc", SERVICE).stdout.split()
        self.assertEqual(len(tasks), len(NODES), "one task per node")
        node_of = {node_id: name for name, node_id in self.node_ids.items()}
        documents = {}
        for task in tasks:
            node_id, state = manager.run("inspect", "--type", "task", "--format",
                                         "{{.NodeID}} {{.Status.State}}",
                                         task).stdout.split()
            self.assertIn(node_id, node_of, f"task {task} ran on an unknown node")
            self.assertEqual(state, "complete", f"task {task} on {node_of[node_id]}")
            logs = manager.run("service", "logs", "--raw", task)
            self.assertEqual([marker for marker in CRASH_MARKERS if marker in logs.stderr],
                             [], logs.stderr[:2000])
            self.assertNotIn(node_of[node_id], documents, "two tasks on one node")
            documents[node_of[node_id]] = json.loads(logs.stdout)
        self.assertEqual(sorted(documents), sorted(NODES))
        return documents

    def direct(self, name, *args):
        """The docker gc command run directly on node `name`'s engine."""
        return run_json("-H", self.engines[name].host, *args, "--format", "json",
                        "-p", str(self.policy_file), "--now", NOW)

    def job_image(self, name):
        """The ID of the one job image on node `name`'s engine."""
        images = [image for image in self.engines[name].engine.images()
                  if any(tag.startswith(JOB_REPOSITORY + ":")
                         for tag in image["RepoTags"] or [])]
        self.assertEqual(len(images), 1, images)
        return images[0]["Id"]

    def engine_id(self, name):
        return self.engines[name].engine.info()["ID"]

    def test_each_node_plans_its_own_engine(self):
        self.deploy("plan", "--format", "json", "-p", str(self.policy_file), "--now", NOW)
        documents = self.node_documents()
        self.assertNotEqual(self.engine_id(NODES[0]), self.engine_id(NODES[1]))
        for name in NODES:
            with self.subTest(node=name):
                in_job = documents[name]
                self.assertEqual(in_job["schema"], "dgc.plan/v1")
                self.assertEqual(in_job["engine"]["id"], self.engine_id(name))
                self.assertEqual(in_job["engine"]["host"], "unix:///var/run/docker.sock")
                self.assertEqual(sorted(action["image"] for action in in_job["actions"]),
                                 sorted(self.ids[name][image] for image in SELECTED))
                job_image = self.job_image(name)
                reasons = {entry["image"]: entry["reason"] for entry in in_job["kept"]}
                self.assertRegex(reasons[job_image],
                                 r"^in use by container docker-gc\.\S+ \((running|created)\)$")
                self.assertEqual(comparable(in_job, job_image),
                                 comparable(self.direct(name, "plan"), job_image))
        self.assertNotEqual(documents[NODES[0]]["actions"], documents[NODES[1]]["actions"])

    def test_each_node_applies_its_own_plan(self):
        planned = {name: self.direct(name, "plan") for name in NODES}
        self.deploy("apply", "-y", "--format", "json", "--policy", str(self.policy_file),
                    "--now", NOW)
        documents = self.node_documents()
        for name in NODES:
            with self.subTest(node=name):
                report, plan = documents[name], planned[name]
                self.assertEqual(report["schema"], "dgc.apply/v1")
                self.assertEqual(report["engine"]["id"], self.engine_id(name))
                self.assertEqual(report["summary"]["failed"], 0, report)
                self.assertEqual(report["summary"]["done"], len(SELECTED))
                self.assertEqual(report["summary"]["predicted_bytes"],
                                 plan["summary"]["reclaimable_bytes"])
                self.assertEqual([(entry["op"], entry["image"]) for entry in report["results"]],
                                 [(action["op"], action["image"]) for action in plan["actions"]])
                remaining = {image["Id"] for image in self.engines[name].engine.images()}
                for image, image_id in self.ids[name].items():
                    if image in SELECTED:
                        self.assertNotIn(image_id, remaining, image)
                    else:
                        self.assertIn(image_id, remaining, image)
                self.assertIn(self.job_image(name), remaining)
                self.assertEqual(self.clis[name].container_state("worker-1"), "created")


if __name__ == "__main__":
    unittest.main()
