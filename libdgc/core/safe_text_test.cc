// Tests of TerminalSafe (core/safe_text.h): control characters escaped
// (C0, DEL, C1), text cut with "…" between UTF-8 characters and within the
// limit, escapes included.
#include "core/safe_text.h"

#include <string>

#include "gtest/gtest.h"

namespace dgc {
namespace {

// Characters on screen of UTF-8 text (code points).
size_t CodePoints(const std::string& text) {
  size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

TEST(TerminalSafeTest, PlainTextIsUnchanged) {
  EXPECT_EQ(TerminalSafe("registry.example.com:5000/team/app:2"),
            "registry.example.com:5000/team/app:2");
  EXPECT_EQ(TerminalSafe(""), "");
  EXPECT_EQ(TerminalSafe("caf\xc3\xa9 \xe2\x9c\x93"),
            "caf\xc3\xa9 \xe2\x9c\x93");
}

TEST(TerminalSafeTest, EscapesControlCharacters) {
  EXPECT_EQ(TerminalSafe("\x1b]0;title\x07"), "\\x1b]0;title\\x07");
  EXPECT_EQ(TerminalSafe("a\tb\rc\nd"), "a\\x09b\\x0dc\\x0ad");
  EXPECT_EQ(TerminalSafe(std::string("nul\0byte", 8)), "nul\\x00byte");
  EXPECT_EQ(TerminalSafe("del\x7f"), "del\\x7f");
  EXPECT_EQ(TerminalSafe("\x1f"), "\\x1f");
}

TEST(TerminalSafeTest, EscapesC1ControlCharacters) {
  // U+009B (CSI) and U+0085 (NEL) are control characters too: terminals
  // that honour 8-bit controls start an escape sequence at U+009B.
  for (std::string c1 : {"\xc2\x9b", "\xc2\x85", "\xc2\x80", "\xc2\x9f"}) {
    std::string safe = TerminalSafe("a" + c1 + "31mb");
    EXPECT_EQ(safe.find(c1), std::string::npos) << safe;
    EXPECT_EQ(safe.substr(0, 1), "a") << safe;
    EXPECT_EQ(safe.substr(safe.size() - 4), "31mb") << safe;
  }
}

TEST(TerminalSafeTest, TextAtTheLimitIsNotCut) {
  std::string text(80, 'a');
  EXPECT_EQ(TerminalSafe(text), text);
  EXPECT_EQ(TerminalSafe("abcd", 4), "abcd");
}

TEST(TerminalSafeTest, CutTextEndsWithAnEllipsisWithinTheLimit) {
  // "shortens text to at most max_chars characters, ending it with "…"
  // when cut" (as the docker CLI's Ellipsis: "abcdef", 4 gives "abc…").
  EXPECT_EQ(TerminalSafe("abcdef", 4), "abc\xe2\x80\xa6");
  std::string cut = TerminalSafe(std::string(200, 'x'));
  EXPECT_EQ(CodePoints(cut), 80u);
  EXPECT_EQ(cut, std::string(79, 'x') + "\xe2\x80\xa6");
  std::string e_acute;
  for (int i = 0; i < 10; ++i) e_acute += "\xc3\xa9";  // é, 2 bytes each
  EXPECT_EQ(TerminalSafe(e_acute, 5),
            "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xe2\x80\xa6");
}

TEST(TerminalSafeTest, CutsLongUtf8TextBetweenCharacters) {
  // Whatever the cut point, no character is split: what is left before the
  // ellipsis is whole two-byte and three-byte characters.
  std::string e_acute;
  for (int i = 0; i < 10; ++i) e_acute += "\xc3\xa9";  // é, 2 bytes each
  for (size_t max = 1; max < 10; ++max) {
    std::string cut = TerminalSafe(e_acute, max);
    ASSERT_GE(cut.size(), 3u);
    EXPECT_EQ(cut.substr(cut.size() - 3), "\xe2\x80\xa6") << max;
    std::string kept = cut.substr(0, cut.size() - 3);
    EXPECT_EQ(kept.size() % 2, 0u) << max;
    EXPECT_EQ(e_acute.compare(0, kept.size(), kept), 0) << max;
  }
  std::string checks;
  for (int i = 0; i < 4; ++i) checks += "\xe2\x9c\x93";  // ✓, 3 bytes each
  EXPECT_EQ(TerminalSafe(checks, 4), checks);
  std::string cut = TerminalSafe(checks, 3);
  std::string kept = cut.substr(0, cut.size() - 3);
  EXPECT_EQ(kept.size() % 3, 0u);
  EXPECT_EQ(checks.compare(0, kept.size(), kept), 0);
}

TEST(TerminalSafeTest, EscapedTextStaysWithinTheLimit) {
  // Escapes take four columns each; the result still fits max_chars.
  std::string cut = TerminalSafe(std::string(100, '\x1b'), 20);
  EXPECT_LE(CodePoints(cut), 20u) << cut;
}

}  // namespace
}  // namespace dgc
