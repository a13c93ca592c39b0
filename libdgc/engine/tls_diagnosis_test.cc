// Tests of the TLS explanations (engine/tls_diagnosis.h): a missing TLS
// file is named with where its name came from; libcurl's TLS failures
// become messages that say which certificate and which CA, and carry the
// code the caller can act on; a TLS port's answer to plain HTTP is told
// apart from any other 400. The real handshakes are in
// tests/integration/test_tls.py.
#include "engine/tls_diagnosis.h"

#include <openssl/x509_vfy.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

namespace fs = std::filesystem;

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kHost[] = "tcp://10.0.0.5:2376";

TlsSettings Settings(std::string cert = "/certs/cert.pem") {
  TlsSettings tls;
  tls.ca_file = "/certs/ca.pem";
  tls.cert_file = std::move(cert);
  tls.key_file = tls.cert_file.empty() ? "" : "/certs/key.pem";
  return tls;
}

std::string Message(const std::optional<absl::Status>& status) {
  return status.has_value() ? std::string(status->message()) : "(nullopt)";
}

TEST(CheckTlsFileTest, ReadableFileIsOk) {
  const fs::path path =
      fs::path(::testing::TempDir()) /
      ("tls_diagnosis_test_" + std::to_string(getpid()) + ".pem");
  std::ofstream(path) << "PEM";
  EXPECT_TRUE(
      CheckTlsFile(path.string(), "CA certificate", "--tlscacert").ok());
  fs::remove(path);
}

TEST(CheckTlsFileTest, MissingFileIsNotFoundNamingFileAndSource) {
  absl::Status status = CheckTlsFile("/no/such/ca.pem", "CA certificate",
                                     "from DOCKER_CERT_PATH=/no/such");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(),
            "cannot read the TLS CA certificate /no/such/ca.pem (from "
            "DOCKER_CERT_PATH=/no/such): No such file or directory");
}

TEST(ExplainTlsFailureTest, UnknownAuthorityNamesTheCaFile) {
  std::optional<absl::Status> status = ExplainTlsFailure(
      kHost, Settings(),
      {.code = CURLE_PEER_FAILED_VERIFICATION,
       .verify_result = X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
       .detail = "SSL certificate problem: unable to get local issuer "
                 "certificate"});
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(Message(status),
              AllOf(HasSubstr("certificate verify failed"), HasSubstr(kHost),
                    HasSubstr("not signed by the CA in /certs/ca.pem"),
                    HasSubstr("unable to get local issuer certificate")));
}

TEST(ExplainTlsFailureTest, ExpiredEngineCertificateIsSaid) {
  std::optional<absl::Status> status = ExplainTlsFailure(
      kHost, Settings(),
      {.code = CURLE_PEER_FAILED_VERIFICATION,
       .verify_result = X509_V_ERR_CERT_HAS_EXPIRED,
       .detail = "SSL certificate problem: certificate has expired"});
  EXPECT_THAT(Message(status),
              HasSubstr("the engine's certificate has expired"));
}

TEST(ExplainTlsFailureTest, WithoutACaFileTheSystemCasAreNamed) {
  TlsSettings tls = Settings();
  tls.ca_file.clear();
  std::optional<absl::Status> status = ExplainTlsFailure(
      kHost, tls,
      {.code = CURLE_PEER_FAILED_VERIFICATION,
       .verify_result = X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
       .detail = "SSL certificate problem: self-signed certificate"});
  EXPECT_THAT(Message(status), HasSubstr("the system's CA certificates"));
}

TEST(ExplainTlsFailureTest, HostNameMismatchIsSaid) {
  std::optional<absl::Status> status = ExplainTlsFailure(
      kHost, Settings(),
      {.code = CURLE_PEER_FAILED_VERIFICATION,
       .verify_result = 1,
       .detail = "SSL: no alternative certificate subject name matches "
                 "target host name '10.0.0.5'"});
  EXPECT_THAT(Message(status), HasSubstr("not for this host name"));
}

TEST(ExplainTlsFailureTest, AlertWithoutClientCertificateAsksForOne) {
  std::optional<absl::Status> status = ExplainTlsFailure(
      kHost, Settings(/*cert=*/""),
      {.code = CURLE_RECV_ERROR,
       .detail = "OpenSSL SSL_read: error:0A000412:SSL routines::sslv3 "
                 "alert bad certificate, errno 0"});
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(Message(status),
              AllOf(HasSubstr("requires a client certificate"),
                    HasSubstr("none was given"), HasSubstr("--tlscert")));
}

TEST(ExplainTlsFailureTest, AlertWithAClientCertificateNamesIt) {
  // The file cannot be read here, so the reason is the general one.
  std::optional<absl::Status> status = ExplainTlsFailure(
      kHost, Settings(),
      {.code = CURLE_SSL_CONNECT_ERROR,
       .detail = "OpenSSL/3.0: error:0A000412:SSL routines::sslv3 alert bad "
                 "certificate"});
  EXPECT_THAT(Message(status),
              AllOf(HasSubstr("rejected the client certificate "
                              "/certs/cert.pem"),
                    HasSubstr("signed by the CA the engine trusts")));
}

TEST(ExplainTlsFailureTest, PlainPortIsSaid) {
  std::optional<absl::Status> status = ExplainTlsFailure(
      kHost, Settings(),
      {.code = CURLE_SSL_CONNECT_ERROR,
       .detail = "error:0A00010B:SSL routines::wrong version number"});
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(status), HasSubstr("does not speak TLS"));
}

TEST(ExplainTlsFailureTest, UnusableFilesAreNamed) {
  EXPECT_THAT(
      Message(ExplainTlsFailure(kHost, Settings(),
                                {.code = CURLE_SSL_CACERT_BADFILE,
                                 .detail = "error setting certificate file"})),
      HasSubstr("CA certificate /certs/ca.pem"));
  EXPECT_THAT(Message(ExplainTlsFailure(
                  kHost, Settings(),
                  {.code = CURLE_SSL_CERTPROBLEM,
                   .detail = "could not load PEM client certificate"})),
              HasSubstr("client certificate /certs/cert.pem with the key "
                        "/certs/key.pem"));
}

TEST(ExplainTlsFailureTest, CloseWithoutAnAnswerProbablyRefusedTheCert) {
  // The engine's close can overtake its alert: libcurl then reports only
  // the broken connection, before any byte of an answer.
  std::optional<absl::Status> status = ExplainTlsFailure(
      kHost, Settings(),
      {.code = CURLE_RECV_ERROR,
       .detail = "getpeername() failed with errno 107: Transport endpoint "
                 "is not connected",
       .nothing_received = true});
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(Message(status),
              AllOf(HasSubstr("closed the TLS connection without an answer: "
                              "it probably rejected the client certificate "
                              "/certs/cert.pem"),
                    HasSubstr("getpeername")));
}

TEST(ExplainTlsFailureTest, OtherFailuresAreLeftToTheCaller) {
  EXPECT_FALSE(ExplainTlsFailure(kHost, Settings(),
                                 {.code = CURLE_COULDNT_CONNECT,
                                  .detail = "Connection refused"})
                   .has_value());
  // Broken off after an answer began: not about certificates.
  EXPECT_FALSE(ExplainTlsFailure(kHost, Settings(),
                                 {.code = CURLE_RECV_ERROR,
                                  .detail = "Connection reset by peer",
                                  .nothing_received = false})
                   .has_value());
}

TEST(CheckNotTlsPortTest, TlsServersAnswerToPlainHttpIsAnError) {
  HttpResponse response;
  response.status = 400;
  response.body.Append("Client sent an HTTP request to an HTTPS server.\n");
  absl::Status status = CheckNotTlsPort("tcp://127.0.0.1:2376", response);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("requires TLS"), HasSubstr("--tlsverify"),
                    HasSubstr("DOCKER_TLS_VERIFY=1")));
}

TEST(CheckNotTlsPortTest, OtherAnswersAreOk) {
  HttpResponse bad_request;
  bad_request.status = 400;
  bad_request.body.Append(R"({"message":"bad parameter"})");
  EXPECT_TRUE(CheckNotTlsPort("tcp://h:2375", bad_request).ok());
  HttpResponse ok;
  ok.status = 200;
  ok.body.Append("Client sent an HTTP request to an HTTPS server.");
  EXPECT_TRUE(CheckNotTlsPort("tcp://h:2375", ok).ok());
}

}  // namespace
}  // namespace dgc
