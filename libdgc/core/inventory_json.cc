// JSON pieces shared by libdgc's documents (see inventory_json.h).
#include "core/inventory_json.h"

namespace dgc {

void WriteEngineInfo(const EngineInfo& engine, JsonWriter* json) {
  json->Key("engine").BeginObject();
  json->Key("host").String(engine.host);
  json->Key("id").String(engine.id);
  json->Key("api_version").String(engine.api_version);
  json->Key("server_version").String(engine.server_version);
  json->Key("storage_driver").String(engine.storage_driver);
  json->Key("image_store")
      .String(engine.containerd_store ? "containerd" : "graphdriver");
  json->EndObject();
}

void WriteWarnings(const Inventory& inventory, JsonWriter* json) {
  json->Key("warnings").StringArray(inventory.warnings);
}

}  // namespace dgc
