// TLS failures people can act on (see tls_diagnosis.h).
#include "engine/tls_diagnosis.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>

#include "absl/strings/str_format.h"
#include "core/error_code.h"

namespace dgc {
namespace {

constexpr std::string_view kPlainHttpAnswer =
    "Client sent an HTTP request to an HTTPS server.";

// The CA file the engine's certificate is checked against, for messages.
std::string TrustedCas(const TlsSettings& tls) {
  return tls.ca_file.empty() ? "the system's CA certificates"
                             : absl::StrFormat("the CA in %s", tls.ca_file);
}

// "2026-11-29 12:07:17 UTC", or "" when `time` cannot be read.
std::string FormatAsn1Time(const ASN1_TIME* time) {
  struct tm parts {};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return "";
  char text[32];
  if (std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &parts) == 0) {
    return "";
  }
  return text;
}

// Why the certificate in `path` is not valid now ("it expired on …"), or
// "" when it is valid or cannot be read.
std::string CertificateValidity(const std::string& path) {
  std::unique_ptr<BIO, decltype(&BIO_free)> file(
      BIO_new_file(path.c_str(), "r"), &BIO_free);
  if (file == nullptr) return "";
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(file.get(), nullptr, nullptr, nullptr), &X509_free);
  if (cert == nullptr) return "";
  const ASN1_TIME* not_after = X509_get0_notAfter(cert.get());
  if (X509_cmp_current_time(not_after) < 0) {
    return absl::StrFormat("it expired on %s", FormatAsn1Time(not_after));
  }
  const ASN1_TIME* not_before = X509_get0_notBefore(cert.get());
  if (X509_cmp_current_time(not_before) > 0) {
    return absl::StrFormat("it is not valid before %s",
                           FormatAsn1Time(not_before));
  }
  return "";
}

// Why the engine's certificate failed verification, from OpenSSL's verify
// result and libcurl's text.
std::string ServerCertificateProblem(const TlsSettings& tls,
                                     const TlsFailure& failure) {
  switch (failure.verify_result) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "the engine's certificate has expired";
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "the engine's certificate is not valid yet (are both clocks "
             "right?)";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return absl::StrFormat(
          "the engine's certificate is not signed by %s (an unknown "
          "authority)",
          TrustedCas(tls));
    default:
      break;
  }
  if (failure.detail.find("subject name") != std::string::npos) {
    return "the engine's certificate is not for this host name or address";
  }
  return absl::StrFormat("the engine's certificate is not trusted by %s",
                         TrustedCas(tls));
}

// The engine ended the connection with an alert (`certain`), or closed it
// before answering anything (the alert lost in a race with the close): it
// wanted a client certificate, or did not accept the one given.
absl::Status ClientCertificateRefused(const std::string& host,
                                      const TlsSettings& tls,
                                      const TlsFailure& failure, bool certain) {
  const std::string engine =
      certain ? absl::StrFormat("the Docker engine at %s", host)
              : absl::StrFormat(
                    "the Docker engine at %s closed the TLS connection "
                    "without an answer: it probably",
                    host);
  if (tls.cert_file.empty()) {
    return absl::UnauthenticatedError(absl::StrFormat(
        "%s requires a client certificate (it runs with --tlsverify) and "
        "none was given: put cert.pem and key.pem in DOCKER_CERT_PATH, or "
        "pass --tlscert and --tlskey (TLS: %s)",
        engine, failure.detail));
  }
  std::string why = CertificateValidity(tls.cert_file);
  if (why.empty()) {
    why = "it must be signed by the CA the engine trusts (its --tlscacert)";
  }
  return absl::UnauthenticatedError(
      absl::StrFormat("%s rejected the client certificate %s: %s (TLS: %s)",
                      engine, tls.cert_file, why, failure.detail));
}

}  // namespace

absl::Status CheckTlsFile(std::string_view path, std::string_view what,
                          std::string_view source) {
  int fd = ::open(std::string(path).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::close(fd);
    return absl::OkStatus();
  }
  int error = errno;
  std::string message = absl::StrFormat(
      "cannot read the TLS %s %s (%s): %s", std::string(what),
      std::string(path), std::string(source), std::strerror(error));
  if (error == ENOENT || error == ENOTDIR) {
    return absl::NotFoundError(message);
  }
  if (error == EACCES || error == EPERM) {
    return absl::PermissionDeniedError(message);
  }
  return WithErrorCode(absl::FailedPreconditionError(message), ErrorCode::kIo);
}

std::optional<absl::Status> ExplainTlsFailure(std::string_view host_name,
                                              const TlsSettings& tls,
                                              const TlsFailure& failure) {
  const std::string host(host_name);
  const std::string& detail = failure.detail;
  switch (failure.code) {
    case CURLE_PEER_FAILED_VERIFICATION:
      return absl::UnauthenticatedError(absl::StrFormat(
          "TLS certificate verify failed for the Docker engine at %s: %s "
          "(%s)",
          host, ServerCertificateProblem(tls, failure), detail));
    case CURLE_SSL_CACERT_BADFILE:
      return absl::FailedPreconditionError(
          absl::StrFormat("cannot use the TLS CA certificate %s for the "
                          "Docker engine at %s: %s",
                          tls.ca_file, host, detail));
    case CURLE_SSL_CERTPROBLEM:
      return absl::FailedPreconditionError(absl::StrFormat(
          "cannot use the TLS client certificate %s with the key %s for the "
          "Docker engine at %s: %s",
          tls.cert_file, tls.key_file, host, detail));
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      break;
    default:
      return std::nullopt;
  }
  if (detail.find("alert") != std::string::npos) {
    return ClientCertificateRefused(host, tls, failure, /*certain=*/true);
  }
  if (detail.find("wrong version number") != std::string::npos) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "the Docker engine at %s does not speak TLS on that port: drop "
        "--tls/--tlsverify and DOCKER_TLS_VERIFY, or use the engine's TLS "
        "port (TLS: %s)",
        host, detail));
  }
  if (failure.code == CURLE_SSL_CONNECT_ERROR) {
    return absl::UnauthenticatedError(absl::StrFormat(
        "the TLS handshake with the Docker engine at %s failed: %s", host,
        detail));
  }
  if (failure.nothing_received) {
    return ClientCertificateRefused(host, tls, failure, /*certain=*/false);
  }
  return std::nullopt;
}

absl::Status CheckNotTlsPort(std::string_view host,
                             const HttpResponse& response) {
  if (response.status != 400 ||
      !response.body.view().starts_with(kPlainHttpAnswer)) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrFormat(
      "the Docker engine at %s requires TLS (it answered \"%s\"): use "
      "--tlsverify with --tlscacert, --tlscert and --tlskey, or set "
      "DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the directory holding "
      "ca.pem, cert.pem and key.pem",
      std::string(host), std::string(kPlainHttpAnswer)));
}

}  // namespace dgc
