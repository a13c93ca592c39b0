// The sections of a policy beside rules and protect (see
// policy_sections.h).
#include "core/policy_sections.h"

#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/byte_size.h"
#include "core/json_reader.h"
#include "core/policy_fields.h"
#include "core/safe_text.h"

namespace dgc {
namespace {

using simdjson::ondemand::json_type;
using simdjson::ondemand::value;

// Reads the fields of the object `section`, each once, with `read(key,
// value, &problem)` returning false for a problem (an unknown field is one:
// `read` says so). False when `v` is not an object (reported).
using FieldReader = absl::FunctionRef<bool(std::string_view key, value& v,
                                           std::string* problem)>;

absl::StatusOr<bool> ReadSection(value& v, std::string_view section,
                                 FieldReader read, ProblemSink report) {
  json_type type;
  if (auto error = v.type().get(type)) return JsonError(error, section);
  if (type != json_type::object) {
    report(section, "want an object");
    return false;
  }
  absl::flat_hash_set<std::string> seen;
  absl::Status status = ForEachField(v, [&](std::string_view key, value& f) {
    std::string field = absl::StrFormat("%s.%s", section, key);
    std::string problem;
    if (!seen.insert(std::string(key)).second) {
      report(field, "given twice");
    } else if (!read(key, f, &problem)) {
      report(field, problem);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return true;
}

std::string Unknown(std::string_view known) {
  return absl::StrFormat("unknown field (known: %s)", known);
}

bool ReadWatermark(value& v, std::optional<Watermark>* out,
                   std::string* problem) {
  std::string text;
  if (!ReadText(v, &text, problem)) {
    *problem = "want a percentage such as \"85%\" or a size such as \"40GB\"";
    return false;
  }
  Watermark watermark{.text = text};
  if (!text.empty() && text.back() == '%') {
    absl::StatusOr<uint32_t> share = ParsePercent(text);
    if (!share.ok()) {
      *problem = std::string(share.status().message());
      return false;
    }
    watermark.percent = true;
    watermark.value = *share;
  } else {
    absl::StatusOr<uint64_t> bytes = ParseByteSize(text);
    if (!bytes.ok()) {
      *problem = std::string(bytes.status().message());
      return false;
    }
    watermark.value = *bytes;
  }
  *out = std::move(watermark);
  return true;
}

// A required field of a section that was not given.
void RequireField(bool given, std::string_view section, std::string_view key,
                  ProblemSink report) {
  if (!given) report(absl::StrFormat("%s.%s", section, key), "missing");
}

}  // namespace

absl::Status ReadThreshold(value& v, std::optional<Threshold>* out,
                           ProblemSink report) {
  std::optional<Watermark> high, low;
  bool high_given = false, low_given = false;
  absl::StatusOr<bool> object = ReadSection(
      v, "threshold",
      [&](std::string_view key, value& f, std::string* problem) {
        if (key == "high") {
          high_given = true;
          return ReadWatermark(f, &high, problem);
        }
        if (key == "low") {
          low_given = true;
          return ReadWatermark(f, &low, problem);
        }
        *problem = Unknown("high, low");
        return false;
      },
      report);
  if (!object.ok()) return object.status();
  if (!*object) return absl::OkStatus();
  RequireField(high_given, "threshold", "high", report);
  RequireField(low_given, "threshold", "low", report);
  if (!high.has_value() || !low.has_value()) return absl::OkStatus();
  if (high->percent != low->percent) {
    report("threshold",
           absl::StrFormat("\"high\" (%s) and \"low\" (%s) must both be "
                           "percentages or both be sizes",
                           high->text, low->text));
    return absl::OkStatus();
  }
  if (low->value >= high->value) {
    report("threshold.low", absl::StrFormat("%s must be below \"high\" (%s)",
                                            low->text, high->text));
    return absl::OkStatus();
  }
  *out = Threshold{*std::move(high), *std::move(low)};
  return absl::OkStatus();
}

absl::Status ReadOrder(value& v, Order* out, ProblemSink report) {
  std::string text, problem;
  if (!ReadText(v, &text, &problem)) {
    report("order", "want \"policy\" or \"lru\"");
  } else if (text == "policy") {
    *out = Order::kPolicy;
  } else if (text == "lru") {
    *out = Order::kLru;
  } else {
    report("order", absl::StrFormat("\"%s\": want \"policy\" or \"lru\"",
                                    TerminalSafe(text, 40)));
  }
  return absl::OkStatus();
}

absl::Status ReadBuildCacheSection(value& v,
                                   std::optional<BuildCacheSection>* out,
                                   ProblemSink report) {
  BuildCacheSection section;
  bool any = false;
  absl::StatusOr<bool> object = ReadSection(
      v, "build_cache",
      [&](std::string_view key, value& f, std::string* problem) {
        any = true;
        if (key == "older_than") {
          return ReadDuration(f, &section.older_than, problem);
        }
        if (key == "keep_storage") {
          return ReadSize(f, &section.keep_storage, problem);
        }
        *problem = Unknown("older_than, keep_storage");
        return false;
      },
      report);
  if (!object.ok()) return object.status();
  if (!*object) return absl::OkStatus();
  if (!any) {
    report("build_cache", "give \"older_than\", \"keep_storage\" or both");
  }
  *out = std::move(section);
  return absl::OkStatus();
}

absl::Status ReadContainersSection(value& v,
                                   std::optional<ContainersSection>* out,
                                   ProblemSink report) {
  ContainersSection section;
  std::optional<PolicyDuration> age;
  bool age_given = false;
  absl::StatusOr<bool> object = ReadSection(
      v, "containers",
      [&](std::string_view key, value& f, std::string* problem) {
        if (key == "stopped_older_than") {
          age_given = true;
          return ReadDuration(f, &age, problem);
        }
        if (key == "protect_labels") {
          return ReadLabelConditions(f, &section.protect_labels, problem);
        }
        if (key == "include_restart_policies") {
          return ReadFlag(f, &section.include_restart_policies, problem);
        }
        *problem = Unknown(
            "stopped_older_than, protect_labels, include_restart_policies");
        return false;
      },
      report);
  if (!object.ok()) return object.status();
  if (!*object) return absl::OkStatus();
  RequireField(age_given, "containers", "stopped_older_than", report);
  if (age.has_value()) {
    section.stopped_older_than = *std::move(age);
    *out = std::move(section);
  }
  return absl::OkStatus();
}

absl::Status ReadVolumesSection(value& v, std::optional<VolumesSection>* out,
                                ProblemSink report) {
  std::optional<PolicyDuration> age;
  bool age_given = false;
  absl::StatusOr<bool> object = ReadSection(
      v, "volumes",
      [&](std::string_view key, value& f, std::string* problem) {
        if (key == "anonymous_unused_older_than") {
          age_given = true;
          return ReadDuration(f, &age, problem);
        }
        *problem = Unknown("anonymous_unused_older_than");
        return false;
      },
      report);
  if (!object.ok()) return object.status();
  if (!*object) return absl::OkStatus();
  RequireField(age_given, "volumes", "anonymous_unused_older_than", report);
  if (age.has_value()) *out = VolumesSection{*std::move(age)};
  return absl::OkStatus();
}

}  // namespace dgc
