"""Integration tests of `docker-gc df` against a real engine.

Every byte count df reports is checked against numbers docker gc did not
compute: what the engine itself says (/system/df LayersSize, /images/json
Size, how much the engine's occupied bytes really drop when images are
deleted without force, reference by reference) and the sizes of the layer
tarballs the scenario generated. The rest is checked as format: the
dgc.df/v1 fields and the table's columns. Scenario: shared_layers_scenario
(see dgc_fixtures/scenarios.py). Runs on both stores: what bytes are on each
is in dgc_fixtures/stores.py.
"""

import json
import os
import re
import tempfile
import unittest

from dgc_fixtures.dgc import run_dgc, run_json
from dgc_fixtures.formats import human_size, rfc3339
from dgc_fixtures.scenarios import shared_layers_scenario
from dgc_fixtures.testcase import EngineTestCase

IMAGE_ID = re.compile(r"\Asha256:[0-9a-f]{64}\Z")
RFC3339_UTC = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\Z")


def df_json(host, *extra):
    return run_json("-H", host, "df", "--format", "json", *extra)


def images_by_id(usage):
    return {image["id"]: image for image in usage["images"]}


def engine_tags(image):
    """An /images/json entry's tags, without the "<none>:<none>" filler."""
    return sorted(tag for tag in image["RepoTags"] or [] if tag != "<none>:<none>")


def bytes_only_in(scenario, roles):
    """Bytes that only the images of `roles` occupy (layer chains, and
    content blobs on containerd), from the scenario's description."""
    others = [role for role in scenario.images if role not in roles]
    return scenario.expected_bytes() - scenario.expected_bytes(others)


def unique_bytes_by_id(scenario):
    """Each image's unique bytes, from the scenario's tarballs."""
    return {scenario.image_id(role): bytes_only_in(scenario, [role])
            for role in scenario.images}


def delete_references(cli, image_id, tags):
    """Deletes an image the way the product must: each tag in turn (the
    last one deletes the image), or by ID when it has none. Never forced."""
    for tag in tags:
        cli.rmi(tag)
    if not tags:
        cli.rmi(image_id)


class DfLiveTest(EngineTestCase):
    """df on a live engine: one scenario, installed once, read many times."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scenario = cls.install_scenario(shared_layers_scenario())
        cls.result = run_dgc("-H", cls.host, "df", "--format", "json")
        cls.engine_images = {image["Id"]: image
                             for image in cls.engine.images(all_images=False)}

    def usage(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        return json.loads(self.result.stdout)

    def assert_count(self, value, what):
        """A byte or item count: a non-negative integer."""
        self.assertIs(type(value), int, what)
        self.assertGreaterEqual(value, 0, what)

    def test_output_is_one_json_document_with_schema(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        self.assertTrue(self.result.stdout.lstrip().startswith("{"), self.result.stdout[:200])
        self.assertEqual(self.usage()["schema"], "dgc.df/v1")

    def test_document_has_the_fields_of_dgc_df_v1(self):
        usage = self.usage()
        for key in ("images", "layers_bytes", "unique_bytes", "shared_bytes",
                    "in_use_bytes", "unused_reclaimable_bytes"):
            self.assert_count(usage["totals"][key], f"totals.{key}")
        self.assertTrue(usage["images"])
        for image in usage["images"]:
            with self.subTest(image=image.get("id")):
                self.assertRegex(image["id"], IMAGE_ID)
                self.assertTrue(all(isinstance(ref, str) for ref in image["refs"]))
                self.assertRegex(image["created"], RFC3339_UTC)
                for key in ("size", "unique_bytes", "shared_bytes", "containers"):
                    self.assert_count(image[key], key)
        self.assertTrue(usage["repositories"])
        for repository in usage["repositories"]:
            with self.subTest(repository=repository.get("name")):
                self.assertIsInstance(repository["name"], str)
                for key in ("images", "size", "unique_bytes"):
                    self.assert_count(repository[key], key)

    def test_layers_bytes_equals_engine_layers_size(self):
        self.assertEqual(self.usage()["totals"]["layers_bytes"],
                         self.store.image_layers_bytes(self.engine))

    def test_image_count_is_engine_top_level_images(self):
        self.assertEqual(self.usage()["totals"]["images"], len(self.engine_images))

    def test_images_are_the_engine_top_level_images(self):
        self.assertEqual(set(images_by_id(self.usage())), set(self.engine_images))

    def test_image_refs_and_sizes_match_engine(self):
        for image_id, image in images_by_id(self.usage()).items():
            with self.subTest(image=image_id):
                engine_image = self.engine_images[image_id]
                self.assertEqual(sorted(image["refs"]), engine_tags(engine_image))
                self.assertEqual(image["size"], engine_image["Size"])

    def test_created_is_the_date_in_the_image_config(self):
        for role, spec in self.scenario.images.items():
            with self.subTest(image=role):
                image = images_by_id(self.usage())[self.scenario.image_id(role)]
                self.assertEqual(image["created"], rfc3339(spec.created))

    def assert_bytes_match_the_tarballs(self, usage):
        """Per-image unique and shared bytes and the totals, against the
        sizes of the layer tarballs the scenario generated."""
        unique = unique_bytes_by_id(self.scenario)
        for role in self.scenario.images:
            with self.subTest(image=role):
                image_id = self.scenario.image_id(role)
                image = images_by_id(usage)[image_id]
                self.assertEqual(image["unique_bytes"], unique[image_id])
                self.assertEqual(image["shared_bytes"],
                                 self.scenario.expected_size(role) - unique[image_id])
        used = [container.image_role for container in self.scenario.containers]
        everything = self.scenario.expected_bytes()
        expected = {
            "images": len(self.scenario.images),
            "layers_bytes": self.scenario.expected_layers_size(),
            "unique_bytes": sum(unique.values()),
            "shared_bytes": everything - sum(unique.values()),
            "in_use_bytes": self.scenario.expected_bytes(used),
            "unused_reclaimable_bytes": everything - self.scenario.expected_bytes(used),
        }
        if self.store.containerd:
            expected["content_bytes"] = everything - self.scenario.expected_layers_size()
        self.assertEqual({key: usage["totals"][key] for key in expected}, expected)

    def test_unique_and_shared_bytes_match_the_tarballs(self):
        self.assert_bytes_match_the_tarballs(self.usage())

    def test_containers_of_every_state_are_counted(self):
        counts = {}
        for container in self.engine.containers():
            counts[container["ImageID"]] = counts.get(container["ImageID"], 0) + 1
        self.assertEqual(sorted({container["State"] for container in self.engine.containers()}),
                         ["created", "exited", "running"])
        for image_id, image in images_by_id(self.usage()).items():
            with self.subTest(image=image_id):
                self.assertEqual(image["containers"], counts.get(image_id, 0))

    def test_same_diff_on_another_parent_is_not_shared(self):
        # Both layers of same_b are its own; on containerd the tar of the
        # same diff is one content blob, which same_a shares.
        same_a = self.engine.image_inspect(self.scenario.image_id("same_a"))
        same_b = self.engine.image_inspect(self.scenario.image_id("same_b"))
        self.assertEqual(same_a["RootFS"]["Layers"][1], same_b["RootFS"]["Layers"][1])
        self.assertNotEqual(same_a["RootFS"]["Layers"][0], same_b["RootFS"]["Layers"][0])
        image = images_by_id(self.usage())[same_b["Id"]]
        shared_blob = len(self.scenario.images["same_b"].layers[1].tar_bytes)
        self.assertEqual(image["shared_bytes"], shared_blob if self.store.containerd else 0)
        self.assertEqual(image["unique_bytes"],
                         self.scenario.expected_size("same_b") - image["shared_bytes"])

    def test_repositories_count_distinct_layers_of_their_images(self):
        # A repository's size counts each layer of its images once; its
        # unique_bytes are the layers no image outside it uses. An image
        # tagged in two repositories belongs to both.
        usage = self.usage()
        reported = {entry["name"]: entry for entry in usage["repositories"]}
        self.assertEqual(sorted(set(reported) - {"<none>"}), self.scenario.repositories())
        for repository in self.scenario.repositories():
            with self.subTest(repository=repository):
                members = self.scenario.roles_in_repository(repository)
                others = [role for role in self.scenario.images if role not in members]
                self.assertEqual(reported[repository]["images"], len(members))
                self.assertEqual(reported[repository]["size"],
                                 self.scenario.expected_bytes(members))
                self.assertEqual(reported[repository]["unique_bytes"],
                                 self.scenario.expected_bytes()
                                 - self.scenario.expected_bytes(others))

    def test_table_is_the_default_and_names_every_repository(self):
        # Without --format: a repository table, an image table, and a
        # footer, with the engine's LayersSize as docker prints sizes.
        table = run_dgc("-H", self.host, "df")
        self.assertEqual(table.returncode, 0, table.stderr)
        lines = [line for line in table.stdout.splitlines() if line.strip()]
        self.assertEqual(lines[0].split(), ["REPOSITORY", "IMAGES", "SIZE", "UNIQUE"])
        rows = {line.split()[0]: line.split() for line in lines[1:]}
        for repository in self.scenario.repositories():
            with self.subTest(repository=repository):
                self.assertIn(repository, rows)
                self.assertEqual(rows[repository][1],
                                 str(len(self.scenario.roles_in_repository(repository))))
        header = next(line for line in lines if line.startswith("IMAGE ID"))
        self.assertEqual(header.split(), ["IMAGE", "ID", "TAGS", "CREATED", "SIZE",
                                          "UNIQUE", "SHARED", "CONTAINERS"])
        totals = [line for line in lines if line.startswith("Total: ")]
        self.assertEqual(len(totals), 1, table.stdout)
        occupied = human_size(self.store.image_bytes(self.engine))
        what = "snapshots and content blobs" if self.store.containerd else "layers"
        self.assertTrue(totals[0].startswith(
            f"Total: {len(self.scenario.images)} images, {occupied} of {what} on disk"),
            totals[0])
        # Then every resource kind, with the engine's own figures.
        kinds = {line.split()[0]: line.split() for line in lines
                 if line.split()[0] in ("Images", "Containers", "Volumes", "Build")}
        self.assertEqual(kinds["Images"][1:3],
                         [str(len(self.scenario.images)), occupied])
        self.assertEqual(kinds["Containers"][1], str(len(self.engine.containers())))

    def test_df_from_snapshot_gives_the_engines_numbers(self):
        with tempfile.TemporaryDirectory(prefix="dgc-df-") as directory:
            snapshot = os.path.join(directory, "snapshot.json")
            made = run_dgc("-H", self.host, "snapshot", "-o", snapshot)
            self.assertEqual(made.returncode, 0, made.stderr)
            offline = run_json("df", "--from", snapshot, "--format", "json")
        self.assertEqual(offline["totals"]["layers_bytes"],
                         self.store.image_layers_bytes(self.engine))
        self.assertEqual(set(images_by_id(offline)), set(self.engine_images))
        for image_id, image in images_by_id(offline).items():
            with self.subTest(image=image_id):
                self.assertEqual(image["size"], self.engine_images[image_id]["Size"])
        # The snapshot keeps what the content store showed (containerd):
        # offline figures are as exact as live ones.
        self.assertIs(offline["exact"], True)
        self.assertEqual(offline["totals"]["content_bytes"], self.store.content_bytes())
        if not self.store.containerd:
            self.assert_bytes_match_the_tarballs(offline)


class DfDeletionTest(EngineTestCase):
    """What df predicts against what deleting really frees. Each test
    installs the scenario afresh, since it deletes images."""

    def install(self):
        self.scenario = self.install_scenario(shared_layers_scenario())
        self.engine_images = {image["Id"]: image
                              for image in self.engine.images(all_images=False)}

    def delete_image(self, image_id):
        delete_references(self.cli, image_id, engine_tags(self.engine_images[image_id]))

    def test_deleting_one_image_frees_its_unique_bytes(self):
        # web: three tags in two repositories; same_b: a diff that other
        # images have, on another parent; zero: ends in a zero-byte layer;
        # tools: nothing of its own; dangling: deleted by ID.
        for role in ("web", "same_b", "zero", "tools", "dangling"):
            with self.subTest(image=role):
                self.install()
                image_id = self.scenario.image_id(role)
                predicted = images_by_id(df_json(self.host))[image_id]["unique_bytes"]
                before = self.store.occupied(self.engine)
                self.delete_image(image_id)
                freed = before - self.store.occupied(self.engine)
                self.assertEqual(freed, bytes_only_in(self.scenario, [role]),
                                 "the scenario does not behave as described")
                self.assertEqual(predicted, freed)

    def test_deleting_every_unused_image_frees_unused_reclaimable_bytes(self):
        self.install()
        usage = df_json(self.host)
        unused = [image["id"] for image in usage["images"] if image["containers"] == 0]
        self.assertEqual(sorted(unused),
                         sorted(self.scenario.image_id(role)
                                for role in self.scenario.roles_without_containers()))
        before = self.store.occupied(self.engine)
        for image_id in unused:
            self.delete_image(image_id)
        after = self.store.occupied(self.engine)
        self.assertGreater(before - after, 0)
        self.assertEqual(before - after, usage["totals"]["unused_reclaimable_bytes"])
        self.assertEqual(df_json(self.host)["totals"]["layers_bytes"],
                         self.store.image_layers_bytes(self.engine))


if __name__ == "__main__":
    unittest.main()
