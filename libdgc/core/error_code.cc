// libdgc's error codes (see error_code.h).
#include "core/error_code.h"

#include <array>
#include <charconv>
#include <optional>
#include <string>

#include "absl/strings/cord.h"
#include "core/string_views.h"

namespace dgc {
namespace {

constexpr char kPayloadUrl[] = "type.dgc/error_code";

constexpr std::array<std::string_view, 13> kNames = {
    "DGC_OK",        "DGC_EINVALID",   "DGC_ENOTFOUND",     "DGC_EUNAVAILABLE",
    "DGC_ETIMEOUT",  "DGC_EPERM",      "DGC_EPRECONDITION", "DGC_EENGINE",
    "DGC_EPROTOCOL", "DGC_ECANCELLED", "DGC_ERESOURCE",     "DGC_EIO",
    "DGC_EINTERNAL",
};
static_assert(kNames.size() == 1 - static_cast<int>(kLastErrorCode));

std::optional<ErrorCode> MarkedCode(const absl::Status& status) {
  auto payload = status.GetPayload(kPayloadUrl);  // an absl::optional
  if (!payload.has_value()) return std::nullopt;
  std::string text(*payload);
  int value = 0;
  auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > 0 ||
      value < static_cast<int>(kLastErrorCode)) {
    return std::nullopt;
  }
  return static_cast<ErrorCode>(value);
}

}  // namespace

absl::Status WithErrorCode(absl::Status status, ErrorCode code) {
  if (status.ok()) return status;
  status.SetPayload(kPayloadUrl,
                    absl::Cord(std::to_string(static_cast<int>(code))));
  return status;
}

absl::Status Reworded(const absl::Status& status, std::string_view message) {
  absl::Status reworded(status.code(), ToAbsl(message));
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    reworded.SetPayload(url, payload);
  });
  return reworded;
}

ErrorCode ErrorCodeOf(const absl::Status& status) {
  if (status.ok()) return ErrorCode::kOk;
  if (std::optional<ErrorCode> marked = MarkedCode(status)) return *marked;
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return ErrorCode::kOk;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return ErrorCode::kInvalid;
    case absl::StatusCode::kNotFound:
      return ErrorCode::kNotFound;
    case absl::StatusCode::kUnavailable:
      return ErrorCode::kUnavailable;
    case absl::StatusCode::kDeadlineExceeded:
      return ErrorCode::kTimeout;
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
      return ErrorCode::kPermission;
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kUnimplemented:
      return ErrorCode::kPrecondition;
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kAborted:
      return ErrorCode::kCancelled;
    case absl::StatusCode::kResourceExhausted:
      return ErrorCode::kResource;
    case absl::StatusCode::kDataLoss:
      return ErrorCode::kIo;
    default:
      return ErrorCode::kInternal;
  }
}

std::string_view ErrorCodeName(int code) {
  if (code > 0 || code < static_cast<int>(kLastErrorCode)) {
    return "DGC_EUNKNOWN";
  }
  return kNames[static_cast<size_t>(-code)];
}

}  // namespace dgc
