// The dgc.df/v1 document (SPEC.md §4) of a DiskUsage.
#ifndef DGC_CORE_DISK_USAGE_JSON_H_
#define DGC_CORE_DISK_USAGE_JSON_H_

#include <string>

#include "core/disk_usage.h"
#include "core/inventory.h"

namespace dgc {

// DiskUsageToJson returns the dgc.df/v1 document for `usage`, computed from
// `inventory`, as indented JSON ending with a newline.
std::string DiskUsageToJson(const Inventory& inventory, const DiskUsage& usage);

}  // namespace dgc

#endif  // DGC_CORE_DISK_USAGE_JSON_H_
