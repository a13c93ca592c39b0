// Readers of the fields a gc.json policy is made of (strings, globs, label
// conditions, durations, flags, counts, sizes), shared by the rules and the
// sections of policy.cc and policy_sections.cc. Each reads one JSON value
// and, when it is not what the field wants, returns false with `*problem`
// saying why (never an error status), so that a parser can go on and report
// every problem of a file at once.
//
// Example:
//   std::string problem;
//   std::optional<dgc::PolicyDuration> age;
//   if (!dgc::ReadDuration(value, &age, &problem)) report("older_than",
//   problem);
#ifndef DGC_CORE_POLICY_FIELDS_H_
#define DGC_CORE_POLICY_FIELDS_H_

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/glob.h"
#include "core/policy.h"

namespace dgc {

// ReadText reads a JSON string.
bool ReadText(simdjson::ondemand::value& v, std::string* out,
              std::string* problem);

// ReadGlobs reads one glob or a non-empty array of them (`match`,
// `protect.match`).
bool ReadGlobs(simdjson::ondemand::value& v, std::vector<Glob>* out,
               std::string* problem);

// ReadLabelConditions reads an array of "key" or "key=value" strings.
bool ReadLabelConditions(simdjson::ondemand::value& v,
                         std::vector<LabelCondition>* out,
                         std::string* problem);

// ReadDuration reads a policy duration ("90m", "36h", "7d", "2w").
bool ReadDuration(simdjson::ondemand::value& v,
                  std::optional<PolicyDuration>* out, std::string* problem);

// ReadFlag reads true or false.
bool ReadFlag(simdjson::ondemand::value& v, bool* out, std::string* problem);

// ReadCount reads a whole number from 0 to 2^32 - 1.
bool ReadCount(simdjson::ondemand::value& v, std::optional<uint32_t>* out,
               std::string* problem);

// ReadSize reads a size ("40GB", "512MiB"; see ParseByteSize).
bool ReadSize(simdjson::ondemand::value& v, std::optional<PolicySize>* out,
              std::string* problem);

}  // namespace dgc

#endif  // DGC_CORE_POLICY_FIELDS_H_
