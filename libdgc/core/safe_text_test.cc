// Tests of TerminalSafe (core/safe_text.h): control characters escaped
// (C0, DEL, C1), bidirectional controls and invalid UTF-8 escaped, text cut
// with "…" between UTF-8 characters and within the limit, escapes
// included; and of the UTF-8 decoder under it (core/utf8.h).
#include "core/safe_text.h"

#include <string>

#include "core/utf8.h"
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

TEST(TerminalSafeTest, EscapesBidirectionalControls) {
  // "Trojan Source": an override or isolate reorders the rest of the line
  // (a name that reads "gpj.exe" shows as "exe.jpg").
  EXPECT_EQ(TerminalSafe("a\xe2\x80\xaegpj.exe"), "a\\u202egpj.exe");
  EXPECT_EQ(TerminalSafe("\xe2\x81\xa6x\xe2\x81\xa9"), "\\u2066x\\u2069");
  const char* const controls[] = {
      "\xd8\x9c",      // U+061C ARABIC LETTER MARK
      "\xe2\x80\x8e",  // U+200E LRM
      "\xe2\x80\x8f",  // U+200F RLM
      "\xe2\x80\xaa",  // U+202A LRE
      "\xe2\x80\xab",  // U+202B RLE
      "\xe2\x80\xac",  // U+202C PDF
      "\xe2\x80\xad",  // U+202D LRO
      "\xe2\x80\xae",  // U+202E RLO
      "\xe2\x81\xa6",  // U+2066 LRI
      "\xe2\x81\xa7",  // U+2067 RLI
      "\xe2\x81\xa8",  // U+2068 FSI
      "\xe2\x81\xa9",  // U+2069 PDI
      "\xe2\x80\xa8",  // U+2028 LINE SEPARATOR
      "\xe2\x80\xa9",  // U+2029 PARAGRAPH SEPARATOR
  };
  for (const char* control : controls) {
    std::string safe = TerminalSafe(std::string("x") + control + "y");
    EXPECT_EQ(safe.find(control), std::string::npos) << safe;
    EXPECT_EQ(safe.substr(0, 3), "x\\u") << safe;
  }
  // Neighbours that are ordinary text stay as they are.
  EXPECT_EQ(TerminalSafe("\xe2\x80\x94\xe2\x80\xa6"),
            "\xe2\x80\x94\xe2\x80\xa6");
}

TEST(TerminalSafeTest, EscapesBytesThatAreNotUtf8) {
  EXPECT_EQ(TerminalSafe("a\xff"
                         "b"),
            "a\\xffb");
  EXPECT_EQ(TerminalSafe("\x80"), "\\x80");           // stray continuation
  EXPECT_EQ(TerminalSafe("\xc3"), "\\xc3");           // truncated
  EXPECT_EQ(TerminalSafe("\xc0\xaf"), "\\xc0\\xaf");  // overlong "/"
  EXPECT_EQ(TerminalSafe("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
  EXPECT_EQ(TerminalSafe("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
  // A lead byte must not swallow an escape character after it: the ESC
  // is escaped on its own, so no sequence reaches the terminal.
  EXPECT_EQ(TerminalSafe("\xe0\x1b[2J"), "\\xe0\\x1b[2J");
  EXPECT_EQ(TerminalSafe("\xc2\x1b[31m"), "\\xc2\\x1b[31m");
}

TEST(TerminalSafeTest, HugeTextIsCutWithBoundedOutput) {
  std::string huge;
  for (int i = 0; i < 20000; ++i) huge += "\x1b[31m\xe2\x80\xae";
  std::string safe = TerminalSafe(huge, 80);
  EXPECT_LE(CodePoints(safe), 80u);
  EXPECT_EQ(safe.find('\x1b'), std::string::npos);
  EXPECT_EQ(safe.substr(safe.size() - 3), "\xe2\x80\xa6");
}

TEST(Utf8DecodeTest, DecodesValidCharacters) {
  EXPECT_EQ(Utf8Decode("A", 0).length, 1u);
  Utf8Char e_acute = Utf8Decode("\xc3\xa9", 0);
  EXPECT_EQ(e_acute.length, 2u);
  EXPECT_EQ(e_acute.code_point, U'\u00e9');
  Utf8Char euro = Utf8Decode("x\xe2\x82\xac", 1);
  EXPECT_EQ(euro.length, 3u);
  EXPECT_EQ(euro.code_point, U'\u20ac');
  Utf8Char emoji = Utf8Decode("\xf0\x9f\x98\x80", 0);
  EXPECT_EQ(emoji.length, 4u);
  EXPECT_EQ(emoji.code_point, U'\U0001F600');
}

TEST(Utf8DecodeTest, RejectsInvalidSequences) {
  for (std::string bad :
       {"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xc3", "\xc3(", "\xe0\x80\x80",
        "\xe2\x82", "\xed\xbf\xbf", "\xf0\x80\x80\x80", "\xf4\x90\x80\x80",
        "\xf5\x80\x80\x80", "\xff"}) {
    EXPECT_EQ(Utf8Decode(bad, 0).length, 0u) << bad;
    EXPECT_EQ(Utf8CharLength(bad, 0), 1u) << bad;
  }
}

}  // namespace
}  // namespace dgc
