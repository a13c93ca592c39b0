/* The C API's counterpart of the docker-gc commands, for the tests that
 * check both front ends give identical documents (test_front_ends.py):
 *
 *   capi_cli df    (--host H | --from SNAPSHOT) [--policy FILE] [--now UNIX]
 *   capi_cli plan  (--host H | --from SNAPSHOT) [--policy FILE] [--now UNIX]
 *   capi_cli apply --host H (--policy FILE [--now UNIX] | --plan FILE)
 *                  [--cancel-after N]
 *
 * --host "" resolves the engine as docker does. The document goes to
 * stdout; a failure prints "NAME: message" on stderr and exits 1 (2 for a
 * usage error). apply prints each result its callback sees on stderr
 * ("result I/TOTAL: JSON"); --cancel-after N sets the cancel flag from the
 * callback once N results were seen. Written against dgc.h alone, as
 * another tool would be; compiled as C99. */
#include <dgc/dgc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arguments {
  const char* command;
  const char* host; /* NULL: not given */
  const char* from;
  const char* policy;
  const char* plan;
  long long now;
  long cancel_after; /* -1: never */
};

struct cancel_state {
  volatile int cancel;
  long cancel_after;
  size_t seen;
};

static void die_unreadable(const char* path) {
  fprintf(stderr, "capi_cli: cannot read %s\n", path);
  exit(1);
}

static int report_error(int code) {
  fprintf(stderr, "%s: %s\n", dgc_error_name(code), dgc_error_last());
  return 1;
}

static int usage(void) {
  fprintf(stderr,
          "usage: capi_cli df|plan|apply (--host H | --from SNAPSHOT) "
          "[--policy FILE] [--plan FILE] [--now UNIX] [--cancel-after N]\n");
  return 2;
}

static int parse_arguments(int argc, char** argv, struct arguments* args) {
  int i;
  memset(args, 0, sizeof *args);
  args->cancel_after = -1;
  if (argc < 2) return 0;
  args->command = argv[1];
  for (i = 2; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--host") == 0) {
      args->host = argv[i + 1];
    } else if (strcmp(argv[i], "--from") == 0) {
      args->from = argv[i + 1];
    } else if (strcmp(argv[i], "--policy") == 0) {
      args->policy = argv[i + 1];
    } else if (strcmp(argv[i], "--plan") == 0) {
      args->plan = argv[i + 1];
    } else if (strcmp(argv[i], "--now") == 0) {
      args->now = strtoll(argv[i + 1], NULL, 10);
    } else if (strcmp(argv[i], "--cancel-after") == 0) {
      args->cancel_after = strtol(argv[i + 1], NULL, 10);
    } else {
      return 0;
    }
  }
  return i == argc && (args->host != NULL) != (args->from != NULL);
}

static int print_buf(dgc_buf* buf) {
  fwrite(buf->ptr, 1, buf->size, stdout);
  dgc_buf_dispose(buf);
  return 0;
}

static int new_client(dgc_client** client, const char* host) {
  return dgc_client_new(client, host[0] == '\0' ? NULL : host);
}

static int load_inventory(const struct arguments* args, dgc_inventory** inv) {
  dgc_client* client = NULL;
  int rc;
  if (args->from != NULL) return dgc_inventory_load_snapshot(inv, args->from);
  rc = new_client(&client, args->host);
  if (rc == DGC_OK) rc = dgc_inventory_fetch(inv, client);
  dgc_client_free(client);
  return rc;
}

static int run_df(const struct arguments* args) {
  dgc_inventory* inv = NULL;
  dgc_policy* policy = NULL;
  dgc_buf buf = {NULL, 0};
  int rc = load_inventory(args, &inv);
  if (rc == DGC_OK && args->policy != NULL) {
    rc = dgc_policy_load(&policy, args->policy);
    if (rc == DGC_OK) rc = dgc_df_for_policy(&buf, inv, policy, args->now);
  } else if (rc == DGC_OK) {
    rc = dgc_df(&buf, inv);
  }
  dgc_policy_free(policy);
  dgc_inventory_free(inv);
  return rc == DGC_OK ? print_buf(&buf) : report_error(rc);
}

static int compute_plan(const struct arguments* args, dgc_plan** plan) {
  dgc_inventory* inv = NULL;
  dgc_policy* policy = NULL;
  int rc = dgc_policy_load(&policy, args->policy);
  if (rc == DGC_OK) rc = load_inventory(args, &inv);
  if (rc == DGC_OK) rc = dgc_plan_compute(plan, inv, policy, args->now);
  dgc_policy_free(policy);
  dgc_inventory_free(inv);
  return rc;
}

static int run_plan(const struct arguments* args) {
  dgc_plan* plan = NULL;
  dgc_buf buf = {NULL, 0};
  int rc = compute_plan(args, &plan);
  if (rc == DGC_OK) rc = dgc_plan_to_json(&buf, plan);
  dgc_plan_free(plan);
  return rc == DGC_OK ? print_buf(&buf) : report_error(rc);
}

static int read_plan(const char* path, dgc_plan** plan) {
  FILE* file = fopen(path, "rb");
  char* text;
  long size;
  int rc;
  if (file == NULL) die_unreadable(path);
  fseek(file, 0, SEEK_END);
  size = ftell(file);
  fseek(file, 0, SEEK_SET);
  text = malloc((size_t)size + 1);
  if (text == NULL || fread(text, 1, (size_t)size, file) != (size_t)size) {
    die_unreadable(path);
  }
  fclose(file);
  rc = dgc_plan_from_json(plan, text, (size_t)size);
  free(text);
  return rc;
}

static int count_result(const char* result_json, size_t len, size_t index,
                        size_t total, void* payload) {
  struct cancel_state* state = payload;
  fprintf(stderr, "result %lu/%lu: %.*s\n", (unsigned long)index + 1,
          (unsigned long)total, (int)len, result_json);
  ++state->seen;
  if (state->cancel_after >= 0 && state->seen >= (size_t)state->cancel_after) {
    state->cancel = 1;
  }
  return 0;
}

static int run_apply(const struct arguments* args) {
  dgc_client* client = NULL;
  dgc_plan* plan = NULL;
  dgc_report* report = NULL;
  dgc_buf buf = {NULL, 0};
  struct cancel_state state = {0, -1, 0};
  dgc_apply_options options = DGC_APPLY_OPTIONS_INIT;
  int rc;
  state.cancel_after = args->cancel_after;
  options.cancel = &state.cancel;
  options.on_result = count_result;
  options.payload = &state;
  rc = args->plan != NULL ? read_plan(args->plan, &plan)
                          : compute_plan(args, &plan);
  if (rc == DGC_OK) rc = new_client(&client, args->host);
  if (rc == DGC_OK) rc = dgc_apply_ex(&report, client, plan, &options);
  if (rc == DGC_OK) rc = dgc_report_to_json(&buf, report);
  dgc_report_free(report);
  dgc_plan_free(plan);
  dgc_client_free(client);
  return rc == DGC_OK ? print_buf(&buf) : report_error(rc);
}

int main(int argc, char** argv) {
  struct arguments args;
  if (!parse_arguments(argc, argv, &args)) return usage();
  if (strcmp(args.command, "df") == 0) return run_df(&args);
  if (strcmp(args.command, "plan") == 0) return run_plan(&args);
  if (strcmp(args.command, "apply") == 0 && args.host != NULL) {
    return run_apply(&args);
  }
  return usage();
}
