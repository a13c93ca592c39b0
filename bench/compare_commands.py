"""Whole-process timings of docker gc beside the docker CLI, in one run.

Loads N images (shared base layers, several repositories, some tags on
several images' versions) into a private dockerd, then times, alternating
runs so both see the same engine state and cache:
  docker-gc df --format json      vs  docker system df -v --format '{{json .}}'
    (its first run fills the cache)
  docker-gc plan --no-cache (cold) vs docker system df -v
  docker-gc plan, cache warm      vs  docker system df -v
  docker-gc plan --format json    vs  docker images --all --format '{{json .}}'
and prints each pair's medians and their ratio. docker gc's cache (of
images' inspect and history) is a directory of this run's own. With
--apply, it then times, alternating, --apply-runs runs of each on the
same images loaded afresh before each run:
  docker-gc apply --yes (a policy deleting every image)
  docker rmi of the same references in one call
and prints their medians: a delete's time is mostly the engine's disk
work, which varies from run to run on one machine.
 `docker system df -v` is
the docker CLI's own answer to "what uses the disk"; `docker images` is the
cheapest listing a cleaner needs before it can decide anything.

    sudo python3 bench/compare_commands.py --images 500 \\
        --binary build/plugin/docker-gc
Needs root (its own dockerd), /usr/bin/docker and tests/fixtures.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures"))

from dgc_fixtures.docker_cli import DockerCli  # noqa: E402
from dgc_fixtures.engine import PrivateEngine  # noqa: E402
from dgc_fixtures.imagegen import ImageSpec, file_layer  # noqa: E402

DOCKER = "/usr/bin/docker"
POLICY = {"rules": [
    {"name": "services", "match": "bench/service-*", "keep_newest": 3},
    {"name": "dangling", "dangling": True, "older_than": "24h"}]}


def make_images(count):
    """`count` images: 8 bases of 3 shared layers each, 1-3 own layers,
    40 repositories, one in ten untagged."""
    now = datetime.now(timezone.utc)
    bases = [[file_layer(f"base/{b}/{i}", 4000 + 500 * i, f"base-{b}-{i}")
              for i in range(3)] for b in range(8)]
    specs = []
    for n in range(count):
        own = [file_layer(f"app/{n}/{k}", 1000 + 37 * n % 900, f"own-{n}-{k}")
               for k in range(1 + n % 3)]
        tags = [] if n % 10 == 9 else [f"bench/service-{n % 40}:v{n}"]
        specs.append(ImageSpec(tags, bases[n % 8] + own,
                               now - timedelta(days=2, minutes=n)))
    return specs


def median_seconds(command, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def compare(label, ours, theirs, runs):
    # Alternate single runs so both share the engine's state and caches.
    ours_times, theirs_times = [], []
    for _ in range(runs):
        ours_times.append(median_seconds(ours, 1))
        theirs_times.append(median_seconds(theirs, 1))
    a, b = statistics.median(ours_times), statistics.median(theirs_times)
    print(f"{label:<42} docker-gc {a * 1000:8.1f} ms   docker {b * 1000:8.1f} ms"
          f"   ratio {a / b:5.2f}")


def load_all(cli, specs):
    for start in range(0, len(specs), 200):
        cli.load(specs[start:start + 200])


def compare_deletes(cli, specs, binary, host, directory, runs):
    """apply of a policy deleting every image beside one `docker rmi` of
    every reference (and of the untagged images by ID), alternating, each
    run on the images loaded afresh (the first apply on those loaded
    already)."""
    everything = os.path.join(directory, "all.json")
    with open(everything, "w") as f:
        json.dump({"rules": [
            {"name": "all", "match": "*", "older_than": "1h"},
            {"name": "untagged", "dangling": True, "older_than": "1h"}]}, f)
    ours, theirs = [], []
    for run in range(runs):
        if run > 0:
            load_all(cli, specs)
        started = time.perf_counter()
        subprocess.run([binary, *host, "apply", "--yes", "-p", everything],
                       check=True, stdout=subprocess.DEVNULL)
        ours.append(time.perf_counter() - started)
        load_all(cli, specs)
        count = len(cli.run("images", "--all", "--quiet", "--no-trunc").stdout.split())
        refs = [ref for ref in cli.run("images", "--format",
                                       "{{.Repository}}:{{.Tag}}").stdout.split()
                if not ref.endswith(":<none>")]
        untagged = cli.run("images", "--filter", "dangling=true", "--quiet",
                           "--no-trunc").stdout.split()
        started = time.perf_counter()
        subprocess.run([DOCKER, *host, "rmi", *refs, *untagged], check=True,
                       stdout=subprocess.DEVNULL)
        theirs.append(time.perf_counter() - started)
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"{f'apply of {count} deletions vs docker rmi':<42} docker-gc "
          f"{a * 1000:8.1f} ms   docker {b * 1000:8.1f} ms   ratio {a / b:5.2f}"
          f"   (median of {runs}: "
          f"{', '.join(f'{x / y:.2f}' for x, y in zip(ours, theirs))})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=500)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--binary", default="build/plugin/docker-gc")
    parser.add_argument("--apply", action="store_true",
                        help="also time apply against docker rmi")
    parser.add_argument("--apply-runs", type=int, default=3,
                        help="runs of each with --apply (each loads the images)")
    args = parser.parse_args()
    with PrivateEngine() as engine, tempfile.TemporaryDirectory() as directory:
        cli = DockerCli(engine.host)
        specs = make_images(args.images)
        load_all(cli, specs)
        policy = os.path.join(directory, "gc.json")
        with open(policy, "w") as f:
            json.dump(POLICY, f)
        os.environ["XDG_CACHE_HOME"] = os.path.join(directory, "cache")
        host = ["-H", engine.host]
        system_df = [DOCKER, *host, "system", "df", "-v", "--format", "{{json .}}"]
        plan = [args.binary, *host, "plan", "-p", policy, "--format", "json"]
        print(f"{args.images} images, median of {args.runs} alternating runs each")
        compare("df (cache filled by its first run) vs system df -v",
                [args.binary, *host, "df", "--format", "json"], system_df, args.runs)
        compare("plan --no-cache (cold) vs system df -v",
                [*plan, "--no-cache"], system_df, args.runs)
        subprocess.run(plan, check=True, stdout=subprocess.DEVNULL)  # fills it
        compare("plan, cache warm vs system df -v", plan, system_df, args.runs)
        compare("plan, cache warm vs images --all", plan,
                [DOCKER, *host, "images", "--all", "--format", "{{json .}}"],
                args.runs)
        if args.apply:
            compare_deletes(cli, specs, args.binary, host, directory,
                            args.apply_runs)


if __name__ == "__main__":
    main()
