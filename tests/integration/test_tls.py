"""Integration tests of docker-gc against a real dockerd over TLS.

A private dockerd listens on tcp://127.0.0.1:PORT with --tlsverify and a
server certificate of a CA the test makes with the openssl CLI
(dgc_fixtures/tls.py). The right certificates work through each way the
docker CLI takes them: DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH,
a context made by the real `docker context create`, and the global flags;
the document is the one the engine's unix socket gives. Each wrong setup
fails with exit 1 and a message naming its cause, and the real docker CLI
is run on the same setup to show it fails too (the conventions we match):
a foreign CA, no client certificate, an expired or foreign client
certificate, an expired engine certificate, plain HTTP to the TLS port,
and DOCKER_TLS_VERIFY without the files. Verification is never off
without a warning (--tls without --tlsverify, as docker has it).
"""

import json
import os
import shutil
import subprocess
import tempfile
import unittest
from datetime import datetime, timezone
from pathlib import Path

from dgc_fixtures.dgc import binary_path, run_dgc
from dgc_fixtures.docker_cli import DockerCli, clean_environment, docker_path
from dgc_fixtures.imagegen import ImageSpec, file_layer
from dgc_fixtures.testcase import RunAssertions
from dgc_fixtures.tls import CLIENT, SERVER, CertificateAuthority, TlsEngine

IMAGE = ImageSpec(tags=["tls-app:1"], layers=[file_layer("app/blob", 20000, "tls")],
                  created=datetime(2025, 3, 1, tzinfo=timezone.utc))


def run_docker(*args, env):
    """The real docker CLI with `env` (and no other DOCKER_* variable)."""
    return subprocess.run([docker_path(), *args], env=clean_environment(**env),
                          capture_output=True, text=True, timeout=120)


@unittest.skipUnless(os.geteuid() == 0, "starts its own dockerd (needs root)")
class TlsTest(RunAssertions, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls._directory = tempfile.TemporaryDirectory(prefix="dgc-tls-")
        cls.directory = Path(cls._directory.name)
        cls.ca = CertificateAuthority(cls.directory / "ca")
        cls.foreign_ca = CertificateAuthority(cls.directory / "foreign-ca",
                                              name="foreign test CA")
        cls.certs = cls.ca.issue("client", CLIENT).cert_dir(cls.directory / "certs")
        cls.foreign_certs = cls.foreign_ca.issue("foreign-client", CLIENT).cert_dir(
            cls.directory / "foreign-certs")
        cls.tls = TlsEngine(cls.directory / "engine", ca=cls.ca)
        cls.expired_tls = TlsEngine(cls.directory / "expired-engine", ca=cls.ca,
                                    server=cls.ca.issue_expired("expired-server", SERVER))
        for engine in (cls.tls, cls.expired_tls):
            engine.__enter__()
            cls.addClassCleanup(engine.__exit__, None, None, None)
        cls.addClassCleanup(cls._directory.cleanup)
        DockerCli(cls.tls.engine.host).load([IMAGE])

    def tls_env(self, cert_path, **extra):
        return {"DOCKER_HOST": self.tls.host, "DOCKER_TLS_VERIFY": "1",
                "DOCKER_CERT_PATH": str(cert_path), **extra}

    def cert_dir(self, name, files):
        """A DOCKER_CERT_PATH holding only `files` ({name: source path})."""
        directory = self.directory / name
        directory.mkdir(exist_ok=True)
        for file, source in files.items():
            shutil.copy(source, directory / file)
        return directory

    def assert_json(self, result):
        """The run worked; returns its document."""
        return json.loads(self.assert_works(result).stdout)

    def assert_docker_fails(self, result, *mentions):
        """The docker CLI's own verdict on the same setup."""
        self.assertNotEqual(result.returncode, 0, result.stdout)
        for mention in mentions:
            self.assertIn(mention, result.stderr)

    def unix_df(self):
        return self.assert_json(run_dgc("-H", self.tls.engine.host, "df", "--format", "json"))

    # --- The right certificates -----------------------------------------

    def test_environment_variables(self):
        usage = self.assert_json(run_dgc("df", "--format", "json",
                                          env=self.tls_env(self.certs)))
        self.assertEqual(usage["totals"], self.unix_df()["totals"])
        self.assertEqual([image["refs"] for image in usage["images"]], [["tls-app:1"]])
        plan = self.assert_json(run_dgc("plan", "--format", "json",
                                         env=self.tls_env(self.certs)))
        self.assertEqual(plan["engine"]["host"], self.tls.host)

    def test_docker_context(self):
        with tempfile.TemporaryDirectory(prefix="dgc-tls-config-") as config:
            docker = run_docker(
                "context", "create", "tls-engine", "--docker",
                f"host={self.tls.host},ca={self.certs}/ca.pem,"
                f"cert={self.certs}/cert.pem,key={self.certs}/key.pem",
                env={"DOCKER_CONFIG": config})
            self.assertEqual(docker.returncode, 0, docker.stderr)
            usage = self.assert_json(run_dgc("--context", "tls-engine", "df", "--format",
                                              "json", env={"DOCKER_CONFIG": config}))
            self.assertEqual(usage["totals"], self.unix_df()["totals"])
            # As a plugin of the real CLI, which passes --context on.
            plugins = Path(config) / "cli-plugins"
            plugins.mkdir()
            shutil.copy(binary_path(), plugins / "docker-gc")
            via_docker = run_docker("--context", "tls-engine", "gc", "plan", "--format",
                                    "json", env={"DOCKER_CONFIG": config})
            plan = self.assert_json(via_docker)
            self.assertEqual(plan["engine"]["host"], self.tls.host)

    def test_global_flags(self):
        usage = self.assert_json(run_dgc(
            "-H", self.tls.host, "--tlsverify", "--tlscacert", str(self.certs / "ca.pem"),
            "--tlscert", str(self.certs / "cert.pem"), "--tlskey", str(self.certs / "key.pem"),
            "df", "--format", "json"))
        self.assertEqual(usage["totals"], self.unix_df()["totals"])

    def test_tls_without_verify_works_but_warns(self):
        # docker's --tls alone does not verify the engine: with a CA that
        # did not sign it both tools connect, and docker gc says so.
        flags = ("-H", self.tls.host, "--tls",
                 "--tlscacert", str(self.foreign_certs / "ca.pem"),
                 "--tlscert", str(self.certs / "cert.pem"),
                 "--tlskey", str(self.certs / "key.pem"))
        result = self.assert_works(run_dgc(*flags, "df", "--format", "json"))
        self.assertIn("WARNING: the TLS certificate of the Docker engine at "
                      f"{self.tls.host} is not verified (--tls without --tlsverify)",
                      result.stderr)
        self.assertEqual(run_docker(*flags, "version", env={}).returncode, 0)

    # --- What fails, and says why ----------------------------------------

    def test_foreign_ca(self):
        env = self.tls_env(self.foreign_certs)
        self.assert_fails(run_dgc("df", env=env), "certificate verify failed", self.tls.host,
                          f"not signed by the CA in {self.foreign_certs}/ca.pem",
                          "unknown authority")
        self.assert_docker_fails(run_docker("version", env=env), "unknown authority")

    def test_no_client_certificate(self):
        env = self.tls_env(self.cert_dir("ca-only", {"ca.pem": self.certs / "ca.pem"}))
        self.assert_fails(run_dgc("df", env=env), self.tls.host,
                          "requires a client certificate", "none was given")
        self.assert_docker_fails(run_docker("version", env=env),
                                 "the server probably has client authentication")

    def test_expired_client_certificate(self):
        expired = self.ca.issue_expired("expired-client", CLIENT).cert_dir(
            self.directory / "expired-client")
        env = self.tls_env(expired)
        self.assert_fails(run_dgc("df", env=env), self.tls.host,
                          f"rejected the client certificate {expired}/cert.pem: it expired on")
        self.assert_docker_fails(run_docker("version", env=env), "bad certificate")

    def test_client_certificate_of_another_ca(self):
        env = self.tls_env(self.cert_dir("mixed", {
            "ca.pem": self.certs / "ca.pem", "cert.pem": self.foreign_certs / "cert.pem",
            "key.pem": self.foreign_certs / "key.pem"}))
        self.assert_fails(run_dgc("df", env=env), "rejected the client certificate",
                          "must be signed by the CA the engine trusts")
        self.assert_docker_fails(run_docker("version", env=env), "bad certificate")

    def test_expired_engine_certificate(self):
        env = self.tls_env(self.certs, DOCKER_HOST=self.expired_tls.host)
        self.assert_fails(run_dgc("df", env=env), "certificate verify failed",
                          self.expired_tls.host, "the engine's certificate has expired")
        self.assert_docker_fails(run_docker("version", env=env), "expired")

    def test_plain_http_to_the_tls_port(self):
        self.assert_fails(run_dgc("-H", self.tls.host, "df"), self.tls.host,
                          "requires TLS", "Client sent an HTTP request to an HTTPS server",
                          "--tlsverify", "DOCKER_CERT_PATH")
        self.assert_docker_fails(run_docker("-H", self.tls.host, "version", env={}),
                                 "Client sent an HTTP request to an HTTPS server")

    def test_cert_path_that_does_not_exist(self):
        missing = self.directory / "no-such-dir"
        env = self.tls_env(missing)
        self.assert_fails(run_dgc("df", env=env),
                          f"cannot read the TLS CA certificate {missing}/ca.pem "
                          f"(from DOCKER_CERT_PATH={missing}): No such file or directory")
        self.assert_docker_fails(run_docker("version", env=env), f"{missing}/ca.pem")

    def test_tls_verify_without_cert_path(self):
        env = {"DOCKER_HOST": self.tls.host, "DOCKER_TLS_VERIFY": "1"}
        with tempfile.TemporaryDirectory(prefix="dgc-tls-config-") as config:
            env["DOCKER_CONFIG"] = config
            self.assert_fails(run_dgc("df", env=env), f"{config}/ca.pem",
                              "DOCKER_CERT_PATH is not set")
            self.assert_docker_fails(run_docker("version", env=env), f"{config}/ca.pem")

    def test_certificate_without_its_key(self):
        env = self.tls_env(self.cert_dir("no-key", {"ca.pem": self.certs / "ca.pem",
                                                    "cert.pem": self.certs / "cert.pem"}))
        self.assert_fails(run_dgc("df", env=env),
                          f"cannot read the TLS client key {self.directory}/no-key/key.pem")

    def test_missing_file_named_by_a_flag(self):
        self.assert_fails(run_dgc("-H", self.tls.host, "--tlsverify", "--tlscacert",
                                  str(self.directory / "nope.pem"), "df"),
                          f"{self.directory}/nope.pem (--tlscacert)")


if __name__ == "__main__":
    unittest.main()
