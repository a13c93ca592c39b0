"""docker gc against a real engine behind a fault-injecting proxy
(dgc_fixtures/fault_proxy.py): what it does under each fault.

Reads (`plan`, `df`): for each fault on each kind of GET (the image list,
an image's inspect and history, the container list, a container's
inspect, /system/df), the command either succeeds with exactly the
document it gives without the proxy (a GET whose way to the engine broke is
sent again) or exits 1 naming the request and what went wrong; never a
different plan. What each fault must give is written down in READ_FAULTS,
with the number of times the faulted request must have been sent.

Writes (`apply`): faults on DELETE. The DELETE is never sent again; nothing
outside the plan is deleted; an image the report says is done is gone, one
it says failed is still there with all its references; the exit code is 0,
3 or 1 as the report says (SPEC §2); the audit log says what the report
says; and a DELETE whose answer was lost is settled by reading the image
back: done when the engine did it, failed when it did not, unknown (and
the run stops) only when the engine cannot be read either.
"""

import json
import re
import tempfile
import time
import unittest
from datetime import datetime, timedelta, timezone
from pathlib import Path

from dgc_fixtures.dgc import crash_signs, run_dgc
from dgc_fixtures.fault_proxy import Fault, FaultProxy
from dgc_fixtures.formats import rfc3339
from dgc_fixtures.imagegen import ImageSpec, file_layer
from dgc_fixtures.scenarios import ContainerPlan, Scenario
from dgc_fixtures.testcase import EngineTestCase

TIMEOUT = "2s"
MARGIN_S = 8  # process start and a slow CI machine
POLICY = {"rules": [{"name": "old", "match": "f*", "older_than": "1d"},
                    {"name": "dangling", "dangling": True, "older_than": "1d"}],
          "min_age": "1h"}



def read_targets(scenario):
    """The GETs faulted, by what they read: (command, pattern of exactly
    one request of that command)."""
    def image(role, what):
        return r"^/images/" + re.escape(scenario.image_id(role)) + "/" + what + "$"

    return {
        "image list": ("plan", r"^/images/json"),
        "image inspect": ("plan", image("cross", "json")),
        "image history": ("plan", image("twotags", "history")),
        "container list": ("plan", r"^/containers/json"),
        "container inspect": ("plan", r"^/containers/[0-9a-f]{64}/json$"),
        "system df": ("df", r"^/system/df"),
    }

# Each fault, applied to a matching GET, and what it must give:
# "same" (exit 0, the document as without the proxy) after the faulted
# request was sent `sends` times in all, or exit 1 with `words` in the
# message beside the request, which was sent `sends` times.
READ_FAULTS = {
    "delay 300ms": (dict(kind="delay", delay_ms=300), "same", 1, ()),
    "stall": (dict(kind="stall"), "exit 1", 1, ("did not answer", "timeout of 2s")),
    "drop before forwarding": (dict(kind="drop", at="request"), "same", 2, ()),
    "drop before the answer": (dict(kind="drop", at="response"), "same", 2, ()),
    "drop mid-body": (dict(kind="drop", at="body"), "same", 2, ()),
    "truncated body": (dict(kind="truncate"), "exit 1", 1, ("sent an invalid response",)),
    "corrupt byte": (dict(kind="corrupt"), "exit 1", 1, ("sent an invalid response",)),
    "500": (dict(kind="status", status=500), "exit 1", 1, ("HTTP 500",)),
    "502 twice": (dict(kind="status", status=502, times=2), "same", 3, ()),
    "503 twice": (dict(kind="status", status=503, times=2), "same", 3, ()),
    "503 always": (dict(kind="status", status=503, times=None), "exit 1", 3,
                   ("HTTP 503", "sent 3 times, giving up")),
    "Content-Length too big": (dict(kind="length", delta=100), "same", 2, ()),
    "Content-Length too small": (dict(kind="length", delta=-10), "exit 1", 1,
                                 ("sent an invalid response",)),
    "chunked body cut": (dict(kind="chunked_cut"), "same", 2, ()),
}


def fault_scenario(now):
    """Small images, dated from `now`: old (one tag), twotags (two tags of
    one repository), cross (tags in two repositories), used (by a created
    container), fresh (10 minutes old) and an old dangling one. POLICY
    deletes old, twotags, cross and dangling."""
    base = file_layer("base/fault.bin", size=2000, seed="fault-base")

    def image(tags, name, age):
        return ImageSpec(tags, [base, file_layer(f"app/{name}.bin", size=700,
                                                 seed=f"fault-{name}")], now - age)

    ten_days = timedelta(days=10)
    return Scenario({
        "old": image(["fold:1"], "old", ten_days),
        "twotags": image(["ftwo:1", "ftwo:latest"], "twotags", ten_days),
        "cross": image(["fxa:1", "fxb:1"], "cross", ten_days),
        "used": image(["fused:1"], "used", ten_days),
        "fresh": image(["ffresh:1"], "fresh", timedelta(minutes=10)),
        "dangling": image([], "dangling", ten_days),
    }, [ContainerPlan("fault-user", "used", "created")])


def comparable(document):
    """The document without what differs from one run to the next through
    the proxy or not: the engine's host, when the engine was read, and the
    data disk's usage (the machine's, not the engine's)."""
    document = json.loads(json.dumps(document))
    document.get("engine", {}).pop("host", None)
    document.pop("captured_at", None)
    document.get("disk", {}).pop("used_bytes", None)
    return document


class FaultTestCase(EngineTestCase):
    """A proxy to the session engine for each test, the scenario installed
    and the policy written; `dgc` runs docker-gc through the proxy."""

    def setUp(self):
        directory = tempfile.TemporaryDirectory(prefix="dgc-faults-")
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)
        self.policy = self.directory / "gc.json"
        self.policy.write_text(json.dumps(POLICY))
        self.proxy = FaultProxy(self.directory, self.host).__enter__()
        self.addCleanup(self.proxy.__exit__, None, None, None)

    @classmethod
    def install(cls):
        cls.now = datetime.now(timezone.utc).replace(microsecond=0)
        cls.scenario = cls.install_scenario(fault_scenario(cls.now))

    def dgc(self, *args, host=None):
        """Runs docker-gc on the proxy (or `host`); returns (result,
        seconds). The cache is off: every image is read from the engine."""
        started = time.monotonic()
        result = run_dgc("-H", host or self.proxy.host, *args, "--no-cache",
                         "--timeout", TIMEOUT)
        elapsed = time.monotonic() - started
        self.assertEqual(crash_signs(result), [], result.stderr)
        return result, elapsed


class ReadFaultsTest(FaultTestCase):
    """Every fault of READ_FAULTS on every GET of read_targets()."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.install()

    def command(self, name):
        if name == "plan":
            return ("plan", "-p", str(self.policy), "--format", "json",
                    "--now", rfc3339(self.now))
        return ("df", "--format", "json", "--now", rfc3339(self.now))

    def baseline(self, name):
        result, _ = self.dgc(*self.command(name), host=self.host)
        self.assertEqual(result.returncode, 0, result.stderr)
        return comparable(json.loads(result.stdout))

    def test_each_fault_on_each_read_gives_the_same_document_or_a_clear_error(self):
        baselines = {name: self.baseline(name) for name in ("plan", "df")}
        plan = baselines["plan"]
        self.assertEqual(sorted(action["image"] for action in plan["actions"]),
                         sorted(self.scenario.image_id(role)
                                for role in ("old", "twotags", "cross", "dangling")))
        tried = retried = 0
        for target, (command, pattern) in read_targets(self.scenario).items():
            for fault_name, (fault, outcome, sends, words) in READ_FAULTS.items():
                with self.subTest(target=target, fault=fault_name):
                    self.proxy.set_faults([Fault(path=pattern, **fault)])
                    result, elapsed = self.dgc(*self.command(command))
                    faulted = {path for _, _, path in self.proxy.faulted()}
                    self.assertEqual(len(faulted), 1, f"one request matches {pattern}")
                    [path] = faulted
                    sent = self.proxy.count("GET", "^" + re.escape(path) + "$")
                    tried += 1
                    retried += sent - 1
                    self.assertEqual(sent, sends, self.proxy.seen())
                    if outcome == "same":
                        self.assertEqual(result.returncode, 0, result.stderr)
                        self.assertEqual(comparable(json.loads(result.stdout)),
                                         baselines[command])
                        continue
                    self.assertEqual(result.returncode, 1, result.stderr)
                    self.assertEqual(result.stdout, "", "no document on failure")
                    self.assertRegex(result.stderr, r"(?m)^Error: ")
                    self.assertIn(f"GET /v{self.proxy_api()}{path}", result.stderr)
                    for word in words:
                        self.assertIn(word, result.stderr)
                    self.assertLess(elapsed, 2 + MARGIN_S)
        print(f"\nread faults tried: {tried}, GETs sent again: {retried}")

    def proxy_api(self):
        """The API version docker gc negotiates with the session engine."""
        return self.engine.version()["ApiVersion"]


class DeleteFaultsTest(FaultTestCase):
    """Faults on the DELETEs of an apply."""

    def setUp(self):
        super().setUp()
        self.install()
        self.log = self.directory / "audit.log"
        result, _ = self.dgc("plan", "-p", str(self.policy), "--format", "json",
                             host=self.host)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.plan = json.loads(result.stdout)
        self.before = self.image_refs()

    def image_refs(self):
        """The engine's images now: ID -> sorted tags."""
        return {image["Id"]: sorted(image.get("RepoTags") or [])
                for image in self.engine.images()}

    def delete_path(self, role):
        return r"^/images/" + re.escape(self.scenario.image_id(role)) + "$"

    def apply(self, *faults):
        """Applies the policy through the proxy with `faults`; checks what
        holds whatever the fault, and returns (result, report by image,
        seconds)."""
        self.proxy.set_faults(list(faults))
        result, elapsed = self.dgc("apply", "--yes", "-p", str(self.policy),
                                   "--format", "json", "--log", str(self.log))
        report = json.loads(result.stdout)
        results = {entry["image"]: entry for entry in report["results"]}
        planned = {action["image"] for action in self.plan["actions"]}
        self.assertEqual(set(results), planned, "the report has the plan's actions")
        after = self.image_refs()
        # Nothing outside the plan is touched.
        for image, refs in self.before.items():
            if image not in planned:
                self.assertEqual(after.get(image), refs, image)
        for image, entry in results.items():
            if entry["status"] == "done":
                self.assertNotIn(image, after, entry)
            elif entry["status"] in ("failed", "skipped"):
                self.assertEqual(after.get(image), self.before[image], entry)
        # No DELETE is sent again after a fault acted on it, and none forces.
        seen = self.proxy.seen()
        for index, request in enumerate(seen):
            self.assertNotIn("force", request.path)
            if request.fault and request.method == "DELETE":
                again = [later for later in seen[index + 1:]
                         if (later.method, later.path) == ("DELETE", request.path)]
                self.assertEqual(again, [], f"{request.path} sent again")
        # The audit log says what the report says.
        logged = [json.loads(line) for line in self.log.read_text().splitlines()]
        self.assertEqual([(line["image"], line["status"], line["detail"]) for line in logged],
                         [(entry["image"], entry["status"], entry["detail"])
                          for entry in report["results"]])
        # The exit code follows the report (SPEC §2).
        summary = report["summary"]
        expected_code = (1 if summary["stopped"] else
                         3 if summary["failed"] or summary["unknown"] else 0)
        self.assertEqual(result.returncode, expected_code, result.stderr)
        return result, results, elapsed

    def test_500_on_a_delete_fails_that_action_only(self):
        _, results, _ = self.apply(Fault("status", method="DELETE", status=500,
                                         path=self.delete_path("old")))
        entry = results[self.scenario.image_id("old")]
        self.assertEqual(entry["status"], "failed")
        self.assertIn("HTTP 500", entry["detail"])
        self.assertIn("injected by the fault proxy", entry["detail"])
        self.assertEqual(self.proxy.count("DELETE", self.delete_path("old")), 1)
        self.assertEqual(sorted(e["status"] for e in results.values()),
                         ["done", "done", "done", "failed"])

    def test_503_on_a_delete_is_not_sent_again(self):
        _, results, _ = self.apply(Fault("status", method="DELETE", status=503,
                                         path=self.delete_path("twotags")))
        entry = results[self.scenario.image_id("twotags")]
        self.assertEqual(entry["status"], "failed")
        self.assertIn("HTTP 503", entry["detail"])
        self.assertNotIn("sent 3 times", entry["detail"])
        self.assertEqual(self.proxy.count("DELETE", self.delete_path("twotags")), 1)

    def test_409_on_a_delete_by_name_keeps_every_reference(self):
        _, results, _ = self.apply(Fault("status", method="DELETE", status=409,
                                         path=r"^/images/fxa:1$",
                                         message="conflict: injected"))
        entry = results[self.scenario.image_id("cross")]
        self.assertEqual(entry["status"], "failed")
        self.assertIn("conflict: injected", entry["detail"])
        self.assertEqual(entry["untagged"], [])

    def test_a_lost_answer_to_a_delete_the_engine_did_is_done(self):
        # The engine deletes the image; the proxy drops its answer.
        _, results, _ = self.apply(Fault("drop", method="DELETE", at="response",
                                         path=self.delete_path("old")))
        entry = results[self.scenario.image_id("old")]
        self.assertEqual(entry["status"], "done", entry)
        self.assertIn("was lost", entry["detail"])
        self.assertIn("the image is gone: deleted", entry["detail"])
        self.assertEqual(entry["untagged"], ["fold:1"])
        self.assertEqual(entry["freed_bytes"], 0, "the layers that went are not known")
        self.assertEqual(sorted(e["status"] for e in results.values()), ["done"] * 4)

    def test_a_lost_delete_the_engine_never_got_failed(self):
        _, results, _ = self.apply(Fault("drop", method="DELETE", at="request",
                                         path=self.delete_path("twotags")))
        entry = results[self.scenario.image_id("twotags")]
        self.assertEqual(entry["status"], "failed", entry)
        self.assertIn("the image is still there: not deleted", entry["detail"])
        self.assertEqual(self.proxy.count("DELETE", self.delete_path("twotags"),
                                          forwarded=False), 1)

    def test_a_lost_answer_to_a_delete_by_name_is_learnt_from_the_name(self):
        _, results, _ = self.apply(Fault("drop", method="DELETE", at="response",
                                         path=r"^/images/fxa:1$"))
        entry = results[self.scenario.image_id("cross")]
        self.assertEqual(entry["status"], "done", entry)
        self.assertIn("fxa:1 no longer names the image: untagged", entry["detail"])
        self.assertEqual(sorted(entry["untagged"]), ["fxa:1", "fxb:1"])

    def test_a_stalled_delete_times_out_and_is_read_back(self):
        # The engine gets the DELETE and deletes; the answer never comes.
        _, results, elapsed = self.apply(Fault("stall", method="DELETE",
                                               path=self.delete_path("old")))
        entry = results[self.scenario.image_id("old")]
        self.assertEqual(entry["status"], "done", entry)
        self.assertIn("did not answer DELETE", entry["detail"])
        self.assertIn("the image is gone: deleted", entry["detail"])
        self.assertEqual(entry["untagged"], ["fold:1"])
        self.assertLess(elapsed, 2 + MARGIN_S)

    def test_a_stalled_check_for_a_child_leaves_the_image_whole(self):
        # An image with several references is first sent a DELETE by ID
        # that the engine refuses (it asks for a child): that answer never
        # comes; the image is read back, whole.
        _, results, _ = self.apply(Fault("stall", method="DELETE",
                                         path=self.delete_path("cross")))
        entry = results[self.scenario.image_id("cross")]
        self.assertEqual(entry["status"], "failed", entry)
        self.assertIn("the image is still there: not deleted", entry["detail"])
        self.assertEqual(self.proxy.count("DELETE", r"^/images/fx"), 0)

    def test_a_lost_answer_that_cannot_be_read_back_is_unknown_and_stops(self):
        # The DELETE reaches the engine; from then on no image can be read.
        delete = Fault("drop", method="DELETE", at="response", path=self.delete_path("old"))
        _, results, _ = self.apply(
            delete, Fault("drop", at="request", path=r"^/images/", times=None, after=delete))
        entry = results[self.scenario.image_id("old")]
        self.assertEqual(entry["status"], "unknown", entry)
        self.assertIn("was lost", entry["detail"])
        self.assertIn("reading the image again failed too", entry["detail"])
        self.assertNotIn(self.scenario.image_id("old"), self.image_refs(),
                         "the engine did delete it: the report must not say otherwise")
        statuses = [e["status"] for e in results.values()]
        self.assertEqual(statuses.count("unknown"), 1)
        self.assertIn("sent 3 times, giving up", entry["detail"])
        self.assertGreaterEqual(self.proxy.count(
            "GET", self.delete_path("old")[:-1] + "/json$", forwarded=False), 3)
        skipped = [e for e in results.values() if e["status"] == "skipped"]
        for e in skipped:
            self.assertTrue(e["detail"].startswith("not run: the engine stopped answering"), e)
