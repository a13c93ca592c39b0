// Policy globs (SPEC.md §3): anchored shell-style patterns over image
// references. `*` matches any run of characters, `/` included; `?` one
// character; `[…]` one character of a class (`[a-z]`, `[!0-9]` or `[^0-9]`
// to negate); `\` takes the next character literally. The whole string
// must match.
//
// Example:
//   absl::StatusOr<dgc::Glob> glob = dgc::Glob::Compile("myapp-main-*");
//   glob->Matches("myapp-main-2");  // true
#ifndef DGC_CORE_GLOB_H_
#define DGC_CORE_GLOB_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace dgc {

class Glob {
 public:
  // Compile checks the pattern's syntax. Errors: InvalidArgument for an
  // empty pattern, an unclosed `[` or a trailing `\`.
  static absl::StatusOr<Glob> Compile(std::string_view pattern);

  // Matches reports whether the whole of `text` matches.
  bool Matches(std::string_view text) const;

  const std::string& pattern() const { return pattern_; }
  // has_tag: the pattern has a ':' after its last '/' (outside a class),
  // so it is matched against "repository:tag" rather than the repository
  // alone; a ':' before a '/' is a registry's port ("localhost:5000/app").
  bool has_tag() const { return has_tag_; }

 private:
  explicit Glob(std::string pattern, bool has_tag)
      : pattern_(std::move(pattern)), has_tag_(has_tag) {}

  std::string pattern_;
  bool has_tag_;
};

}  // namespace dgc

#endif  // DGC_CORE_GLOB_H_
