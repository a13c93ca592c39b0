"""Whole-process cost of `docker gc plan --from` a large snapshot beside
one bare simdjson On-Demand pass over the same file (issue 11's target:
at most 2x the wall time and 1.25x the peak RSS; and peak RSS under 2x the
file's size).

Writes a synthetic snapshot of N images (dgc_make_snapshot), then runs,
alternating so both see the same page cache:
  docker-gc plan --from SNAPSHOT -p POLICY --format json
  dgc_ondemand_baseline SNAPSHOT   (reads the fields libdgc reads)
and prints each one's median wall time and peak RSS, and the ratios.

    python3 bench/compare_snapshot.py --images 100000 --build build
"""

import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time


def measure(command):
    """(wall seconds, peak RSS in bytes) of one run of `command`, alone."""
    before = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.DEVNULL) as process:
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - before
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}")
    return wall, usage.ru_maxrss * 1024  # ru_maxrss is in KiB on Linux


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=100000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--build", default="build")
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with tempfile.TemporaryDirectory(prefix="dgc-bench-") as directory:
        snapshot = os.path.join(directory, "snapshot.json")
        policy = os.path.join(directory, "gc.json")
        subprocess.run([os.path.join(args.build, "bench", "dgc_make_snapshot"),
                        str(args.images), snapshot, policy], check=True)
        size = os.path.getsize(snapshot)
        ours = [os.path.join(args.build, "plugin", "docker-gc"), "plan", "--from",
                snapshot, "-p", policy, "--format", "json"]
        baseline = [os.path.join(args.build, "bench", "dgc_ondemand_baseline"), snapshot]
        runs = {"docker-gc plan --from": [], "on-demand pass": []}
        for _ in range(args.runs):
            runs["docker-gc plan --from"].append(measure(ours))
            runs["on-demand pass"].append(measure(baseline))
        print(f"{args.images} images, snapshot {size / 1e6:.0f} MB, "
              f"median of {args.runs} alternating runs")
        medians = {}
        for name, samples in runs.items():
            wall = statistics.median(sample[0] for sample in samples)
            rss = statistics.median(sample[1] for sample in samples)
            medians[name] = (wall, rss)
            print(f"{name:<24} {wall:7.2f} s   peak RSS {rss / 1e6:7.0f} MB")
        (our_wall, our_rss), (base_wall, base_rss) = medians.values()
        print(f"ratios: wall {our_wall / base_wall:.2f}x (target <= 2), "
              f"peak RSS {our_rss / base_rss:.2f}x (target <= 1.25), "
              f"peak RSS / file {our_rss / size:.2f}x (target < 2)")


if __name__ == "__main__":
    main()
