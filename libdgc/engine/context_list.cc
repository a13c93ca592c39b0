// The docker contexts of a config directory (see context_list.h).
#include "engine/context_list.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_format.h"
#include "core/error_code.h"
#include "core/json_reader.h"
#include "engine/files.h"

namespace dgc {
namespace {

namespace fs = std::filesystem;

// The Name of the context whose meta.json is `path`.
absl::StatusOr<std::string> ContextName(const fs::path& path) {
  absl::StatusOr<PaddedBody> text = ReadFile(path.string(), 1 << 20);
  if (!text.ok()) return text.status();
  std::string name;
  simdjson::ondemand::parser parser;
  absl::Status parsed =
      ParseDocument(parser, *text, [&](simdjson::ondemand::value& root) {
        return ForEachField(root, [&](std::string_view key,
                                      simdjson::ondemand::value& v) {
          return key == "Name" ? ReadString(v, key, &name) : absl::OkStatus();
        });
      });
  if (parsed.ok() && name.empty()) {
    parsed = absl::InvalidArgumentError("no Name");
  }
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "docker context file %s: %s", path.string(), parsed.message()));
  }
  return name;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ListContexts(
    const GlobalOptions& options, const EnvironmentLookup& env) {
  absl::StatusOr<std::string> config_dir = ConfigDirectory(options, env);
  if (!config_dir.ok()) return config_dir.status();
  fs::path meta_dir = fs::path(*config_dir) / "contexts" / "meta";
  std::vector<std::string> names;
  std::error_code error;
  fs::directory_iterator entries(meta_dir, error);
  if (error == std::errc::no_such_file_or_directory) return {{"default"}};
  for (; !error && entries != fs::directory_iterator();
       entries.increment(error)) {
    fs::path meta = entries->path() / "meta.json";
    if (!fs::exists(meta)) continue;
    absl::StatusOr<std::string> name = ContextName(meta);
    if (!name.ok()) return name.status();
    names.push_back(*std::move(name));
  }
  if (error) {
    return WithErrorCode(absl::UnknownError(absl::StrFormat(
                             "cannot list docker contexts in %s: %s",
                             meta_dir.string(), error.message())),
                         ErrorCode::kIo);
  }
  std::sort(names.begin(), names.end());
  names.insert(names.begin(), "default");
  return names;
}

}  // namespace dgc
