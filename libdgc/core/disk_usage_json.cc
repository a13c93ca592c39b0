// The dgc.df/v1 document (see disk_usage_json.h).
#include "core/disk_usage_json.h"

#include "core/inventory_json.h"
#include "core/json_writer.h"
#include "core/time_text.h"

namespace dgc {
namespace {

void WriteTotals(const DiskUsageTotals& totals, JsonWriter* json) {
  json->Key("totals").BeginObject();
  json->Key("images").Uint(totals.images);
  json->Key("layers_bytes").Uint(totals.layers_bytes);
  json->Key("unique_bytes").Uint(totals.unique_bytes);
  json->Key("shared_bytes").Uint(totals.shared_bytes);
  json->Key("in_use_bytes").Uint(totals.in_use_bytes);
  json->Key("unused_reclaimable_bytes").Uint(totals.unused_reclaimable_bytes);
  json->EndObject();
}

void WriteImage(const Image& image, const ImageUsage& usage, JsonWriter* json) {
  json->BeginObject();
  json->Key("id").String(image.id);
  json->Key("refs").StringArray(image.tags);
  json->Key("digests").StringArray(image.digests);
  json->Key("created").String(FormatRfc3339(image.created));
  json->Key("size").Uint(usage.size);
  json->Key("unique_bytes").Uint(usage.unique_bytes);
  json->Key("shared_bytes").Uint(usage.shared_bytes);
  json->Key("containers").Uint(usage.containers);
  json->EndObject();
}

void WriteRepository(const RepositoryUsage& repository, JsonWriter* json) {
  json->BeginObject();
  json->Key("name").String(repository.name);
  json->Key("images").Uint(repository.images);
  json->Key("size").Uint(repository.size);
  json->Key("unique_bytes").Uint(repository.unique_bytes);
  json->EndObject();
}

}  // namespace

std::string DiskUsageToJson(const Inventory& inventory,
                            const DiskUsage& usage) {
  JsonWriter json;
  json.BeginObject();
  json.Key("schema").String("dgc.df/v1");
  WriteEngineInfo(inventory.engine, &json);
  json.Key("captured_at").String(FormatRfc3339(inventory.captured_at));
  WriteTotals(usage.totals, &json);
  json.Key("images").BeginArray();
  for (const ImageUsage& image : usage.images) {
    WriteImage(inventory.images[image.image], image, &json);
  }
  json.EndArray();
  json.Key("repositories").BeginArray();
  for (const RepositoryUsage& repository : usage.repositories) {
    WriteRepository(repository, &json);
  }
  json.EndArray();
  WriteWarnings(inventory, &json);
  json.EndObject();
  return json.Finish();
}

}  // namespace dgc
