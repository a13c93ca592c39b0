// stderr for systemd's journal: when docker-gc runs as a service whose
// stderr is connected to the journal, each line gets a syslog priority
// prefix (sd-daemon(3): "<3>" error, "<4>" warning, "<6>" info, "<7>"
// debug) so that journald files it at the right level. Elsewhere stderr is
// left exactly as it is.
//
// The level of a line is read from how docker-gc starts it: "Error: …" is
// an error, "WARNING: …" (and the "WARNING! …" of a prompt) a warning,
// "DEBUG: …" (-D) debug, anything else (progress, results) info. A caller
// that knows better sets the level of the lines it writes with
// JournalLevelScope.
//
// Example:
//   dgc::JournalStderr journal(dgc::ProcessEnvironment());  // in main
//   std::cerr << "WARNING: disk nearly full\n";  // "<4>WARNING: …" in the
//   journal
#ifndef DGC_PLUGIN_JOURNAL_H_
#define DGC_PLUGIN_JOURNAL_H_

#include <optional>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>

#include "engine/endpoint.h"

namespace dgc {

// Syslog priorities, as sd-daemon(3) prefixes write them.
enum class LogLevel { kError = 3, kWarning = 4, kInfo = 6, kDebug = 7 };

// IsJournalStream reports whether the open file `fd` is the stream that
// `journal_stream` names: $JOURNAL_STREAM as systemd sets it,
// "DEVICE:INODE" in decimal (compared with fstat(2), as sd-daemon does).
// False for an empty or malformed value.
bool IsJournalStream(std::string_view journal_stream, int fd);

// LineLevel returns the level of a line of docker-gc's stderr by how it
// starts (see the top of this file).
LogLevel LineLevel(std::string_view line);

// A stream buffer that writes each line to `target` with its priority
// prefix. A partial line is written on sync() (std::cerr syncs after every
// output), its prefix chosen by what it holds so far. Not thread-safe.
class JournalPrefixBuffer : public std::streambuf {
 public:
  explicit JournalPrefixBuffer(std::streambuf* target) : target_(target) {}
  ~JournalPrefixBuffer() override { Flush(); }

  // set_level makes every line written from now on `level` (nullopt: by
  // LineLevel again).
  void set_level(std::optional<LogLevel> level) { level_ = level; }
  std::optional<LogLevel> level() const { return level_; }

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* text, std::streamsize size) override;
  int sync() override;

 private:
  // Writes the pending text, with the prefix when it starts a line.
  void Flush();

  std::streambuf* target_;
  std::optional<LogLevel> level_;
  std::string pending_;        // of the current line, not written yet
  bool line_started_ = false;  // the current line's prefix is written
  LogLevel line_level_ = LogLevel::kInfo;
};

// While alive, lines written to `stream` are `level` when the stream
// writes through a JournalPrefixBuffer; otherwise it does nothing.
class JournalLevelScope {
 public:
  JournalLevelScope(std::ostream& stream, LogLevel level);
  ~JournalLevelScope();
  JournalLevelScope(const JournalLevelScope&) = delete;
  JournalLevelScope& operator=(const JournalLevelScope&) = delete;

 private:
  std::ostream& stream_;
  JournalPrefixBuffer* buffer_;
  std::optional<LogLevel> previous_;
};

// While alive, std::cerr writes through a JournalPrefixBuffer when
// $JOURNAL_STREAM (read through `env`) names stderr; else nothing changes.
class JournalStderr {
 public:
  explicit JournalStderr(const EnvironmentLookup& env);
  ~JournalStderr();
  JournalStderr(const JournalStderr&) = delete;
  JournalStderr& operator=(const JournalStderr&) = delete;

 private:
  std::optional<JournalPrefixBuffer> buffer_;
  std::streambuf* original_ = nullptr;
};

}  // namespace dgc

#endif  // DGC_PLUGIN_JOURNAL_H_
