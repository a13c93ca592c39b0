// Command-line flags as the docker CLI (cobra/pflag) takes them: --name
// value, --name=value, -n value, -nvalue, boolean --name / --name=false,
// flags anywhere among the arguments, and "--" to end them.
//
// Example:
//   dgc::FlagSet flags("docker gc df");
//   std::string format = "table";
//   flags.String("format", 0, &format, "Output format: table or json", "FMT");
//   absl::StatusOr<std::vector<std::string>> args = flags.Parse(argv_rest);
#ifndef DGC_PLUGIN_FLAGS_H_
#define DGC_PLUGIN_FLAGS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace dgc {

class FlagSet {
 public:
  // `command` is the full command for messages, e.g. "docker gc df".
  explicit FlagSet(std::string command) : command_(std::move(command)) {}

  // String declares a flag taking a value; `short_name` 0 for none.
  void String(std::string name, char short_name, std::string* target,
              std::string help, std::string value_name = "string");
  // RepeatedString declares a value flag that may be given several times:
  // each value is appended to `all`, and `last` holds the last one.
  void RepeatedString(std::string name, char short_name, std::string* last,
                      std::vector<std::string>* all, std::string help,
                      std::string value_name = "string");

  // Bool declares a flag without a value (also accepts =true / =false).
  void Bool(std::string name, char short_name, bool* target, std::string help);

  // set_interspersed(false) makes Parse stop at the first positional
  // argument and return it and everything after it (docker's global flags).
  void set_interspersed(bool interspersed) { interspersed_ = interspersed; }

  // Parse sets the declared flags from `args` and returns the positional
  // arguments. `--help`/`-h` sets help_requested(). Errors: a usage error
  // (see IsUsageError) naming the flag.
  absl::StatusOr<std::vector<std::string>> Parse(
      const std::vector<std::string>& args);

  bool help_requested() const { return help_requested_; }
  const std::string& command() const { return command_; }

  // Usage returns the "Options:" section, aligned as docker prints it.
  std::string Usage() const;

 private:
  struct Flag {
    std::string name;
    char short_name = 0;
    std::string* string_target = nullptr;
    std::vector<std::string>* all_target = nullptr;  // RepeatedString
    bool* bool_target = nullptr;
    std::string help;
    std::string value_name;
  };
  const Flag* FindLong(std::string_view name) const;
  const Flag* FindShort(char name) const;
  absl::Status Set(const Flag& flag, std::string_view shown_name,
                   const std::string* value,
                   const std::vector<std::string>& args, size_t* i);

  std::string command_;
  std::vector<Flag> flags_;
  bool help_requested_ = false;
  bool interspersed_ = true;
};

// UsageError returns an error that the command line is wrong: the binary
// prints it with a hint to `command --help` and exits 2.
absl::Status UsageError(std::string_view command, std::string_view message);

// IsUsageError reports whether `status` came from UsageError, and if so
// gives the command it names.
bool IsUsageError(const absl::Status& status, std::string* command);

}  // namespace dgc

#endif  // DGC_PLUGIN_FLAGS_H_
