// Tests of the simdjson On-Demand helpers (core/json_reader.h): PaddedBody,
// ParseDocument's whole-document checks, ForEachField / ForEachElement with
// null and wrong types, the Read* helpers, and the exact messages and codes
// of their errors.
#include "core/json_reader.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "core/string_views.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using simdjson::ondemand::value;

constexpr char kWrongType[] =
    "The JSON element does not have the requested type.";

std::string Message(const absl::Status& status) {
  return std::string(ToStd(status.message()));
}

// Parses `json` and hands its root to `read`.
template <typename Read>
absl::Status Parse(std::string_view json, Read&& read) {
  PaddedBody body(json);
  simdjson::ondemand::parser parser;
  return ParseDocument(parser, body, std::forward<Read>(read));
}

// Reads the member "v" of a one-member object with `read(value)`.
template <typename Read>
absl::Status ParseMember(std::string_view json, Read&& read) {
  return Parse(json, [&](value& root) {
    return ForEachField(root,
                        [&](std::string_view, value& v) { return read(v); });
  });
}

// Reads the whole document as an object of strings; fails on anything else.
absl::Status ReadAnyObject(value& root) {
  return ForEachField(root, [](std::string_view key, value& v) {
    std::string text;
    return ReadString(v, key, &text);
  });
}

// ---- PaddedBody ----

TEST(PaddedBodyTest, DefaultIsEmptyAndPadded) {
  PaddedBody body;
  EXPECT_TRUE(body.empty());
  EXPECT_EQ(body.view(), "");
  EXPECT_EQ(body.padded().size(), 0u);
  EXPECT_GE(body.padded().padding(), simdjson::SIMDJSON_PADDING);
}

TEST(PaddedBodyTest, HoldsItsTextWithPaddingAfterIt) {
  PaddedBody body("{\"a\":1}");
  EXPECT_FALSE(body.empty());
  EXPECT_EQ(body.view(), "{\"a\":1}");
  EXPECT_EQ(std::string_view(body.padded()), "{\"a\":1}");
  EXPECT_GE(body.padded().padding(), simdjson::SIMDJSON_PADDING);
}

TEST(PaddedBodyTest, AppendKeepsEarlierBytesAcrossGrowth) {
  PaddedBody body;
  std::string want;
  for (int i = 0; i < 500; ++i) {
    std::string piece = std::to_string(i) + ",";
    body.Append(piece);
    want += piece;
    ASSERT_EQ(body.view(), want);
    ASSERT_GE(body.padded().capacity(),
              want.size() + simdjson::SIMDJSON_PADDING);
  }
}

TEST(PaddedBodyTest, AppendHandlesEmbeddedNulBytes) {
  PaddedBody body;
  body.Append(std::string_view("a\0b", 3));
  body.Append("");
  EXPECT_EQ(body.view(), std::string_view("a\0b", 3));
}

// ---- ParseDocument ----

TEST(ParseDocumentTest, CallsReadOnTheRootAndAcceptsTrailingWhitespace) {
  int calls = 0;
  absl::Status status = Parse("  {\"a\": \"b\"} \n\t ", [&](value& root) {
    ++calls;
    return ReadAnyObject(root);
  });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(calls, 1);
}

TEST(ParseDocumentTest, RejectsASecondValueAfterTheRoot) {
  absl::Status status = Parse("{\"a\": \"b\"} {}", ReadAnyObject);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "unexpected data after the JSON value");
}

TEST(ParseDocumentTest, RejectsTrailingGarbageAfterAnArray) {
  absl::Status status = Parse("[1, 2] x", [](value& root) {
    return ForEachElement(root, [](size_t, value& v) {
      int64_t n = 0;
      return ReadInt(v, "n", &n);
    });
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "unexpected data after the JSON value");
}

TEST(ParseDocumentTest, TextThatIsNotUtf8SaysWhere) {
  absl::Status status =
      Parse("{\"a\": \"b\",\n \"\xc3\xa9\": \"caf\xe9\"}", ReadAnyObject);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            "the text is not valid UTF-8: byte 0xe9 at line 2, column 11");
}

TEST(ParseDocumentTest, RejectsAnEmptyBody) {
  absl::Status status = Parse("", ReadAnyObject);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "document: Empty: no JSON found");
}

TEST(ParseDocumentTest, RejectsAWhitespaceOnlyBody) {
  absl::Status status = Parse(" \n ", ReadAnyObject);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "document: Empty: no JSON found");
}

class TruncatedJsonTest : public ::testing::TestWithParam<const char*> {};

TEST_P(TruncatedJsonTest, IsInvalidArgument) {
  absl::Status status = Parse(GetParam(), [](value& root) {
    return ForEachField(root, [](std::string_view, value& v) {
      return ForEachElement(v, [](size_t, value& item) {
        std::string text;
        return ReadString(item, "item", &text);
      });
    });
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument)
      << GetParam() << " gave " << status;
}

INSTANTIATE_TEST_SUITE_P(
    Truncated, TruncatedJsonTest,
    ::testing::Values("{", "{\"a\"", "{\"a\":", "{\"a\": [", "{\"a\": [\"x\"",
                      "{\"a\": [\"x\",", "{\"a\": [\"x\"]", "{\"a\": [\"x",
                      "{\"a\": [\"x\"]}}", "{\"a\": [\"x\"]]",
                      "{\"a\" [\"x\"]}", "{\"a\": [\"x\" \"y\"]}",
                      "{\"a\": [\"x\",]}", "{a: []}"));

TEST(ParseDocumentTest, PassesTheReadersStatusThroughUnchanged) {
  absl::Status status = Parse("{}", [](value& root) {
    (void)ReadAnyObject(root);
    return absl::NotFoundError("image sha256:abc is gone");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Message(status), "image sha256:abc is gone");
}

TEST(ParseDocumentTest, ReusesOneParserForSeveralBodies) {
  simdjson::ondemand::parser parser;
  for (std::string_view json : {"{\"a\":\"1\"}", "{\"b\":\"2\"}", "{}"}) {
    PaddedBody body(json);
    absl::Status status = ParseDocument(parser, body, ReadAnyObject);
    EXPECT_TRUE(status.ok()) << json << ": " << status;
  }
}

TEST(ParseDocumentTest, ScalarRootIsRejected) {
  // Engine bodies are objects or arrays; a bare scalar is not one.
  absl::Status status = Parse("42", ReadAnyObject);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
}

// ---- ForEachField ----

TEST(ForEachFieldTest, VisitsEveryMemberInOrderWithUnescapedKeys) {
  std::vector<std::pair<std::string, std::string>> seen;
  absl::Status status =
      Parse("{\"b\": \"1\", \"a\\u0041\": \"2\", \"c\\\"d\": \"3\"}",
            [&](value& root) {
              return ForEachField(root, [&](std::string_view key, value& v) {
                std::string text;
                absl::Status s = ReadString(v, key, &text);
                seen.emplace_back(std::string(key), text);
                return s;
              });
            });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::string>>{
                      {"b", "1"}, {"aA", "2"}, {"c\"d", "3"}}));
}

TEST(ForEachFieldTest, KeysStayValidForTheWholeDocument) {
  // Keys are kept as views while later keys and string values are read;
  // they must still read the same when the document is done.
  std::vector<std::string_view> keys;
  std::vector<std::string> values;
  absl::Status status = Parse(
      "{\"first\": \"v\\u00e91\", \"sec\\u006fnd\": \"v2\", \"third\": \"v3\"}",
      [&](value& root) {
        absl::Status s =
            ForEachField(root, [&](std::string_view key, value& v) {
              keys.push_back(key);
              return ReadString(v, key, &values.emplace_back());
            });
        EXPECT_EQ(keys,
                  (std::vector<std::string_view>{"first", "second", "third"}));
        return s;
      });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(values, (std::vector<std::string>{"v\xc3\xa9"
                                              "1",
                                              "v2", "v3"}));
}

TEST(ForEachFieldTest, NullIsAnEmptyObject) {
  int calls = 0;
  absl::Status status = ParseMember("{\"v\": null}", [&](value& v) {
    return ForEachField(v, [&](std::string_view, value&) {
      ++calls;
      return absl::OkStatus();
    });
  });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(calls, 0);
}

TEST(ForEachFieldTest, EmptyObjectCallsNothing) {
  int calls = 0;
  absl::Status status = Parse("{}", [&](value& root) {
    return ForEachField(root, [&](std::string_view, value&) {
      ++calls;
      return absl::OkStatus();
    });
  });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(calls, 0);
}

TEST(ForEachFieldTest, AnArrayIsNotAnObject) {
  absl::Status status = Parse("[]", ReadAnyObject);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), std::string("expected an object: ") + kWrongType);
}

TEST(ForEachFieldTest, ANestedStringIsNotAnObjectAndNamesTheField) {
  absl::Status status = Parse("{\"Config\": \"x\"}", [](value& root) {
    return ForEachField(root, [](std::string_view, value& v) {
      return ForEachField(
          v, [](std::string_view, value&) { return absl::OkStatus(); });
    });
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            std::string("field \"Config\": expected an object: ") + kWrongType);
}

TEST(ForEachFieldTest, StopsAtTheFirstErrorAndPrefixesTheFieldName) {
  std::vector<std::string> seen;
  absl::Status status =
      Parse("{\"a\": 1, \"b\": 2, \"c\": 3}", [&](value& root) {
        return ForEachField(root, [&](std::string_view key, value& v) {
          seen.emplace_back(key);
          int64_t n = 0;
          if (absl::Status s = ReadInt(v, key, &n); !s.ok()) return s;
          if (key == "b") return absl::FailedPreconditionError("b is bad");
          return absl::OkStatus();
        });
      });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Message(status), "field \"b\": b is bad");
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
}

TEST(ForEachFieldTest, NestedErrorsNameEveryLevel) {
  absl::Status status =
      Parse("{\"RootFS\": {\"Layers\": [\"sha256:a\", 7]}}", [](value& root) {
        return ForEachField(root, [](std::string_view, value& rootfs) {
          return ForEachField(rootfs, [](std::string_view key, value& v) {
            std::vector<std::string> layers;
            return ReadStringArray(v, key, &layers);
          });
        });
      });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            std::string("field \"RootFS\": field \"Layers\": element 1: "
                        "Layers: expected a string: ") +
                kWrongType);
}

TEST(ForEachFieldTest, KeysInMessagesAreMadePrintableAndShortened) {
  std::string long_key(70, 'k');
  absl::Status status =
      Parse("{\"a\\u001bb\": 1, \"" + long_key + "\": 2}", [](value& root) {
        return ForEachField(root, [](std::string_view key, value&) {
          return absl::InvalidArgumentError(key.size() == 3 ? "one" : "two");
        });
      });
  EXPECT_EQ(Message(status), "field \"a\\x1bb\": one");
  absl::Status second = Parse("{\"" + long_key + "\": 2}", [](value& root) {
    return ForEachField(root, [](std::string_view, value&) {
      return absl::InvalidArgumentError("two");
    });
  });
  EXPECT_EQ(Message(second), "field \"" + std::string(63, 'k') + "…\": two");
}

TEST(ForEachFieldTest, MemberValuesLeftUnreadAreSkipped) {
  std::vector<std::string> keys;
  absl::Status status = Parse(
      "{\"skip\": {\"deep\": [1, {\"x\": [null, true]}]}, \"Id\": \"abc\"}",
      [&](value& root) {
        return ForEachField(root, [&](std::string_view key, value&) {
          keys.emplace_back(key);
          return absl::OkStatus();
        });
      });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(keys, (std::vector<std::string>{"skip", "Id"}));
}

// ---- ForEachElement ----

TEST(ForEachElementTest, PassesIndexesFromZero) {
  std::vector<size_t> indexes;
  std::vector<int64_t> values;
  absl::Status status = Parse("[10, 20, 30]", [&](value& root) {
    return ForEachElement(root, [&](size_t index, value& v) {
      indexes.push_back(index);
      int64_t n = 0;
      absl::Status s = ReadInt(v, "n", &n);
      values.push_back(n);
      return s;
    });
  });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(indexes, (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(values, (std::vector<int64_t>{10, 20, 30}));
}

TEST(ForEachElementTest, NullIsAnEmptyArray) {
  int calls = 0;
  absl::Status status = ParseMember("{\"v\": null}", [&](value& v) {
    return ForEachElement(v, [&](size_t, value&) {
      ++calls;
      return absl::OkStatus();
    });
  });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(calls, 0);
}

TEST(ForEachElementTest, AnObjectIsNotAnArray) {
  absl::Status status = Parse("{}", [](value& root) {
    return ForEachElement(root,
                          [](size_t, value&) { return absl::OkStatus(); });
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), std::string("expected an array: ") + kWrongType);
}

TEST(ForEachElementTest, ANumberIsNotAnArrayAndNamesTheField) {
  absl::Status status = ParseMember("{\"Images\": 3}", [](value& v) {
    return ForEachElement(v, [](size_t, value&) { return absl::OkStatus(); });
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            std::string("field \"Images\": expected an array: ") + kWrongType);
}

TEST(ForEachElementTest, ErrorsNameTheElementAndKeepTheirCode) {
  int calls = 0;
  absl::Status status = Parse("[{}, {}, {}, {}]", [&](value& root) {
    return ForEachElement(root, [&](size_t index, value& v) -> absl::Status {
      ++calls;
      if (absl::Status s = ReadAnyObject(v); !s.ok()) return s;
      if (index == 2) return absl::OutOfRangeError("third");
      return absl::OkStatus();
    });
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Message(status), "element 2: third");
  EXPECT_EQ(calls, 3);
}

// ---- ReadString ----

TEST(ReadStringTest, ReadsAndUnescapes) {
  std::string out;
  absl::Status status = ParseMember(
      "{\"v\": \"tab\\there \\u00e9 \\ud83d\\ude00 \\\"q\\\" \\/\"}",
      [&](value& v) { return ReadString(v, "v", &out); });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(out, "tab\there \xc3\xa9 \xf0\x9f\x98\x80 \"q\" /");
}

TEST(ReadStringTest, NullLeavesTheTargetUnchanged) {
  std::string out = "before";
  absl::Status status = ParseMember(
      "{\"v\": null}", [&](value& v) { return ReadString(v, "v", &out); });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(out, "before");
}

TEST(ReadStringTest, ANumberIsNotAString) {
  std::string out;
  absl::Status status = ParseMember(
      "{\"Id\": 12}", [&](value& v) { return ReadString(v, "Id", &out); });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            std::string("field \"Id\": Id: expected a string: ") + kWrongType);
}

TEST(ReadStringTest, AnObjectIsNotAString) {
  std::string out;
  absl::Status status = ParseMember("{\"Id\": {\"x\": \"y\"}}", [&](value& v) {
    return ReadString(v, "Id", &out);
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            std::string("field \"Id\": Id: expected a string: ") + kWrongType);
}

TEST(ReadStringTest, InvalidEscapeIsAnError) {
  std::string out;
  absl::Status status =
      ParseMember("{\"v\": \"bad \\q escape\"}",
                  [&](value& v) { return ReadString(v, "v", &out); });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            "field \"v\": v: expected a string: Problem while parsing a "
            "string");
}

// ---- ReadInt ----

TEST(ReadIntTest, ReadsSignedIntegers) {
  for (auto [json, want] : {std::pair<const char*, int64_t>{"{\"v\": 0}", 0},
                            {"{\"v\": -1}", -1},
                            {"{\"v\": 1993359}", 1993359},
                            {"{\"v\": 9223372036854775807}", INT64_MAX},
                            {"{\"v\": -9223372036854775808}", INT64_MIN}}) {
    int64_t out = 42;
    absl::Status status =
        ParseMember(json, [&](value& v) { return ReadInt(v, "v", &out); });
    ASSERT_TRUE(status.ok()) << json << ": " << status;
    EXPECT_EQ(out, want) << json;
  }
}

TEST(ReadIntTest, NullLeavesTheTargetUnchanged) {
  int64_t out = 7;
  absl::Status status = ParseMember(
      "{\"v\": null}", [&](value& v) { return ReadInt(v, "v", &out); });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(out, 7);
}

TEST(ReadIntTest, AStringOfDigitsIsNotAnInteger) {
  int64_t out = 0;
  absl::Status status = ParseMember(
      "{\"Size\": \"12\"}", [&](value& v) { return ReadInt(v, "Size", &out); });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      Message(status),
      std::string("field \"Size\": Size: expected an integer: ") + kWrongType);
}

TEST(ReadIntTest, BooleansArraysAndObjectsAreNotIntegers) {
  for (const char* json :
       {"{\"Size\": true}", "{\"Size\": [1]}", "{\"Size\": {\"n\": 1}}"}) {
    int64_t out = 0;
    absl::Status status =
        ParseMember(json, [&](value& v) { return ReadInt(v, "Size", &out); });
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << json;
    EXPECT_EQ(
        Message(status),
        std::string("field \"Size\": Size: expected an integer: ") + kWrongType)
        << json;
  }
}

TEST(ReadIntTest, FractionsAndOutOfRangeNumbersAreRejected) {
  for (const char* json :
       {"{\"Size\": 1.5}", "{\"Size\": 1e3}", "{\"Size\": 9223372036854775808}",
        "{\"Size\": 18446744073709551616}",
        "{\"Size\": -9223372036854775809}"}) {
    int64_t out = 0;
    absl::Status status =
        ParseMember(json, [&](value& v) { return ReadInt(v, "Size", &out); });
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument)
        << json << " read as " << out;
    EXPECT_TRUE(Message(status).starts_with(
        "field \"Size\": Size: expected an integer: "))
        << json << ": " << status;
  }
}

// ---- ReadBool ----

TEST(ReadBoolTest, ReadsTrueAndFalse) {
  bool out = false;
  ASSERT_TRUE(ParseMember("{\"v\": true}", [&](value& v) {
                return ReadBool(v, "v", &out);
              }).ok());
  EXPECT_TRUE(out);
  ASSERT_TRUE(ParseMember("{\"v\": false}", [&](value& v) {
                return ReadBool(v, "v", &out);
              }).ok());
  EXPECT_FALSE(out);
}

TEST(ReadBoolTest, NullLeavesTheTargetUnchanged) {
  bool out = true;
  absl::Status status = ParseMember(
      "{\"v\": null}", [&](value& v) { return ReadBool(v, "v", &out); });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_TRUE(out);
}

TEST(ReadBoolTest, StringsAndNumbersAreNotBooleans) {
  for (const char* json : {"{\"dangling\": \"true\"}", "{\"dangling\": 1}"}) {
    bool out = false;
    absl::Status status = ParseMember(
        json, [&](value& v) { return ReadBool(v, "dangling", &out); });
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << json;
    EXPECT_EQ(Message(status),
              std::string("field \"dangling\": dangling: expected true or "
                          "false: ") +
                  kWrongType)
        << json;
  }
}

// ---- ReadStringArray ----

TEST(ReadStringArrayTest, ReadsInOrderAndReplacesWhatWasThere) {
  std::vector<std::string> out = {"old"};
  absl::Status status = ParseMember(
      "{\"v\": [\"app:1\", \"app:latest\", \"app:1\"]}",
      [&](value& v) { return ReadStringArray(v, "RepoTags", &out); });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(out, (std::vector<std::string>{"app:1", "app:latest", "app:1"}));
}

TEST(ReadStringArrayTest, NullAndEmptyGiveNoStrings) {
  for (const char* json : {"{\"v\": null}", "{\"v\": []}"}) {
    std::vector<std::string> out = {"old"};
    absl::Status status = ParseMember(
        json, [&](value& v) { return ReadStringArray(v, "RepoTags", &out); });
    ASSERT_TRUE(status.ok()) << json << ": " << status;
    EXPECT_TRUE(out.empty()) << json;
  }
}

TEST(ReadStringArrayTest, ANonStringElementIsNamedByIndex) {
  std::vector<std::string> out;
  absl::Status status = ParseMember(
      "{\"RepoTags\": [\"a:1\", {\"b\": 1}]}",
      [&](value& v) { return ReadStringArray(v, "RepoTags", &out); });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            std::string("field \"RepoTags\": element 1: RepoTags: expected a "
                        "string: ") +
                kWrongType);
}

TEST(ReadStringArrayTest, AStringIsNotAnArray) {
  std::vector<std::string> out;
  absl::Status status = ParseMember("{\"RepoTags\": \"app:1\"}", [&](value& v) {
    return ReadStringArray(v, "RepoTags", &out);
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      Message(status),
      std::string("field \"RepoTags\": expected an array: ") + kWrongType);
}

// ---- ReadStringMap ----

TEST(ReadStringMapTest, ReadsPairsSortedByKey) {
  std::vector<std::pair<std::string, std::string>> out = {{"old", "x"}};
  absl::Status status =
      ParseMember("{\"v\": {\"z\": \"1\", \"a\": \"2\", \"m.n\": \"\"}}",
                  [&](value& v) { return ReadStringMap(v, "Labels", &out); });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(out, (std::vector<std::pair<std::string, std::string>>{
                     {"a", "2"}, {"m.n", ""}, {"z", "1"}}));
}

TEST(ReadStringMapTest, NullAndEmptyGiveNoPairs) {
  for (const char* json : {"{\"v\": null}", "{\"v\": {}}"}) {
    std::vector<std::pair<std::string, std::string>> out = {{"old", "x"}};
    absl::Status status = ParseMember(
        json, [&](value& v) { return ReadStringMap(v, "Labels", &out); });
    ASSERT_TRUE(status.ok()) << json << ": " << status;
    EXPECT_TRUE(out.empty()) << json;
  }
}

TEST(ReadStringMapTest, ANonStringValueIsNamedByKey) {
  std::vector<std::pair<std::string, std::string>> out;
  absl::Status status =
      ParseMember("{\"Labels\": {\"ok\": \"1\", \"gc.keep\": true}}",
                  [&](value& v) { return ReadStringMap(v, "Labels", &out); });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            std::string("field \"Labels\": field \"gc.keep\": Labels: "
                        "expected a string: ") +
                kWrongType);
}

TEST(ReadStringMapTest, AnArrayIsNotAMap) {
  std::vector<std::pair<std::string, std::string>> out;
  absl::Status status = ParseMember("{\"Labels\": [\"a=b\"]}", [&](value& v) {
    return ReadStringMap(v, "Labels", &out);
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status),
            std::string("field \"Labels\": expected an object: ") + kWrongType);
}

// ---- JsonError / WithContext ----

TEST(JsonErrorTest, IsInvalidArgumentPrefixedByWhere) {
  absl::Status status = JsonError(simdjson::NUMBER_ERROR, "field \"Size\"");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(status), "field \"Size\": Problem while parsing a number");
}

TEST(WithContextTest, PrefixesAndKeepsTheCode) {
  absl::Status status =
      WithContext(absl::UnavailableError("connection refused"), "GET /info");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Message(status), "GET /info: connection refused");
}

TEST(WithContextTest, LeavesOkAlone) {
  EXPECT_TRUE(WithContext(absl::OkStatus(), "anything").ok());
}

}  // namespace
}  // namespace dgc
