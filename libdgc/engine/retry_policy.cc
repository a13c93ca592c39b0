// Which failed requests are sent again, and when (see retry_policy.h).
#include "engine/retry_policy.h"

#include <random>

#include "absl/strings/str_format.h"
#include "core/error_code.h"

namespace dgc {

bool RetryPolicy::Retryable(const HttpRequest& request,
                            const absl::StatusOr<HttpResponse>& result) {
  if (request.method != "GET") return false;
  if (!result.ok()) return absl::IsUnavailable(result.status());
  return result->status == 502 || result->status == 503 ||
         result->status == 504;
}

absl::Duration RetryPolicy::WaitBefore(int attempt) const {
  // Not for secrets: an engine's clients only need to differ.
  thread_local std::minstd_rand random(std::random_device{}());
  std::uniform_real_distribution<double> factor(0.5, 1.0);
  absl::Duration wait = first_wait;
  for (int i = 2; i < attempt; ++i) wait *= 2;
  return wait * factor(random);
}

absl::Status AfterAttempts(const absl::Status& error, int attempts) {
  if (attempts <= 1) return error;
  return Reworded(error, absl::StrFormat("%s; sent %d times, giving up",
                                         error.message(), attempts));
}

}  // namespace dgc
