// The C API (dgc/dgc.h): a thin shim over core and engine. No logic of its
// own: it converts arguments, calls libdgc, maps absl::Status codes one to
// one to DGC_E... codes, and never lets an exception escape.
#include "dgc/dgc.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string>

#include "absl/strings/str_format.h"
#include "core/apply_report.h"
#include "core/disk_usage.h"
#include "core/disk_usage_json.h"
#include "core/inventory.h"
#include "core/plan.h"
#include "core/plan_json.h"
#include "core/planner.h"
#include "core/policy.h"
#include "core/snapshot.h"
#include "dgc/version.h"
#include "engine/curl_transport.h"
#include "engine/endpoint.h"
#include "engine/engine_client.h"
#include "engine/executor.h"

struct dgc_client {
  dgc::Endpoint endpoint;
};
struct dgc_inventory {
  dgc::Inventory inventory;
};
struct dgc_policy {
  dgc::Policy policy;
};
struct dgc_plan {
  dgc::Plan plan;
};
struct dgc_report {
  dgc::ApplyReport report;
};

namespace {

thread_local std::string last_error;

int Fail(const absl::Status& status) {
  last_error = std::string(status.message());
  return -static_cast<int>(status.code());
}

int Invalid(const char* message) {
  return Fail(absl::InvalidArgumentError(message));
}

// Runs `body`, turning any exception into DGC_EINTERNAL / DGC_ERESOURCE.
template <typename Body>
int Guarded(Body&& body) {
  try {
    last_error.clear();
    return body();
  } catch (const std::bad_alloc&) {
    return Fail(absl::ResourceExhaustedError("out of memory"));
  } catch (const std::exception& e) {
    return Fail(absl::InternalError(e.what()));
  } catch (...) {
    return Fail(absl::InternalError("unknown exception"));
  }
}

int ToBuf(const std::string& text, dgc_buf* out) {
  char* memory = static_cast<char*>(std::malloc(text.size() + 1));
  if (memory == nullptr)
    return Fail(absl::ResourceExhaustedError("out of memory"));
  std::memcpy(memory, text.data(), text.size());
  memory[text.size()] = '\0';
  out->ptr = memory;
  out->size = text.size();
  return DGC_OK;
}

absl::StatusOr<std::unique_ptr<dgc::Transport>> Open(const dgc_client& client,
                                                     dgc::Access access) {
  absl::StatusOr<std::unique_ptr<dgc::CurlTransport>> transport =
      dgc::CurlTransport::Create(client.endpoint, access);
  if (!transport.ok()) return transport.status();
  return std::unique_ptr<dgc::Transport>(std::move(*transport));
}

absl::StatusOr<dgc::Inventory> Fetch(dgc::EngineClient& engine) {
  absl::StatusOr<dgc::EngineBodies> bodies = engine.FetchBodies({});
  if (!bodies.ok()) return bodies.status();
  return dgc::BuildInventory(*std::move(bodies));
}

}  // namespace

extern "C" {

void dgc_buf_dispose(dgc_buf* buf) {
  if (buf == nullptr) return;
  std::free(buf->ptr);
  buf->ptr = nullptr;
  buf->size = 0;
}

int dgc_client_new(dgc_client** out, const char* host) {
  if (out == nullptr) return Invalid("dgc_client_new: out is NULL");
  *out = nullptr;
  return Guarded([&] {
    dgc::GlobalOptions options;
    if (host != nullptr) options.host = host;
    absl::StatusOr<dgc::Endpoint> endpoint =
        dgc::ResolveEndpoint(options, dgc::ProcessEnvironment());
    if (!endpoint.ok()) return Fail(endpoint.status());
    *out = new dgc_client{*std::move(endpoint)};
    return DGC_OK;
  });
}

void dgc_client_free(dgc_client* client) { delete client; }

int dgc_inventory_fetch(dgc_inventory** out, dgc_client* client) {
  if (out == nullptr || client == nullptr) {
    return Invalid("dgc_inventory_fetch: out and client must not be NULL");
  }
  *out = nullptr;
  return Guarded([&] {
    absl::StatusOr<std::unique_ptr<dgc::Transport>> transport =
        Open(*client, dgc::Access::kReadOnly);
    if (!transport.ok()) return Fail(transport.status());
    dgc::EngineClient engine(**transport);
    absl::StatusOr<dgc::Inventory> inventory = Fetch(engine);
    if (!inventory.ok()) return Fail(inventory.status());
    *out = new dgc_inventory{*std::move(inventory)};
    return DGC_OK;
  });
}

int dgc_inventory_from_snapshot(dgc_inventory** out, const char* json,
                                size_t len) {
  if (out == nullptr || (json == nullptr && len > 0)) {
    return Invalid("dgc_inventory_from_snapshot: NULL argument");
  }
  *out = nullptr;
  return Guarded([&] {
    absl::StatusOr<dgc::EngineBodies> bodies =
        dgc::ParseSnapshot(dgc::PaddedBody(std::string_view(json, len)));
    if (!bodies.ok()) return Fail(bodies.status());
    absl::StatusOr<dgc::Inventory> inventory =
        dgc::BuildInventory(*std::move(bodies));
    if (!inventory.ok()) return Fail(inventory.status());
    *out = new dgc_inventory{*std::move(inventory)};
    return DGC_OK;
  });
}

int dgc_inventory_df_to_json(dgc_buf* out, const dgc_inventory* inv) {
  if (out == nullptr || inv == nullptr) {
    return Invalid("dgc_inventory_df_to_json: NULL argument");
  }
  *out = dgc_buf{nullptr, 0};
  return Guarded([&] {
    if (absl::Status exact = dgc::CheckExactAccounting(inv->inventory);
        !exact.ok()) {
      return Fail(exact);
    }
    dgc::DiskUsage usage = dgc::ComputeDiskUsage(inv->inventory);
    return ToBuf(dgc::DiskUsageToJson(inv->inventory, usage), out);
  });
}

void dgc_inventory_free(dgc_inventory* inv) { delete inv; }

int dgc_policy_from_json(dgc_policy** out, const char* json, size_t len) {
  if (out == nullptr || (json == nullptr && len > 0)) {
    return Invalid("dgc_policy_from_json: NULL argument");
  }
  *out = nullptr;
  return Guarded([&] {
    absl::StatusOr<dgc::Policy> policy = dgc::ParsePolicy(
        dgc::PaddedBody(std::string_view(json, len)), "policy");
    if (!policy.ok()) return Fail(policy.status());
    *out = new dgc_policy{*std::move(policy)};
    return DGC_OK;
  });
}

void dgc_policy_free(dgc_policy* policy) { delete policy; }

int dgc_plan_compute(dgc_plan** out, const dgc_inventory* inv,
                     const dgc_policy* policy, int64_t now_unix) {
  if (out == nullptr || inv == nullptr || policy == nullptr) {
    return Invalid("dgc_plan_compute: NULL argument");
  }
  *out = nullptr;
  return Guarded([&] {
    if (absl::Status exact = dgc::CheckExactAccounting(inv->inventory);
        !exact.ok()) {
      return Fail(exact);
    }
    absl::Time now = now_unix != 0 ? absl::FromUnixSeconds(now_unix)
                     : inv->inventory.captured_at != absl::InfinitePast()
                         ? inv->inventory.captured_at
                         : absl::Now();
    *out = new dgc_plan{dgc::ComputePlan(inv->inventory, policy->policy, now)};
    return DGC_OK;
  });
}

int dgc_plan_from_json(dgc_plan** out, const char* json, size_t len) {
  if (out == nullptr || (json == nullptr && len > 0)) {
    return Invalid("dgc_plan_from_json: NULL argument");
  }
  *out = nullptr;
  return Guarded([&] {
    absl::StatusOr<dgc::Plan> plan =
        dgc::ParsePlan(dgc::PaddedBody(std::string_view(json, len)));
    if (!plan.ok()) return Fail(plan.status());
    *out = new dgc_plan{*std::move(plan)};
    return DGC_OK;
  });
}

uint64_t dgc_plan_reclaimable_bytes(const dgc_plan* plan) {
  return plan == nullptr ? 0 : plan->plan.summary.reclaimable_bytes;
}

int dgc_plan_to_json(dgc_buf* out, const dgc_plan* plan) {
  if (out == nullptr || plan == nullptr) {
    return Invalid("dgc_plan_to_json: NULL argument");
  }
  *out = dgc_buf{nullptr, 0};
  return Guarded([&] { return ToBuf(dgc::PlanToJson(plan->plan), out); });
}

void dgc_plan_free(dgc_plan* plan) { delete plan; }

int dgc_apply(dgc_report** out, dgc_client* client, const dgc_plan* plan) {
  if (out == nullptr || client == nullptr || plan == nullptr) {
    return Invalid("dgc_apply: NULL argument");
  }
  *out = nullptr;
  return Guarded([&] {
    absl::StatusOr<std::unique_ptr<dgc::Transport>> transport =
        Open(*client, dgc::Access::kReadWrite);
    if (!transport.ok()) return Fail(transport.status());
    dgc::EngineClient engine(**transport);
    absl::StatusOr<dgc::Inventory> inventory = Fetch(engine);
    if (!inventory.ok()) return Fail(inventory.status());
    if (absl::Status same = dgc::SameEngine(plan->plan, *inventory);
        !same.ok()) {
      return Fail(same);
    }
    dgc::Executor executor(engine, *inventory);
    *out = new dgc_report{executor.Apply(plan->plan, {})};
    return DGC_OK;
  });
}

int dgc_report_to_json(dgc_buf* out, const dgc_report* report) {
  if (out == nullptr || report == nullptr) {
    return Invalid("dgc_report_to_json: NULL argument");
  }
  *out = dgc_buf{nullptr, 0};
  return Guarded(
      [&] { return ToBuf(dgc::ApplyReportToJson(report->report), out); });
}

void dgc_report_free(dgc_report* report) { delete report; }

const char* dgc_error_last(void) { return last_error.c_str(); }

const char* dgc_version(void) { return DGC_VERSION_STRING; }

}  // extern "C"
