"""docker gc on the containerd image store (SPEC §10) with images loaded from
OCI image layouts (oci_layout): gzip-compressed layers, and multi-platform
indexes.

`docker load` keeps such blobs as they are: a compressed layer stays
compressed in the content store, and an index stays the image's top blob
(its Id) with every platform's blobs the tarball holds. Each figure is
checked against the engine and the content store themselves (/system/df
LayersSize, the blob files under containerd's root) and against what the
fixture wrote, never against docker gc's own numbers: `df` totals are
exact and equal the engine's; a plan deleting the image predicts the
image's blobs plus its snapshots; apply frees exactly that, which is the
measured drop; without the content store the figures are bounds that hold
the truth. For an index, the blobs of the other platform count when they
are in the tarball and not when they are absent.

Measured on trixie's dockerd 26.1.5: `docker load` unpacks every platform
of an index whose blobs are all there, not only this machine's; a
platform whose manifest is there but not its layers makes the load fail
("failed to unpack loaded image"), so that shape is not loaded here.
"""

import unittest
from datetime import datetime, timedelta, timezone

from dgc_fixtures.engine import image_content_blobs
from dgc_fixtures.formats import rfc3339
from dgc_fixtures.imagegen import ImageSpec, busybox_layer, file_layer
from dgc_fixtures.oci_layout import (OCI_LAYER_GZIP, OTHER_ARCHITECTURE, IndexImage,
                                     ManifestImage, write_oci_layout)
from test_containerd import ContainerdCase

CREATED = datetime(2025, 1, 2, tzinfo=timezone.utc)
POLICY = {"rules": [{"match": "fmt/*", "older_than": "1d"}]}


def gzip_image():
    """busybox and a 300,000-byte file, both layers gzip-compressed."""
    return ManifestImage(ImageSpec(tags=[], created=CREATED, layers=[
        busybox_layer(), file_layer("app/data", 300000, "gzip")]))


def two_platforms():
    """An index of this machine's platform (a 50,000-byte file) and another
    (a 60,000-byte file), returned with its two ManifestImages."""
    host = ManifestImage(ImageSpec(tags=[], created=CREATED,
                                   layers=[file_layer("app/bin", 50000, "host")]))
    other = ManifestImage(ImageSpec(tags=[], created=CREATED,
                                    layers=[file_layer("app/bin", 60000, "other")]),
                          architecture=OTHER_ARCHITECTURE)
    return IndexImage([host, other]), host, other


class FormatsCase(ContainerdCase):
    """Loads OCI layouts and checks docker gc's figures for one image that
    is alone on the engine: its bytes are then every snapshot (LayersSize)
    plus every blob it names that the tarball held."""

    def load_layout(self, reference, image, left_out=()):
        """Loads `image` under `reference` from an OCI layout tarball
        without the blobs in `left_out`; waits for containerd's collector
        to drop the load's own index; returns the engine's Id."""
        tarball = self.directory / "layout.tar"
        write_oci_layout(tarball, {reference: image}, left_out=left_out)
        self.cli.run("load", "-q", "-i", str(tarball))
        self.assertEqual(self.private.wait_for_gc(), {})
        [listed] = self.engine.images()
        self.assertEqual(listed["RepoTags"], [reference])
        return listed["Id"]

    def plan_json(self, root=None):
        # `docker load` sets LastTagTime: plan past the rule's age.
        at = rfc3339(datetime.now(timezone.utc) + timedelta(hours=2))
        return self.dgc_json("plan", "-p", self.write_policy(POLICY), "--now", at,
                             root=root)

    def check_exact_and_freed(self, image_id, blobs):
        """The whole path for the lone image `image_id` whose content blobs
        are `blobs` ({digest: bytes}, as the fixture wrote them): df, plan,
        bounds without the content store, apply and the measured drop."""
        self.assertEqual(image_content_blobs(self.root, image_id), blobs)
        self.assertEqual(self.content_bytes(), sum(blobs.values()))
        layers = self.engine.system_df()["LayersSize"]
        truth = layers + sum(blobs.values())
        usage = self.dgc_json("df")
        self.assertTrue(usage["exact"])
        self.assertEqual(usage["warnings"], [])
        self.assertEqual(usage["totals"]["layers_bytes"], layers)
        self.assertEqual(usage["totals"]["content_bytes"], sum(blobs.values()))
        self.assertEqual(usage["totals"]["unused_reclaimable_bytes"], truth)
        plan = self.plan_json()
        [action] = plan["actions"]
        self.assertEqual((action["op"], action["image"]), ("delete", image_id))
        self.assertTrue(action.get("exact", True))
        self.assertEqual(action["bytes"], truth)
        bounded = self.plan_json(root="/nonexistent")["actions"][0]
        self.assertFalse(bounded["exact"])
        self.assertLessEqual(bounded["bytes_min"], truth)
        self.assertGreaterEqual(bounded["bytes_max"], truth)
        content_before = self.content_bytes()
        report = self.dgc_json("apply", "--yes", "--plan", self.write_policy(plan, "plan.json"))
        self.private.wait_for_gc()
        dropped = (layers - self.engine.system_df()["LayersSize"]) + \
            (content_before - self.content_bytes())
        self.assertEqual(report["summary"]["failed"], 0, report)
        self.assertEqual(report["summary"]["freed_bytes"], truth)
        self.assertEqual(dropped, truth)
        self.assertEqual(self.engine.images(), [])


class GzipLayersTest(FormatsCase):
    def test_compressed_layers_count_as_stored_and_are_freed_exactly(self):
        image = gzip_image()
        self.assertTrue(all(layer.media_type == OCI_LAYER_GZIP for layer in image.layers))
        image_id = self.load_layout("fmt/gzip:v1", image)
        self.assertEqual(image_id, image.image_id)
        # The content store keeps the compressed blobs, smaller than the tars.
        for layer, spec_layer in zip(image.layers, image.spec.layers):
            self.assertLess(layer.size, len(spec_layer.tar_bytes))
        self.check_exact_and_freed(image_id, image.blobs())


class PartialIndexTest(FormatsCase):
    def test_absent_platform_takes_no_bytes_and_only_this_one_is_unpacked(self):
        index, host, other = two_platforms()
        image_id = self.load_layout("fmt/partial:v1", index,
                                    left_out=other.blob_digests())
        self.assertEqual(image_id, index.image_id)
        # One snapshot: this platform's only layer.
        self.assertEqual(len(self.private.snapshot_usage()), 1)
        present = {digest: size for digest, size in index.blobs().items()
                   if digest not in other.blob_digests()}
        self.assertEqual(set(present), {index.top.digest} | host.blob_digests())
        self.check_exact_and_freed(image_id, present)


class FullIndexTest(FormatsCase):
    def test_every_platforms_blobs_count(self):
        index, host, other = two_platforms()
        image_id = self.load_layout("fmt/multi:v1", index)
        self.assertEqual(image_id, index.image_id)
        usage = self.dgc_json("df")
        self.assertEqual(usage["totals"]["content_bytes"], sum(index.blobs().values()))
        self.assertEqual(image_content_blobs(self.root, image_id), index.blobs())
        # The engine unpacked both platforms: two snapshots.
        self.assertEqual(len(self.private.snapshot_usage()), 2)

    def test_the_other_platforms_snapshot_is_counted_and_freed(self):
        """`docker load` unpacked the other platform too: LayersSize counts
        its snapshot and the delete frees it, though the image's RootFS
        names this platform's layers only."""
        index, _, _ = two_platforms()
        image_id = self.load_layout("fmt/multi:v1", index)
        self.check_exact_and_freed(image_id, index.blobs())


if __name__ == "__main__":
    unittest.main()
