// Unit tests of RetryPolicy: which outcomes of which requests are sent
// again (only GETs, only a failed way to the engine), the waits (doubling,
// jittered within bounds), and AfterAttempts keeping the code and payloads.
#include "engine/retry_policy.h"

#include "absl/status/status.h"
#include "core/error_code.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

HttpResponse WithStatus(long status) {
  HttpResponse response;
  response.status = status;
  return response;
}

TEST(RetryPolicyTest, GetIsRetriedWhenTheWayToTheEngineFailed) {
  HttpRequest get{.method = "GET", .path = "/v1.41/images/json?all=1"};
  EXPECT_TRUE(RetryPolicy::Retryable(
      get, absl::UnavailableError("broke off its response")));
  for (long status : {502, 503, 504}) {
    EXPECT_TRUE(RetryPolicy::Retryable(get, WithStatus(status))) << status;
  }
}

TEST(RetryPolicyTest, GetIsNotRetriedForTheEnginesOwnAnswerOrATimeout) {
  HttpRequest get{.method = "GET", .path = "/v1.41/images/json?all=1"};
  for (long status : {200, 204, 400, 404, 409, 500, 501}) {
    EXPECT_FALSE(RetryPolicy::Retryable(get, WithStatus(status))) << status;
  }
  EXPECT_FALSE(
      RetryPolicy::Retryable(get, absl::DeadlineExceededError("no answer")));
  EXPECT_FALSE(
      RetryPolicy::Retryable(get, absl::PermissionDeniedError("socket")));
  EXPECT_FALSE(
      RetryPolicy::Retryable(get, absl::ResourceExhaustedError("too large")));
  EXPECT_FALSE(
      RetryPolicy::Retryable(get, absl::FailedPreconditionError("read-only")));
}

TEST(RetryPolicyTest, NothingButGetIsEverRetried) {
  for (const char* method : {"DELETE", "POST", "HEAD", "PUT"}) {
    HttpRequest request{.method = method, .path = "/v1.41/images/app:1"};
    EXPECT_FALSE(
        RetryPolicy::Retryable(request, absl::UnavailableError("reset")))
        << method;
    EXPECT_FALSE(RetryPolicy::Retryable(request, WithStatus(503))) << method;
  }
}

TEST(RetryPolicyTest, WaitsDoubleWithJitterWithinBounds) {
  RetryPolicy retry;
  ASSERT_EQ(retry.attempts, 3);
  ASSERT_EQ(retry.first_wait, absl::Milliseconds(100));
  bool varied = false;
  absl::Duration first_seen = retry.WaitBefore(2);
  for (int i = 0; i < 200; ++i) {
    absl::Duration second = retry.WaitBefore(2);
    absl::Duration third = retry.WaitBefore(3);
    EXPECT_GE(second, absl::Milliseconds(50));
    EXPECT_LE(second, absl::Milliseconds(100));
    EXPECT_GE(third, absl::Milliseconds(100));
    EXPECT_LE(third, absl::Milliseconds(200));
    varied = varied || second != first_seen;
  }
  EXPECT_TRUE(varied) << "the waits are jittered";
  EXPECT_EQ(RetryPolicy{.first_wait = absl::ZeroDuration()}.WaitBefore(3),
            absl::ZeroDuration());
}

TEST(RetryPolicyTest, AfterAttemptsSaysHowManyAndKeepsTheCode) {
  absl::Status error = WithErrorCode(
      absl::InternalError("answered GET /v1.41/info with HTTP 503: busy"),
      ErrorCode::kEngine);
  absl::Status said = AfterAttempts(error, 3);
  EXPECT_EQ(said.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(ErrorCodeOf(said), ErrorCode::kEngine);
  EXPECT_THAT(said.message(),
              AllOf(HasSubstr("GET /v1.41/info with HTTP 503: busy"),
                    HasSubstr("sent 3 times, giving up")));
  EXPECT_EQ(AfterAttempts(error, 1), error);
}

}  // namespace
}  // namespace dgc
