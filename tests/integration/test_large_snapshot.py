"""A 2 GB snapshot: `plan --from` reads it within bounded memory.

A snapshot file can be as large as the host it was taken from (or larger,
when made by hand or by mistake). docker gc reads one member at a time, so
its peak memory stays under twice the file's size: this test generates a
synthetic dgc.snapshot/v1 of about 2 GiB (bench/make_snapshot.cc, about
680,000 images) and checks that `plan --from` succeeds with a valid plan
and a peak RSS under 2x the file. No engine is needed.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from dgc_fixtures.dgc import binary_path, crash_signs

# The synthetic generator's images are about 3,170 bytes each.
IMAGES = int(os.environ.get("DGC_LARGE_SNAPSHOT_IMAGES", "680000"))

# Runs a command and prints its peak RSS in KiB: a process of its own, so
# that no other child of the test counts.
MEASURE = (
    "import resource, subprocess, sys\n"
    "with open(sys.argv[1], 'wb') as out:\n"
    "    code = subprocess.run(sys.argv[2:], stdout=out).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(code)\n"
)


class LargeSnapshotTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory(prefix="dgc-large-")
        cls.snapshot = Path(cls.directory.name) / "snapshot.json"
        cls.policy = Path(cls.directory.name) / "gc.json"
        maker = Path(os.environ["DGC_BUILD_DIR"]) / "bench" / "dgc_make_snapshot"
        subprocess.run([str(maker), str(IMAGES), str(cls.snapshot), str(cls.policy)],
                       check=True)

    @classmethod
    def tearDownClass(cls):
        cls.directory.cleanup()

    def test_plan_from_a_2gb_snapshot_stays_under_twice_the_file(self):
        size = self.snapshot.stat().st_size
        self.assertGreater(size, 2 * 1024**3 * 0.95, "the snapshot is not ~2 GiB")
        out = Path(self.directory.name) / "plan.json"
        result = subprocess.run(
            [sys.executable, "-c", MEASURE, str(out), binary_path(), "plan", "--from",
             str(self.snapshot), "-p", str(self.policy), "--format", "json"],
            capture_output=True, text=True)
        self.assertEqual(crash_signs(result), [])
        self.assertEqual(result.returncode, 0, result.stderr)
        peak_kib = int(result.stdout.strip())
        print(f"snapshot {size / 1024**2:.0f} MiB, peak RSS {peak_kib / 1024:.0f} MiB "
              f"({peak_kib * 1024 / size:.2f}x the file)", file=sys.stderr)
        self.assertLess(peak_kib * 1024, 2 * size)
        with out.open() as plan_file:
            plan = json.load(plan_file)
        self.assertEqual(plan["schema"], "dgc.plan/v1")
        self.assertGreater(len(plan["actions"]), 0)


if __name__ == "__main__":
    unittest.main()
