/* libdgc: exact, safe garbage collection for Docker images — the C API.
 *
 * Rules, once for the whole header:
 *  - Handles are opaque. An object returned through an `out` parameter
 *    belongs to the caller, who releases it with its `_free` function;
 *    every `_free` accepts NULL. A dgc_buf is released with
 *    dgc_buf_dispose().
 *  - Functions return 0 (DGC_OK) on success or a negative DGC_E... code,
 *    unless they return a value. On failure dgc_error_last() gives a
 *    message naming what is at fault (the endpoint, file, rule or field);
 *    it is thread-local and valid until the next libdgc call on the same
 *    thread. On failure `*out` is left NULL.
 *  - Strings are UTF-8. JSON inputs take a pointer and a length and need
 *    no NUL terminator; JSON outputs are NUL-terminated.
 *  - Thread safety: one client may be used by one thread at a time;
 *    inventories, policies and plans are immutable once made and may be
 *    read from several threads at once.
 *  - Nothing here ever deletes with `force`. Only dgc_apply() changes the
 *    engine; dgc_inventory_fetch() and dgc_plan_compute() only read.
 *
 * Example:
 *    dgc_client *client = NULL;
 *    dgc_inventory *inv = NULL;
 *    dgc_policy *policy = NULL;
 *    dgc_plan *plan = NULL;
 *    if (dgc_client_new(&client, NULL) != 0 ||
 *        dgc_inventory_fetch(&inv, client) != 0 ||
 *        dgc_policy_from_json(&policy, json, len) != 0 ||
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

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes: 0, or the negated Abseil status code of the failure. */
#define DGC_OK 0
#define DGC_ECANCELLED (-1)
#define DGC_EUNKNOWN (-2)
#define DGC_EINVALID (-3)  /* bad argument, policy, plan or JSON */
#define DGC_ETIMEOUT (-4)  /* the engine did not answer in time */
#define DGC_ENOTFOUND (-5) /* a file, context or image that is not there */
#define DGC_EEXISTS (-6)
#define DGC_EPERM (-7)     /* permission denied (e.g. the socket) */
#define DGC_ERESOURCE (-8) /* a response too large */
#define DGC_EPRECONDITION                                             \
  (-9)                     /* engine too old or new, plan for another \
                              engine, containerd image store */
#define DGC_EABORTED (-10) /* stopped before the end */
#define DGC_ERANGE (-11)
#define DGC_EUNIMPLEMENTED (-12)
#define DGC_EINTERNAL (-13)    /* the engine answered with an error (5xx) */
#define DGC_EUNAVAILABLE (-14) /* the engine cannot be reached */
#define DGC_EDATALOSS (-15)
#define DGC_EUNAUTHENTICATED (-16)

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

/* dgc_client_new makes a client for the engine at `host`
 * ("unix:///var/run/docker.sock", "tcp://host:2376"), or, when `host` is
 * NULL, the engine the docker CLI would use (DOCKER_HOST, DOCKER_CONTEXT,
 * the config's current context, TLS from DOCKER_TLS_VERIFY and
 * DOCKER_CERT_PATH). Nothing is sent until it is used. */
DGC_EXPORT int dgc_client_new(dgc_client** out, const char* host);
DGC_EXPORT void dgc_client_free(dgc_client* client);

/* dgc_inventory_fetch reads the engine's images, layers and containers. */
DGC_EXPORT int dgc_inventory_fetch(dgc_inventory** out, dgc_client* client);
/* dgc_inventory_from_snapshot reads a dgc.snapshot/v1 document. */
DGC_EXPORT int dgc_inventory_from_snapshot(dgc_inventory** out,
                                           const char* json, size_t len);
/* dgc_inventory_df_to_json writes the inventory's disk usage (dgc.df/v1). */
DGC_EXPORT int dgc_inventory_df_to_json(dgc_buf* out, const dgc_inventory* inv);
DGC_EXPORT void dgc_inventory_free(dgc_inventory* inv);

/* dgc_policy_from_json parses and checks a gc.json policy; every problem
 * is in the error message, one per line. */
DGC_EXPORT int dgc_policy_from_json(dgc_policy** out, const char* json,
                                    size_t len);
DGC_EXPORT void dgc_policy_free(dgc_policy* policy);

/* dgc_plan_compute evaluates `policy` on `inv` with ages measured at
 * `now_unix` (seconds; 0: when the inventory was captured). Pure: reads
 * nothing from the engine. */
DGC_EXPORT int dgc_plan_compute(dgc_plan** out, const dgc_inventory* inv,
                                const dgc_policy* policy, int64_t now_unix);
/* dgc_plan_from_json reads a saved dgc.plan/v1 document, for dgc_apply. */
DGC_EXPORT int dgc_plan_from_json(dgc_plan** out, const char* json, size_t len);
/* dgc_plan_reclaimable_bytes: the exact bytes the plan frees. */
DGC_EXPORT uint64_t dgc_plan_reclaimable_bytes(const dgc_plan* plan);
/* dgc_plan_to_json writes the plan as dgc.plan/v1. */
DGC_EXPORT int dgc_plan_to_json(dgc_buf* out, const dgc_plan* plan);
DGC_EXPORT void dgc_plan_free(dgc_plan* plan);

/* dgc_apply performs the plan's actions on the client's engine, each one
 * re-checked against the engine first (see SPEC.md §3.5); refuses a plan
 * made for another engine (DGC_EPRECONDITION). Returns 0 when the run went
 * through the plan, even if some actions were skipped or failed: the
 * report says which. */
DGC_EXPORT int dgc_apply(dgc_report** out, dgc_client* client,
                         const dgc_plan* plan);
/* dgc_report_to_json writes the report as dgc.apply/v1. */
DGC_EXPORT int dgc_report_to_json(dgc_buf* out, const dgc_report* report);
DGC_EXPORT void dgc_report_free(dgc_report* report);

/* dgc_error_last: the message of this thread's last failure ("" if none). */
DGC_EXPORT const char* dgc_error_last(void);
/* dgc_version: libdgc's version, e.g. "0.1.0". */
DGC_EXPORT const char* dgc_version(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DGC_DGC_H_ */
