"""The Debian packages as an administrator gets them (packaging/).

`cpack -G DEB` with the build tree's CPackConfig.cmake makes exactly four
packages: docker-gc, libdgc0.2 (named after the SONAME), libdgc-dev and
python3-dgc. Each has the files, control fields and maintainer scripts it
should, with Depends computed by dpkg-shlibdeps (checked against the
packages that own the libraries the ELF files need, found with ldd and
dpkg -S); the man pages cover every command and option the packaged
binary's help lists, and every field of `docker-gc help gc.json`. The
plugin package also holds the Swarm job (packaging/swarm/deploy.sh, as
/usr/lib/docker-gc/deploy.sh) and its example units, whose service runs
it from there.

Then, as root on this machine: `apt-get install` of the four .deb files
adds exactly those four packages; `docker gc version` works through the
real docker CLI against the test engine; `import dgc` works with no
PYTHONPATH; a C program builds against libdgc-dev with pkg-config and with
CMake; `systemd-analyze verify` accepts the installed units (and finds
their man pages); the timer is registered but not enabled. `apt-get
remove` takes the plugin away and keeps the conffile; `apt-get purge`
leaves the dpkg database and the files as they were before the test.

The units in packaging/systemd pass `systemd-analyze verify` on their own
too (UnitFilesTest, which needs no root).

Needs DGC_BUILD_DIR (a built tree) and DGC_CMAKE (ctest sets them), root,
the test engine (DGC_TEST_DOCKER_HOST, or a private one), and the Debian
packages dpkg-dev, systemd, man-db and docker.io (tests/run.sh installs
them). Fails, rather than skips, without any of them.
"""

import gzip
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from dgc_fixtures.engine import engine_from_env

SOURCE_DIR = Path(__file__).resolve().parents[2]
PACKAGING = SOURCE_DIR / "packaging"
RUN_TIMEOUT_S = 600

PLUGIN_PATH = "/usr/libexec/docker/cli-plugins/docker-gc"
UNIT_DIR = "/usr/lib/systemd/system"
UNITS = ("docker-gc.service", "docker-gc.timer")
CONFFILE = "/etc/docker/gc.json"
# The Swarm global job (packaging/swarm) and its example units.
SWARM_DEPLOY = "/usr/lib/docker-gc/deploy.sh"
SWARM_EXAMPLES = "/usr/share/doc/docker-gc/examples/swarm"
PYTHON_DIR = "/usr/lib/python3/dist-packages/dgc"
DOCKER = "/usr/bin/docker"
# Where the docker CLI looks for plugins besides the user's config
# directory: docker-gc must be in none of them before the test.
SYSTEM_PLUGIN_DIRS = ("/usr/local/lib/docker/cli-plugins",
                      "/usr/local/libexec/docker/cli-plugins",
                      "/usr/lib/docker/cli-plugins",
                      "/usr/libexec/docker/cli-plugins")
# The tools the test (and CPack) use, with the Debian packages they are in.
TOOLS = {"dpkg-deb": "dpkg", "dpkg-shlibdeps": "dpkg-dev", "file": "file",
         "readelf": "binutils", "systemd-analyze": "systemd", "man": "man-db",
         "pkg-config": "pkg-config", "cc": "gcc", "apt-get": "apt", DOCKER: "docker.io"}
DSH_STATE = "/var/lib/systemd/deb-systemd-helper-enabled/docker-gc.timer.dsh-also"
TIMER_LINK = "/etc/systemd/system/timers.target.wants/docker-gc.timer"
# What a purge deletes that may exist before the package: the system policy
# and what `docker gc` as root (or the service) writes. Set aside for the
# test and put back after it.
SET_ASIDE = (CONFFILE, "/var/lib/docker-gc", "/var/cache/docker-gc", "/var/log/docker-gc")
# The packages' files and what their maintainer scripts make: none may
# exist before the test or after the purge.
LEFTOVERS = (DSH_STATE, TIMER_LINK, PYTHON_DIR, "/usr/include/dgc", PLUGIN_PATH,
             *SET_ASIDE)


def run(*command, env=None, cwd=None, check=True):
    """Runs `command` (text); with `check`, raises AssertionError with its
    output unless it exits 0."""
    result = subprocess.run([str(part) for part in command], env=env, cwd=cwd,
                            capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, command))} exited {result.returncode}:\n"
                             f"{result.stdout}{result.stderr}")
    return result


def project_version():
    """The version in the top-level CMakeLists.txt's project()."""
    text = (SOURCE_DIR / "CMakeLists.txt").read_text()
    return re.search(r"project\(docker-gc VERSION (\d+\.\d+\.\d+)", text).group(1)


def cache_value(build_dir, name):
    """A variable from the build tree's CMakeCache.txt."""
    text = (Path(build_dir) / "CMakeCache.txt").read_text()
    return re.search(rf"^{name}:\w+=(.*)$", text, re.M).group(1)


def control_fields(deb):
    """The control fields of `deb` as a dict (continuation lines joined)."""
    fields, name = {}, None
    for line in run("dpkg-deb", "--field", deb).stdout.splitlines():
        if line.startswith(" ") and name:
            fields[name] += "\n" + line
        else:
            name, _, value = line.partition(":")
            fields[name] = value.strip()
    return fields


def contents(deb):
    """{absolute path: (mode string, symlink target or None)} of `deb`'s
    files."""
    entries = {}
    for line in run("dpkg-deb", "--contents", deb).stdout.splitlines():
        mode, _owner, _size, _date, _time, rest = line.split(None, 5)
        path, _, target = rest.partition(" -> ")
        entries[path[1:].rstrip("/") or "/"] = (mode, target or None)
    return entries


def control_member(deb, name):
    """The text of control member `name` (postinst, conffiles, …) or None."""
    result = run("dpkg-deb", "--info", deb, name, check=False)
    return result.stdout if result.returncode == 0 else None


def depends_names(field):
    """The package names a Depends field lists (alternatives included)."""
    return {re.split(r"[ (:]", alternative.strip())[0]
            for clause in field.split(",") for alternative in clause.split("|")
            if alternative.strip()}


def needed_packages(elf_file):
    """The packages owning the shared libraries `elf_file` needs (its
    NEEDED entries, resolved by ldd, owners found with dpkg -S)."""
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.*)\]",
                        run("readelf", "--dynamic", elf_file).stdout)
    listing = run("ldd", elf_file).stdout
    resolved = dict(re.findall(r"^\s*(\S+) => (/\S+)", listing, re.M))
    # The dynamic loader is listed by its path alone.
    resolved.update((os.path.basename(path), path)
                    for path in re.findall(r"^\s*(/\S+) \(", listing, re.M))
    packages = set()
    for soname in needed:
        if soname not in resolved:
            raise AssertionError(f"ldd does not resolve {soname} of {elf_file}")
        path = os.path.realpath(resolved[soname])
        owner = run("dpkg", "-S", path, check=False)
        if owner.returncode != 0:  # merged /usr: dpkg may know the /lib name
            owner = run("dpkg", "-S", path.removeprefix("/usr"))
        packages.add(owner.stdout.split(":")[0])
    return packages


def installed_packages():
    """{package: "version status"} of every package dpkg knows."""
    listing = run("dpkg-query", "--show", "--showformat",
                  "${binary:Package} ${Version} ${db:Status-Abbrev}\n").stdout
    return {line.split(" ", 1)[0]: line.split(" ", 1)[1]
            for line in listing.splitlines()}


def apt_get(*args):
    """apt-get -y ARGS, non-interactive."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    return run("apt-get", "-y", "-q", *args, env=env)


def verify_units(*args):
    """systemd-analyze verify ARGS must pass and say nothing: it only warns
    about a setting it cannot parse, and then ignores it."""
    result = run("systemd-analyze", "verify", *args)
    if result.stdout or result.stderr:
        raise AssertionError(f"systemd-analyze verify: {result.stdout}{result.stderr}")


def put_back(aside, path):
    """Cleanup: moves `aside` back to `path`, replacing what is there now."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.remove(path)
    shutil.move(aside, path)


def clean_environment(**extra):
    """This environment without the variables that would point Python, the
    loader or docker elsewhere, plus `extra`."""
    env = {name: value for name, value in os.environ.items()
           if name not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "DGC_LIBRARY",
                           "LD_LIBRARY_PATH", "DOCKER_HOST", "DOCKER_CONTEXT",
                           "DOCKER_CONFIG", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH",
                           "PKG_CONFIG_PATH", "CMAKE_PREFIX_PATH")}
    env.update(extra)
    return env


class UnitFilesTest(unittest.TestCase):
    """packaging/systemd as written."""

    def test_units_pass_systemd_analyze_verify(self):
        # The man pages are only installed by the package (see below).
        verify_units("--man=no", *(PACKAGING / "systemd" / unit for unit in UNITS))

    def test_service_runs_the_documented_apply(self):
        service = (PACKAGING / "systemd" / "docker-gc.service").read_text()
        self.assertIn("\nExecStart=/usr/bin/docker gc apply --yes --policy /etc/docker/gc.json "
                      "--lock /run/docker-gc/apply.lock --log /var/log/docker-gc/apply.log "
                      "--metrics-file /var/lib/docker-gc/metrics/docker-gc.prom\n", service)
        for setting in ("Type=oneshot", "ProtectSystem=strict", "ProtectHome=yes",
                        "NoNewPrivileges=yes", "PrivateTmp=yes", "RuntimeDirectory=docker-gc",
                        "StateDirectory=docker-gc docker-gc/metrics",
                        "CacheDirectory=docker-gc", "LogsDirectory=docker-gc",
                        "ReadWritePaths=-/run/docker.sock"):
            self.assertIn(f"\n{setting}\n", service)
        timer = (PACKAGING / "systemd" / "docker-gc.timer").read_text()
        for setting in ("OnCalendar=daily", "RandomizedDelaySec=1h", "Persistent=true"):
            self.assertIn(f"\n{setting}\n", timer)


class PackagesTest(unittest.TestCase):
    """The four packages, built once for the class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.build_dir = Path(os.environ["DGC_BUILD_DIR"])
        for tool, package in TOOLS.items():
            if not shutil.which(tool):
                raise AssertionError(f"{tool} not found: install {package} (tests/run.sh does)")
        if not (cls.build_dir / "packaging" / "man" / "docker-gc.1.gz").is_file():
            raise AssertionError(f"{cls.build_dir} has no man pages: install help2man "
                                 "and build again")
        cls.version = project_version()
        major, minor, _ = cls.version.split(".")
        cls.library_package = f"libdgc{major}.{minor}" if major == "0" else f"libdgc{major}"
        cls.soname = f"libdgc.so.{major}.{minor}" if major == "0" else f"libdgc.so.{major}"
        cls.deb_version = f"{cls.version}-1"
        cls.libdir = "/usr/" + cache_value(cls.build_dir, "CMAKE_INSTALL_LIBDIR")
        cls.work = Path(tempfile.mkdtemp(prefix="dgc-packages-"))
        cls.addClassCleanup(shutil.rmtree, cls.work, ignore_errors=True)
        cpack = Path(os.environ["DGC_CMAKE"]).with_name("cpack")
        run(cpack, "-G", "DEB", "--config", cls.build_dir / "CPackConfig.cmake",
            "-B", cls.work / "out")
        cls.debs = {control_fields(deb)["Package"]: deb
                    for deb in sorted((cls.work / "out").glob("*.deb"))}
        cls.packages = ("docker-gc", cls.library_package, "libdgc-dev", "python3-dgc")

    def deb(self, package):
        self.assertIn(package, self.debs)
        return self.debs[package]

    def extract(self, package):
        """The package's files, unpacked under a fresh directory."""
        target = Path(tempfile.mkdtemp(prefix=f"{package}-", dir=self.work))
        run("dpkg-deb", "--extract", self.deb(package), target)
        return target

    def test_makes_exactly_the_four_packages(self):
        self.assertEqual(sorted(self.debs), sorted(self.packages))
        architecture = run("dpkg", "--print-architecture").stdout.strip()
        for package, deb in self.debs.items():
            with self.subTest(package=package):
                fields = control_fields(deb)
                self.assertEqual(fields["Version"], self.deb_version)
                self.assertEqual(fields["Architecture"], architecture)
                self.assertEqual(deb.name, f"{package}_{self.deb_version}_{architecture}.deb")
                self.assertTrue(fields["Maintainer"])
                self.assertTrue(fields["Description"].split("\n")[0].strip())
        summaries = {control_fields(deb)["Description"].split("\n")[0]
                     for deb in self.debs.values()}
        self.assertEqual(len(summaries), 4, summaries)

    def test_plugin_package(self):
        deb = self.deb("docker-gc")
        files = contents(deb)
        self.assertEqual(files[PLUGIN_PATH][0], "-rwxr-xr-x")
        for path in (f"{UNIT_DIR}/docker-gc.service", f"{UNIT_DIR}/docker-gc.timer",
                     "/usr/share/man/man1/docker-gc.1.gz", "/usr/share/man/man5/gc.json.5.gz",
                     CONFFILE, "/usr/share/doc/docker-gc/examples/gc.json",
                     "/usr/share/doc/docker-gc/examples/gc-watermarks.json",
                     "/usr/share/doc/docker-gc/examples/cron.d/docker-gc",
                     f"{SWARM_EXAMPLES}/docker-gc-swarm.service",
                     f"{SWARM_EXAMPLES}/docker-gc-swarm.timer",
                     f"{SWARM_EXAMPLES}/README.md"):
            self.assertEqual(files.get(path, ("",))[0][:1], "-", path)
        # The Swarm job, where its example service runs it.
        self.assertEqual(files.get(SWARM_DEPLOY, ("",))[0], "-rwxr-xr-x")
        self.assertFalse([path for path in files if "libdgc" in path or "/include/" in path])
        self.assertEqual(control_member(deb, "conffiles").split(), [CONFFILE])
        for script in ("postinst", "prerm", "postrm"):
            self.assertEqual(control_member(deb, script),
                             (PACKAGING / "debian" / "docker-gc" / script).read_text())

        root = self.extract("docker-gc")
        for unit in UNITS:
            self.assertEqual((root / UNIT_DIR[1:] / unit).read_bytes(),
                             (PACKAGING / "systemd" / unit).read_bytes())
        self.assertEqual((root / SWARM_DEPLOY[1:]).read_bytes(),
                         (PACKAGING / "swarm" / "deploy.sh").read_bytes())
        swarm_service = (root / SWARM_EXAMPLES[1:] / "docker-gc-swarm.service").read_text()
        self.assertIn(f"\nExecStart={SWARM_DEPLOY} apply ", swarm_service)
        plugin = root / PLUGIN_PATH[1:]
        # Stripped, and the policy it ships is valid and the built-in default's.
        self.assertNotIn(".debug_info", run("readelf", "-S", plugin).stdout)
        check = run(plugin, "policy", "check", root / CONFFILE[1:])
        self.assertIn("ok", check.stdout)

        fields = control_fields(deb)
        self.assertEqual(fields["Section"], "admin")
        depends = depends_names(fields["Depends"])
        self.assertLessEqual(needed_packages(plugin), depends)
        self.assertNotIn(self.library_package, depends)  # libdgc is linked in
        self.assertIn("docker.io", depends_names(fields["Recommends"]))

    def test_library_package(self):
        deb = self.deb(self.library_package)
        files = contents(deb)
        library_files = sorted(path for path in files if not files[path][0].startswith("d"))
        self.assertEqual(library_files, [f"{self.libdir}/{self.soname}",
                                         f"{self.libdir}/libdgc.so.{self.version}"])
        self.assertEqual(files[f"{self.libdir}/{self.soname}"][1], f"libdgc.so.{self.version}")
        fields = control_fields(deb)
        self.assertEqual(fields["Section"], "libs")
        root = self.extract(self.library_package)
        library = root / self.libdir[1:] / f"libdgc.so.{self.version}"
        dynamic = run("readelf", "-d", library).stdout
        self.assertIn(f"Library soname: [{self.soname}]", dynamic)
        self.assertLessEqual(needed_packages(library), depends_names(fields["Depends"]))
        self.assertEqual(control_member(deb, "shlibs").strip(),
                         f"libdgc {self.soname.split('.so.')[1]} {self.library_package} "
                         f"(>= {self.deb_version})")
        self.assertIn("ldconfig", control_member(deb, "postinst") or "")

    def test_development_package(self):
        deb = self.deb("libdgc-dev")
        files = contents(deb)
        self.assertEqual(files[f"{self.libdir}/libdgc.so"][1], self.soname)
        for path in ("/usr/include/dgc/dgc.h", "/usr/include/dgc/export.h",
                     "/usr/include/dgc/version.h", f"{self.libdir}/pkgconfig/libdgc.pc",
                     f"{self.libdir}/cmake/dgc/dgcConfig.cmake",
                     f"{self.libdir}/cmake/dgc/dgcConfigVersion.cmake",
                     f"{self.libdir}/cmake/dgc/dgcTargets.cmake"):
            self.assertEqual(files.get(path, ("",))[0][:1], "-", path)
        self.assertNotIn(f"{self.libdir}/{self.soname}", files)
        fields = control_fields(deb)
        self.assertEqual(fields["Section"], "libdevel")
        self.assertIn(f"{self.library_package} (= {self.deb_version})", fields["Depends"])

    def test_python_package(self):
        deb = self.deb("python3-dgc")
        files = contents(deb)
        for module in ("__init__", "_library", "_install_layout", "_version"):
            self.assertIn(f"{PYTHON_DIR}/{module}.py", files)
        self.assertFalse([path for path in files if "__pycache__" in path])
        fields = control_fields(deb)
        self.assertEqual(fields["Section"], "python")
        self.assertIn(f"{self.library_package} (= {self.deb_version})", fields["Depends"])
        self.assertIn("python3", depends_names(fields["Depends"]))
        self.assertIn("py3compile", control_member(deb, "postinst"))
        self.assertIn("py3clean", control_member(deb, "prerm"))
        # The recorded library path, from the installed package's directory,
        # is the library package's file.
        root = self.extract("python3-dgc")
        layout = (root / PYTHON_DIR[1:] / "_install_layout.py").read_text()
        relative = re.search(r'LIBRARY = "(.*)"', layout).group(1)
        self.assertEqual(os.path.normpath(os.path.join(PYTHON_DIR, relative)),
                         f"{self.libdir}/{self.soname}")

    def test_man_pages_cover_the_help(self):
        root = self.extract("docker-gc")
        plugin = root / PLUGIN_PATH[1:]
        page = gzip.decompress((root / "usr/share/man/man1/docker-gc.1.gz").read_bytes())
        page = page.decode().replace("\\-", "-")
        self.assertTrue(page.startswith(".\\\" DO NOT MODIFY THIS FILE!"), page[:80])
        self.assertIn('.TH DOCKER-GC "1"', page)
        top = run(plugin, "--help").stdout
        commands = re.findall(r"^  ([a-z]+) ", top.split("Commands:\n")[1], re.M)
        self.assertIn("apply", commands)
        for command in commands:
            help_text = run(plugin, command, "--help").stdout
            usage = re.search(r"^Usage:  (.*)$", help_text, re.M).group(1)
            self.assertIn(f'.SS "{usage}"', page)
            for flag in re.findall(r"^\s+(?:-\w, )?(--[a-z-]+)", help_text, re.M):
                self.assertIn(f"\\fB{flag}\\fR", page, f"{command} {flag}")

        reference = run(plugin, "help", "gc.json").stdout
        page5 = gzip.decompress((root / "usr/share/man/man5/gc.json.5.gz").read_bytes())
        page5 = page5.decode().replace("\\-", "-").replace("\\e", "\\")
        self.assertTrue(page5.startswith(".TH GC.JSON 5 "), page5[:80])
        for heading in re.findall(r"^([A-Z][A-Z -]+)$", reference, re.M):
            self.assertIn(f'.SH "{heading}"', page5)
        terms = re.findall(r"^  (\S.*)\n      \S", reference, re.M)
        self.assertIn("min_age", " ".join(terms))
        for term in terms:
            self.assertIn(term.split(" (")[0], page5)
        for field in ("rules", "protect", "min_age", "threshold", "order", "build_cache",
                      "containers", "volumes", "keep_newest", "older_than", "group_by",
                      "dangling", "labels", "keep_storage", "stopped_older_than",
                      "protect_labels", "include_restart_policies",
                      "anonymous_unused_older_than"):
            self.assertIn(field, page5)
        for page_name in ("docker-gc.1.gz", "gc.json.5.gz"):
            section = page_name.split(".")[-2]
            rendered = run("man", "--warnings", "-l",
                           root / f"usr/share/man/man{section}" / page_name,
                           env=clean_environment(MANWIDTH="80", MAN_KEEP_STDERR="1"))
            self.assertEqual(rendered.stderr, "", page_name)

    def test_install_use_remove_and_purge(self):
        self.assertEqual(os.geteuid(), 0, "installing packages needs root")
        for package in self.packages:
            self.assertNotIn(package, installed_packages(),
                             f"{package} is installed already: purge it first")
        for directory in SYSTEM_PLUGIN_DIRS:
            self.assertFalse(os.path.exists(f"{directory}/docker-gc"),
                             f"{directory}/docker-gc exists: remove it first")
        before = installed_packages()
        present = {path for path in LEFTOVERS if os.path.lexists(path)}
        self.assertEqual(present - set(SET_ASIDE), set(),
                         "files the packages own or make exist before the test")
        for number, path in enumerate(sorted(present)):
            aside = self.work / f"aside-{number}"
            shutil.move(path, aside)
            self.addCleanup(put_back, aside, path)
        self.addCleanup(self.purge_if_installed)

        apt_get("install", "--no-install-recommends",
                *(self.debs[package] for package in self.packages))
        installed = installed_packages()
        self.assertEqual(sorted(set(installed) - set(before)), sorted(self.packages),
                         "apt-get installed other packages too")
        self.assertEqual({name: installed[name] for name in before}, before)

        self.check_plugin_through_docker()
        self.check_python_binding()
        self.check_c_consumers()
        self.check_units_and_scripts()

        apt_get("remove", *self.packages)
        self.assertFalse(os.path.exists(PLUGIN_PATH))
        self.assertFalse(os.path.exists(PYTHON_DIR), "python3-dgc left files behind")
        self.assertTrue(os.path.exists(CONFFILE), "remove keeps the conffile")
        gone = self.docker("gc", "version", check=False)
        self.assertNotEqual(gone.returncode, 0)
        self.assertIn("'gc' is not a docker command", gone.stderr)

        # Left to purge: the packages with conffiles or a postrm.
        remaining = [package for package in self.packages if package in installed_packages()]
        self.assertIn("docker-gc", remaining)
        apt_get("purge", *remaining)
        self.assertEqual(installed_packages(), before)
        self.assertEqual({path for path in LEFTOVERS if os.path.lexists(path)}, set())

    def purge_if_installed(self):
        """Cleanup: purges whichever of the packages is still installed."""
        remaining = [package for package in self.packages if package in installed_packages()]
        if remaining:
            apt_get("purge", *remaining)

    def docker(self, *args, check=True):
        """The real docker CLI against the test engine, with an empty config
        directory (so only the system plugin directories count)."""
        with tempfile.TemporaryDirectory(prefix="dgc-config-") as config:
            return run(DOCKER, "-H", engine_from_env().host, *args, check=check,
                       env=clean_environment(DOCKER_CONFIG=config))

    def check_plugin_through_docker(self):
        result = self.docker("gc", "version", "--format", "json")
        versions = json.loads(result.stdout)
        self.assertEqual(versions["docker_gc"], self.version)
        self.assertEqual(versions["libdgc"], self.version)
        self.assertEqual(versions["engine"]["version"], engine_from_env().version()["Version"])
        self.assertIn("docker gc COMMAND", self.docker("gc", "--help").stdout)
        self.assertIn("\nDESCRIPTION\n", self.docker("gc", "help", "gc.json").stdout)
        self.assertIn("ok", self.docker("gc", "policy", "check", CONFFILE).stdout)

    def check_python_binding(self):
        script = ("import json, dgc, dgc._library as library; "
                  "print(json.dumps([dgc.version(), dgc.__file__, library.path]))")
        result = run("/usr/bin/python3", "-c", script, cwd=self.work,
                     env=clean_environment())
        version, module, library = json.loads(result.stdout)
        self.assertEqual(version, self.version)
        self.assertEqual(module, f"{PYTHON_DIR}/__init__.py")
        self.assertEqual(os.path.realpath(library),
                         os.path.realpath(f"{self.libdir}/{self.soname}"))

    def check_c_consumers(self):
        examples = PACKAGING / "examples"
        consumer = SOURCE_DIR / "tests" / "consumer"
        flags = run("pkg-config", "--cflags", "--libs", "libdgc",
                    env=clean_environment()).stdout.split()
        program = self.work / "pkgconfig_consumer"
        run("cc", "-std=c99", "-pedantic", "-Werror", consumer / "main.c", *flags, "-o",
            program, env=clean_environment())
        by_pkgconfig = run(program, examples / "snapshot.json", examples / "gc.json",
                           env=clean_environment()).stdout
        self.assertTrue(by_pkgconfig.startswith(f"libdgc {self.version}: "), by_pkgconfig)

        build = self.work / "cmake_consumer"
        run(os.environ["DGC_CMAKE"], "-S", consumer, "-B", build, env=clean_environment())
        run(os.environ["DGC_CMAKE"], "--build", build, env=clean_environment())
        by_cmake = run(build / "dgc_consumer", examples / "snapshot.json",
                       examples / "gc.json", env=clean_environment()).stdout
        self.assertEqual(by_cmake, by_pkgconfig)

    def check_units_and_scripts(self):
        verify_units(*(f"{UNIT_DIR}/{unit}" for unit in UNITS))
        self.assertEqual(run("man", "-w", "docker-gc").stdout.strip(),
                         "/usr/share/man/man1/docker-gc.1.gz")
        self.assertEqual(run("man", "-w", "5", "gc.json").stdout.strip(),
                         "/usr/share/man/man5/gc.json.5.gz")
        # Registered with deb-systemd-helper (so purge cleans up), not enabled.
        self.assertTrue(os.path.exists(DSH_STATE))
        self.assertFalse(os.path.lexists(TIMER_LINK))
        conffiles = run("dpkg-query", "--show", "--showformat", "${Conffiles}",
                        "docker-gc").stdout
        self.assertIn(CONFFILE, conffiles)


if __name__ == "__main__":
    unittest.main()
