// Helpers over simdjson On-Demand: padded buffers, typed readers and error
// messages that name the field at fault.
#include "core/json_reader.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/safe_text.h"
#include "core/string_views.h"
#include "core/utf8.h"

namespace dgc {
namespace {

// The contents and padding of an empty body.
constexpr char kNoBytes[simdjson::SIMDJSON_PADDING] = {};

}  // namespace

PaddedBody::PaddedBody(std::string_view text) { Append(text); }

PaddedBody::PaddedBody(const PaddedBody& other) { Append(other.view()); }

PaddedBody& PaddedBody::operator=(const PaddedBody& other) {
  if (this != &other) {
    size_ = 0;
    Append(other.view());
  }
  return *this;
}

PaddedBody::PaddedBody(PaddedBody&& other) noexcept
    : data_(std::move(other.data_)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

PaddedBody& PaddedBody::operator=(PaddedBody&& other) noexcept {
  data_ = std::move(other.data_);
  size_ = std::exchange(other.size_, 0);
  capacity_ = std::exchange(other.capacity_, 0);
  return *this;
}

const char* PaddedBody::data() const {
  return data_ != nullptr ? data_.get() : kNoBytes;
}

void PaddedBody::Reserve(size_t bytes) { Space(bytes); }

char* PaddedBody::Space(size_t bytes) {
  size_t needed = size_ + bytes + simdjson::SIMDJSON_PADDING;
  if (needed > capacity_) {
    // Geometric growth; new memory is not filled, so what is never read
    // into never becomes resident.
    size_t capacity = std::max(needed, 2 * capacity_);
    std::unique_ptr<char[]> grown(new char[capacity]);
    if (size_ > 0) std::memcpy(grown.get(), data_.get(), size_);
    data_ = std::move(grown);
    capacity_ = capacity;
  }
  std::memset(data_.get() + size_, 0, simdjson::SIMDJSON_PADDING);
  return data_.get() + size_;
}

void PaddedBody::Commit(size_t filled) {
  size_ += filled;
  std::memset(data_.get() + size_, 0, simdjson::SIMDJSON_PADDING);
}

void PaddedBody::Append(std::string_view bytes) {
  if (bytes.empty() && data_ == nullptr) return;
  std::memcpy(Space(bytes.size()), bytes.data(), bytes.size());
  Commit(bytes.size());
}

absl::Status JsonError(simdjson::error_code code, std::string_view where) {
  return absl::InvalidArgumentError(
      absl::StrFormat("%s: %s", where, simdjson::error_message(code)));
}

absl::Status WithContext(const absl::Status& status, std::string_view context) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrFormat("%s: %s", context, status.message()));
}

absl::Status ParseEmbeddedValue(
    simdjson::ondemand::parser& parser, const PaddedBody& body,
    std::string_view value_text,
    absl::FunctionRef<absl::Status(simdjson::ondemand::value&)> read) {
  return ParseEmbeddedValue(parser, body.view(), value_text, read);
}

absl::Status ParseEmbeddedValue(
    simdjson::ondemand::parser& parser, std::string_view within,
    std::string_view value_text,
    absl::FunctionRef<absl::Status(simdjson::ondemand::value&)> read) {
  if (value_text.empty() || (value_text[0] != '{' && value_text[0] != '[')) {
    // simdjson reads a scalar document only as such, not as a value: read
    // it as the one element of an array.
    PaddedBody array(absl::StrCat("[", ToAbsl(value_text), "]"));
    return ParseDocument(parser, array, [&](simdjson::ondemand::value& root) {
      return ForEachElement(
          root, [&](size_t, simdjson::ondemand::value& v) { return read(v); });
    });
  }
  const char* padded_end =
      within.data() + within.size() + simdjson::SIMDJSON_PADDING;
  simdjson::ondemand::document doc;
  if (auto error = parser
                       .iterate(simdjson::padded_string_view(
                           value_text.data(), value_text.size(),
                           static_cast<size_t>(padded_end - value_text.data())))
                       .get(doc)) {
    return JsonError(error, "document");
  }
  simdjson::ondemand::value root;
  if (auto error = doc.get_value().get(root)) {
    return JsonError(error, "document");
  }
  return read(root);
}

namespace json_internal {

absl::Status CheckFullyConsumed(simdjson::ondemand::document& doc) {
  const char* location = nullptr;
  if (doc.current_location().get(location) == simdjson::SUCCESS) {
    return absl::InvalidArgumentError("unexpected data after the JSON value");
  }
  return absl::OkStatus();
}

absl::Status NotUtf8Error(std::string_view text) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < text.size();) {
    const size_t length = Utf8Decode(text, i).length;
    if (length == 0) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "the text is not valid UTF-8: byte 0x%02x at line %d, column %d",
          static_cast<unsigned char>(text[i]), line, column));
    }
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += length;
  }
  return absl::InvalidArgumentError("the text is not valid UTF-8");
}

absl::Status IsNull(simdjson::ondemand::value& value, bool* is_null) {
  // type() only peeks, so it is valid on the root value too (is_null() is
  // not: simdjson assumes a non-root scalar there).
  simdjson::ondemand::json_type type;
  if (auto error = value.type().get(type)) return JsonError(error, "value");
  *is_null = type == simdjson::ondemand::json_type::null;
  return absl::OkStatus();
}

std::string FieldContext(std::string_view key) {
  return absl::StrFormat("field \"%s\"", TerminalSafe(key, 64));
}

simdjson::simdjson_result<std::string_view> FieldKey(
    simdjson::ondemand::field& field) {
  // Stage 1 checked that every string of the document is closed.
  const char* start = field.key().raw();
  const char* end = start;
  while (*end != '"' && *end != '\\') ++end;
  if (*end == '"') return std::string_view(start, end - start);
  return field.unescaped_key();
}

}  // namespace json_internal

absl::Status ReadStringView(simdjson::ondemand::value& value,
                            std::string_view name, std::string_view* out) {
  bool is_null = false;
  if (absl::Status status = json_internal::IsNull(value, &is_null);
      !status.ok() || is_null) {
    return status;
  }
  if (auto error = value.get_string().get(*out)) {
    return JsonError(error, absl::StrFormat("%s: expected a string", name));
  }
  return absl::OkStatus();
}

absl::Status ReadString(simdjson::ondemand::value& value, std::string_view name,
                        std::string* out) {
  std::string_view text;  // data() stays null for a JSON null
  if (absl::Status status = ReadStringView(value, name, &text); !status.ok()) {
    return status;
  }
  if (text.data() != nullptr) out->assign(text);
  return absl::OkStatus();
}

absl::Status ReadInt(simdjson::ondemand::value& value, std::string_view name,
                     int64_t* out) {
  bool is_null = false;
  if (absl::Status status = json_internal::IsNull(value, &is_null);
      !status.ok() || is_null) {
    return status;
  }
  if (auto error = value.get_int64().get(*out)) {
    return JsonError(error, absl::StrFormat("%s: expected an integer", name));
  }
  return absl::OkStatus();
}

absl::Status ReadUint(simdjson::ondemand::value& value, std::string_view name,
                      uint64_t* out) {
  int64_t number = 0;
  if (absl::Status s = ReadInt(value, name, &number); !s.ok()) return s;
  if (number < 0) {
    return absl::InvalidArgumentError(absl::StrFormat("%s is negative", name));
  }
  *out = static_cast<uint64_t>(number);
  return absl::OkStatus();
}

absl::Status ReadBool(simdjson::ondemand::value& value, std::string_view name,
                      bool* out) {
  bool is_null = false;
  if (absl::Status status = json_internal::IsNull(value, &is_null);
      !status.ok() || is_null) {
    return status;
  }
  if (auto error = value.get_bool().get(*out)) {
    return JsonError(error,
                     absl::StrFormat("%s: expected true or false", name));
  }
  return absl::OkStatus();
}

absl::Status ReadStringArray(simdjson::ondemand::value& value,
                             std::string_view name,
                             std::vector<std::string>* out) {
  out->clear();
  return ForEachElement(value, [&](size_t, simdjson::ondemand::value& item) {
    std::string text;
    if (absl::Status status = ReadString(item, name, &text); !status.ok()) {
      return status;
    }
    out->push_back(std::move(text));
    return absl::OkStatus();
  });
}

absl::Status ReadStringMap(
    simdjson::ondemand::value& value, std::string_view name,
    std::vector<std::pair<std::string, std::string>>* out) {
  out->clear();
  absl::Status status = ForEachField(
      value, [&](std::string_view key, simdjson::ondemand::value& item) {
        std::string text;
        if (absl::Status s = ReadString(item, name, &text); !s.ok()) return s;
        out->emplace_back(std::string(key), std::move(text));
        return absl::OkStatus();
      });
  std::sort(out->begin(), out->end());
  return status;
}

}  // namespace dgc
