// JSON pieces every libdgc document shares: the "engine" object and the
// "warnings" array.
#ifndef DGC_CORE_INVENTORY_JSON_H_
#define DGC_CORE_INVENTORY_JSON_H_

#include "core/inventory.h"
#include "core/json_writer.h"

namespace dgc {

// WriteEngineInfo writes the member "engine": {host, id, api_version,
// server_version, storage_driver, image_store ("graphdriver" or
// "containerd")}.
void WriteEngineInfo(const EngineInfo& engine, JsonWriter* json);

// WriteWarnings writes the member "warnings": [...] (always present).
void WriteWarnings(const Inventory& inventory, JsonWriter* json);

}  // namespace dgc

#endif  // DGC_CORE_INVENTORY_JSON_H_
