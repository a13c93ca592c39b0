// Engine endpoint resolution: which Docker engine to talk to, and how.
//
// Resolves the endpoint exactly as the docker CLI does (SPEC.md §1):
// `--context`, then `-H`, then `DOCKER_HOST`, then `DOCKER_CONTEXT`, then
// `currentContext` in `$DOCKER_CONFIG/config.json`, else the default
// `unix:///var/run/docker.sock`. Named contexts are read from
// `<config>/contexts/meta/<sha256(name)>/meta.json`, with their TLS material
// in `<config>/contexts/tls/<sha256(name)>/docker/`.
//
// Example:
//   dgc::GlobalOptions options;               // from the command line
//   absl::StatusOr<dgc::Endpoint> endpoint =
//       dgc::ResolveEndpoint(options, dgc::ProcessEnvironment());
//   if (!endpoint.ok()) { ... endpoint.status().message() ... }
#ifndef DGC_ENGINE_ENDPOINT_H_
#define DGC_ENGINE_ENDPOINT_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace dgc {

// The docker CLI's global connection flags, as given on the command line.
// Empty strings mean "not given".
struct GlobalOptions {
  std::string host;         // -H/--host
  std::string context;      // -c/--context
  std::string config_dir;   // --config (else $DOCKER_CONFIG, else ~/.docker)
  bool tls = false;         // --tls
  bool tls_verify = false;  // --tlsverify
  std::string tls_ca_cert;  // --tlscacert
  std::string tls_cert;     // --tlscert
  std::string tls_key;      // --tlskey
};

// TLS settings for a tcp:// endpoint (never used with ssh://, which secures
// the connection itself). Empty file names mean "none".
struct TlsSettings {
  bool verify = true;     // verify the server certificate
  std::string ca_file;    // PEM CA bundle
  std::string cert_file;  // PEM client certificate
  std::string key_file;   // PEM client key
};

// A resolved engine endpoint.
struct Endpoint {
  // "unix:///var/run/docker.sock", "tcp://host:port" (port always present)
  // or "ssh://[user@]host[:port][/path]" (as given).
  std::string host;
  // Set when the connection uses TLS (tcp:// only).
  std::optional<TlsSettings> tls;
  // The context the endpoint came from ("default" when none was named).
  std::string context = "default";
};

// Reads one environment variable; nullopt when unset. Injected so that
// resolution is testable without touching the process environment.
using EnvironmentLookup =
    std::function<std::optional<std::string>(std::string_view name)>;

// ProcessEnvironment returns a lookup over the real process environment
// (getenv: not safe against a concurrent setenv in another thread).
EnvironmentLookup ProcessEnvironment();

// ResolveEndpoint resolves the engine endpoint from the global flags and the
// environment, reading the docker config and context files it needs. The
// config directory is --config, else $DOCKER_CONFIG, else $HOME/.docker (the
// passwd entry's home when HOME is unset); config.json is read only when no
// flag or variable names the context or host, and may be missing or empty.
// For the "default" context (never read from disk), TLS is on with --tls,
// --tlsverify or a non-empty $DOCKER_TLS_VERIFY; verification with the latter
// two (as docker, --tls alone turns it off). As the docker CLI takes them,
// the files are --tlscacert/--tlscert/--tlskey, else ca.pem, cert.pem and
// key.pem in $DOCKER_CERT_PATH (else the config directory): the CA file
// always, the client certificate and key (both) only when a flag names
// one or either file exists. A named context uses TLS when its TLS
// directory holds any of those files or its SkipTLSVerify is true. TLS is
// only ever set for tcp:// hosts, and then every file it names is readable:
// as the docker CLI, TLS flags, variables and context files are ignored for
// an ssh:// host (front ends may refuse the flags).
//
// Errors (InvalidArgument unless noted), each naming what is at fault:
//   - a TLS file that is missing (NotFound) or unreadable (PermissionDenied),
//     named with where it came from (flag, DOCKER_CERT_PATH, the config
//     directory, the context);
//   - both --host and --context given;
//   - a context that does not exist (NotFound), or a meta.json that is not
//     valid JSON or has no docker endpoint (the file is named);
//   - a config.json that is not valid JSON (the file is named);
//   - a config.json or meta.json that exists but cannot be read, or no home
//     directory to find the config in (FailedPrecondition);
//   - a host with an unsupported scheme (ssh://, fd://, npipe://) or a
//     malformed address.
absl::StatusOr<Endpoint> ResolveEndpoint(const GlobalOptions& options,
                                         const EnvironmentLookup& env);

// ParseHost normalises a docker host string: "unix:///path" stays as is,
// "unix://" alone becomes the default socket, "tcp://h" gains the default
// port (2375, or 2376 when `tls` is true), "h:p" without a scheme becomes
// "tcp://h:p" and a bare "/path" becomes "unix:///path". Surrounding
// whitespace is ignored and an empty string means the default socket. A tcp
// host without a name ("tcp://:p") uses "localhost", IPv6 addresses must be
// bracketed, the port must be in 1..65535, and a trailing "/" is dropped
// while any other path is rejected. "ssh://…" is kept as given once
// ParseSshHost accepts it. Other schemes are InvalidArgument.
absl::StatusOr<std::string> ParseHost(std::string_view host, bool tls);

// The parts of an ssh:// host. Empty strings mean "not given".
struct SshAddress {
  std::string user;
  std::string host;  // a name or an address (IPv6 without its brackets)
  std::string port;
  std::string path;  // the engine socket on the far side, e.g. "/run/d.sock"
};

// IsSshHost reports whether `host` has the ssh:// scheme.
bool IsSshHost(std::string_view host);

// ParseSshHost splits "ssh://[user@]host[:port][/path]" as the docker CLI
// does. A path of "/" alone is no path. Errors (InvalidArgument, naming the
// host): another scheme, no host name, a password (not supported, as
// docker), a query or fragment, a port that is not in 1..65535, or a
// user, host or port that ssh would take for an option (a leading "-").
absl::StatusOr<SshAddress> ParseSshHost(std::string_view host);

// ConfigDirectory returns the docker config directory: --config, else
// $DOCKER_CONFIG, else $HOME/.docker (the passwd entry's home when HOME is
// unset). Errors: FailedPrecondition when there is no home directory.
absl::StatusOr<std::string> ConfigDirectory(const GlobalOptions& options,
                                            const EnvironmentLookup& env);

// ContextDirectoryName returns the directory name docker uses for a context:
// the lower-case hex SHA-256 of its name.
std::string ContextDirectoryName(std::string_view context_name);

}  // namespace dgc

#endif  // DGC_ENGINE_ENDPOINT_H_
