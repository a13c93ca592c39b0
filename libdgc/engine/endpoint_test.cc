// Unit tests for engine endpoint resolution: precedence of flags, environment
// and config, the context store, TLS material and host normalisation. Each
// test builds its own docker config tree under a temporary directory and uses
// a fake environment.
#include "engine/endpoint.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

namespace fs = std::filesystem;

using ::testing::HasSubstr;

class EndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info =
        ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::path(::testing::TempDir()) /
            ("endpoint_test_" + std::to_string(getpid()) + "_" +
             info->test_suite_name() + "." + info->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    config_dir_ = (root_ / "config").string();
    env_["DOCKER_CONFIG"] = config_dir_;
  }

  void TearDown() override { fs::remove_all(root_); }

  // A lookup over env_, which tests may change before resolving.
  EnvironmentLookup Env() const {
    return [this](std::string_view name) -> std::optional<std::string> {
      auto it = env_.find(std::string(name));
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
  }

  absl::StatusOr<Endpoint> Resolve() const {
    return ResolveEndpoint(options_, Env());
  }

  static void WriteFile(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << content;
    ASSERT_TRUE(out.good()) << path;
  }

  static void WriteConfig(const std::string& dir, const std::string& json) {
    WriteFile(fs::path(dir) / "config.json", json);
  }

  static void WriteCurrentContext(const std::string& dir,
                                  const std::string& name) {
    WriteConfig(dir, R"({"auths":{},"currentContext":")" + name + R"("})");
  }

  std::string MetaPath(const std::string& name) const {
    return (fs::path(config_dir_) / "contexts" / "meta" /
            ContextDirectoryName(name) / "meta.json")
        .string();
  }

  void WriteMeta(const std::string& name, const std::string& json) const {
    WriteFile(MetaPath(name), json);
  }

  // Writes a meta.json whose docker endpoint is `host`.
  void WriteContext(const std::string& name, const std::string& host,
                    bool skip_tls_verify = false) const {
    WriteMeta(name, R"({"Name":")" + name +
                        R"(","Metadata":{"Description":"test"},)" +
                        R"("Endpoints":{"docker":{"Host":")" + host +
                        R"(","SkipTLSVerify":)" +
                        (skip_tls_verify ? "true" : "false") + "}}}");
  }

  // Writes `file` (e.g. "ca.pem") in the context's TLS directory.
  std::string WriteContextTls(const std::string& name,
                              const std::string& file) const {
    const fs::path path = fs::path(config_dir_) / "contexts" / "tls" /
                          ContextDirectoryName(name) / "docker" / file;
    WriteFile(path, "PEM");
    return path.string();
  }

  fs::path root_;
  std::string config_dir_;
  std::map<std::string, std::string> env_;
  GlobalOptions options_;
};

// --- Context name precedence -------------------------------------------------

TEST_F(EndpointTest, NothingConfiguredGivesDefaultSocket) {
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->host, "unix:///var/run/docker.sock");
  EXPECT_EQ(endpoint->context, "default");
  EXPECT_FALSE(endpoint->tls.has_value());
}

TEST_F(EndpointTest, HostAndContextTogetherAreRejected) {
  options_.host = "tcp://a:1";
  options_.context = "prod";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  EXPECT_EQ(endpoint.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(endpoint.status().message()),
              HasSubstr("conflicting options"));
}

TEST_F(EndpointTest, ContextFlagBeatsDockerHost) {
  WriteContext("prod", "tcp://prod.example:2375");
  options_.context = "prod";
  env_["DOCKER_HOST"] = "tcp://env.example:1";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->host, "tcp://prod.example:2375");
  EXPECT_EQ(endpoint->context, "prod");
}

TEST_F(EndpointTest, HostFlagBeatsDockerHostAndContexts) {
  WriteContext("prod", "tcp://prod.example:2375");
  WriteCurrentContext(config_dir_, "prod");
  options_.host = "tcp://flag.example:1";
  env_["DOCKER_HOST"] = "tcp://env.example:2";
  env_["DOCKER_CONTEXT"] = "prod";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->host, "tcp://flag.example:1");
  EXPECT_EQ(endpoint->context, "default");
}

TEST_F(EndpointTest, DockerHostBeatsDockerContext) {
  WriteContext("prod", "tcp://prod.example:2375");
  env_["DOCKER_HOST"] = "tcp://env.example:2";
  env_["DOCKER_CONTEXT"] = "prod";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->host, "tcp://env.example:2");
  EXPECT_EQ(endpoint->context, "default");
}

TEST_F(EndpointTest, DockerContextBeatsConfigCurrentContext) {
  WriteContext("prod", "tcp://prod.example:2375");
  WriteContext("staging", "tcp://staging.example:2375");
  WriteCurrentContext(config_dir_, "staging");
  env_["DOCKER_CONTEXT"] = "prod";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->host, "tcp://prod.example:2375");
  EXPECT_EQ(endpoint->context, "prod");
}

TEST_F(EndpointTest, ConfigCurrentContextIsUsed) {
  WriteContext("staging", "tcp://staging.example:2375");
  WriteCurrentContext(config_dir_, "staging");
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->host, "tcp://staging.example:2375");
  EXPECT_EQ(endpoint->context, "staging");
}

TEST_F(EndpointTest, EmptyVariablesCountAsUnset) {
  WriteContext("staging", "tcp://staging.example:2375");
  WriteCurrentContext(config_dir_, "staging");
  env_["DOCKER_HOST"] = "";
  env_["DOCKER_CONTEXT"] = "";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->context, "staging");
}

TEST_F(EndpointTest, ConfigWithoutCurrentContextGivesDefault) {
  WriteConfig(config_dir_, R"({"auths":{"r.example":{"auth":"eA=="}}})");
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->host, "unix:///var/run/docker.sock");
  EXPECT_EQ(endpoint->context, "default");
}

TEST_F(EndpointTest, NullCurrentContextGivesDefault) {
  WriteConfig(config_dir_, R"({"currentContext":null})");
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->context, "default");
}

TEST_F(EndpointTest, EmptyConfigFileIsAccepted) {
  WriteConfig(config_dir_, " \n");
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->context, "default");
}

TEST_F(EndpointTest, DefaultContextIsNeverReadFromDisk) {
  WriteContext("default", "tcp://on-disk.example:2375");
  for (const char* variable : {"DOCKER_CONTEXT", ""}) {
    SCOPED_TRACE(variable);
    env_.erase("DOCKER_CONTEXT");
    if (*variable != '\0') {
      env_[variable] = "default";
    } else {
      WriteCurrentContext(config_dir_, "default");
    }
    absl::StatusOr<Endpoint> endpoint = Resolve();
    ASSERT_TRUE(endpoint.ok()) << endpoint.status();
    EXPECT_EQ(endpoint->host, "unix:///var/run/docker.sock");
    EXPECT_EQ(endpoint->context, "default");
  }
}

TEST_F(EndpointTest, DefaultContextFlagStillUsesDockerHost) {
  options_.context = "default";
  env_["DOCKER_HOST"] = "tcp://env.example:2";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->host, "tcp://env.example:2");
  EXPECT_EQ(endpoint->context, "default");
}

// --- Config directory --------------------------------------------------------

TEST_F(EndpointTest, ConfigFlagBeatsDockerConfig) {
  const std::string flag_dir = (root_ / "flag-config").string();
  WriteCurrentContext(flag_dir, "from-flag");
  WriteCurrentContext(config_dir_, "from-env");
  options_.config_dir = flag_dir;
  absl::StatusOr<Endpoint> endpoint = Resolve();
  EXPECT_EQ(endpoint.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(endpoint.status().message()),
              HasSubstr("context \"from-flag\""));
  EXPECT_THAT(std::string(endpoint.status().message()), HasSubstr(flag_dir));
}

TEST_F(EndpointTest, DockerConfigBeatsHome) {
  const fs::path home = root_ / "home";
  WriteCurrentContext((home / ".docker").string(), "from-home");
  WriteContext("from-env", "tcp://env-config.example:2375");
  WriteCurrentContext(config_dir_, "from-env");
  env_["HOME"] = home.string();
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->context, "from-env");
}

TEST_F(EndpointTest, HomeDotDockerIsTheFallback) {
  const fs::path home = root_ / "home";
  config_dir_ = (home / ".docker").string();
  WriteContext("from-home", "tcp://home.example:2375");
  WriteCurrentContext(config_dir_, "from-home");
  env_.erase("DOCKER_CONFIG");
  env_["HOME"] = home.string();
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->host, "tcp://home.example:2375");
}

TEST_F(EndpointTest, InvalidConfigJsonNamesTheFile) {
  const std::string path = (fs::path(config_dir_) / "config.json").string();
  for (const char* json :
       {"{not json", R"({"currentContext":"prod"} trailing)",
        R"({"currentContext":"prod"} {"a":1})", R"({"currentContext":"prod"}})",
        R"({"currentContext":5})", R"(["currentContext"])",
        R"({"currentContext":"prod")"}) {
    SCOPED_TRACE(json);
    WriteConfig(config_dir_, json);
    absl::StatusOr<Endpoint> endpoint = Resolve();
    EXPECT_EQ(endpoint.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(endpoint.status().message()), HasSubstr(path));
  }
}

TEST_F(EndpointTest, UnreadableConfigJsonNamesTheFile) {
  const fs::path path = fs::path(config_dir_) / "config.json";
  fs::create_directories(path);
  absl::StatusOr<Endpoint> endpoint = Resolve();
  EXPECT_EQ(endpoint.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(endpoint.status().message()),
              HasSubstr(path.string()));
  EXPECT_THAT(std::string(endpoint.status().message()),
              HasSubstr("Is a directory"));
}

TEST_F(EndpointTest, ConfigJsonIsNotReadWhenTheHostIsGiven) {
  WriteConfig(config_dir_, "{not json");
  env_["DOCKER_HOST"] = "tcp://env.example:2";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->host, "tcp://env.example:2");
}

// --- Named contexts ----------------------------------------------------------

TEST_F(EndpointTest, ContextWithoutTlsFiles) {
  WriteContext("prod", "tcp://prod.example");
  options_.context = "prod";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->host, "tcp://prod.example:2375");
  EXPECT_FALSE(endpoint->tls.has_value());
  EXPECT_EQ(endpoint->context, "prod");
}

TEST_F(EndpointTest, ContextWithAllTlsFiles) {
  WriteContext("prod", "tcp://prod.example");
  const std::string ca = WriteContextTls("prod", "ca.pem");
  const std::string cert = WriteContextTls("prod", "cert.pem");
  const std::string key = WriteContextTls("prod", "key.pem");
  options_.context = "prod";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->host, "tcp://prod.example:2376");
  ASSERT_TRUE(endpoint->tls.has_value());
  EXPECT_TRUE(endpoint->tls->verify);
  EXPECT_EQ(endpoint->tls->ca_file, ca);
  EXPECT_EQ(endpoint->tls->cert_file, cert);
  EXPECT_EQ(endpoint->tls->key_file, key);
}

TEST_F(EndpointTest, ContextWithOnlyCaFile) {
  WriteContext("prod", "tcp://prod.example:9999");
  const std::string ca = WriteContextTls("prod", "ca.pem");
  options_.context = "prod";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->host, "tcp://prod.example:9999");
  ASSERT_TRUE(endpoint->tls.has_value());
  EXPECT_TRUE(endpoint->tls->verify);
  EXPECT_EQ(endpoint->tls->ca_file, ca);
  EXPECT_EQ(endpoint->tls->cert_file, "");
  EXPECT_EQ(endpoint->tls->key_file, "");
}

TEST_F(EndpointTest, ContextSkipTlsVerifyWithoutFiles) {
  WriteContext("prod", "tcp://prod.example:2376", /*skip_tls_verify=*/true);
  options_.context = "prod";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  ASSERT_TRUE(endpoint->tls.has_value());
  EXPECT_FALSE(endpoint->tls->verify);
  EXPECT_EQ(endpoint->tls->ca_file, "");
}

TEST_F(EndpointTest, ContextSkipTlsVerifyWithFiles) {
  WriteContext("prod", "tcp://prod.example:2376", /*skip_tls_verify=*/true);
  const std::string cert = WriteContextTls("prod", "cert.pem");
  const std::string key = WriteContextTls("prod", "key.pem");
  options_.context = "prod";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  ASSERT_TRUE(endpoint->tls.has_value());
  EXPECT_FALSE(endpoint->tls->verify);
  EXPECT_EQ(endpoint->tls->cert_file, cert);
  EXPECT_EQ(endpoint->tls->key_file, key);
}

TEST_F(EndpointTest, ContextCertificateWithoutItsKeyNamesTheKey) {
  WriteContext("prod", "tcp://prod.example:2376");
  WriteContextTls("prod", "ca.pem");
  const std::string cert = WriteContextTls("prod", "cert.pem");
  options_.context = "prod";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  EXPECT_EQ(endpoint.status().code(), absl::StatusCode::kNotFound);
  const std::string key = fs::path(cert).replace_filename("key.pem").string();
  EXPECT_THAT(std::string(endpoint.status().message()),
              HasSubstr("TLS client key " + key + " (of context \"prod\")"));
}

TEST_F(EndpointTest, ContextUnixHostNeverUsesTls) {
  WriteContext("local", "unix:///run/user/1000/docker.sock",
               /*skip_tls_verify=*/true);
  WriteContextTls("local", "ca.pem");
  options_.context = "local";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->host, "unix:///run/user/1000/docker.sock");
  EXPECT_FALSE(endpoint->tls.has_value());
}

TEST_F(EndpointTest, ContextMetaWithOtherFieldsAndEndpoints) {
  WriteMeta("prod", R"({"Metadata":{"Description":"x","Nested":[1,{"a":null}]},
      "Endpoints":{"kubernetes":{"Host":"https://k8s"},
                   "docker":{"SkipTLSVerify":null,"Extra":[true],
                             "Host":"tcp://prod.example:1"}},
      "Name":"prod"})");
  options_.context = "prod";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->host, "tcp://prod.example:1");
  EXPECT_FALSE(endpoint->tls.has_value());
}

TEST_F(EndpointTest, MissingContextIsNotFound) {
  options_.context = "prod";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  EXPECT_EQ(endpoint.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(endpoint.status().message()),
            "context \"prod\": context not found: " + MetaPath("prod"));
}

TEST_F(EndpointTest, InvalidMetaJsonNamesTheFile) {
  options_.context = "prod";
  for (const char* json :
       {"{not json", R"({"Name":"prod"})", R"({"Endpoints":{}})",
        R"({"Endpoints":{"docker":{"SkipTLSVerify":false}}})",
        R"({"Endpoints":{"docker":{"Host":""}}})",
        R"({"Endpoints":{"docker":{"Host":null}}})",
        R"({"Endpoints":{"docker":{"Host":"tcp://h"}}}})",
        R"({"Endpoints":{"docker":{"Host":42}}})",
        R"({"Endpoints":{"docker":{"Host":"tcp://h","SkipTLSVerify":"no"}}})",
        R"({"Endpoints":{"docker":{"Host":"tcp://h"}}} x)",
        R"({"Endpoints":[]})", R"({"Endpoints":{"docker":"tcp://h"}})"}) {
    SCOPED_TRACE(json);
    WriteMeta("prod", json);
    absl::StatusOr<Endpoint> endpoint = Resolve();
    EXPECT_EQ(endpoint.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(endpoint.status().message()),
                HasSubstr(MetaPath("prod")));
    EXPECT_THAT(std::string(endpoint.status().message()),
                HasSubstr("context \"prod\""));
  }
}

TEST_F(EndpointTest, ContextWithSshHost) {
  WriteContext("remote", "ssh://user@remote.example:2222");
  WriteContextTls("remote", "ca.pem");
  options_.context = "remote";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->host, "ssh://user@remote.example:2222");
  EXPECT_EQ(endpoint->context, "remote");
  EXPECT_FALSE(endpoint->tls.has_value());  // as docker: ssh has its own
}

TEST_F(EndpointTest, SshHostIgnoresTlsVariables) {
  env_["DOCKER_HOST"] = "ssh://me@build-host";
  env_["DOCKER_TLS_VERIFY"] = "1";
  env_["DOCKER_CERT_PATH"] = "/no/such/directory";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->host, "ssh://me@build-host");
  EXPECT_FALSE(endpoint->tls.has_value());
}

TEST_F(EndpointTest, ContextWithUnsupportedHost) {
  WriteContext("remote", "fd://");
  options_.context = "remote";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  EXPECT_EQ(endpoint.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(endpoint.status().message()), HasSubstr("fd://"));
  EXPECT_THAT(std::string(endpoint.status().message()),
              HasSubstr(MetaPath("remote")));
}

// --- Default context TLS -----------------------------------------------------

TEST_F(EndpointTest, TlsVerifyFromEnvironmentWithCertPath) {
  const fs::path certs = root_ / "certs";
  WriteFile(certs / "ca.pem", "PEM");
  WriteFile(certs / "cert.pem", "PEM");
  WriteFile(certs / "key.pem", "PEM");
  env_["DOCKER_HOST"] = "tcp://secure.example";
  env_["DOCKER_TLS_VERIFY"] = "1";
  env_["DOCKER_CERT_PATH"] = certs.string();
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->host, "tcp://secure.example:2376");
  ASSERT_TRUE(endpoint->tls.has_value());
  EXPECT_TRUE(endpoint->tls->verify);
  EXPECT_EQ(endpoint->tls->ca_file, (certs / "ca.pem").string());
  EXPECT_EQ(endpoint->tls->cert_file, (certs / "cert.pem").string());
  EXPECT_EQ(endpoint->tls->key_file, (certs / "key.pem").string());
}

TEST_F(EndpointTest, MissingDefaultTlsFilesAreLeftOut) {
  const fs::path certs = root_ / "certs";
  WriteFile(certs / "ca.pem", "PEM");
  env_["DOCKER_HOST"] = "tcp://secure.example:2376";
  env_["DOCKER_TLS_VERIFY"] = "1";
  env_["DOCKER_CERT_PATH"] = certs.string();
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  ASSERT_TRUE(endpoint->tls.has_value());
  EXPECT_EQ(endpoint->tls->ca_file, (certs / "ca.pem").string());
  EXPECT_EQ(endpoint->tls->cert_file, "");
  EXPECT_EQ(endpoint->tls->key_file, "");
}

TEST_F(EndpointTest, TlsFlagWithoutVerifyUsesConfigDirectoryFiles) {
  WriteFile(fs::path(config_dir_) / "ca.pem", "PEM");
  WriteFile(fs::path(config_dir_) / "cert.pem", "PEM");
  WriteFile(fs::path(config_dir_) / "key.pem", "PEM");
  options_.host = "tcp://secure.example";
  options_.tls = true;
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->host, "tcp://secure.example:2376");
  ASSERT_TRUE(endpoint->tls.has_value());
  EXPECT_FALSE(endpoint->tls->verify);
  EXPECT_EQ(endpoint->tls->ca_file,
            (fs::path(config_dir_) / "ca.pem").string());
  EXPECT_EQ(endpoint->tls->cert_file,
            (fs::path(config_dir_) / "cert.pem").string());
}

TEST_F(EndpointTest, TlsVerifyFlagTurnsOnTlsAndVerification) {
  WriteFile(fs::path(config_dir_) / "ca.pem", "PEM");
  options_.host = "tcp://secure.example:2376";
  options_.tls_verify = true;
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  ASSERT_TRUE(endpoint->tls.has_value());
  EXPECT_TRUE(endpoint->tls->verify);
}

TEST_F(EndpointTest, TlsFileFlagsAreUsedAsGiven) {
  const fs::path certs = root_ / "certs";
  const fs::path elsewhere = root_ / "elsewhere";
  WriteFile(certs / "ca.pem", "PEM");
  WriteFile(elsewhere / "ca.pem", "PEM");
  WriteFile(elsewhere / "cert.pem", "PEM");
  WriteFile(elsewhere / "key.pem", "PEM");
  env_["DOCKER_CERT_PATH"] = certs.string();
  options_.host = "tcp://secure.example:2376";
  options_.tls_verify = true;
  options_.tls_ca_cert = (elsewhere / "ca.pem").string();
  options_.tls_cert = (elsewhere / "cert.pem").string();
  options_.tls_key = (elsewhere / "key.pem").string();
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  ASSERT_TRUE(endpoint->tls.has_value());
  EXPECT_EQ(endpoint->tls->ca_file, options_.tls_ca_cert);
  EXPECT_EQ(endpoint->tls->cert_file, options_.tls_cert);
  EXPECT_EQ(endpoint->tls->key_file, options_.tls_key);
}

TEST_F(EndpointTest, MissingTlsFileFlagIsNamedWithItsFlag) {
  const fs::path certs = root_ / "certs";
  WriteFile(certs / "ca.pem", "PEM");
  WriteFile(certs / "key.pem", "PEM");
  env_["DOCKER_CERT_PATH"] = certs.string();
  options_.host = "tcp://secure.example:2376";
  options_.tls_verify = true;
  options_.tls_cert = "/missing/cert.pem";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  EXPECT_EQ(endpoint.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(endpoint.status().message()),
              HasSubstr("cannot read the TLS client certificate "
                        "/missing/cert.pem (--tlscert): No such file"));
}

// As the docker CLI: DOCKER_TLS_VERIFY with a DOCKER_CERT_PATH that does
// not exist names the CA file, not a later "certificate problem".
TEST_F(EndpointTest, MissingCertPathNamesTheCaFile) {
  env_["DOCKER_HOST"] = "tcp://secure.example:2376";
  env_["DOCKER_TLS_VERIFY"] = "1";
  env_["DOCKER_CERT_PATH"] = (root_ / "no-such-dir").string();
  absl::StatusOr<Endpoint> endpoint = Resolve();
  EXPECT_EQ(endpoint.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(
      std::string(endpoint.status().message()),
      HasSubstr(
          "TLS CA certificate " + (root_ / "no-such-dir" / "ca.pem").string() +
          " (from DOCKER_CERT_PATH=" + (root_ / "no-such-dir").string() + ")"));
}

TEST_F(EndpointTest, UnsetCertPathSaysTheConfigDirectoryWasUsed) {
  env_["DOCKER_HOST"] = "tcp://secure.example:2376";
  env_["DOCKER_TLS_VERIFY"] = "1";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  EXPECT_EQ(endpoint.status().code(), absl::StatusCode::kNotFound);
  const std::string message(endpoint.status().message());
  EXPECT_THAT(message, HasSubstr((fs::path(config_dir_) / "ca.pem").string()));
  EXPECT_THAT(message, HasSubstr("DOCKER_CERT_PATH is not set"));
}

TEST_F(EndpointTest, CertificateWithoutItsKeyNamesTheKey) {
  const fs::path certs = root_ / "certs";
  WriteFile(certs / "ca.pem", "PEM");
  WriteFile(certs / "cert.pem", "PEM");
  env_["DOCKER_HOST"] = "tcp://secure.example:2376";
  env_["DOCKER_TLS_VERIFY"] = "1";
  env_["DOCKER_CERT_PATH"] = certs.string();
  absl::StatusOr<Endpoint> endpoint = Resolve();
  EXPECT_EQ(endpoint.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(endpoint.status().message()),
              HasSubstr("TLS client key " + (certs / "key.pem").string()));
}

TEST_F(EndpointTest, EmptyTlsVerifyVariableMeansNoTls) {
  env_["DOCKER_HOST"] = "tcp://plain.example";
  env_["DOCKER_TLS_VERIFY"] = "";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->host, "tcp://plain.example:2375");
  EXPECT_FALSE(endpoint->tls.has_value());
}

TEST_F(EndpointTest, TlsDoesNotApplyToUnixSockets) {
  env_["DOCKER_TLS_VERIFY"] = "1";
  absl::StatusOr<Endpoint> endpoint = Resolve();
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->host, "unix:///var/run/docker.sock");
  EXPECT_FALSE(endpoint->tls.has_value());
}

// --- ParseHost ---------------------------------------------------------------

struct HostCase {
  const char* input;
  bool tls;
  const char* expected;
};

TEST(ParseHostTest, NormalisesSupportedHosts) {
  const HostCase kCases[] = {
      {"", false, "unix:///var/run/docker.sock"},
      {"  \t", false, "unix:///var/run/docker.sock"},
      {"unix://", false, "unix:///var/run/docker.sock"},
      {"unix:///run/docker.sock", false, "unix:///run/docker.sock"},
      {" unix:///run/docker.sock\n", true, "unix:///run/docker.sock"},
      {"unix://relative/docker.sock", false, "unix://relative/docker.sock"},
      {"/run/docker.sock", false, "unix:///run/docker.sock"},
      {"tcp://h", false, "tcp://h:2375"},
      {"tcp://h", true, "tcp://h:2376"},
      {"tcp://h:", false, "tcp://h:2375"},
      {"tcp://h:1234", true, "tcp://h:1234"},
      {"tcp://h:65535/", false, "tcp://h:65535"},
      {"tcp://docker.example.com:2376", false, "tcp://docker.example.com:2376"},
      {"tcp://:7777", false, "tcp://localhost:7777"},
      {"tcp://", false, "tcp://localhost:2375"},
      {"tcp://", true, "tcp://localhost:2376"},
      {"tcp://192.168.0.10:12000", false, "tcp://192.168.0.10:12000"},
      {"tcp://[::1]", false, "tcp://[::1]:2375"},
      {"tcp://[::1]:5555", false, "tcp://[::1]:5555"},
      {"h:5555", false, "tcp://h:5555"},
      {"h", false, "tcp://h:2375"},
      {"h", true, "tcp://h:2376"},
      {":6666", false, "tcp://localhost:6666"},
      {"[::1]:", false, "tcp://[::1]:2375"},
  };
  for (const HostCase& c : kCases) {
    SCOPED_TRACE(std::string(c.input) + (c.tls ? " (tls)" : ""));
    absl::StatusOr<std::string> host = ParseHost(c.input, c.tls);
    ASSERT_TRUE(host.ok()) << host.status();
    EXPECT_EQ(*host, c.expected);
  }
}

TEST(ParseHostTest, RejectsMalformedHostsNamingThem) {
  for (const char* input :
       {"tcp://h:0", "tcp://h:65536", "tcp://h:port", "tcp://:port",
        "tcp://h:2375/path", "tcp://h:2375//", "something with spaces",
        "tcp://::1", "tcp://[::1", "tcp://[::1]x", "tcp://us er@h",
        "tcp://user@h:2375", "unix://tcp://h", "tcp:h"}) {
    SCOPED_TRACE(input);
    absl::StatusOr<std::string> host = ParseHost(input, false);
    EXPECT_EQ(host.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(host.status().message()),
                HasSubstr(std::string("\"") + input + "\""));
  }
}

TEST(ParseHostTest, RejectsUnsupportedSchemes) {
  for (const char* input :
       {"fd://", "npipe:////./pipe/docker_engine", "http://h:2375", "https://h",
        "udp://127.0.0.1", "://", "TCP://h"}) {
    SCOPED_TRACE(input);
    absl::StatusOr<std::string> host = ParseHost(input, false);
    EXPECT_EQ(host.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(host.status().message()),
              std::string("unsupported host \"") + input +
                  "\": docker gc supports unix://, tcp:// and ssh://");
  }
}

TEST(ParseHostTest, KeepsSshHostsAsGiven) {
  for (const char* input : {"ssh://x", "ssh://user@h:22", "ssh://h/run/d.sock",
                            "ssh://[::1]:2222"}) {
    SCOPED_TRACE(input);
    absl::StatusOr<std::string> host =
        ParseHost(std::string(" ") + input, false);
    ASSERT_TRUE(host.ok()) << host.status();
    EXPECT_EQ(*host, input);
  }
}

TEST(ParseHostTest, RejectsMalformedSshHosts) {
  for (const char* input : {"ssh://", "ssh://user:secret@h", "ssh://h:99999",
                            "ssh://h?x=1", "ssh://-oProxyCommand=x"}) {
    SCOPED_TRACE(input);
    absl::StatusOr<std::string> host = ParseHost(input, false);
    EXPECT_EQ(host.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(host.status().message()), HasSubstr(input));
  }
}

TEST(ParseSshHostTest, SplitsEveryPart) {
  absl::StatusOr<SshAddress> address =
      ParseSshHost("ssh://me@build-host:2222/run/user/1000/docker.sock");
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_EQ(address->user, "me");
  EXPECT_EQ(address->host, "build-host");
  EXPECT_EQ(address->port, "2222");
  EXPECT_EQ(address->path, "/run/user/1000/docker.sock");
}

TEST(ParseSshHostTest, HostAloneAndIpv6) {
  absl::StatusOr<SshAddress> plain = ParseSshHost("ssh://h/");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->host, "h");
  EXPECT_EQ(plain->user, "");
  EXPECT_EQ(plain->port, "");
  EXPECT_EQ(plain->path, "");
  absl::StatusOr<SshAddress> v6 = ParseSshHost("ssh://root@[::1]:22");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, "22");
}

TEST(ParseSshHostTest, RejectsWhatDockerRejects) {
  const std::pair<const char*, const char*> cases[] = {
      {"tcp://h", "expected ssh://"},
      {"ssh://", "no host specified"},
      {"ssh://me@", "no host specified"},
      {"ssh://me:secret@h", "plain-text password is not supported"},
      {"ssh://h?socket=x", "extra query or fragment"},
      {"ssh://h#x", "extra query or fragment"},
      {"ssh://h:0", "1..65535"},
      {"ssh://h:", "1..65535"},
      {"ssh://h:22:33", "brackets"},
      {"ssh://-oProxyCommand=touch", "must not begin with \"-\""},
      {"ssh://-l@h", "must not begin with \"-\""},
  };
  for (const auto& [input, reason] : cases) {
    SCOPED_TRACE(input);
    absl::StatusOr<SshAddress> address = ParseSshHost(input);
    EXPECT_EQ(address.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(address.status().message()), HasSubstr(input));
    EXPECT_THAT(std::string(address.status().message()), HasSubstr(reason));
  }
}

// --- Helpers -----------------------------------------------------------------

TEST(ContextDirectoryNameTest, IsTheSha256OfTheName) {
  // printf default | sha256sum
  EXPECT_EQ(ContextDirectoryName("default"),
            "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f");
}

TEST(ProcessEnvironmentTest, ReadsTheProcessEnvironment) {
  constexpr char kName[] = "DGC_ENDPOINT_TEST_VARIABLE";
  EnvironmentLookup env = ProcessEnvironment();
  ASSERT_EQ(unsetenv(kName), 0);
  EXPECT_EQ(env(kName), std::nullopt);
  ASSERT_EQ(setenv(kName, "value", /*overwrite=*/1), 0);
  EXPECT_EQ(env(kName), "value");
  ASSERT_EQ(setenv(kName, "", /*overwrite=*/1), 0);
  EXPECT_EQ(env(kName), "");
  unsetenv(kName);
}

}  // namespace
}  // namespace dgc
