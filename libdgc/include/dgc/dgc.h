/* libdgc: exact, safe garbage collection for Docker images — the C API.
 *
 * Rules, once for the whole header:
 *  - Handles are opaque. An object returned through an `out` parameter
 *    belongs to the caller, who releases it with its `_free` function;
 *    every `_free` accepts NULL. A dgc_buf is released with
 *    dgc_buf_dispose().
 *  - Functions return 0 (DGC_OK) on success or a negative DGC_E... code
 *    (below, each with what the caller should do), unless they return a
 *    value. On failure dgc_error_last() gives a message naming what is at
 *    fault (the endpoint, file, rule or field); it is thread-local and
 *    valid until the next libdgc call on the same thread. On failure `*out`
 *    is left NULL.
 *  - Strings are UTF-8 and NUL-terminated unless a length goes with them.
 *    JSON inputs take a pointer and a length and need no NUL terminator;
 *    JSON outputs are NUL-terminated.
 *  - Thread safety: one client may be used by one thread at a time;
 *    inventories, policies and plans are immutable once made and may be
 *    read from several threads at once.
 *  - Nothing here ever deletes with `force`. Only dgc_apply() and
 *    dgc_apply_ex() change the engine; everything else only reads (its
 *    connection refuses any other method than GET).
 *  - Every function goes through the same orchestration as the docker-gc
 *    plugin: the same checks, refusals, warnings and defaults.
 *  - Initialisation: dgc_init() sets up libcurl. Calling it is optional:
 *    the first client does it otherwise, which is safe with any number of
 *    threads when libcurl is thread-safe (curl_version_info() reports
 *    CURL_VERSION_THREADSAFE; libcurl 7.84 and later, as Debian 12's); with
 *    an older libcurl, call dgc_init() from main() before starting threads.
 *  - Versions: while libdgc is 0.x, each minor version may change the ABI;
 *    the SONAME says which (libdgc.so.0.MINOR). DGC_VERSION_NUMBER
 *    (dgc/version.h) is the headers' version, dgc_version_number() the
 *    library's.
 *
 * Example:
 *    dgc_client *client = NULL;
 *    dgc_inventory *inv = NULL;
 *    dgc_policy *policy = NULL;
 *    dgc_plan *plan = NULL;
 *    if (dgc_client_new(&client, NULL) != 0 ||
 *        dgc_inventory_fetch(&inv, client) != 0 ||
 *        dgc_policy_load(&policy, "gc.json") != 0 ||
 *        dgc_plan_compute(&plan, inv, policy, 0) != 0) {
 *      fprintf(stderr, "%s\n", dgc_error_last());
 *    } else {
 *      printf("%llu bytes\n",
 *             (unsigned long long)dgc_plan_reclaimable_bytes(plan));
 *    }
 *    dgc_plan_free(plan); dgc_policy_free(policy);
 *    dgc_inventory_free(inv); dgc_client_free(client);
 */
#ifndef DGC_DGC_H_
#define DGC_DGC_H_

#include <stddef.h>
#include <stdint.h>

#include "dgc/export.h"
#include "dgc/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes. Their values never change; dgc_error_name() names them. */
#define DGC_OK 0
/* A bad argument, policy, plan, snapshot or JSON text: fix the input (the
 * message names the file, rule and field). */
#define DGC_EINVALID (-1)
/* A file, docker context or image that is not there. */
#define DGC_ENOTFOUND (-2)
/* The engine cannot be reached, or broke off its answer: check that the
 * daemon runs and the host is right; retrying later may work. */
#define DGC_EUNAVAILABLE (-3)
/* The engine did not answer in time: retry, or allow more time. */
#define DGC_ETIMEOUT (-4)
/* Permission denied (the socket, TLS material, the engine's auth): run as
 * a user allowed to use the engine. */
#define DGC_EPERM (-5)
/* The state forbids it: an engine too old or too new, a plan made for
 * another engine, an image store whose bytes cannot be accounted exactly,
 * a write on a read-only connection. Retrying the same call will not help. */
#define DGC_EPRECONDITION (-6)
/* The engine answered with an error of its own (HTTP 5xx, or it refused a
 * request as malformed): see the message; retrying later may work. */
#define DGC_EENGINE (-7)
/* The engine's answer is not what its API promises (malformed or
 * contradictory JSON): report it with the engine's version. */
#define DGC_EPROTOCOL (-8)
/* The caller cancelled the call. */
#define DGC_ECANCELLED (-9)
/* Out of memory, or an answer larger than libdgc accepts. */
#define DGC_ERESOURCE (-10)
/* A local file could not be read or written (other than not found). */
#define DGC_EIO (-11)
/* A bug in libdgc: please report it with the message. */
#define DGC_EINTERNAL (-12)

typedef struct dgc_client dgc_client;
typedef struct dgc_inventory dgc_inventory;
typedef struct dgc_policy dgc_policy;
typedef struct dgc_plan dgc_plan;
typedef struct dgc_report dgc_report;

/* A buffer libdgc allocated: `ptr` holds `size` bytes and a NUL after them. */
typedef struct {
  char* ptr;
  size_t size;
} dgc_buf;

/* dgc_buf_dispose frees the buffer's memory and zeroes it. */
DGC_EXPORT void dgc_buf_dispose(dgc_buf* buf);

/* dgc_init initialises the libraries libdgc uses (libcurl); idempotent.
 * Optional (see the rules above). Returns DGC_EINTERNAL when libcurl
 * cannot be initialised. */
DGC_EXPORT int dgc_init(void);

/* dgc_client_new makes a client for the engine at `host`
 * ("unix:///var/run/docker.sock", "tcp://host:2376", "ssh://me@host": the
 * `ssh` in PATH runs `docker system dial-stdio` there), or, when `host` is
 * NULL, the engine the docker CLI would use (DOCKER_HOST, DOCKER_CONTEXT,
 * the config's current context, TLS from DOCKER_TLS_VERIFY and
 * DOCKER_CERT_PATH). Nothing is sent until it is used. Errors:
 * DGC_EINVALID (a host libdgc cannot use), DGC_ENOTFOUND (a context, or a
 * TLS file it names, that does not exist), DGC_EPERM (a TLS file the user
 * may not read). */
DGC_EXPORT int dgc_client_new(dgc_client** out, const char* host);
/* dgc_client_new_context makes a client of the engine of the docker
 * context `context` (as `docker --context NAME`; "default" is the default
 * context). Errors: as dgc_client_new; DGC_ENOTFOUND for a context that
 * does not exist. */
DGC_EXPORT int dgc_client_new_context(dgc_client** out, const char* context);
DGC_EXPORT void dgc_client_free(dgc_client* client);

/* dgc_inventory_fetch reads the engine's images, layers and containers
 * (read-only) and checks that their bytes can be accounted exactly.
 * Errors: DGC_EUNAVAILABLE, DGC_ETIMEOUT, DGC_EPERM, DGC_EENGINE,
 * DGC_EPROTOCOL; DGC_EPRECONDITION for an engine libdgc cannot account,
 * or an ssh:// engine whose ssh failed for good (authentication, host key,
 * no docker there; the message has ssh's own words). */
DGC_EXPORT int dgc_inventory_fetch(dgc_inventory** out, dgc_client* client);
/* dgc_inventory_from_snapshot reads a dgc.snapshot/v1 document, checked as
 * dgc_inventory_fetch checks an engine's. Errors: DGC_EINVALID,
 * DGC_EPRECONDITION. */
DGC_EXPORT int dgc_inventory_from_snapshot(dgc_inventory** out,
                                           const char* json, size_t len);
/* dgc_inventory_load_snapshot reads the dgc.snapshot/v1 file `path`; errors
 * name it. Errors: those of dgc_inventory_from_snapshot, DGC_ENOTFOUND,
 * DGC_EIO. */
DGC_EXPORT int dgc_inventory_load_snapshot(dgc_inventory** out,
                                           const char* path);
DGC_EXPORT void dgc_inventory_free(dgc_inventory* inv);

/* dgc_df writes the inventory's disk usage as dgc.df/v1, with its
 * warnings (e.g. the engine's LayersSize differing from libdgc's count). */
DGC_EXPORT int dgc_df(dgc_buf* out, const dgc_inventory* inv);
/* dgc_df_for_policy is dgc_df plus what `policy` would reclaim of each
 * resource kind and its watermark, planned at `now_unix` as
 * dgc_plan_compute plans ("policy" in dgc.df/v1; `docker gc df -p`).
 * Errors: those of dgc_plan_compute. */
DGC_EXPORT int dgc_df_for_policy(dgc_buf* out, const dgc_inventory* inv,
                                 const dgc_policy* policy, int64_t now_unix);

/* dgc_policy_from_json parses and checks a gc.json policy given as text;
 * every problem is in the error message, one per line, naming the policy
 * "policy". Errors: DGC_EINVALID. */
DGC_EXPORT int dgc_policy_from_json(dgc_policy** out, const char* json,
                                    size_t len);
/* dgc_policy_load reads the policy file `path`, or, when `path` is NULL,
 * the one docker gc uses by default: $DOCKER_CONFIG/gc.json, else
 * /etc/docker/gc.json, else the built-in default (dangling images older
 * than 24h). Errors name the file: DGC_ENOTFOUND ("file not found: PATH"),
 * DGC_EIO, DGC_EINVALID. */
DGC_EXPORT int dgc_policy_load(dgc_policy** out, const char* path);
DGC_EXPORT void dgc_policy_free(dgc_policy* policy);

/* dgc_plan_compute evaluates `policy` on `inv` with ages measured at
 * `now_unix` (seconds since the epoch). With now_unix == 0, the default
 * clock of `docker gc plan` without --now: the time the inventory was read
 * (the current time, for an engine), or a snapshot's captured_at. Pure:
 * reads nothing from the engine. */
DGC_EXPORT int dgc_plan_compute(dgc_plan** out, const dgc_inventory* inv,
                                const dgc_policy* policy, int64_t now_unix);
/* dgc_plan_from_json reads a saved dgc.plan/v1 document, for dgc_apply.
 * Errors: DGC_EINVALID. */
DGC_EXPORT int dgc_plan_from_json(dgc_plan** out, const char* json, size_t len);
/* dgc_plan_reclaimable_bytes: the exact bytes the plan frees. */
DGC_EXPORT uint64_t dgc_plan_reclaimable_bytes(const dgc_plan* plan);
/* dgc_plan_to_json writes the plan as dgc.plan/v1. */
DGC_EXPORT int dgc_plan_to_json(dgc_buf* out, const dgc_plan* plan);
DGC_EXPORT void dgc_plan_free(dgc_plan* plan);

/* Called after each action of an apply with its result, as one element of
 * dgc.apply/v1 "results" (compact JSON, `len` bytes, NUL-terminated, valid
 * during the call only), its 0-based `index` and the `total` number of
 * actions. Returning non-zero stops the apply after this action, as the
 * cancel flag does. Called on the thread running the apply. */
typedef int (*dgc_result_cb)(const char* result_json, size_t len, size_t index,
                             size_t total, void* payload);

/* Options of dgc_apply_ex. Initialise with DGC_APPLY_OPTIONS_INIT and set
 * what you need: later versions of libdgc add fields at the end and read
 * only as many as `version` says the caller knows. */
typedef struct {
  unsigned int version; /* DGC_APPLY_OPTIONS_VERSION */
  /* When not NULL, read before each action: once non-zero, the apply stops
   * after the actions in flight (one, or up to four deletions of unrelated
   * images) and reports the rest as not run. May be set
   * from another thread or a signal handler (it is read atomically). */
  const volatile int* cancel;
  /* When not NULL, called after each action (see dgc_result_cb). */
  dgc_result_cb on_result;
  void* payload; /* passed to on_result */
  /* The longest one engine request may take, in milliseconds; 0: libdgc's
   * default (2 minutes, as `docker gc --timeout`); a negative value: no
   * limit. */
  int64_t request_timeout_ms;
} dgc_apply_options;

#define DGC_APPLY_OPTIONS_VERSION 1
#define DGC_APPLY_OPTIONS_INIT \
  { DGC_APPLY_OPTIONS_VERSION, NULL, NULL, NULL, 0 }

/* dgc_apply_ex performs the plan's actions on the client's engine: reads
 * the engine's inventory afresh, refuses a plan made for another engine
 * (DGC_EPRECONDITION) or an engine whose bytes cannot be accounted, then
 * performs each action re-checked against the engine first (SPEC.md §3.5),
 * never with force. `options` may be NULL (all defaults). Returns 0 when
 * the run went through the plan, even if some actions were skipped or
 * failed: the report says which; when it was cancelled or the engine
 * stopped answering, the report's summary says why in "stopped" and the
 * remaining actions are "skipped" (not run). Errors before any action:
 * those of dgc_inventory_fetch; DGC_EINVALID for an options version this
 * library does not know. */
DGC_EXPORT int dgc_apply_ex(dgc_report** out, dgc_client* client,
                            const dgc_plan* plan,
                            const dgc_apply_options* options);
/* dgc_apply is dgc_apply_ex with default options. */
DGC_EXPORT int dgc_apply(dgc_report** out, dgc_client* client,
                         const dgc_plan* plan);
/* dgc_report_to_json writes the report as dgc.apply/v1. */
DGC_EXPORT int dgc_report_to_json(dgc_buf* out, const dgc_report* report);
DGC_EXPORT void dgc_report_free(dgc_report* report);

/* Several engines in one call (SPEC.md §11), as `docker gc plan`, `df` and
 * `apply --yes` with `--context` more than once and `--format json`: each
 * of the `n` clients' engines is handled on its own (its own connection,
 * re-checks and plan), up to four at a time; clients of the same engine
 * (same /info ID, name and data root) handle it once; one engine failing
 * never stops the others. `*out` receives dgc.fleet/v1: in "engines",
 * each engine's own document (dgc.plan/v1, dgc.df/v1 or dgc.apply/v1)
 * with a "context" member (the client's context name, or its host for a
 * client of the default context), or {"context", "host", "error":
 * {"message", "code"}} for an engine that failed (code: a DGC_E... name);
 * in "summary", the engines, the failed ones, the duplicates and the
 * added-up bytes. They return 0 once the document is written, whatever
 * the engines' outcomes; `*exit_code`, when not NULL, receives docker gc's
 * exit code of the run: 0, 1 when an engine failed, 3 when some actions
 * failed. Errors: DGC_EINVALID for a NULL argument or n == 0. */
DGC_EXPORT int dgc_fleet_plan(dgc_buf* out, int* exit_code,
                              dgc_client* const* clients, size_t n,
                              const dgc_policy* policy, int64_t now_unix);
DGC_EXPORT int dgc_fleet_df(dgc_buf* out, int* exit_code,
                            dgc_client* const* clients, size_t n);
/* dgc_fleet_apply plans `policy` afresh on each engine (at `now_unix`, as
 * dgc_plan_compute) and performs it there, as dgc_apply_ex performs a
 * plan; `options` (may be NULL) apply to every engine: the cancel flag
 * stops them all, and on_result is called from the engines' threads,
 * possibly at the same time. */
DGC_EXPORT int dgc_fleet_apply(dgc_buf* out, int* exit_code,
                               dgc_client* const* clients, size_t n,
                               const dgc_policy* policy, int64_t now_unix,
                               const dgc_apply_options* options);

/* dgc_error_last: the message of this thread's last failure ("" if none). */
DGC_EXPORT const char* dgc_error_last(void);
/* dgc_error_name: the name of a return code ("DGC_ENOTFOUND"), or
 * "DGC_EUNKNOWN" for a value that is not one. Never NULL. */
DGC_EXPORT const char* dgc_error_name(int code);
/* dgc_version: the library's version, e.g. "0.2.0". */
DGC_EXPORT const char* dgc_version(void);
/* dgc_version_number: the library's version as DGC_VERSION_NUMBER encodes
 * it (MAJOR * 1000000 + MINOR * 1000 + PATCH). */
DGC_EXPORT int dgc_version_number(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DGC_DGC_H_ */
