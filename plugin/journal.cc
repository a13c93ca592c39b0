// stderr lines with syslog priority prefixes for the journal (see
// journal.h).
#include "plugin/journal.h"

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <iostream>

namespace dgc {
namespace {

bool ParseDecimal(std::string_view text, uint64_t* value) {
  if (text.empty()) return false;
  auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

bool IsJournalStream(std::string_view journal_stream, int fd) {
  size_t colon = journal_stream.find(':');
  if (colon == std::string_view::npos) return false;
  uint64_t device = 0, inode = 0;
  if (!ParseDecimal(journal_stream.substr(0, colon), &device) ||
      !ParseDecimal(journal_stream.substr(colon + 1), &inode)) {
    return false;
  }
  struct stat status {};
  if (::fstat(fd, &status) != 0) return false;
  return static_cast<uint64_t>(status.st_dev) == device &&
         static_cast<uint64_t>(status.st_ino) == inode;
}

LogLevel LineLevel(std::string_view line) {
  if (line.starts_with("Error:")) return LogLevel::kError;
  if (line.starts_with("WARNING")) return LogLevel::kWarning;
  if (line.starts_with("DEBUG:")) return LogLevel::kDebug;
  return LogLevel::kInfo;
}

JournalPrefixBuffer::int_type JournalPrefixBuffer::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) {
    return traits_type::not_eof(c);
  }
  char one = traits_type::to_char_type(c);
  xsputn(&one, 1);
  return c;
}

std::streamsize JournalPrefixBuffer::xsputn(const char* text,
                                            std::streamsize size) {
  std::string_view rest(text, static_cast<size_t>(size));
  while (!rest.empty()) {
    size_t newline = rest.find('\n');
    if (newline == std::string_view::npos) {
      pending_ += rest;
      break;
    }
    pending_ += rest.substr(0, newline + 1);
    rest.remove_prefix(newline + 1);
    Flush();
    line_started_ = false;
  }
  return size;
}

int JournalPrefixBuffer::sync() {
  Flush();
  return target_->pubsync();
}

void JournalPrefixBuffer::Flush() {
  if (pending_.empty()) return;
  if (!line_started_) {
    line_level_ = level_.value_or(LineLevel(pending_));
    std::string prefix =
        "<" + std::to_string(static_cast<int>(line_level_)) + ">";
    target_->sputn(prefix.data(), static_cast<std::streamsize>(prefix.size()));
    line_started_ = true;
  }
  target_->sputn(pending_.data(),
                 static_cast<std::streamsize>(pending_.size()));
  pending_.clear();
}

JournalLevelScope::JournalLevelScope(std::ostream& stream, LogLevel level)
    : stream_(stream),
      buffer_(dynamic_cast<JournalPrefixBuffer*>(stream.rdbuf())) {
  if (buffer_ == nullptr) return;
  stream_.flush();  // lines begun before keep their own level
  previous_ = buffer_->level();
  buffer_->set_level(level);
}

JournalLevelScope::~JournalLevelScope() {
  if (buffer_ == nullptr) return;
  stream_.flush();
  buffer_->set_level(previous_);
}

JournalStderr::JournalStderr(const EnvironmentLookup& env) {
  std::optional<std::string> journal_stream = env("JOURNAL_STREAM");
  if (!journal_stream.has_value() ||
      !IsJournalStream(*journal_stream, STDERR_FILENO)) {
    return;
  }
  buffer_.emplace(std::cerr.rdbuf());
  original_ = std::cerr.rdbuf(&*buffer_);
}

JournalStderr::~JournalStderr() {
  if (!buffer_.has_value()) return;
  std::cerr.flush();
  std::cerr.rdbuf(original_);
}

}  // namespace dgc
