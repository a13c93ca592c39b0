// A small streaming JSON writer for the documents libdgc produces
// (dgc.df/v1, dgc.plan/v1, dgc.apply/v1, dgc.snapshot/v1).
//
// Strings are escaped per RFC 8259 (control characters as \u00XX); numbers
// are integers; output is indented with two spaces, or compact.
//
// Example:
//   dgc::JsonWriter json;
//   json.BeginObject().Key("schema").String("dgc.df/v1").EndObject();
//   std::string text = json.Finish();
#ifndef DGC_CORE_JSON_WRITER_H_
#define DGC_CORE_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dgc {

class JsonWriter {
 public:
  enum class Style { kIndented, kCompact };
  explicit JsonWriter(Style style = Style::kIndented) : style_(style) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // Key writes an object member's name; a value must follow.
  JsonWriter& Key(std::string_view name);
  JsonWriter& String(std::string_view text);
  JsonWriter& Int(int64_t number);
  JsonWriter& Uint(uint64_t number);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Raw writes `json`, which must be one valid JSON value, as it is but for
  // the whitespace after it (engines end their bodies with a newline).
  JsonWriter& Raw(std::string_view json);
  // StringArray writes an array of strings.
  JsonWriter& StringArray(const std::vector<std::string>& items);

  // Finish returns the document followed by a newline. Every Begin must
  // have been ended.
  std::string Finish();

 private:
  void BeforeValue();
  void Close(char bracket);
  void NewLine();

  Style style_;
  std::string out_;
  // One entry per open object or array: whether it has members yet.
  std::vector<bool> has_members_;
  bool after_key_ = false;
};

// AppendJsonString appends `text` as a quoted, escaped JSON string: valid
// UTF-8 is kept as it is, each byte that is not becomes \ufffd (as Go's
// encoder does), so the output is valid JSON whatever `text` holds.
void AppendJsonString(std::string_view text, std::string* out);

}  // namespace dgc

#endif  // DGC_CORE_JSON_WRITER_H_
