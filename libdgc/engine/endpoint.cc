// Engine endpoint resolution as the docker CLI does it: picks the context,
// reads the docker config and context store, and normalises the host
// (unix://, tcp://, ssh://).
#include "engine/endpoint.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/json_reader.h"
#include "core/sha256.h"
#include "engine/files.h"
#include "engine/tls_diagnosis.h"

namespace dgc {
namespace {

namespace fs = std::filesystem;
namespace ondemand = simdjson::ondemand;

constexpr char kDefaultContext[] = "default";
constexpr char kDefaultUnixHost[] = "unix:///var/run/docker.sock";
constexpr char kDefaultTcpHostName[] = "localhost";
constexpr char kDefaultTcpPort[] = "2375";
constexpr char kDefaultTlsPort[] = "2376";
constexpr char kUnixScheme[] = "unix://";
constexpr char kTcpScheme[] = "tcp://";
constexpr char kSchemeSeparator[] = "://";
constexpr std::string_view kSshScheme = "ssh://";

// Returns the variable's value, or "" when it is unset.
std::string EnvOrEmpty(const EnvironmentLookup& env, std::string_view name) {
  return env(name).value_or("");
}

bool IsTcpHost(std::string_view host) { return host.starts_with(kTcpScheme); }

// --- Host parsing (docker/cli opts.ParseHost) --------------------------------

absl::Status InvalidHost(std::string_view host, std::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid host \"", std::string(host), "\": ", std::string(reason)));
}

std::string_view TrimSpace(std::string_view text) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  const size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(kSpace);
  return text.substr(begin, end - begin + 1);
}

// Whether `port` is a decimal number in 1..65535.
bool IsValidPort(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  int value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return value >= 1 && value <= 65535;
}

bool IsHostNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

// A bracketed IPv6 literal such as "[::1]" or "[fe80::1%eth0]".
bool IsBracketedAddress(std::string_view host) {
  if (host.size() < 3 || host.front() != '[' || host.back() != ']') {
    return false;
  }
  return std::ranges::all_of(host.substr(1, host.size() - 2), [](char c) {
    return IsHostNameChar(c) || c == ':' || c == '%';
  });
}

bool IsValidHostName(std::string_view host) {
  if (host.starts_with('[')) return IsBracketedAddress(host);
  return std::ranges::all_of(host, IsHostNameChar);
}

// Splits "host:port", "[v6]:port", "host" or "[v6]" into host and port (either
// may come back empty). Fails on an unbracketed IPv6 address or a stray "]".
absl::Status SplitHostPort(std::string_view address, std::string_view original,
                           std::string_view& host, std::string_view& port) {
  size_t host_end = 0;
  if (address.starts_with('[')) {
    const size_t close = address.find(']');
    if (close == std::string_view::npos) {
      return InvalidHost(original, "missing \"]\" in IPv6 address");
    }
    host_end = close + 1;
  } else {
    host_end = address.find(':');
    if (host_end == std::string_view::npos) host_end = address.size();
    if (address.find(':', host_end + 1) != std::string_view::npos) {
      return InvalidHost(original, "IPv6 addresses must be in brackets");
    }
  }
  host = address.substr(0, host_end);
  const std::string_view rest = address.substr(host_end);
  if (!rest.empty() && rest.front() != ':') {
    return InvalidHost(original, "expected \":\" after the IPv6 address");
  }
  port = rest.empty() ? rest : rest.substr(1);
  return absl::OkStatus();
}

// Normalises the part of a tcp host after "tcp://" to "tcp://host:port".
absl::StatusOr<std::string> ParseTcpAddress(std::string_view address, bool tls,
                                            std::string_view original) {
  const size_t slash = address.find('/');
  if (slash != std::string_view::npos) {
    if (address.substr(slash) != "/") {
      return InvalidHost(original, "a tcp host must not have a path");
    }
    address = address.substr(0, slash);
  }
  std::string_view host;
  std::string_view port;
  if (absl::Status status = SplitHostPort(address, original, host, port);
      !status.ok()) {
    return status;
  }
  if (!IsValidHostName(host)) {
    return InvalidHost(original, "malformed host name");
  }
  if (host.empty()) host = kDefaultTcpHostName;
  if (port.empty()) port = tls ? kDefaultTlsPort : kDefaultTcpPort;
  if (!IsValidPort(port)) {
    return InvalidHost(original, "the port must be a number in 1..65535");
  }
  return absl::StrCat(kTcpScheme, std::string(host), ":", std::string(port));
}

// Normalises the part of a unix host after "unix://".
absl::StatusOr<std::string> ParseUnixPath(std::string_view path,
                                          std::string_view original) {
  if (path.find(kSchemeSeparator) != std::string_view::npos) {
    return InvalidHost(original, "expected a unix socket path");
  }
  if (path.empty()) return std::string(kDefaultUnixHost);
  return absl::StrCat(kUnixScheme, std::string(path));
}

absl::Status InvalidSshHost(std::string_view host, std::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid ssh host \"", std::string(host), "\": ", std::string(reason)));
}

// --- Files -------------------------------------------------------------------

// Reads a whole file into a padded buffer; nullopt when it does not exist.
absl::StatusOr<std::optional<PaddedBody>> ReadOptionalFile(
    const std::string& path) {
  absl::StatusOr<PaddedBody> content = ReadFile(path);
  if (content.ok()) return std::optional<PaddedBody>(*std::move(content));
  if (absl::IsNotFound(content.status())) return std::nullopt;
  return content.status();
}

// Returns `path` if it exists, else "" (docker drops missing default files).
std::string IfExists(const fs::path& path) {
  std::error_code error;
  return fs::exists(path, error) ? path.string() : std::string();
}

bool IsBlank(const PaddedBody& content) {
  return TrimSpace(content.view()).empty();
}

// --- JSON
// ----------------------------------------------------------------------

// The root of a docker JSON file must be an object.
absl::Status RequireObject(ondemand::value& root) {
  ondemand::json_type type;
  if (auto error = root.type().get(type)) return JsonError(error, "document");
  if (type != ondemand::json_type::object) {
    return absl::InvalidArgumentError("expected a JSON object");
  }
  return absl::OkStatus();
}

// Reads "currentContext" from a config.json ("" when absent or null).
absl::Status ParseCurrentContext(const PaddedBody& json,
                                 std::string& current_context) {
  ondemand::parser parser;
  return ParseDocument(parser, json, [&](ondemand::value& root) {
    if (absl::Status s = RequireObject(root); !s.ok()) return s;
    return ForEachField(root, [&](std::string_view key, ondemand::value& v) {
      return key == "currentContext" ? ReadString(v, key, &current_context)
                                     : absl::OkStatus();
    });
  });
}

// The docker endpoint of a context's meta.json.
struct DockerEndpointMeta {
  std::string host;
  bool skip_tls_verify = false;
};

// Reads Endpoints.docker.{Host,SkipTLSVerify} from a context's meta.json.
absl::Status ParseContextMeta(const PaddedBody& json,
                              DockerEndpointMeta& meta) {
  auto on_docker_field = [&](std::string_view key, ondemand::value& v) {
    if (key == "Host") return ReadString(v, key, &meta.host);
    if (key == "SkipTLSVerify") return ReadBool(v, key, &meta.skip_tls_verify);
    return absl::OkStatus();
  };
  auto on_endpoint = [&](std::string_view key, ondemand::value& v) {
    return key == "docker" ? ForEachField(v, on_docker_field)
                           : absl::OkStatus();
  };
  ondemand::parser parser;
  return ParseDocument(parser, json, [&](ondemand::value& root) {
    if (absl::Status s = RequireObject(root); !s.ok()) return s;
    return ForEachField(root, [&](std::string_view key, ondemand::value& v) {
      return key == "Endpoints" ? ForEachField(v, on_endpoint)
                                : absl::OkStatus();
    });
  });
}

// --- Configuration directory and context name --------------------------------

// The home directory of the user running the process, from the passwd database.
std::optional<std::string> PasswdHomeDirectory() {
  constexpr size_t kBufferSize = 16384;
  struct passwd entry {};
  struct passwd* result = nullptr;
  std::vector<char> buffer(kBufferSize);
  if (getpwuid_r(getuid(), &entry, buffer.data(), buffer.size(), &result) !=
          0 ||
      result == nullptr || entry.pw_dir == nullptr) {
    return std::nullopt;
  }
  return std::string(entry.pw_dir);
}

// Returns currentContext from <config_dir>/config.json, "" when the file or
// the field is absent.
absl::StatusOr<std::string> ConfiguredContext(const std::string& config_dir) {
  const std::string path = (fs::path(config_dir) / "config.json").string();
  absl::StatusOr<std::optional<PaddedBody>> content = ReadOptionalFile(path);
  if (!content.ok()) return content.status();
  if (!content->has_value() || IsBlank(**content)) return std::string();
  std::string current_context;
  if (absl::Status parsed = ParseCurrentContext(**content, current_context);
      !parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid docker config file ", path, ": ", parsed.message()));
  }
  return current_context;
}

// The context name, in docker's order of precedence.
absl::StatusOr<std::string> ResolveContextName(const GlobalOptions& options,
                                               const EnvironmentLookup& env) {
  if (!options.context.empty()) return options.context;
  if (!options.host.empty()) return std::string(kDefaultContext);
  if (!EnvOrEmpty(env, "DOCKER_HOST").empty()) {
    return std::string(kDefaultContext);
  }
  if (std::string name = EnvOrEmpty(env, "DOCKER_CONTEXT"); !name.empty()) {
    return name;
  }
  absl::StatusOr<std::string> config_dir = ConfigDirectory(options, env);
  if (!config_dir.ok()) return config_dir.status();
  absl::StatusOr<std::string> configured = ConfiguredContext(*config_dir);
  if (!configured.ok() || !configured->empty()) return configured;
  return std::string(kDefaultContext);
}

// --- Endpoints ---------------------------------------------------------------

// Where the default context's TLS files come from, for messages about a
// file no flag named.
std::string CertDirectorySource(const std::string& cert_dir, bool from_env) {
  if (from_env) return absl::StrCat("from DOCKER_CERT_PATH=", cert_dir);
  return absl::StrCat(
      "DOCKER_CERT_PATH is not set, so it is read from the docker config "
      "directory ",
      cert_dir,
      "; set DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and "
      "key.pem");
}

// Checks every file `tls` names; `source` says where each came from.
absl::Status CheckTlsFiles(const TlsSettings& tls,
                           const std::array<std::string, 3>& source) {
  const std::array<std::pair<const std::string*, const char*>, 3> files = {{
      {&tls.ca_file, "CA certificate"},
      {&tls.cert_file, "client certificate"},
      {&tls.key_file, "client key"},
  }};
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i].first->empty()) continue;
    if (absl::Status readable =
            CheckTlsFile(*files[i].first, files[i].second, source[i]);
        !readable.ok()) {
      return readable;
    }
  }
  return absl::OkStatus();
}

// TLS files for the default context, as the docker CLI takes them: each
// flag as given, else ca.pem, cert.pem and key.pem in $DOCKER_CERT_PATH
// (or the config directory). The CA file is always used; the client
// certificate and key only when a flag names one or either file exists,
// and then both. Every file used must be readable.
absl::StatusOr<TlsSettings> DefaultTlsSettings(const GlobalOptions& options,
                                               const EnvironmentLookup& env,
                                               bool verify) {
  std::string cert_dir = EnvOrEmpty(env, "DOCKER_CERT_PATH");
  const bool from_env = !cert_dir.empty();
  if (!from_env) {
    absl::StatusOr<std::string> config_dir = ConfigDirectory(options, env);
    if (!config_dir.ok()) return config_dir.status();
    cert_dir = *std::move(config_dir);
  }
  const std::string dir_source = CertDirectorySource(cert_dir, from_env);
  auto file_or_default = [&](const std::string& flag, const char* name) {
    return flag.empty() ? (fs::path(cert_dir) / name).string() : flag;
  };
  auto source_of = [&](const std::string& flag, const char* flag_name) {
    return flag.empty() ? dir_source : std::string(flag_name);
  };
  TlsSettings tls;
  tls.verify = verify;
  tls.ca_file = file_or_default(options.tls_ca_cert, "ca.pem");
  tls.cert_file = file_or_default(options.tls_cert, "cert.pem");
  tls.key_file = file_or_default(options.tls_key, "key.pem");
  if (options.tls_cert.empty() && options.tls_key.empty() &&
      IfExists(tls.cert_file).empty() && IfExists(tls.key_file).empty()) {
    tls.cert_file.clear();
    tls.key_file.clear();
  }
  const std::array<std::string, 3> sources = {
      source_of(options.tls_ca_cert, "--tlscacert"),
      source_of(options.tls_cert, "--tlscert"),
      source_of(options.tls_key, "--tlskey")};
  if (absl::Status checked = CheckTlsFiles(tls, sources); !checked.ok()) {
    return checked;
  }
  return tls;
}

// The "default" context: -H or $DOCKER_HOST with the TLS flags and variables.
absl::StatusOr<Endpoint> DefaultEndpoint(const GlobalOptions& options,
                                         const EnvironmentLookup& env) {
  const bool verify =
      options.tls_verify || !EnvOrEmpty(env, "DOCKER_TLS_VERIFY").empty();
  const bool tls = options.tls || verify;
  const std::string raw_host =
      options.host.empty() ? EnvOrEmpty(env, "DOCKER_HOST") : options.host;
  absl::StatusOr<std::string> host = ParseHost(raw_host, tls);
  if (!host.ok()) return host.status();
  Endpoint endpoint;
  endpoint.host = *std::move(host);
  if (tls && IsTcpHost(endpoint.host)) {
    absl::StatusOr<TlsSettings> settings =
        DefaultTlsSettings(options, env, verify);
    if (!settings.ok()) return settings.status();
    endpoint.tls = *std::move(settings);
  }
  return endpoint;
}

// A named context from the context store under `config_dir`.
absl::StatusOr<Endpoint> ContextEndpoint(const std::string& name,
                                         const std::string& config_dir) {
  const std::string id = ContextDirectoryName(name);
  const fs::path contexts = fs::path(config_dir) / "contexts";
  const std::string meta_path = (contexts / "meta" / id / "meta.json").string();
  const std::string prefix = absl::StrCat("context \"", name, "\": ");
  absl::StatusOr<std::optional<PaddedBody>> content =
      ReadOptionalFile(meta_path);
  if (!content.ok()) {
    return absl::Status(content.status().code(),
                        absl::StrCat(prefix, content.status().message()));
  }
  if (!content->has_value()) {
    return absl::NotFoundError(
        absl::StrCat(prefix, "context not found: ", meta_path));
  }
  DockerEndpointMeta meta;
  if (absl::Status parsed = ParseContextMeta(**content, meta); !parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, "invalid context metadata ", meta_path, ": ",
                     parsed.message()));
  }
  if (meta.host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix, "no docker endpoint (Endpoints.docker.Host) in ", meta_path));
  }
  const fs::path tls_dir = contexts / "tls" / id / "docker";
  TlsSettings tls;
  tls.verify = !meta.skip_tls_verify;
  tls.ca_file = IfExists(tls_dir / "ca.pem");
  tls.cert_file = IfExists(tls_dir / "cert.pem");
  tls.key_file = IfExists(tls_dir / "key.pem");
  const bool use_tls = meta.skip_tls_verify || !tls.ca_file.empty() ||
                       !tls.cert_file.empty() || !tls.key_file.empty();
  // A client certificate needs its key, and a key its certificate.
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    if (tls.cert_file.empty()) tls.cert_file = (tls_dir / "cert.pem").string();
    if (tls.key_file.empty()) tls.key_file = (tls_dir / "key.pem").string();
  }
  absl::StatusOr<std::string> host = ParseHost(meta.host, use_tls);
  if (!host.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, host.status().message(), " (in ", meta_path, ")"));
  }
  Endpoint endpoint;
  endpoint.host = *std::move(host);
  endpoint.context = name;
  if (use_tls && IsTcpHost(endpoint.host)) {
    const std::string source = absl::StrCat("of context \"", name, "\"");
    if (absl::Status checked = CheckTlsFiles(tls, {source, source, source});
        !checked.ok()) {
      return checked;
    }
    endpoint.tls = std::move(tls);
  }
  return endpoint;
}

}  // namespace

absl::StatusOr<std::string> ConfigDirectory(const GlobalOptions& options,
                                            const EnvironmentLookup& env) {
  if (!options.config_dir.empty()) return options.config_dir;
  if (std::string dir = EnvOrEmpty(env, "DOCKER_CONFIG"); !dir.empty()) {
    return dir;
  }
  std::string home = EnvOrEmpty(env, "HOME");
  if (home.empty()) home = PasswdHomeDirectory().value_or("");
  if (home.empty()) {
    return absl::FailedPreconditionError(
        "cannot find the docker config directory: set HOME or DOCKER_CONFIG");
  }
  return (fs::path(home) / ".docker").string();
}

EnvironmentLookup ProcessEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

absl::StatusOr<Endpoint> ResolveEndpoint(const GlobalOptions& options,
                                         const EnvironmentLookup& env) {
  if (!options.host.empty() && !options.context.empty()) {
    return absl::InvalidArgumentError(
        "conflicting options: either specify --host or --context, not both");
  }
  absl::StatusOr<std::string> name = ResolveContextName(options, env);
  if (!name.ok()) return name.status();
  if (*name == kDefaultContext) return DefaultEndpoint(options, env);
  absl::StatusOr<std::string> config_dir = ConfigDirectory(options, env);
  if (!config_dir.ok()) return config_dir.status();
  return ContextEndpoint(*name, *config_dir);
}

absl::StatusOr<std::string> ParseHost(std::string_view host, bool tls) {
  const std::string_view trimmed = TrimSpace(host);
  if (trimmed.empty()) return std::string(kDefaultUnixHost);
  const size_t separator = trimmed.find(kSchemeSeparator);
  if (separator == std::string_view::npos) {
    // Like docker: a bare path is a unix socket, anything else is tcp.
    if (trimmed.starts_with('/') || trimmed.starts_with("./")) {
      return ParseUnixPath(trimmed, host);
    }
    return ParseTcpAddress(trimmed, tls, host);
  }
  const std::string_view scheme = trimmed.substr(0, separator);
  const std::string_view rest =
      trimmed.substr(separator + std::strlen(kSchemeSeparator));
  if (scheme == "unix") return ParseUnixPath(rest, host);
  if (scheme == "tcp") return ParseTcpAddress(rest, tls, host);
  if (scheme == "ssh") {
    // Kept as given, as docker keeps it; checked here so that a bad one is
    // named before anything runs.
    absl::StatusOr<SshAddress> address = ParseSshHost(trimmed);
    if (!address.ok()) return address.status();
    return std::string(trimmed);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unsupported host \"", std::string(host),
                   "\": docker gc supports unix://, tcp:// and ssh://"));
}

bool IsSshHost(std::string_view host) { return host.starts_with(kSshScheme); }

absl::StatusOr<SshAddress> ParseSshHost(std::string_view host) {
  if (!IsSshHost(host)) return InvalidSshHost(host, "expected ssh://");
  std::string_view rest = host.substr(kSshScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return InvalidSshHost(host, "extra query or fragment after the host");
  }
  SshAddress address;
  const size_t slash = rest.find('/');
  if (slash != std::string_view::npos) {
    address.path = std::string(rest.substr(slash));
    if (address.path == "/") address.path.clear();
    rest = rest.substr(0, slash);
  }
  const size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view user = rest.substr(0, at);
    if (user.find(':') != std::string_view::npos) {
      return InvalidSshHost(host, "plain-text password is not supported");
    }
    address.user = std::string(user);
    rest = rest.substr(at + 1);
  }
  std::string_view name = rest;
  std::string_view port;
  if (rest.starts_with('[')) {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) {
      return InvalidSshHost(host, "missing \"]\" in IPv6 address");
    }
    name = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) {
      return InvalidSshHost(host, "expected \":\" after the IPv6 address");
    }
    if (!after.empty()) port = after.substr(1);
  } else if (const size_t colon = rest.find(':');
             colon != std::string_view::npos) {
    name = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (port.find(':') != std::string_view::npos) {
      return InvalidSshHost(host, "IPv6 addresses must be in brackets");
    }
  }
  if (name.empty()) return InvalidSshHost(host, "no host specified");
  if (rest.find(':') != std::string_view::npos && !IsValidPort(port)) {
    return InvalidSshHost(host, "the port must be a number in 1..65535");
  }
  if (name.starts_with('-') || address.user.starts_with('-')) {
    return InvalidSshHost(host,
                          "a user or host name must not begin with \"-\"");
  }
  address.host = std::string(name);
  address.port = std::string(port);
  return address;
}

std::string ContextDirectoryName(std::string_view context_name) {
  return Sha256Hex(context_name);
}

}  // namespace dgc
