// Finding and reading the policy (see policy_file.h).
#include "engine/policy_file.h"

#include <unistd.h>

#include <cstddef>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/files.h"

namespace dgc {
namespace {

constexpr char kSystemPolicy[] = "/etc/docker/gc.json";
// A policy is a few rules (a rule is some 100 bytes): a larger file is a
// mistake, and is refused before it is read, so memory stays bounded.
constexpr size_t kMaxPolicyBytes = size_t{1} << 20;

bool Exists(const std::string& path) {
  return ::access(path.c_str(), F_OK) == 0;
}

}  // namespace

absl::StatusOr<Policy> ReadPolicyFile(std::string_view path) {
  absl::StatusOr<PaddedBody> text = ReadFile(path, kMaxPolicyBytes);
  if (absl::IsResourceExhausted(text.status())) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid policy: ", text.status().message()));
  }
  if (!text.ok()) return text.status();
  return ParsePolicy(*text, path);
}

absl::StatusOr<Policy> LoadPolicy(std::string_view path,
                                  const GlobalOptions& options,
                                  const EnvironmentLookup& env) {
  if (!path.empty()) return ReadPolicyFile(path);
  absl::StatusOr<std::string> config_dir = ConfigDirectory(options, env);
  if (config_dir.ok()) {
    std::string user_policy = *config_dir + "/gc.json";
    if (Exists(user_policy)) return ReadPolicyFile(user_policy);
  }
  if (Exists(kSystemPolicy)) return ReadPolicyFile(kSystemPolicy);
  return DefaultPolicy();
}

}  // namespace dgc
