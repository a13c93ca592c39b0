// Readers of policy fields (see policy_fields.h).
#include "core/policy_fields.h"

#include <limits>
#include <utility>

#include "absl/strings/str_format.h"
#include "core/byte_size.h"
#include "core/json_reader.h"
#include "core/time_text.h"

namespace dgc {

using simdjson::ondemand::json_type;
using simdjson::ondemand::value;

bool ReadText(value& v, std::string* out, std::string* problem) {
  std::string_view text;
  if (v.get_string().get(text) != simdjson::SUCCESS) {
    *problem = "want a string";
    return false;
  }
  out->assign(text);
  return true;
}

bool ReadGlobs(value& v, std::vector<Glob>* out, std::string* problem) {
  json_type type;
  if (v.type().get(type) != simdjson::SUCCESS) {
    *problem = "invalid JSON";
    return false;
  }
  std::vector<std::string> patterns;
  if (type == json_type::string) {
    patterns.emplace_back();
    if (!ReadText(v, &patterns.back(), problem)) return false;
  } else if (type == json_type::array) {
    absl::Status status = ReadStringArray(v, "match", &patterns);
    if (!status.ok()) {
      *problem = "want a glob or an array of globs";
      return false;
    }
    if (patterns.empty()) {
      *problem = "an empty array matches nothing";
      return false;
    }
  } else {
    *problem = "want a glob or an array of globs";
    return false;
  }
  for (const std::string& pattern : patterns) {
    absl::StatusOr<Glob> glob = Glob::Compile(pattern);
    if (!glob.ok()) {
      *problem = std::string(glob.status().message());
      return false;
    }
    out->push_back(*std::move(glob));
  }
  return true;
}

bool ReadLabelConditions(value& v, std::vector<LabelCondition>* out,
                         std::string* problem) {
  std::vector<std::string> texts;
  if (!ReadStringArray(v, "labels", &texts).ok()) {
    *problem = "want an array of \"key\" or \"key=value\" strings";
    return false;
  }
  for (const std::string& text : texts) {
    size_t equals = text.find('=');
    LabelCondition condition;
    condition.key = text.substr(0, equals);
    if (equals != std::string::npos) condition.value = text.substr(equals + 1);
    if (condition.key.empty()) {
      *problem = absl::StrFormat("\"%s\" has no label key", text);
      return false;
    }
    out->push_back(std::move(condition));
  }
  return true;
}

bool ReadDuration(value& v, std::optional<PolicyDuration>* out,
                  std::string* problem) {
  std::string text;
  if (!ReadText(v, &text, problem)) {
    *problem = "want a duration such as \"90m\", \"36h\", \"7d\" or \"2w\"";
    return false;
  }
  absl::StatusOr<absl::Duration> duration = ParsePolicyDuration(text);
  if (!duration.ok()) {
    *problem = std::string(duration.status().message());
    return false;
  }
  *out = PolicyDuration{*duration, text};
  return true;
}

bool ReadFlag(value& v, bool* out, std::string* problem) {
  if (v.get_bool().get(*out) != simdjson::SUCCESS) {
    *problem = "want true or false";
    return false;
  }
  return true;
}

bool ReadCount(value& v, std::optional<uint32_t>* out, std::string* problem) {
  int64_t count = 0;
  if (v.get_int64().get(count) != simdjson::SUCCESS) {
    *problem = "want a whole number";
    return false;
  }
  if (count < 0) {
    *problem = absl::StrFormat("%d is negative", count);
    return false;
  }
  if (count > std::numeric_limits<uint32_t>::max()) {
    *problem = absl::StrFormat("%d is too large", count);
    return false;
  }
  *out = static_cast<uint32_t>(count);
  return true;
}

bool ReadSize(value& v, std::optional<PolicySize>* out, std::string* problem) {
  std::string text;
  if (!ReadText(v, &text, problem)) {
    *problem = "want a size such as \"40GB\" or \"512MiB\"";
    return false;
  }
  absl::StatusOr<uint64_t> bytes = ParseByteSize(text);
  if (!bytes.ok()) {
    *problem = std::string(bytes.status().message());
    return false;
  }
  *out = PolicySize{*bytes, text};
  return true;
}

}  // namespace dgc
