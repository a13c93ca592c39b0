// Anchored shell-style globs over image references (see glob.h).
#include "core/glob.h"

#include "absl/strings/str_format.h"

namespace dgc {
namespace {

// Length of the UTF-8 character starting at text[i] (1 for invalid bytes).
size_t CharLength(std::string_view text, size_t i) {
  unsigned char c = static_cast<unsigned char>(text[i]);
  size_t length = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2
                                                                          : 1;
  return i + length <= text.size() ? length : 1;
}

// Index just past the class starting at pattern[start] == '[', or npos.
size_t ClassEnd(std::string_view pattern, size_t start) {
  size_t i = start + 1;
  if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) ++i;
  if (i < pattern.size() && pattern[i] == ']') ++i;  // literal ']' first
  for (; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
    } else if (pattern[i] == ']') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// Whether byte `c` is in the class pattern[start, end) (brackets included).
bool ClassMatches(std::string_view pattern, size_t start, size_t end,
                  unsigned char c) {
  size_t i = start + 1;
  bool negated = pattern[i] == '!' || pattern[i] == '^';
  if (negated) ++i;
  bool found = false;
  bool first = true;
  while (i < end - 1) {
    if (pattern[i] == ']' && !first) break;
    first = false;
    unsigned char low = static_cast<unsigned char>(pattern[i]);
    if (low == '\\' && i + 1 < end - 1) {
      low = static_cast<unsigned char>(pattern[++i]);
    }
    unsigned char high = low;
    if (i + 2 < end - 1 && pattern[i + 1] == '-') {
      i += 2;
      high = static_cast<unsigned char>(pattern[i]);
      if (high == '\\' && i + 1 < end - 1) {
        high = static_cast<unsigned char>(pattern[++i]);
      }
    }
    if (low <= c && c <= high) found = true;
    ++i;
  }
  return found != negated;
}

}  // namespace

absl::StatusOr<Glob> Glob::Compile(std::string_view pattern) {
  if (pattern.empty()) {
    return absl::InvalidArgumentError("empty pattern");
  }
  bool has_tag = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      if (++i == pattern.size()) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "pattern \"%s\" ends with a lone \\", pattern));
      }
    } else if (pattern[i] == '[') {
      size_t end = ClassEnd(pattern, i);
      if (end == std::string_view::npos) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "pattern \"%s\" has an unclosed [", pattern));
      }
      i = end - 1;
    } else if (pattern[i] == ':') {
      has_tag = true;
    }
  }
  return Glob(std::string(pattern), has_tag);
}

bool Glob::Matches(std::string_view text) const {
  constexpr size_t kNone = std::string_view::npos;
  std::string_view pattern = pattern_;
  size_t p = 0, t = 0;
  // After a '*': the pattern position following it, and where in the text
  // the run it matches ends so far (grown one character per retry).
  size_t star_p = kNone, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size()) {
      char c = pattern[p];
      if (c == '*') {
        star_p = ++p;
        star_t = t;
        continue;
      }
      if (c == '?') {
        ++p;
        t += CharLength(text, t);
        continue;
      }
      if (c == '[') {
        size_t end = ClassEnd(pattern, p);
        if (ClassMatches(pattern, p, end,
                         static_cast<unsigned char>(text[t]))) {
          p = end;
          ++t;
          continue;
        }
      } else {
        size_t literal = c == '\\' ? p + 1 : p;
        if (pattern[literal] == text[t]) {
          p = literal + 1;
          ++t;
          continue;
        }
      }
    }
    if (star_p == kNone) return false;
    p = star_p;
    star_t += CharLength(text, star_t);
    t = star_t;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace dgc
