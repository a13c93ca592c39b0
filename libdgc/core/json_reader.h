// Small helpers over simdjson On-Demand for reading engine bodies, snapshots
// and policies with error codes (never exceptions) and messages that name
// the field at fault.
//
// Example:
//   simdjson::ondemand::parser parser;
//   dgc::JsonDocument doc(parser, body);   // body: a PaddedBody
//   absl::Status status = dgc::ForEachField(
//       value, [&](std::string_view key, simdjson::ondemand::value& v) {
//         if (key == "Id") return dgc::ReadString(v, "Id", &id);
//         return absl::OkStatus();          // unknown fields are skipped
//       });
#ifndef DGC_CORE_JSON_READER_H_
#define DGC_CORE_JSON_READER_H_

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace dgc {

// A byte buffer with SIMDJSON_PADDING spare bytes after its contents, so
// simdjson can parse it in place. Bodies are read straight into it; memory
// is never filled before it is read into.
class PaddedBody {
 public:
  PaddedBody() = default;
  explicit PaddedBody(std::string_view text);
  PaddedBody(const PaddedBody& other);
  PaddedBody& operator=(const PaddedBody& other);
  PaddedBody(PaddedBody&& other) noexcept;
  PaddedBody& operator=(PaddedBody&& other) noexcept;

  // Reserve makes room for `bytes` more bytes (and the padding) without
  // touching the memory, so that appending them moves nothing.
  void Reserve(size_t bytes);
  // Append adds bytes at the end (the padding follows them automatically).
  void Append(std::string_view bytes);
  // Space returns room for `bytes` more bytes after the contents, for a
  // reader to fill; Commit then adds the first `filled` of them.
  char* Space(size_t bytes);
  void Commit(size_t filled);
  // view returns the contents (without padding).
  std::string_view view() const { return {data(), size_}; }
  // padded returns the contents as simdjson expects them.
  simdjson::padded_string_view padded() const {
    return simdjson::padded_string_view(data(), size_,
                                        size_ + simdjson::SIMDJSON_PADDING);
  }
  bool empty() const { return size_ == 0; }

 private:
  const char* data() const;

  std::unique_ptr<char[]> data_;  // null until something is stored
  size_t size_ = 0;
  size_t capacity_ = 0;  // of data_, the padding included
};

// JsonError turns a simdjson error into InvalidArgument, prefixed by `where`
// (e.g. "field \"Size\"").
absl::Status JsonError(simdjson::error_code code, std::string_view where);

// WithContext prefixes a non-OK status message with `context` and ": ",
// keeping its code.
absl::Status WithContext(const absl::Status& status, std::string_view context);

// ParseDocument iterates `body` with `parser` and calls `read(value)` on its
// root, then checks that nothing but whitespace follows the root value.
// Every value `read` takes is fully validated; values it skips (fields
// libdgc does not use) are only checked for balanced structure, as
// simdjson On-Demand does — the price of parsing large bodies in one pass.
// Errors: InvalidArgument for malformed JSON or trailing data, or text
// that is not UTF-8 (saying where).
template <typename ReadRoot>
absl::Status ParseDocument(simdjson::ondemand::parser& parser,
                           const PaddedBody& body, ReadRoot&& read);

// ParseEmbeddedValue parses `value_text`, one JSON value lying inside
// `body` (as JsonCursor finds one), and calls `read(value)` on it. An
// object or array is parsed in place, the bytes of `body` after it serving
// as simdjson's padding; a scalar is copied first. Values `read` keeps as
// views stay valid until `parser` parses another document. Errors: as
// ParseDocument's.
absl::Status ParseEmbeddedValue(
    simdjson::ondemand::parser& parser, const PaddedBody& body,
    std::string_view value_text,
    absl::FunctionRef<absl::Status(simdjson::ondemand::value&)> read);
// The same for a value lying inside `within`, a text followed by at least
// SIMDJSON_PADDING readable bytes (e.g. what an ArrivingText may read).
absl::Status ParseEmbeddedValue(
    simdjson::ondemand::parser& parser, std::string_view within,
    std::string_view value_text,
    absl::FunctionRef<absl::Status(simdjson::ondemand::value&)> read);

// ForEachField calls `on_field(key, value)` for every member of the object
// `value`, stopping at the first non-OK status. Null counts as an empty
// object. Errors: not an object, malformed JSON, or what on_field returns
// (prefixed with the field name).
template <typename OnField>
absl::Status ForEachField(simdjson::ondemand::value& value, OnField&& on_field);

// ForEachElement calls `on_element(index, value)` for every element of the
// array `value`. Null counts as an empty array.
template <typename OnElement>
absl::Status ForEachElement(simdjson::ondemand::value& value,
                            OnElement&& on_element);

// Readers of one value. Null leaves `*out` unchanged (fields are optional
// unless the caller checks otherwise). `name` only appears in messages.
absl::Status ReadString(simdjson::ondemand::value& value, std::string_view name,
                        std::string* out);
// ReadStringView reads a string without copying it: `*out` stays valid
// until the parser parses another document.
absl::Status ReadStringView(simdjson::ondemand::value& value,
                            std::string_view name, std::string_view* out);
absl::Status ReadInt(simdjson::ondemand::value& value, std::string_view name,
                     int64_t* out);
absl::Status ReadBool(simdjson::ondemand::value& value, std::string_view name,
                      bool* out);
// ReadUint reads an integer that must not be negative ("NAME is negative").
absl::Status ReadUint(simdjson::ondemand::value& value, std::string_view name,
                      uint64_t* out);
absl::Status ReadStringArray(simdjson::ondemand::value& value,
                             std::string_view name,
                             std::vector<std::string>* out);
// ReadStringMap reads an object of strings (e.g. Labels) as sorted pairs.
absl::Status ReadStringMap(
    simdjson::ondemand::value& value, std::string_view name,
    std::vector<std::pair<std::string, std::string>>* out);

// ---- implementation of the templates ----

namespace json_internal {
absl::Status CheckFullyConsumed(simdjson::ondemand::document& doc);
// NotUtf8Error says where `text`, which simdjson found is not UTF-8, first
// breaks the rule: line, column and byte.
absl::Status NotUtf8Error(std::string_view text);
absl::Status IsNull(simdjson::ondemand::value& value, bool* is_null);
std::string FieldContext(std::string_view key);
// FieldKey returns the key of `field`, valid for the life of the document:
// read in place when it has no escapes (nothing copied), else unescaped
// into simdjson's string buffer, which is never overwritten.
simdjson::simdjson_result<std::string_view> FieldKey(
    simdjson::ondemand::field& field);
}  // namespace json_internal

template <typename ReadRoot>
absl::Status ParseDocument(simdjson::ondemand::parser& parser,
                           const PaddedBody& body, ReadRoot&& read) {
  simdjson::ondemand::document doc;
  if (auto error = parser.iterate(body.padded()).get(doc)) {
    if (error == simdjson::UTF8_ERROR) {
      return json_internal::NotUtf8Error(body.view());
    }
    return JsonError(error, "document");
  }
  simdjson::ondemand::value root;
  if (auto error = doc.get_value().get(root)) {
    return JsonError(error, "document");
  }
  if (absl::Status status = read(root); !status.ok()) return status;
  return json_internal::CheckFullyConsumed(doc);
}

template <typename OnField>
absl::Status ForEachField(simdjson::ondemand::value& value,
                          OnField&& on_field) {
  bool is_null = false;
  if (absl::Status status = json_internal::IsNull(value, &is_null);
      !status.ok() || is_null) {
    return status;
  }
  simdjson::ondemand::object object;
  if (auto error = value.get_object().get(object)) {
    return JsonError(error, "expected an object");
  }
  for (auto member : object) {
    simdjson::ondemand::field field;
    if (auto error = std::move(member).get(field)) {
      return JsonError(error, "object");
    }
    std::string_view key;
    if (auto error = json_internal::FieldKey(field).get(key)) {
      return JsonError(error, "object key");
    }
    if (absl::Status status = on_field(key, field.value()); !status.ok()) {
      return WithContext(status, json_internal::FieldContext(key));
    }
  }
  return absl::OkStatus();
}

template <typename OnElement>
absl::Status ForEachElement(simdjson::ondemand::value& value,
                            OnElement&& on_element) {
  bool is_null = false;
  if (absl::Status status = json_internal::IsNull(value, &is_null);
      !status.ok() || is_null) {
    return status;
  }
  simdjson::ondemand::array array;
  if (auto error = value.get_array().get(array)) {
    return JsonError(error, "expected an array");
  }
  size_t index = 0;
  for (auto element : array) {
    simdjson::ondemand::value item;
    if (auto error = std::move(element).get(item)) {
      return JsonError(error, "element " + std::to_string(index));
    }
    if (absl::Status status = on_element(index, item); !status.ok()) {
      return WithContext(status, "element " + std::to_string(index));
    }
    ++index;
  }
  return absl::OkStatus();
}

}  // namespace dgc

#endif  // DGC_CORE_JSON_READER_H_
