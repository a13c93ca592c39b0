// A small streaming JSON writer (see json_writer.h).
#include "core/json_writer.h"

#include "absl/strings/str_cat.h"
#include "core/utf8.h"

namespace dgc {

namespace {

// Whether `c` is written as it is, with no escape: printable ASCII other
// than the quote and the backslash.
bool IsPlain(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x20 && u < 0x7f && c != '"' && c != '\\';
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < text.size(); ++i) {
    // Most text is plain: copy each run of it at once.
    size_t plain_end = i;
    while (plain_end < text.size() && IsPlain(text[plain_end])) ++plain_end;
    out->append(text.data() + i, plain_end - i);
    if (plain_end == text.size()) break;
    i = plain_end;
    const char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      // Valid UTF-8 as it is; a byte that is not becomes U+FFFD, as Go's
      // encoder (and so the engine) does, so the document stays JSON.
      const size_t length = Utf8Decode(text, i).length;
      if (length == 0) {
        *out += "\\ufffd";
      } else {
        out->append(text.substr(i, length));
        i += length - 1;
      }
      continue;
    }
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default: {
        auto u = static_cast<unsigned char>(c);
        *out += "\\u00";
        out->push_back(kHex[u >> 4]);
        out->push_back(kHex[u & 0xf]);
      }
    }
  }
  out->push_back('"');
}

void JsonWriter::NewLine() {
  if (style_ == Style::kCompact) return;
  out_.push_back('\n');
  out_.append(2 * has_members_.size(), ' ');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (has_members_.empty()) return;
  if (has_members_.back()) out_.push_back(',');
  has_members_.back() = true;
  NewLine();
}

void JsonWriter::Close(char bracket) {
  bool had_members = has_members_.back();
  has_members_.pop_back();
  if (had_members) NewLine();
  out_.push_back(bracket);
}

JsonWriter& JsonWriter::BeginObject() {
  BeforeValue();
  out_.push_back('{');
  has_members_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  Close('}');
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  BeforeValue();
  out_.push_back('[');
  has_members_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  Close(']');
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view name) {
  BeforeValue();
  AppendJsonString(name, &out_);
  out_ += style_ == Style::kCompact ? ":" : ": ";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view text) {
  BeforeValue();
  AppendJsonString(text, &out_);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t number) {
  BeforeValue();
  absl::StrAppend(&out_, number);
  return *this;
}

JsonWriter& JsonWriter::Uint(uint64_t number) {
  BeforeValue();
  absl::StrAppend(&out_, number);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  BeforeValue();
  out_ += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  while (!json.empty() && (json.back() == '\n' || json.back() == '\r' ||
                           json.back() == ' ' || json.back() == '\t')) {
    json.remove_suffix(1);
  }
  out_.append(json);
  return *this;
}

JsonWriter& JsonWriter::StringArray(const std::vector<std::string>& items) {
  BeginArray();
  // Short arrays of strings read better on one line.
  Style saved = style_;
  style_ = Style::kCompact;
  for (const std::string& item : items) String(item);
  EndArray();
  style_ = saved;
  return *this;
}

std::string JsonWriter::Finish() {
  out_.push_back('\n');
  return std::move(out_);
}

}  // namespace dgc
