// Tests of policy globs (core/glob.h) and MatchesReference (core/policy.h),
// against SPEC.md §3: `*` spans `/`, `?` is one (UTF-8) character, `[…]`
// classes (ranges, `!`/`^` negation, `]` first, escapes), `\` escapes, the
// whole string must match, a ':' makes a glob match "repository:tag", and
// registries with a port. Compile errors carry their exact messages.
#include "core/glob.h"

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "core/policy.h"
#include "core/string_views.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

// Compiles `pattern`, failing the test (and returning a glob that matches
// nothing useful) when it does not compile.
Glob MustCompile(std::string_view pattern) {
  absl::StatusOr<Glob> glob = Glob::Compile(pattern);
  EXPECT_TRUE(glob.ok()) << "pattern " << pattern << ": " << glob.status();
  if (!glob.ok()) return *Glob::Compile("\\\x01never\\\x02");
  return *std::move(glob);
}

bool GlobMatches(std::string_view pattern, std::string_view text) {
  return MustCompile(pattern).Matches(text);
}

// The message of Compile's error, or "" (and a test failure) when it
// compiles.
std::string CompileError(std::string_view pattern) {
  absl::StatusOr<Glob> glob = Glob::Compile(pattern);
  EXPECT_FALSE(glob.ok()) << "pattern " << pattern << " compiled";
  if (glob.ok()) return "";
  EXPECT_EQ(glob.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(ToStd(glob.status().message()));
}

// ---- literals and anchoring ----

TEST(GlobTest, LiteralMatchesOnlyItself) {
  EXPECT_TRUE(GlobMatches("app", "app"));
  EXPECT_FALSE(GlobMatches("app", "ap"));
  EXPECT_FALSE(GlobMatches("app", "App"));
  EXPECT_FALSE(GlobMatches("app", ""));
}

TEST(GlobTest, TheWholeStringMustMatch) {
  EXPECT_FALSE(GlobMatches("app", "myapp"));
  EXPECT_FALSE(GlobMatches("app", "app2"));
  EXPECT_FALSE(GlobMatches("app", "my/app"));
  EXPECT_FALSE(GlobMatches("a?p", "xapp"));
  EXPECT_FALSE(GlobMatches("a*p", "appx"));
  EXPECT_FALSE(GlobMatches("[a]pp", "appp"));
}

TEST(GlobTest, PatternIsKeptAsWritten) {
  EXPECT_EQ(MustCompile("myapp-main-*").pattern(), "myapp-main-*");
  EXPECT_EQ(MustCompile("a\\*[!0-9]").pattern(), "a\\*[!0-9]");
}

// ---- * ----

TEST(GlobTest, StarMatchesAnyRunIncludingEmpty) {
  EXPECT_TRUE(GlobMatches("*", ""));
  EXPECT_TRUE(GlobMatches("*", "anything at all"));
  EXPECT_TRUE(GlobMatches("app*", "app"));
  EXPECT_TRUE(GlobMatches("app*", "app-2"));
  EXPECT_TRUE(GlobMatches("*app", "myapp"));
  EXPECT_TRUE(GlobMatches("a*b*c", "abc"));
  EXPECT_TRUE(GlobMatches("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(GlobMatches("a*b*c", "aXXbYY"));
  EXPECT_TRUE(GlobMatches("**", "x"));
}

TEST(GlobTest, StarSpansSlashes) {
  EXPECT_TRUE(GlobMatches("*", "registry.example.com/team/app"));
  EXPECT_TRUE(
      GlobMatches("registry.example.com/*", "registry.example.com/team/app"));
  EXPECT_TRUE(GlobMatches("*/app", "registry.example.com/team/app"));
  EXPECT_TRUE(GlobMatches("a*z", "a/b/c/z"));
}

TEST(GlobTest, StarBacktracks) {
  EXPECT_TRUE(GlobMatches("*a*b", "xxaxxbxxb"));
  EXPECT_TRUE(GlobMatches("*main-*", "myapp-main-main-3"));
  EXPECT_TRUE(GlobMatches("a*ab", "aaab"));
  EXPECT_FALSE(GlobMatches("*a*b", "xxaxxbxxc"));
}

TEST(GlobTest, ManyStarsOnALongNonMatchFinish) {
  std::string text(2000, 'a');
  EXPECT_FALSE(GlobMatches("a*a*a*a*a*a*a*a*b", text));
  text += "b";
  EXPECT_TRUE(GlobMatches("a*a*a*a*a*a*a*a*b", text));
}

// ---- ? ----

TEST(GlobTest, QuestionMarkMatchesExactlyOneCharacter) {
  EXPECT_TRUE(GlobMatches("a?c", "abc"));
  EXPECT_TRUE(GlobMatches("a?c", "a/c"));
  EXPECT_FALSE(GlobMatches("a?c", "ac"));
  EXPECT_FALSE(GlobMatches("a?c", "abbc"));
  EXPECT_FALSE(GlobMatches("?", ""));
  EXPECT_TRUE(GlobMatches("???", "abc"));
}

TEST(GlobTest, QuestionMarkMatchesOneUtf8Character) {
  // "é" is two bytes, "€" three, "😀" four: each is one character.
  EXPECT_TRUE(GlobMatches("caf?", "caf\xC3\xA9"));
  EXPECT_TRUE(GlobMatches("?", "\xE2\x82\xAC"));
  EXPECT_TRUE(GlobMatches("a?b",
                          "a\xF0\x9F\x98\x80"
                          "b"));
  EXPECT_FALSE(GlobMatches("??", "\xC3\xA9"));
  EXPECT_FALSE(GlobMatches("caf??", "caf\xC3\xA9"));
  // After a star too: "*?" needs one whole character at the end.
  EXPECT_TRUE(GlobMatches("*?x", "\xC3\xA9x"));
  EXPECT_TRUE(GlobMatches("x*?", "x\xE2\x82\xAC"));
}

// ---- classes ----

TEST(GlobTest, ClassMatchesOneCharacterOfTheClass) {
  EXPECT_TRUE(GlobMatches("[abc]", "a"));
  EXPECT_TRUE(GlobMatches("[abc]", "c"));
  EXPECT_FALSE(GlobMatches("[abc]", "d"));
  EXPECT_FALSE(GlobMatches("[abc]", "ab"));
  EXPECT_FALSE(GlobMatches("[abc]", ""));
  EXPECT_TRUE(GlobMatches("app-[12]", "app-2"));
  EXPECT_FALSE(GlobMatches("app-[12]", "app-3"));
}

TEST(GlobTest, ClassRanges) {
  EXPECT_TRUE(GlobMatches("[a-z]", "a"));
  EXPECT_TRUE(GlobMatches("[a-z]", "m"));
  EXPECT_TRUE(GlobMatches("[a-z]", "z"));
  EXPECT_FALSE(GlobMatches("[a-z]", "A"));
  EXPECT_FALSE(GlobMatches("[a-z]", "0"));
  EXPECT_TRUE(GlobMatches("v[0-9][0-9]", "v42"));
  EXPECT_FALSE(GlobMatches("v[0-9][0-9]", "v4x"));
  EXPECT_TRUE(GlobMatches("[a-cx-z]", "y"));
  EXPECT_FALSE(GlobMatches("[a-cx-z]", "m"));
}

TEST(GlobTest, NegatedClassWithBang) {
  EXPECT_TRUE(GlobMatches("[!0-9]", "a"));
  EXPECT_FALSE(GlobMatches("[!0-9]", "5"));
  EXPECT_TRUE(GlobMatches("app-[!0-9]*", "app-dev"));
  EXPECT_FALSE(GlobMatches("app-[!0-9]*", "app-2"));
  EXPECT_FALSE(GlobMatches("[!0-9]", ""));
}

TEST(GlobTest, NegatedClassWithCaret) {
  EXPECT_TRUE(GlobMatches("[^x]", "y"));
  EXPECT_FALSE(GlobMatches("[^x]", "x"));
  EXPECT_TRUE(GlobMatches("a[^/]c", "abc"));
  EXPECT_FALSE(GlobMatches("a[^/]c", "a/c"));
}

TEST(GlobTest, NegatedClassMatchesOneWholeUtf8Character) {
  // A class, like `?`, stands for one character; "é" is not 'b'.
  EXPECT_TRUE(GlobMatches("a[!b]c",
                          "a\xC3\xA9"
                          "c"));
  EXPECT_TRUE(GlobMatches("[^x]", "\xE2\x82\xAC"));
  EXPECT_FALSE(GlobMatches("[!b][!b]", "\xC3\xA9"));
}

TEST(GlobTest, CloseBracketFirstIsLiteral) {
  EXPECT_TRUE(GlobMatches("[]]", "]"));
  EXPECT_FALSE(GlobMatches("[]]", "a"));
  EXPECT_TRUE(GlobMatches("[]a]", "]"));
  EXPECT_TRUE(GlobMatches("[]a]", "a"));
  EXPECT_FALSE(GlobMatches("[]a]", "b"));
  EXPECT_TRUE(GlobMatches("[!]]", "a"));
  EXPECT_FALSE(GlobMatches("[!]]", "]"));
  EXPECT_TRUE(GlobMatches("[^]]", "a"));
  EXPECT_FALSE(GlobMatches("[^]]", "]"));
}

TEST(GlobTest, DashAtTheEndOfAClassIsLiteral) {
  EXPECT_TRUE(GlobMatches("[a-]", "-"));
  EXPECT_TRUE(GlobMatches("[a-]", "a"));
  EXPECT_FALSE(GlobMatches("[a-]", "b"));
}

TEST(GlobTest, EscapesInsideAClass) {
  EXPECT_TRUE(GlobMatches("[\\]]", "]"));
  EXPECT_FALSE(GlobMatches("[\\]]", "\\"));
  // An escaped '-' is a member, not a range.
  EXPECT_TRUE(GlobMatches("[a\\-z]", "-"));
  EXPECT_TRUE(GlobMatches("[a\\-z]", "a"));
  EXPECT_TRUE(GlobMatches("[a\\-z]", "z"));
  EXPECT_FALSE(GlobMatches("[a\\-z]", "b"));
}

TEST(GlobTest, SpecialCharactersInsideAClassAreLiteral) {
  EXPECT_TRUE(GlobMatches("[*?]", "*"));
  EXPECT_TRUE(GlobMatches("[*?]", "?"));
  EXPECT_FALSE(GlobMatches("[*?]", "a"));
}

// ---- escapes ----

TEST(GlobTest, BackslashTakesTheNextCharacterLiterally) {
  EXPECT_TRUE(GlobMatches("a\\*b", "a*b"));
  EXPECT_FALSE(GlobMatches("a\\*b", "axb"));
  EXPECT_FALSE(GlobMatches("a\\*b", "ab"));
  EXPECT_TRUE(GlobMatches("a\\?b", "a?b"));
  EXPECT_FALSE(GlobMatches("a\\?b", "axb"));
  EXPECT_TRUE(GlobMatches("\\[x]", "[x]"));
  EXPECT_FALSE(GlobMatches("\\[x]", "x"));
  EXPECT_TRUE(GlobMatches("a\\\\b", "a\\b"));
  EXPECT_TRUE(GlobMatches("\\a", "a"));
}

// ---- has_tag ----

TEST(GlobTest, HasTagWhenThePatternHasAColon) {
  EXPECT_FALSE(MustCompile("app").has_tag());
  EXPECT_FALSE(MustCompile("myapp-main-*").has_tag());
  EXPECT_TRUE(MustCompile("app:latest").has_tag());
  EXPECT_TRUE(MustCompile("postgres:*").has_tag());
  EXPECT_TRUE(MustCompile("*:1.*").has_tag());
}

TEST(GlobTest, ARegistryPortIsNotATag) {
  EXPECT_FALSE(MustCompile("localhost:5000/app").has_tag());
  EXPECT_FALSE(MustCompile("registry.local:5000/team/*").has_tag());
  EXPECT_TRUE(MustCompile("localhost:5000/app:1.*").has_tag());
  EXPECT_TRUE(MatchesReference(MustCompile("registry.local:5000/team/app"),
                               "registry.local:5000/team/app:v2"));
  EXPECT_FALSE(MatchesReference(MustCompile("registry.local:5000/team/app"),
                                "registry.local:5000/team/app2:v2"));
}

TEST(GlobTest, AColonInsideAClassIsNotATag) {
  EXPECT_FALSE(MustCompile("a[:]b").has_tag());
  EXPECT_TRUE(MustCompile("a[:]b:*").has_tag());
}

// ---- compile errors ----

TEST(GlobTest, EmptyPatternIsAnError) {
  EXPECT_EQ(CompileError(""), "empty pattern");
}

TEST(GlobTest, UnclosedClassIsAnError) {
  EXPECT_EQ(CompileError("app-[0-9"), "pattern \"app-[0-9\" has an unclosed [");
  EXPECT_EQ(CompileError("["), "pattern \"[\" has an unclosed [");
  // A ']' right after '[' (or '[!') is a member, so these never close.
  EXPECT_EQ(CompileError("[]"), "pattern \"[]\" has an unclosed [");
  EXPECT_EQ(CompileError("[!]"), "pattern \"[!]\" has an unclosed [");
  EXPECT_EQ(CompileError("[a\\]"), "pattern \"[a\\]\" has an unclosed [");
}

TEST(GlobTest, TrailingBackslashIsAnError) {
  EXPECT_EQ(CompileError("app\\"), "pattern \"app\\\" ends with a lone \\");
  EXPECT_EQ(CompileError("\\"), "pattern \"\\\" ends with a lone \\");
}

TEST(GlobTest, EscapedBackslashAtTheEndIsFine) {
  EXPECT_TRUE(Glob::Compile("app\\\\").ok());
  EXPECT_TRUE(GlobMatches("app\\\\", "app\\"));
}

// ---- MatchesReference ----

bool RefMatches(std::string_view pattern, std::string_view reference) {
  return MatchesReference(MustCompile(pattern), reference);
}

TEST(MatchesReferenceTest, WithoutAColonTheRepositoryMustMatch) {
  EXPECT_TRUE(RefMatches("app", "app:1"));
  EXPECT_TRUE(RefMatches("app", "app:latest"));
  EXPECT_FALSE(RefMatches("app", "app2:1"));
  EXPECT_FALSE(RefMatches("app", "myapp:1"));
  // The tag is not part of what is matched.
  EXPECT_FALSE(RefMatches("app*1", "app:1"));
  EXPECT_TRUE(RefMatches("myapp-main-*", "myapp-main-2:latest"));
  EXPECT_FALSE(RefMatches("myapp-main-*", "myapp-dev-2:latest"));
}

TEST(MatchesReferenceTest, WithAColonRepositoryAndTagMustMatch) {
  EXPECT_TRUE(RefMatches("app:1", "app:1"));
  EXPECT_FALSE(RefMatches("app:1", "app:10"));
  EXPECT_TRUE(RefMatches("app:1*", "app:10"));
  EXPECT_FALSE(RefMatches("app:1*", "app:2"));
  EXPECT_TRUE(RefMatches("postgres:*", "postgres:15"));
  EXPECT_FALSE(RefMatches("postgres:*", "postgres-exporter:1"));
  EXPECT_TRUE(RefMatches("*:latest", "registry.example.com/team/app:latest"));
  EXPECT_FALSE(RefMatches("*:latest", "app:1"));
}

TEST(MatchesReferenceTest, RepositoryIncludesRegistryAndPath) {
  EXPECT_TRUE(RefMatches("registry.example.com/team/*",
                         "registry.example.com/team/app:2"));
  EXPECT_FALSE(RefMatches("team/*", "registry.example.com/team/app:2"));
  EXPECT_TRUE(RefMatches("*/app", "registry.example.com/team/app:2"));
  EXPECT_FALSE(RefMatches("app", "registry.example.com/team/app:2"));
}

TEST(MatchesReferenceTest, RegistryWithAPort) {
  // The repository of "localhost:5000/app:1" is "localhost:5000/app".
  EXPECT_TRUE(RefMatches("*/app", "localhost:5000/app:1"));
  EXPECT_TRUE(RefMatches("localhost?5000/app", "localhost:5000/app:1"));
  EXPECT_FALSE(RefMatches("localhost?5000/app", "localhost:5000/app2:1"));
  // With a ':' after the last '/' the pattern is matched against the whole
  // reference.
  EXPECT_TRUE(RefMatches("localhost:5000/app:*", "localhost:5000/app:1"));
  EXPECT_TRUE(RefMatches("localhost:5000/app:1", "localhost:5000/app:1"));
  EXPECT_FALSE(RefMatches("localhost:5000/app:2", "localhost:5000/app:1"));
  EXPECT_TRUE(RefMatches("localhost:5000/*", "localhost:5000/app:1"));
  EXPECT_TRUE(RefMatches("localhost:5000/*", "localhost:5000/team/app:1"));
  EXPECT_FALSE(RefMatches("localhost:5000/*", "localhost:5001/app:1"));
  // A ':' before a '/' is the registry's port: the pattern matches the
  // repository, as one without a port would.
  EXPECT_TRUE(RefMatches("localhost:5000/app", "localhost:5000/app:1"));
  EXPECT_FALSE(RefMatches("localhost:5000/app", "localhost:5000/app2:1"));
}

}  // namespace
}  // namespace dgc
