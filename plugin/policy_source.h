// Which policy a command uses (SPEC.md §2): --policy FILE, else
// $DOCKER_CONFIG/gc.json, else /etc/docker/gc.json, else the built-in
// default (dangling images older than 24h).
#ifndef DGC_PLUGIN_POLICY_SOURCE_H_
#define DGC_PLUGIN_POLICY_SOURCE_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "core/policy.h"
#include "plugin/command.h"

namespace dgc {

// LoadPolicy reads and checks the policy. Errors: a --policy file that
// cannot be read; any policy file that is invalid (every problem listed).
absl::StatusOr<Policy> LoadPolicy(const Invocation& invocation,
                                  std::string_view policy_flag);

// ReadPolicyFile reads and checks the policy in `path`.
absl::StatusOr<Policy> ReadPolicyFile(std::string_view path);

}  // namespace dgc

#endif  // DGC_PLUGIN_POLICY_SOURCE_H_
