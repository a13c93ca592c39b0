// The dgc.df/v1 document (SPEC.md §4) of a DiskUsage.
#ifndef DGC_CORE_DISK_USAGE_JSON_H_
#define DGC_CORE_DISK_USAGE_JSON_H_

#include <string>

#include "core/disk_usage.h"
#include "core/inventory.h"
#include "core/plan.h"

namespace dgc {

// DiskUsageToJson returns the dgc.df/v1 document for `usage`, computed from
// `inventory`, as indented JSON ending with a newline: images and
// repositories, every other resource kind ("resources": containers'
// writable layers, volumes, build cache), the data disk when measured
// ("disk"), and, when `plan` is given, what that plan of a policy would
// reclaim of each kind and its watermark ("policy").
std::string DiskUsageToJson(const Inventory& inventory, const DiskUsage& usage,
                            const Plan* plan = nullptr);

}  // namespace dgc

#endif  // DGC_CORE_DISK_USAGE_JSON_H_
