// The C API (dgc/dgc.h): a thin shim over libdgc's one orchestration
// (engine/session.h). No logic of its own: it converts arguments, calls
// the orchestration, maps errors to the library's own codes
// (core/error_code.h) and never lets an exception escape.
#include "dgc/dgc.h"

#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "core/apply_report.h"
#include "core/error_code.h"
#include "core/fleet_document.h"
#include "core/inventory.h"
#include "core/library_version.h"
#include "core/plan.h"
#include "core/plan_json.h"
#include "core/policy.h"
#include "engine/curl_transport.h"
#include "engine/endpoint.h"
#include "engine/fleet.h"
#include "engine/last_use_cache.h"
#include "engine/policy_file.h"
#include "engine/session.h"

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
  return static_cast<int>(dgc::ErrorCodeOf(status));
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
  if (memory == nullptr) {
    return Fail(absl::ResourceExhaustedError("out of memory"));
  }
  std::memcpy(memory, text.data(), text.size());
  memory[text.size()] = '\0';
  out->ptr = memory;
  out->size = text.size();
  return DGC_OK;
}

// Keeps `value` in `*out` as a new handle, or fails with its status.
template <typename Handle, typename Value>
int Keep(absl::StatusOr<Value> value, Handle** out) {
  if (!value.ok()) return Fail(value.status());
  *out = new Handle{*std::move(value)};
  return DGC_OK;
}

// The clock of a `now_unix` argument: 0 is the default clock.
std::optional<absl::Time> ClockArgument(int64_t now_unix) {
  if (now_unix == 0) return std::nullopt;
  return absl::FromUnixSeconds(now_unix);
}

// As the plugin without --no-cache: the cache directory docker gc uses.
dgc::SessionOptions DefaultSessionOptions() {
  dgc::SessionOptions session;
  session.cache_directory = dgc::CacheDirectory(dgc::ProcessEnvironment());
  return session;
}

dgc::SessionOptions SessionOptionsFor(const dgc_apply_options& options) {
  dgc::SessionOptions session = DefaultSessionOptions();
  if (options.request_timeout_ms > 0) {
    session.transport.request_timeout =
        absl::Milliseconds(options.request_timeout_ms);
  } else if (options.request_timeout_ms < 0) {
    session.transport.request_timeout = absl::InfiniteDuration();
  }
  return session;
}

// The executor's hooks for `options`: the cancel flag and the callback.
dgc::ExecutorHooks HooksFor(const dgc_apply_options& options) {
  dgc::ExecutorHooks hooks;
  if (options.cancel != nullptr) {
    const volatile int* cancel = options.cancel;
    hooks.stop_requested = [cancel]() -> std::optional<std::string> {
      int value =
          __atomic_load_n(const_cast<const int*>(cancel), __ATOMIC_SEQ_CST);
      if (value == 0) return std::nullopt;
      return "cancelled by the caller";
    };
  }
  if (options.on_result != nullptr) {
    auto stop = std::make_shared<bool>(false);
    hooks.on_result = [options, stop](const dgc::ActionResult& result,
                                      size_t index, size_t total) {
      std::string json = dgc::ActionResultToJson(result);
      if (options.on_result(json.c_str(), json.size(), index, total,
                            options.payload) != 0) {
        *stop = true;
      }
    };
    hooks.results_decide = true;  // it may stop the run after any action
    auto cancelled = std::move(hooks.stop_requested);
    hooks.stop_requested = [stop, cancelled]() -> std::optional<std::string> {
      if (*stop) return "stopped by the result callback";
      return cancelled ? cancelled() : std::nullopt;
    };
  }
  return hooks;
}

// Fails for apply options of a version this library does not know.
int UnknownOptionsVersion(const char* function,
                          const dgc_apply_options& options) {
  return Fail(absl::InvalidArgumentError(absl::StrFormat(
      "%s: options version %d is not one this libdgc knows (1 to %d): "
      "initialise them with DGC_APPLY_OPTIONS_INIT",
      function, options.version, DGC_APPLY_OPTIONS_VERSION)));
}

// The fleet targets of `clients`: each named by its context, or its host
// for a client of the default context.
std::vector<dgc::FleetTarget> FleetTargets(dgc_client* const* clients,
                                           size_t n) {
  std::vector<dgc::FleetTarget> targets;
  for (size_t i = 0; i < n; ++i) {
    const dgc::Endpoint& endpoint = clients[i]->endpoint;
    targets.push_back(
        {endpoint.context == "default" ? endpoint.host : endpoint.context,
         endpoint});
  }
  return targets;
}

// Runs `run` on the engines of `clients` (engine/fleet.h) and writes the
// dgc.fleet/v1 document of `kind`. `run` returns an engine's document and
// may set its exit code (0 unless set).
int WriteFleet(dgc_buf* out, int* exit_code, dgc_client* const* clients,
               size_t n, dgc::FleetKind kind,
               const dgc::SessionOptions& session,
               const std::function<absl::StatusOr<std::string>(
                   dgc::EngineSession&, int* exit_code)>& run) {
  dgc::FleetRun fleet = dgc::RunFleet(
      FleetTargets(clients, n),
      [&](const dgc::Endpoint& endpoint) {
        return dgc::ProbeEngine(endpoint, session);
      },
      [&](const dgc::FleetTarget& target) {
        dgc::FleetEngineOutput output;
        absl::StatusOr<std::unique_ptr<dgc::EngineSession>> opened =
            dgc::EngineSession::Open(*target.endpoint,
                                     kind == dgc::FleetKind::kApply
                                         ? dgc::Access::kReadWrite
                                         : dgc::Access::kReadOnly,
                                     session);
        absl::StatusOr<std::string> document =
            opened.ok() ? run(**opened, &output.exit_code) : opened.status();
        if (document.ok()) {
          output.document = *std::move(document);
        } else {
          output.error = document.status();
        }
        return output;
      });
  if (exit_code != nullptr) *exit_code = fleet.exit_code;
  return ToBuf(dgc::FleetDocument(kind, fleet.entries, fleet.duplicates), out);
}

// Checks the arguments every dgc_fleet_ function takes.
bool FleetArguments(dgc_buf* out, dgc_client* const* clients, size_t n) {
  if (out == nullptr || clients == nullptr || n == 0) return false;
  for (size_t i = 0; i < n; ++i) {
    if (clients[i] == nullptr) return false;
  }
  *out = dgc_buf{nullptr, 0};
  return true;
}

}  // namespace

extern "C" {

void dgc_buf_dispose(dgc_buf* buf) {
  if (buf == nullptr) return;
  std::free(buf->ptr);
  buf->ptr = nullptr;
  buf->size = 0;
}

int dgc_init(void) {
  return Guarded([&] {
    if (absl::Status status = dgc::InitCurl(); !status.ok()) {
      return Fail(status);
    }
    return DGC_OK;
  });
}

int dgc_client_new(dgc_client** out, const char* host) {
  if (out == nullptr) return Invalid("dgc_client_new: out is NULL");
  *out = nullptr;
  return Guarded([&] {
    dgc::GlobalOptions options;
    if (host != nullptr) options.host = host;
    return Keep(dgc::ResolveEndpoint(options, dgc::ProcessEnvironment()), out);
  });
}

int dgc_client_new_context(dgc_client** out, const char* context) {
  if (out == nullptr || context == nullptr) {
    return Invalid("dgc_client_new_context: NULL argument");
  }
  *out = nullptr;
  return Guarded([&] {
    dgc::GlobalOptions options;
    options.context = context;
    return Keep(dgc::ResolveEndpoint(options, dgc::ProcessEnvironment()), out);
  });
}

void dgc_client_free(dgc_client* client) { delete client; }

int dgc_inventory_fetch(dgc_inventory** out, dgc_client* client) {
  if (out == nullptr || client == nullptr) {
    return Invalid("dgc_inventory_fetch: out and client must not be NULL");
  }
  *out = nullptr;
  return Guarded([&] {
    absl::StatusOr<std::unique_ptr<dgc::EngineSession>> session =
        dgc::EngineSession::Open(client->endpoint, dgc::Access::kReadOnly,
                                 DefaultSessionOptions());
    if (!session.ok()) return Fail(session.status());
    return Keep((*session)->ReadInventory(), out);
  });
}

int dgc_inventory_from_snapshot(dgc_inventory** out, const char* json,
                                size_t len) {
  if (out == nullptr || (json == nullptr && len > 0)) {
    return Invalid("dgc_inventory_from_snapshot: NULL argument");
  }
  *out = nullptr;
  return Guarded([&] {
    return Keep(dgc::InventoryFromSnapshot(
                    dgc::PaddedBody(std::string_view(json, len)), "document"),
                out);
  });
}

int dgc_inventory_load_snapshot(dgc_inventory** out, const char* path) {
  if (out == nullptr || path == nullptr) {
    return Invalid("dgc_inventory_load_snapshot: NULL argument");
  }
  *out = nullptr;
  return Guarded(
      [&] { return Keep(dgc::InventoryFromSnapshotFile(path), out); });
}

void dgc_inventory_free(dgc_inventory* inv) { delete inv; }

int dgc_df(dgc_buf* out, const dgc_inventory* inv) {
  if (out == nullptr || inv == nullptr) {
    return Invalid("dgc_df: NULL argument");
  }
  *out = dgc_buf{nullptr, 0};
  return Guarded(
      [&] { return ToBuf(dgc::DiskUsageDocument(inv->inventory), out); });
}

int dgc_df_for_policy(dgc_buf* out, const dgc_inventory* inv,
                      const dgc_policy* policy, int64_t now_unix) {
  if (out == nullptr || inv == nullptr || policy == nullptr) {
    return Invalid("dgc_df_for_policy: NULL argument");
  }
  *out = dgc_buf{nullptr, 0};
  return Guarded([&] {
    absl::StatusOr<dgc::Plan> plan =
        dgc::MakePlan(inv->inventory, policy->policy, ClockArgument(now_unix));
    if (!plan.ok()) return Fail(plan.status());
    return ToBuf(dgc::DiskUsageDocument(inv->inventory, &*plan), out);
  });
}

int dgc_policy_from_json(dgc_policy** out, const char* json, size_t len) {
  if (out == nullptr || (json == nullptr && len > 0)) {
    return Invalid("dgc_policy_from_json: NULL argument");
  }
  *out = nullptr;
  return Guarded([&] {
    return Keep(dgc::ParsePolicy(dgc::PaddedBody(std::string_view(json, len)),
                                 "policy"),
                out);
  });
}

int dgc_policy_load(dgc_policy** out, const char* path) {
  if (out == nullptr) return Invalid("dgc_policy_load: out is NULL");
  *out = nullptr;
  return Guarded([&] {
    return Keep(dgc::LoadPolicy(path == nullptr ? "" : path, {},
                                dgc::ProcessEnvironment()),
                out);
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
    return Keep(
        dgc::MakePlan(inv->inventory, policy->policy, ClockArgument(now_unix)),
        out);
  });
}

int dgc_plan_from_json(dgc_plan** out, const char* json, size_t len) {
  if (out == nullptr || (json == nullptr && len > 0)) {
    return Invalid("dgc_plan_from_json: NULL argument");
  }
  *out = nullptr;
  return Guarded([&] {
    return Keep(dgc::ParsePlan(dgc::PaddedBody(std::string_view(json, len))),
                out);
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

int dgc_apply_ex(dgc_report** out, dgc_client* client, const dgc_plan* plan,
                 const dgc_apply_options* options) {
  if (out == nullptr || client == nullptr || plan == nullptr) {
    return Invalid("dgc_apply_ex: NULL argument");
  }
  *out = nullptr;
  const dgc_apply_options defaults = DGC_APPLY_OPTIONS_INIT;
  if (options == nullptr) options = &defaults;
  if (options->version < 1 || options->version > DGC_APPLY_OPTIONS_VERSION) {
    return UnknownOptionsVersion("dgc_apply_ex", *options);
  }
  return Guarded([&] {
    absl::StatusOr<std::unique_ptr<dgc::EngineSession>> session =
        dgc::EngineSession::Open(client->endpoint, dgc::Access::kReadWrite,
                                 SessionOptionsFor(*options));
    if (!session.ok()) return Fail(session.status());
    dgc::ApplyRequest request;
    request.saved_plan = &plan->plan;
    absl::StatusOr<dgc::ApplyRun> run =
        dgc::ApplyRun::Prepare(**session, request);
    if (!run.ok()) return Fail(run.status());
    *out = new dgc_report{run->Execute(HooksFor(*options))};
    return DGC_OK;
  });
}

int dgc_apply(dgc_report** out, dgc_client* client, const dgc_plan* plan) {
  return dgc_apply_ex(out, client, plan, nullptr);
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

int dgc_fleet_plan(dgc_buf* out, int* exit_code, dgc_client* const* clients,
                   size_t n, const dgc_policy* policy, int64_t now_unix) {
  if (!FleetArguments(out, clients, n) || policy == nullptr) {
    return Invalid("dgc_fleet_plan: NULL argument or no client");
  }
  return Guarded([&] {
    return WriteFleet(
        out, exit_code, clients, n, dgc::FleetKind::kPlan,
        DefaultSessionOptions(),
        [&](dgc::EngineSession& session, int*) -> absl::StatusOr<std::string> {
          absl::StatusOr<dgc::Inventory> inventory = session.ReadInventory();
          if (!inventory.ok()) return inventory.status();
          absl::StatusOr<dgc::Plan> plan = dgc::MakePlan(
              *inventory, policy->policy, ClockArgument(now_unix));
          if (!plan.ok()) return plan.status();
          return dgc::PlanToJson(*plan);
        });
  });
}

int dgc_fleet_df(dgc_buf* out, int* exit_code, dgc_client* const* clients,
                 size_t n) {
  if (!FleetArguments(out, clients, n)) {
    return Invalid("dgc_fleet_df: NULL argument or no client");
  }
  return Guarded([&] {
    return WriteFleet(
        out, exit_code, clients, n, dgc::FleetKind::kDf,
        DefaultSessionOptions(),
        [](dgc::EngineSession& session, int*) -> absl::StatusOr<std::string> {
          absl::StatusOr<dgc::Inventory> inventory = session.ReadInventory();
          if (!inventory.ok()) return inventory.status();
          return dgc::DiskUsageDocument(*inventory);
        });
  });
}

int dgc_fleet_apply(dgc_buf* out, int* exit_code, dgc_client* const* clients,
                    size_t n, const dgc_policy* policy, int64_t now_unix,
                    const dgc_apply_options* options) {
  if (!FleetArguments(out, clients, n) || policy == nullptr) {
    return Invalid("dgc_fleet_apply: NULL argument or no client");
  }
  const dgc_apply_options defaults = DGC_APPLY_OPTIONS_INIT;
  if (options == nullptr) options = &defaults;
  if (options->version < 1 || options->version > DGC_APPLY_OPTIONS_VERSION) {
    return UnknownOptionsVersion("dgc_fleet_apply", *options);
  }
  return Guarded([&] {
    return WriteFleet(out, exit_code, clients, n, dgc::FleetKind::kApply,
                      SessionOptionsFor(*options),
                      [&](dgc::EngineSession& session,
                          int* code) -> absl::StatusOr<std::string> {
                        dgc::ApplyRequest request;
                        request.policy = &policy->policy;
                        request.now = ClockArgument(now_unix);
                        absl::StatusOr<dgc::ApplyRun> run =
                            dgc::ApplyRun::Prepare(session, request);
                        if (!run.ok()) return run.status();
                        dgc::ApplyReport report =
                            run->Execute(HooksFor(*options));
                        // As docker gc apply: 1 when it stopped part-way, else
                        // 3 when some actions failed.
                        const dgc::ApplySummary& summary = report.summary;
                        *code = !summary.stopped.empty()                    ? 1
                                : summary.failed > 0 || summary.unknown > 0 ? 3
                                                                            : 0;
                        return dgc::ApplyReportToJson(report);
                      });
  });
}

const char* dgc_error_last(void) { return last_error.c_str(); }

const char* dgc_error_name(int code) { return dgc::ErrorCodeName(code).data(); }

const char* dgc_version(void) { return dgc::LibraryVersion().data(); }

int dgc_version_number(void) { return dgc::LibraryVersionNumber(); }

}  // extern "C"
