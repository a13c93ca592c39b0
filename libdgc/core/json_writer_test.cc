// Tests of JsonWriter and AppendJsonString (core/json_writer.h): layout of
// the indented and compact styles, string escaping and integer output.
#include "core/json_writer.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/json_reader.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

std::string Escaped(std::string_view text) {
  std::string out;
  AppendJsonString(text, &out);
  return out;
}

TEST(JsonWriterTest, IndentsNestedObjectsAndArraysWithTwoSpaces) {
  JsonWriter json;
  json.BeginObject();
  json.Key("schema").String("dgc.df/v1");
  json.Key("totals").BeginObject();
  json.Key("images").Uint(2);
  json.Key("delta").Int(-3);
  json.EndObject();
  json.Key("list").BeginArray();
  json.Bool(true).Bool(false).Null();
  json.EndArray();
  json.EndObject();
  EXPECT_EQ(json.Finish(),
            "{\n"
            "  \"schema\": \"dgc.df/v1\",\n"
            "  \"totals\": {\n"
            "    \"images\": 2,\n"
            "    \"delta\": -3\n"
            "  },\n"
            "  \"list\": [\n"
            "    true,\n"
            "    false,\n"
            "    null\n"
            "  ]\n"
            "}\n");
}

TEST(JsonWriterTest, CompactStyleHasNoBlanks) {
  JsonWriter json(JsonWriter::Style::kCompact);
  json.BeginObject();
  json.Key("a").BeginArray().Uint(1).Uint(2).EndArray();
  json.Key("b").BeginObject().Key("c").String("d").EndObject();
  json.EndObject();
  EXPECT_EQ(json.Finish(), "{\"a\":[1,2],\"b\":{\"c\":\"d\"}}\n");
}

TEST(JsonWriterTest, EmptyContainersStayOnOneLine) {
  JsonWriter json;
  json.BeginObject();
  json.Key("object").BeginObject().EndObject();
  json.Key("array").BeginArray().EndArray();
  json.EndObject();
  EXPECT_EQ(json.Finish(),
            "{\n"
            "  \"object\": {},\n"
            "  \"array\": []\n"
            "}\n");
}

TEST(JsonWriterTest, TopLevelScalarAndEmptyDocument) {
  JsonWriter number;
  number.Uint(7);
  EXPECT_EQ(number.Finish(), "7\n");
  JsonWriter object;
  object.BeginObject().EndObject();
  EXPECT_EQ(object.Finish(), "{}\n");
}

TEST(JsonWriterTest, StringArrayIsWrittenOnOneLineInIndentedStyle) {
  JsonWriter json;
  json.BeginObject();
  json.Key("refs").StringArray({"app:1", "app:latest"});
  json.Key("none").StringArray({});
  json.Key("after").Uint(1);
  json.EndObject();
  EXPECT_EQ(json.Finish(),
            "{\n"
            "  \"refs\": [\"app:1\",\"app:latest\"],\n"
            "  \"none\": [],\n"
            "  \"after\": 1\n"
            "}\n");
}

TEST(JsonWriterTest, StringArrayInsideAnArrayKeepsTheOuterLayout) {
  JsonWriter json;
  json.BeginArray();
  json.StringArray({"a"});
  json.StringArray({"b", "c"});
  json.EndArray();
  EXPECT_EQ(json.Finish(),
            "[\n"
            "  [\"a\"],\n"
            "  [\"b\",\"c\"]\n"
            "]\n");
}

TEST(JsonWriterTest, RawValuesAreCopiedAsTheyAre) {
  JsonWriter json(JsonWriter::Style::kCompact);
  json.BeginObject();
  json.Key("version").Raw("{\"ApiVersion\": \"1.41\"}");
  json.Key("images").Raw("[]");
  json.EndObject();
  EXPECT_EQ(json.Finish(),
            "{\"version\":{\"ApiVersion\": \"1.41\"},\"images\":[]}\n");
}

TEST(JsonWriterTest, IntegersAtTheLimits) {
  JsonWriter json(JsonWriter::Style::kCompact);
  json.BeginArray();
  json.Int(std::numeric_limits<int64_t>::min());
  json.Int(std::numeric_limits<int64_t>::max());
  json.Uint(std::numeric_limits<uint64_t>::max());
  json.Uint(0);
  json.EndArray();
  EXPECT_EQ(json.Finish(),
            "[-9223372036854775808,9223372036854775807,"
            "18446744073709551615,0]\n");
}

TEST(JsonWriterTest, KeysAreEscapedLikeStrings) {
  JsonWriter json(JsonWriter::Style::kCompact);
  json.BeginObject().Key("a\"b\n").Uint(1).EndObject();
  EXPECT_EQ(json.Finish(), "{\"a\\\"b\\n\":1}\n");
}

TEST(AppendJsonStringTest, EscapesQuotesBackslashesAndShortForms) {
  EXPECT_EQ(Escaped("plain"), "\"plain\"");
  EXPECT_EQ(Escaped(""), "\"\"");
  EXPECT_EQ(Escaped("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(Escaped("C:\\dir"), "\"C:\\\\dir\"");
  EXPECT_EQ(Escaped("a\nb\rc\td"), "\"a\\nb\\rc\\td\"");
}

TEST(AppendJsonStringTest, EscapesOtherControlCharactersAsU00XX) {
  EXPECT_EQ(Escaped(std::string("\x00\x01\x1b\x1f\x7f", 5)),
            "\"\\u0000\\u0001\\u001b\\u001f\\u007f\"");
  EXPECT_EQ(Escaped("\b\f"), "\"\\u0008\\u000c\"");
}

TEST(AppendJsonStringTest, KeepsSlashesAndUtf8) {
  EXPECT_EQ(Escaped("registry:5000/team/app"), "\"registry:5000/team/app\"");
  EXPECT_EQ(Escaped("caf\xc3\xa9 \xe2\x9c\x93"),
            "\"caf\xc3\xa9 \xe2\x9c\x93\"");
}

TEST(AppendJsonStringTest, ReplacesBytesThatAreNotUtf8) {
  EXPECT_EQ(Escaped("a\xff\xfe"), "\"a\\ufffd\\ufffd\"");
  EXPECT_EQ(Escaped("\xc3("), "\"\\ufffd(\"");  // truncated sequence
  EXPECT_EQ(Escaped("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // surrogate
  // Bidirectional controls are valid text: JSON keeps them exactly.
  EXPECT_EQ(Escaped("\xe2\x80\xaex"), "\"\xe2\x80\xaex\"");
}

TEST(AppendJsonStringTest, AppendsToWhatIsThere) {
  std::string out = "x=";
  AppendJsonString("y", &out);
  EXPECT_EQ(out, "x=\"y\"");
}

TEST(JsonWriterTest, OutputReadsBackWithTheSameStrings) {
  std::string every_byte;
  for (int c = 1; c < 128; ++c) every_byte.push_back(static_cast<char>(c));
  JsonWriter json;
  json.BeginObject().Key("s").String(every_byte).EndObject();
  PaddedBody body(json.Finish());
  simdjson::ondemand::parser parser;
  std::string read;
  absl::Status status =
      ParseDocument(parser, body, [&](simdjson::ondemand::value& root) {
        return ForEachField(
            root, [&](std::string_view, simdjson::ondemand::value& v) {
              return ReadString(v, "s", &read);
            });
      });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(read, every_byte);
}

}  // namespace
}  // namespace dgc
