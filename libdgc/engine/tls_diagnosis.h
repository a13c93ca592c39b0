// TLS failures people can act on. Before connecting, each TLS file an
// endpoint names is checked (missing or unreadable: the file is named, as
// the docker CLI does); after a failed connection, libcurl's bare "SSL
// certificate problem" or TLS alert becomes what went wrong and with which
// file: the engine's certificate is not signed by the CA file, or has
// expired; the engine wants a client certificate and none was given, or
// rejected the one given (expired, or signed by another CA); the port
// speaks TLS and the request was plain HTTP, or the other way round.
//
// Example:
//   absl::Status readable = dgc::CheckTlsFile(
//       "/certs/ca.pem", "CA certificate", "DOCKER_CERT_PATH=/certs");
//   std::optional<absl::Status> why = dgc::ExplainTlsFailure(
//       "tcp://10.0.0.5:2376", tls,
//       {.code = CURLE_PEER_FAILED_VERIFICATION, .verify_result = 10,
//        .detail = "SSL certificate problem: certificate has expired"});
#ifndef DGC_ENGINE_TLS_DIAGNOSIS_H_
#define DGC_ENGINE_TLS_DIAGNOSIS_H_

#include <curl/curl.h>

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "engine/endpoint.h"
#include "engine/transport.h"

namespace dgc {

// CheckTlsFile returns OK when `path` can be opened for reading. Errors,
// naming the file, `what` it is ("CA certificate") and `source` (where the
// name came from, e.g. "--tlscacert"): NotFound for a missing file,
// PermissionDenied for one the user may not read, else code kIo.
absl::Status CheckTlsFile(std::string_view path, std::string_view what,
                          std::string_view source);

// What libcurl reported of a failed connection.
struct TlsFailure {
  CURLcode code = CURLE_OK;
  long verify_result = 0;  // CURLINFO_SSL_VERIFYRESULT: an X509_V_ERR code
  std::string detail;      // libcurl's error text
  // No byte of an answer arrived (CURLINFO_HEADER_SIZE is 0): a send or
  // receive error then is the engine closing the connection right after
  // the handshake, which is how a refused client certificate can look
  // when the close overtakes the TLS alert.
  bool nothing_received = false;
};

// ExplainTlsFailure returns the error for a connection to `host` with
// `tls` that failed in TLS: Unauthenticated when the engine's certificate
// cannot be verified or the engine refused the client's (naming the CA
// file or the client certificate, and saying when one has expired; said
// as "probably" when the engine closed the connection without an answer
// and without an alert), FailedPrecondition when the port does not speak
// TLS or a TLS file is unusable. Returns nullopt when `failure` is not a
// TLS failure.
std::optional<absl::Status> ExplainTlsFailure(std::string_view host,
                                              const TlsSettings& tls,
                                              const TlsFailure& failure);

// CheckNotTlsPort returns FailedPrecondition, with how to turn TLS on,
// when `response` is a TLS server's answer to a plain HTTP request (Go's
// 400 "Client sent an HTTP request to an HTTPS server."), else OK.
absl::Status CheckNotTlsPort(std::string_view host,
                             const HttpResponse& response);

}  // namespace dgc

#endif  // DGC_ENGINE_TLS_DIAGNOSIS_H_
