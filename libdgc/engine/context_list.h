// The docker contexts a docker config directory holds, as `docker context
// ls` lists them: "default" (never stored) and every context whose
// `contexts/meta/<sha256(name)>/meta.json` names it.
//
// Example:
//   absl::StatusOr<std::vector<std::string>> names =
//       dgc::ListContexts(options, dgc::ProcessEnvironment());
//   // {"default", "prod", "staging"}
#ifndef DGC_ENGINE_CONTEXT_LIST_H_
#define DGC_ENGINE_CONTEXT_LIST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/endpoint.h"

namespace dgc {

// ListContexts returns "default" followed by the names of the contexts in
// the config directory (ConfigDirectory of `options` and `env`), sorted; a
// missing contexts directory holds none. Errors: those of ConfigDirectory;
// InvalidArgument for a meta.json that is not valid JSON or has no Name
// (the file is named); kIo for a directory or file that cannot be read.
absl::StatusOr<std::vector<std::string>> ListContexts(
    const GlobalOptions& options, const EnvironmentLookup& env);

}  // namespace dgc

#endif  // DGC_ENGINE_CONTEXT_LIST_H_
