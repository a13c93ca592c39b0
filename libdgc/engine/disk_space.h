// The disk holding a local engine's data, measured with statvfs, for the
// percentage watermarks of SPEC.md §7.
//
// Example:
//   if (std::optional<dgc::DiskSpace> disk = dgc::MeasureDataDisk(
//           "unix:///var/run/docker.sock", "/var/lib/docker")) { ... }
#ifndef DGC_ENGINE_DISK_SPACE_H_
#define DGC_ENGINE_DISK_SPACE_H_

#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/inventory.h"

namespace dgc {

// MeasureDisk returns the size and usage of the filesystem holding `path`,
// as df counts them (used = total - free blocks). Errors: NotFound or
// PermissionDenied naming the path.
absl::StatusOr<DiskSpace> MeasureDisk(std::string_view path);

// MeasureDataDisk measures the engine's DockerRootDir when it can be seen
// from here: the engine is reached through a unix socket (so it runs on
// this machine) and the directory exists. nullopt otherwise.
std::optional<DiskSpace> MeasureDataDisk(std::string_view host,
                                         std::string_view docker_root_dir);

}  // namespace dgc

#endif  // DGC_ENGINE_DISK_SPACE_H_
