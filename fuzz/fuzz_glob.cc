// libFuzzer target: the policy glob matcher (core/glob.h). The input is a
// pattern, a newline, then the reference it is matched against (a single
// line is matched against itself).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/glob.h"
#include "core/policy.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = dgc::fuzz::Text(data, size);
  size_t newline = input.find('\n');
  std::string_view pattern = input.substr(0, newline);
  std::string_view text =
      newline == std::string_view::npos ? input : input.substr(newline + 1);
  absl::StatusOr<dgc::Glob> glob = dgc::Glob::Compile(pattern);
  if (glob.ok()) {
    (void)glob->Matches(text);
    (void)dgc::MatchesReference(*glob, text);
  }
  return 0;
}
