// statvfs of an engine's data disk (see disk_space.h).
#include "engine/disk_space.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_format.h"

namespace dgc {

absl::StatusOr<DiskSpace> MeasureDisk(std::string_view path) {
  std::string text(path);
  struct statvfs stats {};
  if (::statvfs(text.c_str(), &stats) != 0) {
    int error = errno;
    return absl::ErrnoToStatus(
        error, absl::StrFormat("cannot measure the disk of %s", text));
  }
  DiskSpace disk;
  disk.path = text;
  disk.total_bytes = static_cast<uint64_t>(stats.f_blocks) * stats.f_frsize;
  disk.used_bytes =
      static_cast<uint64_t>(stats.f_blocks - stats.f_bfree) * stats.f_frsize;
  return disk;
}

std::optional<DiskSpace> MeasureDataDisk(std::string_view host,
                                         std::string_view docker_root_dir) {
  if (!host.starts_with("unix://") || docker_root_dir.empty()) {
    return std::nullopt;
  }
  absl::StatusOr<DiskSpace> disk = MeasureDisk(docker_root_dir);
  if (!disk.ok()) return std::nullopt;
  return *std::move(disk);
}

}  // namespace dgc
