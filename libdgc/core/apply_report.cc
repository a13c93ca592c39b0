// The dgc.apply/v1 document and audit log lines (see apply_report.h).
#include "core/apply_report.h"

#include "core/inventory_json.h"
#include "core/json_writer.h"
#include "core/plan_json.h"
#include "core/time_text.h"

namespace dgc {
namespace {

void WriteSummary(const ApplySummary& summary, JsonWriter* json) {
  json->Key("summary").BeginObject();
  json->Key("done").Uint(summary.done);
  json->Key("skipped").Uint(summary.skipped);
  json->Key("failed").Uint(summary.failed);
  json->Key("unknown").Uint(summary.unknown);
  json->Key("predicted_bytes").Uint(summary.predicted_bytes);
  json->Key("freed_bytes").Uint(summary.freed_bytes);
  json->Key("freed_measured_by").String(summary.freed_measured_by);
  json->Key("stopped").String(summary.stopped);
  json->EndObject();
}

void WriteResult(const ActionResult& result, JsonWriter* json) {
  json->BeginObject();
  json->Key("op").String(OpName(result.op));
  json->Key("image").String(result.image);
  json->Key("refs").StringArray(result.refs);
  json->Key("status").String(StatusName(result.status));
  json->Key("detail").String(result.detail);
  json->Key("predicted_bytes").Uint(result.predicted_bytes);
  json->Key("freed_bytes").Uint(result.freed_bytes);
  json->Key("untagged").StringArray(result.untagged);
  json->Key("deleted").StringArray(result.deleted);
  switch (result.op) {
    case ActionOp::kRemoveContainer:
      json->Key("container").String(result.container);
      break;
    case ActionOp::kRemoveVolume:
      json->Key("volume").String(result.volume);
      break;
    case ActionOp::kPruneBuildCache:
      json->Key("records").StringArray(result.records);
      break;
    default:
      break;
  }
  json->EndObject();
}

}  // namespace

std::string_view StatusName(ResultStatus status) {
  switch (status) {
    case ResultStatus::kDone:
      return "done";
    case ResultStatus::kSkipped:
      return "skipped";
    case ResultStatus::kFailed:
      return "failed";
    case ResultStatus::kUnknown:
      return "unknown";
  }
  return "";
}

std::string ApplyReportToJson(const ApplyReport& report) {
  JsonWriter json;
  json.BeginObject();
  json.Key("schema").String("dgc.apply/v1");
  WriteEngineInfo(report.engine, &json);
  WriteSummary(report.summary, &json);
  json.Key("results").BeginArray();
  for (const ActionResult& result : report.results) WriteResult(result, &json);
  json.EndArray();
  if (report.watermark.has_value()) WriteWatermark(*report.watermark, &json);
  json.EndObject();
  return json.Finish();
}

std::string ActionResultToJson(const ActionResult& result) {
  JsonWriter json(JsonWriter::Style::kCompact);
  WriteResult(result, &json);
  std::string line = json.Finish();
  line.pop_back();  // the newline
  return line;
}

std::string AuditLine(const ActionResult& result, const EngineInfo& engine) {
  JsonWriter json(JsonWriter::Style::kCompact);
  json.BeginObject();
  json.Key("time").String(FormatRfc3339(result.finished_at));
  json.Key("engine").String(engine.host);
  json.Key("engine_id").String(engine.id);
  json.Key("op").String(OpName(result.op));
  json.Key("image").String(result.image);
  json.Key("refs").StringArray(result.refs);
  if (!result.container.empty()) json.Key("container").String(result.container);
  if (!result.volume.empty()) json.Key("volume").String(result.volume);
  if (!result.records.empty()) json.Key("records").StringArray(result.records);
  json.Key("status").String(StatusName(result.status));
  json.Key("bytes").Uint(result.freed_bytes);
  json.Key("detail").String(result.detail);
  json.EndObject();
  std::string line = json.Finish();
  line.pop_back();  // the newline
  return line;
}

}  // namespace dgc
