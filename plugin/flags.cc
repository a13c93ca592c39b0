// docker-style command-line flags (see flags.h).
#include "plugin/flags.h"

#include <algorithm>

#include "absl/strings/cord.h"
#include "absl/strings/str_format.h"
#include "core/string_views.h"

namespace dgc {
namespace {

constexpr char kUsagePayload[] = "dgc.usage";

}  // namespace

absl::Status UsageError(std::string_view command, std::string_view message) {
  absl::Status status = absl::InvalidArgumentError(ToAbsl(message));
  status.SetPayload(kUsagePayload, absl::Cord(ToAbsl(command)));
  return status;
}

bool IsUsageError(const absl::Status& status, std::string* command) {
  // Abseil here has its own optional type.
  auto payload = status.GetPayload(kUsagePayload);
  if (!payload.has_value()) return false;
  *command = std::string(*payload);
  return true;
}

void FlagSet::String(std::string name, char short_name, std::string* target,
                     std::string help, std::string value_name) {
  flags_.push_back(Flag{.name = std::move(name),
                        .short_name = short_name,
                        .string_target = target,
                        .help = std::move(help),
                        .value_name = std::move(value_name)});
}

void FlagSet::RepeatedString(std::string name, char short_name,
                             std::string* last, std::vector<std::string>* all,
                             std::string help, std::string value_name) {
  flags_.push_back(Flag{.name = std::move(name),
                        .short_name = short_name,
                        .string_target = last,
                        .all_target = all,
                        .help = std::move(help),
                        .value_name = std::move(value_name)});
}

void FlagSet::Bool(std::string name, char short_name, bool* target,
                   std::string help) {
  flags_.push_back(Flag{.name = std::move(name),
                        .short_name = short_name,
                        .bool_target = target,
                        .help = std::move(help),
                        .value_name = ""});
}

const FlagSet::Flag* FlagSet::FindLong(std::string_view name) const {
  for (const Flag& flag : flags_) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

const FlagSet::Flag* FlagSet::FindShort(char name) const {
  for (const Flag& flag : flags_) {
    if (flag.short_name != 0 && flag.short_name == name) return &flag;
  }
  return nullptr;
}

// Set applies one flag. `value` is the text after "=" (or after a short
// flag's letter) when there was one; otherwise a value flag takes the next
// argument.
absl::Status FlagSet::Set(const Flag& flag, std::string_view shown_name,
                          const std::string* value,
                          const std::vector<std::string>& args, size_t* i) {
  if (flag.bool_target != nullptr) {
    if (value == nullptr || *value == "true") {
      *flag.bool_target = true;
    } else if (*value == "false") {
      *flag.bool_target = false;
    } else {
      return UsageError(command_,
                        absl::StrFormat("invalid argument \"%s\" for \"%s\" "
                                        "flag: want true or false",
                                        *value, shown_name));
    }
    return absl::OkStatus();
  }
  if (value == nullptr && *i + 1 >= args.size()) {
    return UsageError(
        command_, absl::StrFormat("flag needs an argument: %s", shown_name));
  }
  *flag.string_target = value != nullptr ? *value : args[++*i];
  if (flag.all_target != nullptr) {
    flag.all_target->push_back(*flag.string_target);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> FlagSet::Parse(
    const std::vector<std::string>& args) {
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      positional.insert(positional.end(), args.begin() + i + 1, args.end());
      break;
    }
    if (arg == "--help" || arg == "-h") {
      help_requested_ = true;
      continue;
    }
    if (arg.size() > 2 && arg.compare(0, 2, "--") == 0) {
      size_t equals = arg.find('=');
      std::string name = arg.substr(2, equals - 2);
      const Flag* flag = FindLong(name);
      if (flag == nullptr) {
        return UsageError(command_,
                          absl::StrFormat("unknown flag: --%s", name));
      }
      std::string value;
      if (equals != std::string::npos) value = arg.substr(equals + 1);
      absl::Status status =
          Set(*flag, "--" + name,
              equals != std::string::npos ? &value : nullptr, args, &i);
      if (!status.ok()) return status;
      continue;
    }
    if (arg.size() > 1 && arg[0] == '-') {
      const Flag* flag = FindShort(arg[1]);
      if (flag == nullptr) {
        return UsageError(
            command_,
            absl::StrFormat("unknown shorthand flag: '%c' in %s", arg[1], arg));
      }
      std::string value;
      bool attached = arg.size() > 2;
      if (attached) value = arg.substr(arg[2] == '=' ? 3 : 2);
      absl::Status status = Set(*flag, std::string("-") + arg[1],
                                attached ? &value : nullptr, args, &i);
      if (!status.ok()) return status;
      continue;
    }
    if (!interspersed_) {
      positional.insert(positional.end(), args.begin() + i, args.end());
      break;
    }
    positional.push_back(arg);
  }
  return positional;
}

std::string FlagSet::Usage() const {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const Flag& flag : flags_) {
    std::string left =
        flag.short_name != 0
            ? absl::StrFormat("  -%c, --%s", flag.short_name, flag.name)
            : absl::StrFormat("      --%s", flag.name);
    if (flag.string_target != nullptr) left += " " + flag.value_name;
    rows.emplace_back(std::move(left), flag.help);
  }
  size_t width = 0;
  for (const auto& row : rows) width = std::max(width, row.first.size());
  std::string usage = "Options:\n";
  for (const auto& [left, help] : rows) {
    usage +=
        absl::StrFormat("%-*s   %s\n", static_cast<int>(width), left, help);
  }
  return usage;
}

}  // namespace dgc
