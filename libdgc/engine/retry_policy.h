// RetryPolicy: which failed engine requests libdgc sends again, how often,
// and how long it waits first. EngineClient asks it about every request;
// nothing else sends a request twice.
//
// Only a GET is ever sent again: a read changes nothing, so a second one
// is safe whatever became of the first. A DELETE or a POST whose answer
// was lost may have been done by the engine; sending it again could act
// twice, or on what took the name since, so the executor learns its outcome
// with a read instead (see executor.h).
//
// A GET is sent again when the way to the engine failed, not the engine's
// decision:
//   - the transport's Unavailable: the connection was refused, reset or
//     closed before the body was complete (a body shorter than its
//     Content-Length, a chunked body cut short);
//   - HTTP 502, 503 or 504: a gateway, or an engine, saying it cannot
//     answer now.
// Never for: DeadlineExceeded (`--timeout` bounds each request as the user
// sees it, SPEC §9, so a stalled request fails once, in that time, not
// three times that); HTTP 500 and 4xx (the engine's own answer: asking
// again gets the same one); a complete 2xx whose body does not parse
// (nothing says the next would differ: a transport error would have said
// the body was cut); the read-only refusal; a body over the size limit.
//
// At most `attempts` sends (3), waiting about `first_wait` (100ms) before
// the second and twice as long before each later one; each wait is drawn
// between 1/2 and 1 times that so that clients that failed together do not
// all come back together. The default policy so waits at most 300ms in
// all, far below any `--timeout`, and a stop request (Ctrl-C, the C API's
// cancel flag), which the executor reads between actions, is seen as soon
// as the request's last attempt ends.
//
// Example:
//   dgc::RetryPolicy retry;
//   for (int attempt = 1;; ++attempt) {
//     result = transport.Perform(request);
//     if (attempt == retry.attempts || !retry.Retryable(request, result)) {
//       break;
//     }
//     absl::SleepFor(retry.WaitBefore(attempt + 1));
//   }
#ifndef DGC_ENGINE_RETRY_POLICY_H_
#define DGC_ENGINE_RETRY_POLICY_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/transport.h"

namespace dgc {

struct RetryPolicy {
  int attempts = 3;  // sends of one request, the first included; >= 1
  absl::Duration first_wait = absl::Milliseconds(100);

  // Retryable returns whether `request`, which got `result`, may be sent
  // again (see the file comment); whether attempts are left is the
  // caller's to check.
  static bool Retryable(const HttpRequest& request,
                        const absl::StatusOr<HttpResponse>& result);

  // WaitBefore returns how long to wait before send number `attempt` (2
  // or later): first_wait * 2^(attempt - 2), times a random factor in
  // [1/2, 1].
  absl::Duration WaitBefore(int attempt) const;
};

// AfterAttempts returns `error` (not OK), with its code and payloads, its
// message ending with how many times the request was sent: "...: HTTP 503
// ...; sent 3 times, giving up". `attempts` 1 returns `error` as it is.
absl::Status AfterAttempts(const absl::Status& error, int attempts);

}  // namespace dgc

#endif  // DGC_ENGINE_RETRY_POLICY_H_
