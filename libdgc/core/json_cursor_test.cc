// JsonCursor: the extents it finds against a byte-at-a-time reference, on
// generated values with escapes, strings holding brackets and values that
// cross the 64-byte blocks at every offset.
#include "core/json_cursor.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <random>
#include <string>
#include <vector>

namespace dgc {
namespace {

// A copy of `text` followed by padding that is not whitespace, as a
// document's later bytes would be.
class Padded {
 public:
  explicit Padded(const std::string& text)
      : storage_(text + std::string(simdjson::SIMDJSON_PADDING, '}')),
        view_(storage_.data(), text.size()) {}
  std::string_view view() const { return view_; }

 private:
  std::string storage_;
  std::string_view view_;
};

// The reference: one byte at a time.
size_t ReferenceEnd(std::string_view text, size_t begin) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = begin; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

// A random JSON value, with strings full of brackets, quotes and
// backslash runs.
std::string RandomValue(std::mt19937& random, int depth) {
  auto pick = [&](int n) { return static_cast<int>(random() % n); };
  if (depth > 4 || pick(3) == 0) {
    switch (pick(3)) {
      case 0:
        return std::to_string(random());
      case 1:
        return "true";
      default: {
        std::string text = "\"";
        for (int i = pick(90); i > 0; --i) {
          static constexpr char kChars[] = "ab{}[]:, \\\"x";
          char c = kChars[pick(sizeof kChars - 1)];
          if (c == '\\' || c == '"') {
            text += std::string(2 * static_cast<size_t>(pick(3)) + 1, '\\');
            text += pick(2) == 0 ? '"' : 'n';
          } else {
            text += c;
          }
        }
        return text + "\"";
      }
    }
  }
  bool object = pick(2) == 0;
  std::string text = object ? "{" : "[";
  for (int i = pick(5); i > 0; --i) {
    if (text.size() > 1) text += ",";
    if (object) text += "\"k\\\\\": ";
    text += RandomValue(random, depth + 1);
  }
  return text + (object ? "}" : "]");
}

TEST(JsonCursorTest, CompoundEndMatchesTheReference) {
  std::mt19937 random(7);
  for (int round = 0; round < 3000; ++round) {
    std::string value = RandomValue(random, 0);
    if (value[0] != '{' && value[0] != '[') continue;
    std::string prefix(random() % 70, ' ');
    std::string text = prefix + value + ", [\"after\"]";
    Padded padded(text);
    size_t expected = ReferenceEnd(padded.view(), prefix.size());
    ASSERT_EQ(expected, prefix.size() + value.size()) << text;
    EXPECT_EQ(json_internal::CompoundEnd(padded.view(), prefix.size()),
              expected)
        << text;
  }
}

TEST(JsonCursorTest, UnbalancedOrUnclosedIsNotFound) {
  for (const char* text : {"{\"a\": [1, 2}", "[\"]\"", "{\"a\\\"}", "[[]"}) {
    Padded padded(text);
    EXPECT_EQ(json_internal::CompoundEnd(padded.view(), 0),
              std::string_view::npos)
        << text;
  }
  Padded unclosed("\"abc\\\"");
  EXPECT_EQ(json_internal::StringEnd(unclosed.view(), 0),
            std::string_view::npos);
}

TEST(JsonCursorTest, StringEndSkipsEscapedQuotes) {
  std::string text = std::string(100, ' ') + "\"" + std::string(70, 'x') +
                     "\\\\\\\"y\\\\\" tail\"";
  Padded padded(text);
  EXPECT_EQ(json_internal::StringEnd(padded.view(), 100),
            text.find("\" tail") + 1);
}

TEST(JsonCursorTest, WalksAnObjectsMembers) {
  Padded padded(R"( {"a": {"x": "}"}, "b" : [1, [2]], "c": "s\"", "d": 12.5e3,)"
                R"( "e": null } )");
  JsonCursor cursor(padded.view());
  ASSERT_TRUE(cursor.Consume('{'));
  std::vector<std::string> seen;
  std::string_view key, value;
  do {
    ASSERT_TRUE(cursor.Key(&key));
    ASSERT_TRUE(cursor.Consume(':'));
    ASSERT_TRUE(cursor.Value(&value));
    seen.push_back(std::string(key) + "=" + std::string(value));
  } while (cursor.Consume(','));
  EXPECT_TRUE(cursor.Consume('}'));
  EXPECT_TRUE(cursor.AtEnd());
  EXPECT_EQ(seen,
            (std::vector<std::string>{"a={\"x\": \"}\"}", "b=[1, [2]]",
                                      "c=\"s\\\"\"", "d=12.5e3", "e=null"}));
}

TEST(JsonCursorTest, KeysWithEscapesAreNotTaken) {
  Padded padded(R"({"a\u0041": 1})");
  JsonCursor cursor(padded.view());
  ASSERT_TRUE(cursor.Consume('{'));
  std::string_view key;
  EXPECT_FALSE(cursor.Key(&key));
  EXPECT_EQ(cursor.offset(), 1u);
}

TEST(JsonCursorTest, TheTextEndingInAValueIsNotAValue) {
  Padded padded(R"({"a": [1, 2)");
  JsonCursor cursor(padded.view());
  std::string_view key, value;
  ASSERT_TRUE(cursor.Consume('{'));
  ASSERT_TRUE(cursor.Key(&key));
  ASSERT_TRUE(cursor.Consume(':'));
  EXPECT_FALSE(cursor.Value(&value));
}

}  // namespace
}  // namespace dgc
