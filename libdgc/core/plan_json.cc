// The dgc.plan/v1 document (see plan_json.h).
#include "core/plan_json.h"

#include "absl/strings/str_format.h"
#include "core/engine_bodies.h"
#include "core/inventory_json.h"
#include "core/json_writer.h"
#include "core/safe_text.h"
#include "core/time_text.h"

namespace dgc {
namespace {

void WriteSummary(const PlanSummary& summary, JsonWriter* json) {
  json->Key("summary").BeginObject();
  json->Key("images").Uint(summary.images);
  json->Key("delete").Uint(summary.deletes);
  json->Key("untag").Uint(summary.untags);
  json->Key("remove_container").Uint(summary.containers);
  json->Key("remove_volume").Uint(summary.volumes);
  json->Key("prune_build_cache").Uint(summary.build_cache_records);
  json->Key("keep").Uint(summary.kept);
  json->Key("reclaimable_bytes").Uint(summary.reclaimable_bytes);
  if (!summary.exact) {
    json->Key("exact").Bool(false);
    json->Key("reclaimable_bytes_min").Uint(summary.reclaimable_bytes);
    json->Key("reclaimable_bytes_max").Uint(summary.reclaimable_bytes_max);
  }
  json->Key("naive_bytes").Uint(summary.naive_bytes);
  json->EndObject();
}

void WriteAction(const Action& action, JsonWriter* json) {
  json->BeginObject();
  json->Key("op").String(OpName(action.op));
  json->Key("image").String(action.image);
  json->Key("refs").StringArray(action.refs);
  json->Key("rule").String(action.rule);
  json->Key("reason").String(action.reason);
  json->Key("bytes").Uint(action.bytes);
  if (!action.exact) {  // SPEC §10: bounds, never a guess shown as exact
    json->Key("exact").Bool(false);
    json->Key("bytes_min").Uint(action.bytes);
    json->Key("bytes_max").Uint(action.bytes_max);
  }
  json->Key("also_removes").StringArray(action.also_removes);
  json->Key("prune").Bool(action.prune);
  json->Key("created").String(FormatRfc3339(action.created));
  json->Key("size").Uint(action.size);
  switch (action.op) {
    case ActionOp::kRemoveContainer:
      json->Key("container").String(action.container);
      json->Key("container_name").String(action.container_name);
      json->Key("stopped_at").String(FormatRfc3339(action.stopped_at));
      break;
    case ActionOp::kRemoveVolume:
      json->Key("volume").String(action.volume);
      break;
    case ActionOp::kPruneBuildCache:
      json->Key("records").StringArray(action.records);
      break;
    default:
      break;
  }
  json->EndObject();
}

void WriteKeptResource(const KeptResource& kept, JsonWriter* json) {
  json->BeginObject();
  json->Key("kind").String(kept.kind);
  json->Key("id").String(kept.id);
  json->Key("name").String(kept.name);
  json->Key("reason").String(kept.reason);
  json->EndObject();
}

void WriteKept(const KeptImage& kept, JsonWriter* json) {
  json->BeginObject();
  json->Key("image").String(kept.image);
  json->Key("refs").StringArray(kept.refs);
  json->Key("rule").String(kept.rule);
  json->Key("reason").String(kept.reason);
  json->Key("protected").Bool(kept.is_protected);
  json->Key("created").String(FormatRfc3339(kept.created));
  json->EndObject();
}

using simdjson::ondemand::value;

constexpr std::string_view kSchema = "dgc.plan/v1";

absl::Status ReadTimeField(value& v, std::string_view name, absl::Time* out) {
  std::string text;
  if (absl::Status s = ReadString(v, name, &text); !s.ok()) return s;
  if (text.empty()) return absl::OkStatus();
  absl::StatusOr<absl::Time> time = ParseRfc3339(text);
  if (!time.ok()) return time.status();
  *out = *time;
  return absl::OkStatus();
}

absl::Status ParseEngine(value& v, EngineInfo* out) {
  return ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "host") return ReadString(f, key, &out->host);
    if (key == "id") return ReadString(f, key, &out->id);
    if (key == "api_version") return ReadString(f, key, &out->api_version);
    if (key == "server_version") {
      return ReadString(f, key, &out->server_version);
    }
    if (key == "storage_driver") {
      return ReadString(f, key, &out->storage_driver);
    }
    if (key == "image_store") {
      std::string store;
      if (absl::Status status = ReadString(f, key, &store); !status.ok()) {
        return status;
      }
      // "" as in a document that predates the field: the graphdriver store.
      if (!store.empty() && store != "containerd" && store != "graphdriver") {
        return absl::InvalidArgumentError(absl::StrFormat(
            "engine.image_store is \"%s\": libdgc knows \"graphdriver\" "
            "and \"containerd\"",
            TerminalSafe(store)));
      }
      out->containerd_store = store == "containerd";
      return absl::OkStatus();
    }
    return absl::OkStatus();
  });
}

// What each op needs to name its target, checked as strictly as image IDs
// are (targets go into request paths and filters).
absl::Status CheckActionTarget(const Action& action) {
  switch (action.op) {
    case ActionOp::kUntag:
      if (action.refs.empty()) {
        return absl::InvalidArgumentError("an untag action needs \"refs\"");
      }
      return CheckImageId(action.image, "image");
    case ActionOp::kDelete:
      return CheckImageId(action.image, "image");
    case ActionOp::kRemoveContainer:
      return CheckEngineName(action.container, "container");
    case ActionOp::kRemoveVolume:
      return CheckEngineName(action.volume, "volume");
    case ActionOp::kPruneBuildCache:
      if (action.records.empty()) {
        return absl::InvalidArgumentError(
            "a prune_build_cache action needs \"records\"");
      }
      for (const std::string& record : action.records) {
        if (absl::Status s = CheckEngineName(record, "records"); !s.ok()) {
          return s;
        }
      }
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::Status ParseAction(value& v, Action* out) {
  std::string op;
  absl::Status status = ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "op") return ReadString(f, key, &op);
    if (key == "image") return ReadString(f, key, &out->image);
    if (key == "refs") return ReadStringArray(f, key, &out->refs);
    if (key == "rule") return ReadString(f, key, &out->rule);
    if (key == "reason") return ReadString(f, key, &out->reason);
    if (key == "bytes") return ReadUint(f, key, &out->bytes);
    if (key == "exact") return ReadBool(f, key, &out->exact);
    if (key == "bytes_max") return ReadUint(f, key, &out->bytes_max);
    if (key == "also_removes") {
      return ReadStringArray(f, key, &out->also_removes);
    }
    if (key == "prune") return ReadBool(f, key, &out->prune);
    if (key == "created") return ReadTimeField(f, key, &out->created);
    if (key == "size") return ReadUint(f, key, &out->size);
    if (key == "container") return ReadString(f, key, &out->container);
    if (key == "container_name") {
      return ReadString(f, key, &out->container_name);
    }
    if (key == "stopped_at") return ReadTimeField(f, key, &out->stopped_at);
    if (key == "volume") return ReadString(f, key, &out->volume);
    if (key == "records") return ReadStringArray(f, key, &out->records);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  std::optional<ActionOp> parsed = ParseOpName(op);
  if (!parsed.has_value()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "field \"op\": \"%s\": want \"untag\", \"delete\", "
        "\"remove_container\", \"remove_volume\" or \"prune_build_cache\"",
        TerminalSafe(op, 40)));
  }
  out->op = *parsed;
  return CheckActionTarget(*out);
}

absl::Status ParseWatermark(value& v, WatermarkReport* out) {
  std::string measure;
  bool below_high = false;
  absl::Status status = ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "measure") return ReadString(f, key, &measure);
    if (key == "high_bytes") return ReadUint(f, key, &out->high_bytes);
    if (key == "low_bytes") return ReadUint(f, key, &out->low_bytes);
    if (key == "total_bytes") {
      bool null = false;
      if (absl::Status s = json_internal::IsNull(f, &null); !s.ok()) return s;
      return null ? absl::OkStatus() : ReadUint(f, key, &out->total_bytes);
    }
    if (key == "used_before_bytes") {
      return ReadUint(f, key, &out->used_before_bytes);
    }
    if (key == "used_after_bytes") {
      return ReadUint(f, key, &out->used_after_bytes);
    }
    if (key == "shortfall_bytes") {
      return ReadUint(f, key, &out->shortfall_bytes);
    }
    if (key == "below_high") return ReadBool(f, key, &below_high);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (measure != "disk" && measure != "docker") {
    return absl::InvalidArgumentError(absl::StrFormat(
        "field \"measure\": \"%s\": want \"disk\" or \"docker\"",
        TerminalSafe(measure, 40)));
  }
  out->disk = measure == "disk";
  out->acted = !below_high;
  return absl::OkStatus();
}

absl::Status ParseKeptResource(value& v, KeptResource* out) {
  return ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "kind") return ReadString(f, key, &out->kind);
    if (key == "id") return ReadString(f, key, &out->id);
    if (key == "name") return ReadString(f, key, &out->name);
    if (key == "reason") return ReadString(f, key, &out->reason);
    return absl::OkStatus();
  });
}

absl::Status ParseKept(value& v, KeptImage* out) {
  return ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "image") return ReadString(f, key, &out->image);
    if (key == "refs") return ReadStringArray(f, key, &out->refs);
    if (key == "rule") return ReadString(f, key, &out->rule);
    if (key == "reason") return ReadString(f, key, &out->reason);
    if (key == "protected") return ReadBool(f, key, &out->is_protected);
    if (key == "created") return ReadTimeField(f, key, &out->created);
    return absl::OkStatus();
  });
}

absl::Status ReadCount(value& v, std::string_view name, uint32_t* out) {
  uint64_t number = 0;
  if (absl::Status s = ReadUint(v, name, &number); !s.ok()) return s;
  if (number > UINT32_MAX) {
    return absl::InvalidArgumentError(absl::StrFormat("%s is too large", name));
  }
  *out = static_cast<uint32_t>(number);
  return absl::OkStatus();
}

absl::Status ParsePlanSummary(value& v, PlanSummary* out) {
  return ForEachField(v, [&](std::string_view key, value& f) {
    if (key == "images") return ReadCount(f, key, &out->images);
    if (key == "delete") return ReadCount(f, key, &out->deletes);
    if (key == "untag") return ReadCount(f, key, &out->untags);
    if (key == "remove_container") return ReadCount(f, key, &out->containers);
    if (key == "remove_volume") return ReadCount(f, key, &out->volumes);
    if (key == "prune_build_cache") {
      return ReadCount(f, key, &out->build_cache_records);
    }
    if (key == "keep") return ReadCount(f, key, &out->kept);
    if (key == "reclaimable_bytes") {
      return ReadUint(f, key, &out->reclaimable_bytes);
    }
    if (key == "naive_bytes") return ReadUint(f, key, &out->naive_bytes);
    return absl::OkStatus();
  });
}

absl::Status ParsePlanRoot(value& root, Plan* plan) {
  std::string schema;
  bool has_actions = false;
  absl::Status status =
      ForEachField(root, [&](std::string_view key, value& f) -> absl::Status {
        if (key == "schema") return ReadString(f, key, &schema);
        if (key == "engine") return ParseEngine(f, &plan->engine);
        if (key == "now") return ReadTimeField(f, key, &plan->now);
        if (key == "policy") return ReadString(f, key, &plan->policy_source);
        if (key == "summary") return ParsePlanSummary(f, &plan->summary);
        if (key == "warnings") return ReadStringArray(f, key, &plan->warnings);
        if (key == "actions") {
          has_actions = true;
          return ForEachElement(f, [&](size_t, value& item) {
            return ParseAction(item, &plan->actions.emplace_back());
          });
        }
        if (key == "kept") {
          return ForEachElement(f, [&](size_t, value& item) {
            return ParseKept(item, &plan->kept.emplace_back());
          });
        }
        if (key == "watermark") {
          return WithContext(ParseWatermark(f, &plan->watermark.emplace()),
                             "field \"watermark\"");
        }
        if (key == "kept_resources") {
          return ForEachElement(f, [&](size_t, value& item) {
            return ParseKeptResource(item,
                                     &plan->kept_resources.emplace_back());
          });
        }
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  if (schema != kSchema) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "\"schema\" is \"%s\", want \"%s\"", schema.substr(0, 64), kSchema));
  }
  if (!has_actions) return absl::InvalidArgumentError("missing \"actions\"");
  return absl::OkStatus();
}

}  // namespace

void WriteWatermark(const WatermarkReport& watermark, JsonWriter* json) {
  json->Key("watermark").BeginObject();
  json->Key("measure").String(watermark.disk ? "disk" : "docker");
  json->Key("high_bytes").Uint(watermark.high_bytes);
  json->Key("low_bytes").Uint(watermark.low_bytes);
  json->Key("total_bytes");
  if (watermark.disk) {
    json->Uint(watermark.total_bytes);
  } else {
    json->Null();
  }
  json->Key("used_before_bytes").Uint(watermark.used_before_bytes);
  json->Key("used_after_bytes").Uint(watermark.used_after_bytes);
  json->Key("shortfall_bytes").Uint(watermark.shortfall_bytes);
  json->Key("below_high").Bool(!watermark.acted);
  json->EndObject();
}

absl::StatusOr<Plan> ParsePlan(const PaddedBody& text) {
  simdjson::ondemand::parser parser;
  Plan plan;
  absl::Status status = ParseDocument(
      parser, text, [&](value& root) { return ParsePlanRoot(root, &plan); });
  if (!status.ok()) return status;
  return plan;
}

std::string PlanToJson(const Plan& plan) {
  JsonWriter json;
  json.BeginObject();
  json.Key("schema").String("dgc.plan/v1");
  WriteEngineInfo(plan.engine, &json);
  json.Key("now").String(FormatRfc3339(plan.now));
  json.Key("policy").String(plan.policy_source);
  WriteSummary(plan.summary, &json);
  json.Key("actions").BeginArray();
  for (const Action& action : plan.actions) WriteAction(action, &json);
  json.EndArray();
  json.Key("kept").BeginArray();
  for (const KeptImage& kept : plan.kept) WriteKept(kept, &json);
  json.EndArray();
  json.Key("kept_resources").BeginArray();
  for (const KeptResource& kept : plan.kept_resources) {
    WriteKeptResource(kept, &json);
  }
  json.EndArray();
  if (plan.watermark.has_value()) WriteWatermark(*plan.watermark, &json);
  json.Key("warnings").StringArray(plan.warnings);
  json.EndObject();
  return json.Finish();
}

}  // namespace dgc
