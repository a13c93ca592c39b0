// Which policy applies (SPEC.md §2): a named file, else
// $DOCKER_CONFIG/gc.json, else /etc/docker/gc.json, else the built-in
// default (dangling images older than 24h). The plugin's --policy and the C
// API's dgc_policy_load both come here.
//
// Example:
//   absl::StatusOr<dgc::Policy> policy =
//       dgc::LoadPolicy("", options, dgc::ProcessEnvironment());
#ifndef DGC_ENGINE_POLICY_FILE_H_
#define DGC_ENGINE_POLICY_FILE_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "core/policy.h"
#include "engine/endpoint.h"

namespace dgc {

// LoadPolicy reads and checks the policy in `path` when it is not empty,
// else the first of the default files that exists (the config directory
// from `options` and `env`, as ConfigDirectory finds it), else returns
// DefaultPolicy(). Errors: those of ReadPolicyFile.
absl::StatusOr<Policy> LoadPolicy(std::string_view path,
                                  const GlobalOptions& options,
                                  const EnvironmentLookup& env);

// ReadPolicyFile reads and checks the policy in `path` ("-": stdin).
// Errors: NotFound "file not found: PATH", other read errors naming the
// file, InvalidArgument for a file larger than 1 MiB (not read) and
// listing every problem of an invalid policy.
absl::StatusOr<Policy> ReadPolicyFile(std::string_view path);

}  // namespace dgc

#endif  // DGC_ENGINE_POLICY_FILE_H_
