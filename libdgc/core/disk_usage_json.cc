// The dgc.df/v1 document (see disk_usage_json.h).
#include "core/disk_usage_json.h"

#include "core/engine_bodies.h"
#include "core/inventory_json.h"
#include "core/json_writer.h"
#include "core/plan_json.h"
#include "core/time_text.h"
#include "core/watermark.h"

namespace dgc {
namespace {

void WriteTotals(const DiskUsageTotals& totals, JsonWriter* json) {
  json->Key("totals").BeginObject();
  json->Key("images").Uint(totals.images);
  json->Key("layers_bytes").Uint(totals.layers_bytes);
  json->Key("content_bytes").Uint(totals.content_bytes);
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

void WriteResources(const Inventory& inventory, JsonWriter* json) {
  DockerUsage docker = ComputeDockerUsage(inventory);
  uint32_t stopped = 0;
  for (const Container& container : inventory.containers) {
    if (NeedsContainerDetails(container.state)) ++stopped;
  }
  uint32_t anonymous = 0, unused = 0;
  for (const Volume& volume : inventory.volumes) {
    if (volume.anonymous) ++anonymous;
    if (volume.containers.empty() && volume.ref_count <= 0) ++unused;
  }
  uint32_t shared = 0;
  for (const BuildCacheRecord& record : inventory.build_cache) {
    if (record.shared) ++shared;
  }
  json->Key("resources").BeginObject();
  json->Key("containers").BeginObject();
  json->Key("count").Uint(inventory.containers.size());
  json->Key("stopped").Uint(stopped);
  json->Key("writable_bytes").Uint(docker.containers_bytes);
  json->EndObject();
  json->Key("volumes").BeginObject();
  json->Key("count").Uint(inventory.volumes.size());
  json->Key("anonymous").Uint(anonymous);
  json->Key("unused").Uint(unused);
  json->Key("bytes").Uint(docker.volumes_bytes);
  json->EndObject();
  json->Key("build_cache").BeginObject();
  json->Key("records").Uint(inventory.build_cache.size());
  json->Key("shared").Uint(shared);
  json->Key("unshared_bytes").Uint(docker.build_cache_bytes);
  json->EndObject();
  json->Key("docker_bytes").Uint(docker.total());
  json->EndObject();
}

void WriteDisk(const Inventory& inventory, JsonWriter* json) {
  json->Key("disk");
  if (!inventory.data_disk.has_value()) {
    json->Null();
    return;
  }
  json->BeginObject();
  json->Key("path").String(inventory.data_disk->path);
  json->Key("total_bytes").Uint(inventory.data_disk->total_bytes);
  json->Key("used_bytes").Uint(inventory.data_disk->used_bytes);
  json->EndObject();
}

// What `plan` reclaims of each kind.
void WritePolicy(const Plan& plan, JsonWriter* json) {
  uint64_t images = 0, containers = 0, volumes = 0, build_cache = 0;
  for (const Action& action : plan.actions) {
    switch (action.op) {
      case ActionOp::kUntag:
      case ActionOp::kDelete:
        images += action.bytes;
        break;
      case ActionOp::kRemoveContainer:
        containers += action.bytes;
        break;
      case ActionOp::kRemoveVolume:
        volumes += action.bytes;
        break;
      case ActionOp::kPruneBuildCache:
        build_cache += action.bytes;
        break;
    }
  }
  json->Key("policy").BeginObject();
  json->Key("source").String(plan.policy_source);
  json->Key("now").String(FormatRfc3339(plan.now));
  json->Key("reclaimable_bytes").BeginObject();
  json->Key("images").Uint(images);
  json->Key("containers").Uint(containers);
  json->Key("volumes").Uint(volumes);
  json->Key("build_cache").Uint(build_cache);
  json->Key("total").Uint(plan.summary.reclaimable_bytes);
  json->EndObject();
  if (plan.watermark.has_value()) WriteWatermark(*plan.watermark, json);
  json->EndObject();
}

}  // namespace

std::string DiskUsageToJson(const Inventory& inventory, const DiskUsage& usage,
                            const Plan* plan) {
  JsonWriter json;
  json.BeginObject();
  json.Key("schema").String("dgc.df/v1");
  WriteEngineInfo(inventory.engine, &json);
  json.Key("captured_at").String(FormatRfc3339(inventory.captured_at));
  WriteTotals(usage.totals, &json);
  // The containerd store without its content store: content bytes are not
  // counted, so every figure but layers_bytes is a lower bound.
  json.Key("exact").Bool(inventory.ContentKnown());
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
  WriteResources(inventory, &json);
  WriteDisk(inventory, &json);
  if (plan != nullptr) WritePolicy(*plan, &json);
  WriteWarnings(inventory, &json);
  json.EndObject();
  return json.Finish();
}

}  // namespace dgc
