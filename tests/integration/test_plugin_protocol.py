"""Integration tests of docker-gc as a Docker CLI plugin.

The binary is installed into a temporary DOCKER_CONFIG/cli-plugins and
driven through the real docker CLI, which passes its original argv (global
flags included) to the plugin and exits with the plugin's exit code.
Scenario: shared_layers_scenario, so `docker gc df` has real data.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from dgc_fixtures.dgc import binary_path, crash_signs, run_dgc, run_json
from dgc_fixtures.docker_cli import clean_environment, docker_path
from dgc_fixtures.scenarios import shared_layers_scenario
from dgc_fixtures.testcase import EngineTestCase

CLI_TIMEOUT_S = 120


class MetadataTest(unittest.TestCase):
    """The handshake docker runs before every plugin call."""

    def test_metadata_is_plugin_schema_json(self):
        result = run_dgc("docker-cli-plugin-metadata")
        self.assertEqual(result.returncode, 0, result.stderr)
        metadata = json.loads(result.stdout)
        self.assertEqual(metadata["SchemaVersion"], "0.1.0")
        for key in ("Vendor", "Version", "ShortDescription"):
            with self.subTest(field=key):
                self.assertIsInstance(metadata[key], str)
                self.assertTrue(metadata[key].strip())


class PluginTest(EngineTestCase):
    """`docker gc …` through the real CLI, with the plugin installed in a
    private DOCKER_CONFIG."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scenario = cls.install_scenario(shared_layers_scenario())
        cls.config = tempfile.TemporaryDirectory(prefix="dgc-plugin-config-")
        plugins = Path(cls.config.name) / "cli-plugins"
        plugins.mkdir()
        shutil.copy(binary_path(), plugins / "docker-gc")
        os.chmod(plugins / "docker-gc", 0o755)

    @classmethod
    def tearDownClass(cls):
        cls.config.cleanup()
        super().tearDownClass()

    def docker(self, *args):
        return subprocess.run([docker_path(), *args],
                              env=clean_environment(DOCKER_CONFIG=self.config.name),
                              capture_output=True, text=True, errors="replace",
                              timeout=CLI_TIMEOUT_S)

    def assert_usage_error(self, result, mention):
        self.assertEqual(crash_signs(result), [])
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn(mention, result.stderr)
        self.assertIn("--help", result.stderr, "a usage error ends with a hint")

    def test_df_through_docker_matches_direct_invocation(self):
        result = self.docker("-H", self.host, "gc", "df", "--format", "json")
        self.assertEqual(result.returncode, 0, result.stderr)
        via_docker = json.loads(result.stdout)
        direct = run_json("-H", self.host, "df", "--format", "json")
        self.assertEqual(via_docker["schema"], "dgc.df/v1")
        self.assertEqual(via_docker["totals"], direct["totals"])

    def test_version_through_docker_shows_engine_version(self):
        result = self.docker("--host", self.host, "gc", "version")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(self.engine.version()["Version"], result.stdout)

    def test_debug_traces_each_engine_request_to_stderr(self):
        result = self.docker("-D", "-H", self.host, "gc", "df", "--format", "json")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["schema"], "dgc.df/v1")
        debug = [line for line in result.stderr.splitlines()
                 if line.startswith("DEBUG: ")]
        paths = {line.split()[2].rstrip(":") for line in debug}
        images = [image["Id"] for image in self.engine.images()]
        expected = {"/version", "/v1.41/images/json?all=1",
                    "/v1.41/containers/json?all=1", "/v1.41/info", "/v1.41/system/df"}
        expected |= {f"/v1.41/images/{image}/{part}" for image in images
                     for part in ("json", "history")}
        # The inspect of each container a policy may remove.
        expected |= {f"/v1.41/containers/{container['Id']}/json"
                     for container in self.engine.containers()
                     if container["State"] in ("created", "exited", "dead")}
        self.assertEqual(paths, expected)
        for line in debug:
            self.assertRegex(line, r"^DEBUG: GET \S+: HTTP 200, \d+ bytes, [\d.]+ms$")
        quiet = self.docker("-H", self.host, "gc", "df", "--format", "json")
        self.assertNotIn("DEBUG", quiet.stderr)

    def test_help_gc_shows_usage(self):
        result = self.docker("help", "gc")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("Usage", result.stdout)
        self.assertRegex(result.stdout, r"\bdf\b")

    def test_gc_help_flag_shows_usage(self):
        result = self.docker("gc", "--help")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("Usage", result.stdout)
        self.assertRegex(result.stdout, r"\bdf\b")

    def test_unknown_command_is_a_usage_error(self):
        self.assert_usage_error(self.docker("-H", self.host, "gc", "nosuchcmd"), "nosuchcmd")

    def test_unknown_flag_is_a_usage_error(self):
        self.assert_usage_error(self.docker("-H", self.host, "gc", "df", "--nosuchflag"),
                                "--nosuchflag")

    def test_unknown_context_is_named(self):
        for result in (self.docker("--context", "nosuch", "gc", "df"),
                       run_dgc("--context", "nosuch", "df")):
            with self.subTest(args=result.args):
                self.assertEqual(crash_signs(result), [])
                self.assertEqual(result.returncode, 1, result.stderr)
                self.assertIn("nosuch", result.stderr)
                self.assertEqual(result.stdout, "")

    def test_docker_help_lists_gc(self):
        result = self.docker("--help")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout, re.compile(r"^\s+gc\*?\s+\S", re.M))


if __name__ == "__main__":
    unittest.main()
