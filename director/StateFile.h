// StateFile: the running table kept under the state directory (--state-dir), so that a vipd that
// restarts, crashes or is upgraded takes over the fast path with the ids its entries were made
// with, and with the operator's changes. Written on every change, atomically: a temporary file
// written, fsync'ed and renamed over the old one, then the directory fsync'ed, so that a crash
// at any moment leaves the old file or the new one. The file is JSON with a format version and
// a CRC-32 over the table: a truncated or damaged file is refused, never half read.
// docs/RESTART.md describes it.
#pragma once

#include <optional>
#include <string>

#include "admin/Model.h"
#include "base/Result.h"
#include "director/Layers.h"
#include "director/State.h"

namespace vipd {

inline constexpr const char* kStateFileName = "table.json";
inline constexpr int kStateFormatVersion = 1;

// What a restarted director starts from.
struct PersistedTable {
  StateImage state;
  admin::Timeouts timeouts;
  FileLayer file;         // the configuration file as it was applied last
  OperatorLayer changes;  // the operator's changes over it
  bool operator==(const PersistedTable&) const = default;
};

std::string encodeState(const PersistedTable& table);
// Refuses, with the reason, text that is not a complete state file of this format.
Result<PersistedTable> decodeState(const std::string& text);

class StateFile {
 public:
  explicit StateFile(std::string dir) : dir_(std::move(dir)) {}
  std::string path() const { return dir_ + "/" + kStateFileName; }

  // The table the file holds; none when there is no file; an error when it cannot be read or
  // is not a valid state file (vipd then refuses to start: docs/RESTART.md says how to recover).
  Result<std::optional<PersistedTable>> load() const;
  // Replaces the file atomically, making the directory (mode 0700) if it is missing.
  Result<void> save(const PersistedTable& table) const;
  // Checks that the directory can hold the file, before vipd touches anything.
  Result<void> checkWritable() const;

 private:
  std::string dir_;
};

}  // namespace vipd
