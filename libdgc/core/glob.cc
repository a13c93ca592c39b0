// Anchored shell-style globs over image references (see glob.h).
#include "core/glob.h"

#include "absl/strings/str_format.h"
#include "core/utf8.h"

namespace dgc {
namespace {

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

// Decodes the UTF-8 character at text[*i] and moves *i past it; a byte
// that starts no valid character decodes as itself.
char32_t DecodeAt(std::string_view text, size_t* i) {
  size_t length = Utf8CharLength(text, *i);
  auto c = static_cast<unsigned char>(text[*i]);
  char32_t code = length == 1   ? c
                  : length == 2 ? c & 0x1Fu
                  : length == 3 ? c & 0x0Fu
                                : c & 0x07u;
  for (size_t k = 1; k < length; ++k) {
    code = (code << 6) | (static_cast<unsigned char>(text[*i + k]) & 0x3Fu);
  }
  *i += length;
  return code;
}

// Whether character `c` is in the class pattern[start, end) (brackets
// included).
bool ClassMatches(std::string_view pattern, size_t start, size_t end,
                  char32_t c) {
  size_t i = start + 1;
  size_t close = end - 1;  // the class's ']'
  bool negated = pattern[i] == '!' || pattern[i] == '^';
  if (negated) ++i;
  bool found = false;
  while (i < close) {
    if (pattern[i] == '\\' && i + 1 < close) ++i;
    char32_t low = DecodeAt(pattern, &i);
    char32_t high = low;
    if (i + 1 < close && pattern[i] == '-') {
      ++i;
      if (pattern[i] == '\\' && i + 1 < close) ++i;
      high = DecodeAt(pattern, &i);
    }
    if (low <= c && c <= high) found = true;
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
        return absl::InvalidArgumentError(
            absl::StrFormat("pattern \"%s\" ends with a lone \\", pattern));
      }
    } else if (pattern[i] == '[') {
      size_t end = ClassEnd(pattern, i);
      if (end == std::string_view::npos) {
        return absl::InvalidArgumentError(
            absl::StrFormat("pattern \"%s\" has an unclosed [", pattern));
      }
      i = end - 1;
    } else if (pattern[i] == ':') {
      has_tag = true;
    } else if (pattern[i] == '/') {
      has_tag = false;  // that ':' was a registry's port
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
        t += Utf8CharLength(text, t);
        continue;
      }
      if (c == '[') {
        size_t end = ClassEnd(pattern, p);
        size_t next = t;
        if (ClassMatches(pattern, p, end, DecodeAt(text, &next))) {
          p = end;
          t = next;
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
    star_t += Utf8CharLength(text, star_t);
    t = star_t;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace dgc
