// Walking the outer structure of a large JSON document without parsing
// what is inside its values, so that each value can be handed to simdjson
// as a document of its own: the index simdjson builds then covers one
// value at a time, never the whole text. Strings and escapes are skipped
// 64 bytes at a time. Nothing inside a value is validated here; simdjson
// does that when the value is parsed.
//
// Example (an object's members):
//   dgc::JsonCursor cursor(text);   // text: SIMDJSON_PADDING bytes follow it
//   std::string_view key, value;
//   if (!cursor.Consume('{')) ...;
//   while (cursor.Key(&key) && cursor.Consume(':') && cursor.Value(&value)) {
//     ...;                          // value: the member's text
//     if (!cursor.Consume(',')) break;
//   }
#ifndef DGC_CORE_JSON_CURSOR_H_
#define DGC_CORE_JSON_CURSOR_H_

#include <cstddef>
#include <string_view>

namespace dgc {

class JsonCursor {
 public:
  // `text` must be followed by at least simdjson::SIMDJSON_PADDING readable
  // bytes (their contents do not matter): blocks are read 64 bytes at a time.
  explicit JsonCursor(std::string_view text) : text_(text) {}

  // Consume skips whitespace, then takes `c` if it comes next.
  bool Consume(char c);

  // Key skips whitespace, then takes a string without escapes; `*key` is
  // its contents. False (nothing taken) for any other token, including a
  // string with escapes.
  bool Key(std::string_view* key);

  // Value skips whitespace, then takes one value whole; `*value` is its
  // text. An object or array ends where its brackets balance outside
  // strings; a string at its closing quote; anything else before the next
  // `,`, `}`, `]` or whitespace. False when the text ends first.
  bool Value(std::string_view* value);

  // Advance moves the cursor `bytes` further: past a value another reader
  // took from where this cursor stands.
  void Advance(size_t bytes) { offset_ += bytes; }

  // ran_out tells whether the last Consume, Key or Value met the end of
  // the text, failing or taking a scalar that reaches it: with more text
  // (one still arriving) it might have gone otherwise.
  bool ran_out() const { return ran_out_; }

  // AtEnd tells whether only whitespace is left.
  bool AtEnd();

  // offset is where the cursor is in the text.
  size_t offset() const { return offset_; }

 private:
  void SkipWhitespace();

  std::string_view text_;
  size_t offset_ = 0;
  bool ran_out_ = false;
};

namespace json_internal {

// CompoundEnd returns the offset just past the object or array that starts
// at text[begin] ('{' or '['), or std::string_view::npos when the text ends
// before its brackets balance. `text` is padded as JsonCursor requires.
size_t CompoundEnd(std::string_view text, size_t begin);

// StringEnd returns the offset just past the string whose opening quote is
// at text[begin], or npos when it is not closed.
size_t StringEnd(std::string_view text, size_t begin);

}  // namespace json_internal
}  // namespace dgc

#endif  // DGC_CORE_JSON_CURSOR_H_
