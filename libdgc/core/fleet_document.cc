// dgc.fleet/v1 (see fleet_document.h).
#include "core/fleet_document.h"

#include <simdjson.h>

#include "core/error_code.h"
#include "core/json_reader.h"
#include "core/json_writer.h"
#include "core/string_views.h"

namespace dgc {
namespace {

// The unsigned integer at JSON `pointer` in `document`, 0 when absent.
uint64_t FigureAt(const PaddedBody& document, std::string_view pointer) {
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  if (parser.iterate(document.padded()).get(doc) != simdjson::SUCCESS) {
    return 0;
  }
  uint64_t value = 0;
  if (doc.at_pointer(pointer).get_uint64().get(value) != simdjson::SUCCESS) {
    return 0;
  }
  return value;
}

// `document` without its trailing whitespace, each of its lines after the
// first indented as an element of "engines" (JSON strings hold no raw
// newline, so only the layout changes).
std::string Indented(std::string_view document) {
  size_t end = document.find_last_not_of(" \t\r\n");
  document = document.substr(0, end == std::string_view::npos ? 0 : end + 1);
  std::string out;
  for (char c : document) {
    out += c;
    if (c == '\n') out += "    ";
  }
  return out;
}

const char* KindName(FleetKind kind) {
  switch (kind) {
    case FleetKind::kPlan:
      return "plan";
    case FleetKind::kApply:
      return "apply";
    case FleetKind::kDf:
      return "df";
  }
  return "";
}

}  // namespace

FleetSummary SummarizeFleet(FleetKind kind,
                            std::span<const FleetEntry> entries) {
  FleetSummary summary;
  for (const FleetEntry& entry : entries) {
    ++summary.engines;
    if (!entry.error.ok()) ++summary.failed;
    if (entry.document.empty()) continue;
    PaddedBody document(entry.document);
    switch (kind) {
      case FleetKind::kPlan:
        summary.reclaimable_bytes +=
            FigureAt(document, "/summary/reclaimable_bytes");
        break;
      case FleetKind::kDf:
        summary.reclaimable_bytes +=
            FigureAt(document, "/totals/unused_reclaimable_bytes");
        break;
      case FleetKind::kApply:
        summary.predicted_bytes +=
            FigureAt(document, "/summary/predicted_bytes");
        summary.freed_bytes += FigureAt(document, "/summary/freed_bytes");
        summary.done += FigureAt(document, "/summary/done");
        summary.skipped += FigureAt(document, "/summary/skipped");
        summary.actions_failed += FigureAt(document, "/summary/failed");
        break;
    }
  }
  return summary;
}

std::string DocumentWithContext(std::string_view document,
                                std::string_view context) {
  size_t open = document.find('{');
  std::string member = "\"context\": ";
  AppendJsonString(context, &member);
  std::string_view rest = document.substr(open + 1);
  size_t first = rest.find_first_not_of(" \t\r\n");
  bool empty = first != std::string_view::npos && rest[first] == '}';
  std::string out(document.substr(0, open + 1));
  out += "\n  " + member + (empty ? "" : ",");
  out += rest;
  return out;
}

std::string FleetDocument(FleetKind kind, std::span<const FleetEntry> entries,
                          std::span<const FleetDuplicate> duplicates) {
  JsonWriter json;
  json.BeginObject().Key("schema").String("dgc.fleet/v1");
  json.Key("command").String(KindName(kind));
  json.Key("engines").BeginArray();
  for (const FleetEntry& entry : entries) {
    if (!entry.document.empty()) {
      json.Raw(Indented(DocumentWithContext(entry.document, entry.context)));
      continue;
    }
    json.BeginObject()
        .Key("context")
        .String(entry.context)
        .Key("host")
        .String(entry.host);
    json.Key("error")
        .BeginObject()
        .Key("message")
        .String(ToStd(entry.error.message()))
        .Key("code")
        .String(ErrorCodeName(static_cast<int>(ErrorCodeOf(entry.error))))
        .EndObject();
    json.EndObject();
  }
  json.EndArray();
  FleetSummary summary = SummarizeFleet(kind, entries);
  json.Key("summary").BeginObject();
  json.Key("engines").Uint(summary.engines).Key("failed").Uint(summary.failed);
  if (kind == FleetKind::kApply) {
    json.Key("done").Uint(summary.done).Key("skipped").Uint(summary.skipped);
    json.Key("actions_failed").Uint(summary.actions_failed);
    json.Key("predicted_bytes").Uint(summary.predicted_bytes);
    json.Key("freed_bytes").Uint(summary.freed_bytes);
  } else {
    json.Key("reclaimable_bytes").Uint(summary.reclaimable_bytes);
  }
  json.Key("duplicates").BeginArray();
  for (const FleetDuplicate& duplicate : duplicates) {
    json.BeginObject()
        .Key("context")
        .String(duplicate.context)
        .Key("same_engine_as")
        .String(duplicate.same_engine_as)
        .EndObject();
  }
  json.EndArray().EndObject();
  json.EndObject();
  return json.Finish();
}

int FleetExitCode(std::span<const int> codes) {
  int worst = 0;
  for (int code : codes) {
    if (code != 0 && code != 3) return 1;
    if (code == 3) worst = 3;
  }
  return worst;
}

}  // namespace dgc
