// Conversions between std::string_view and absl::string_view.
//
// Debian's Abseil (20220623) is built with its own absl::string_view
// (ABSL_OPTION_USE_STD_STRING_VIEW 0), so the two types do not convert
// implicitly. libdgc uses std::string_view; these convert at the seams.
#ifndef DGC_CORE_STRING_VIEWS_H_
#define DGC_CORE_STRING_VIEWS_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace dgc {

inline absl::string_view ToAbsl(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

inline std::string_view ToStd(absl::string_view text) {
  return std::string_view(text.data(), text.size());
}

}  // namespace dgc

#endif  // DGC_CORE_STRING_VIEWS_H_
