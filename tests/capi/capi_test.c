/* Tests of the C API (dgc/dgc.h), compiled as C99 with -pedantic -Werror so
 * that the header stays C-clean. Reads the example snapshot and policy
 * (argv[1], argv[2]); uses a live engine too when DGC_TEST_DOCKER_HOST is
 * set. Exits non-zero on the first failed check. */
#include <dgc/dgc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(condition)                                                      \
  do {                                                                        \
    if (!(condition)) {                                                       \
      fprintf(stderr, "%s:%d: CHECK failed: %s (last error: %s)\n", __FILE__, \
              __LINE__, #condition, dgc_error_last());                        \
      ++failures;                                                             \
    }                                                                         \
  } while (0)

static char* read_file(const char* path, size_t* len) {
  FILE* file = fopen(path, "rb");
  char* data;
  long size;
  if (file == NULL) return NULL;
  fseek(file, 0, SEEK_END);
  size = ftell(file);
  fseek(file, 0, SEEK_SET);
  data = malloc((size_t)size);
  if (data != NULL && fread(data, 1, (size_t)size, file) != (size_t)size) {
    free(data);
    data = NULL;
  }
  fclose(file);
  *len = (size_t)size;
  return data;
}

/* The number after "key": in a JSON text (the documents are libdgc's own). */
static unsigned long long json_number(const char* json, const char* key) {
  char pattern[64];
  const char* at;
  sprintf(pattern, "\"%s\": ", key);
  at = strstr(json, pattern);
  return at == NULL ? 0ULL : strtoull(at + strlen(pattern), NULL, 10);
}

static void test_arguments_and_errors(void) {
  dgc_client* client = NULL;
  dgc_policy* policy = NULL;
  dgc_inventory* inv = NULL;
  const char* bad_policy =
      "{\"rules\": [{\"match\": \"a\", \"keep_newest\": -1}]}";

  CHECK(strlen(dgc_version()) > 0);
  CHECK(dgc_client_new(NULL, NULL) == DGC_EINVALID);
  CHECK(strstr(dgc_error_last(), "NULL") != NULL);
  CHECK(dgc_client_new(&client, "ssh://me:secret@example") == DGC_EINVALID);
  CHECK(client == NULL);
  CHECK(strstr(dgc_error_last(), "plain-text password") != NULL);
  CHECK(dgc_client_new(&client, "fd://example") == DGC_EINVALID);
  CHECK(client == NULL);
  CHECK(strstr(dgc_error_last(), "fd://example") != NULL);
  CHECK(dgc_policy_from_json(&policy, bad_policy, strlen(bad_policy)) ==
        DGC_EINVALID);
  CHECK(policy == NULL);
  CHECK(strstr(dgc_error_last(), "rule 1") != NULL);
  CHECK(strstr(dgc_error_last(), "keep_newest") != NULL);
  CHECK(dgc_inventory_from_snapshot(&inv, "{]", 2) == DGC_EINVALID);
  CHECK(inv == NULL);
  /* A fleet needs clients; an unknown context is DGC_ENOTFOUND. */
  {
    dgc_buf buf = {NULL, 0};
    int code = -1;
    CHECK(dgc_fleet_df(&buf, &code, NULL, 0) == DGC_EINVALID);
    CHECK(buf.ptr == NULL && code == -1);
    CHECK(dgc_fleet_plan(&buf, NULL, &client, 1, NULL, 0) == DGC_EINVALID);
    CHECK(dgc_client_new_context(&client, "no-such-context-dgc") ==
          DGC_ENOTFOUND);
    CHECK(client == NULL);
    CHECK(strstr(dgc_error_last(), "no-such-context-dgc") != NULL);
  }

  /* _free(NULL) is allowed; dispose zeroes the buffer. */
  dgc_client_free(NULL);
  dgc_inventory_free(NULL);
  dgc_policy_free(NULL);
  dgc_plan_free(NULL);
  dgc_report_free(NULL);
  dgc_buf_dispose(NULL);
  CHECK(dgc_plan_reclaimable_bytes(NULL) == 0);
}

static void test_error_names_and_versions(void) {
  static const struct {
    int code;
    const char* name;
  } codes[] = {
      {DGC_OK, "DGC_OK"},
      {DGC_EINVALID, "DGC_EINVALID"},
      {DGC_ENOTFOUND, "DGC_ENOTFOUND"},
      {DGC_EUNAVAILABLE, "DGC_EUNAVAILABLE"},
      {DGC_ETIMEOUT, "DGC_ETIMEOUT"},
      {DGC_EPERM, "DGC_EPERM"},
      {DGC_EPRECONDITION, "DGC_EPRECONDITION"},
      {DGC_EENGINE, "DGC_EENGINE"},
      {DGC_EPROTOCOL, "DGC_EPROTOCOL"},
      {DGC_ECANCELLED, "DGC_ECANCELLED"},
      {DGC_ERESOURCE, "DGC_ERESOURCE"},
      {DGC_EIO, "DGC_EIO"},
      {DGC_EINTERNAL, "DGC_EINTERNAL"},
  };
  size_t i;
  for (i = 0; i < sizeof codes / sizeof codes[0]; ++i) {
    CHECK(strcmp(dgc_error_name(codes[i].code), codes[i].name) == 0);
    /* The codes are distinct, 0 down to DGC_EINTERNAL. */
    CHECK(codes[i].code == -(int)i);
  }
  CHECK(strcmp(dgc_error_name(1), "DGC_EUNKNOWN") == 0);
  CHECK(strcmp(dgc_error_name(DGC_EINTERNAL - 1), "DGC_EUNKNOWN") == 0);

  CHECK(dgc_init() == DGC_OK);
  CHECK(dgc_init() == DGC_OK);
  CHECK(dgc_version_number() == DGC_VERSION_NUMBER);
  CHECK(strcmp(dgc_version(), DGC_VERSION_STRING) == 0);
}

static void test_policy_files(const char* policy_path) {
  dgc_policy* policy = NULL;
  CHECK(dgc_policy_load(&policy, "/nonexistent/gc.json") == DGC_ENOTFOUND);
  CHECK(policy == NULL);
  CHECK(strcmp(dgc_error_last(), "file not found: /nonexistent/gc.json") == 0);
  CHECK(dgc_policy_load(&policy, "/") == DGC_EPRECONDITION);
  CHECK(strstr(dgc_error_last(), "/") != NULL);
  CHECK(dgc_policy_load(&policy, policy_path) == DGC_OK);
  CHECK(policy != NULL);
  dgc_policy_free(policy);
}

static void test_apply_arguments(const char* snapshot, size_t snapshot_len) {
  dgc_client* client = NULL;
  dgc_inventory* inv = NULL;
  dgc_policy* policy = NULL;
  dgc_plan* plan = NULL;
  dgc_report* report = NULL;
  dgc_apply_options options = DGC_APPLY_OPTIONS_INIT;
  const char* everything = "{\"rules\": [{\"match\": \"*\", \"keep\": true}]}";

  CHECK(options.version == DGC_APPLY_OPTIONS_VERSION);
  CHECK(options.cancel == NULL && options.on_result == NULL);
  CHECK(dgc_inventory_from_snapshot(&inv, snapshot, snapshot_len) == DGC_OK);
  CHECK(dgc_policy_from_json(&policy, everything, strlen(everything)) ==
        DGC_OK);
  CHECK(dgc_plan_compute(&plan, inv, policy, 0) == DGC_OK);
  CHECK(dgc_client_new(&client, "unix:///nonexistent/docker.sock") == DGC_OK);
  CHECK(dgc_apply_ex(NULL, client, plan, &options) == DGC_EINVALID);
  options.version = 0;
  CHECK(dgc_apply_ex(&report, client, plan, &options) == DGC_EINVALID);
  CHECK(strstr(dgc_error_last(), "DGC_APPLY_OPTIONS_INIT") != NULL);
  options.version = DGC_APPLY_OPTIONS_VERSION + 1;
  CHECK(dgc_apply_ex(&report, client, plan, &options) == DGC_EINVALID);
  CHECK(report == NULL);
  /* Valid options reach the engine, which is not there. */
  options.version = DGC_APPLY_OPTIONS_VERSION;
  CHECK(dgc_apply_ex(&report, client, plan, &options) == DGC_EUNAVAILABLE);
  CHECK(dgc_apply(&report, client, plan) == DGC_EUNAVAILABLE);
  CHECK(report == NULL);
  dgc_client_free(client);
  dgc_plan_free(plan);
  dgc_policy_free(policy);
  dgc_inventory_free(inv);
}

static void test_snapshot_plan(const char* snapshot, size_t snapshot_len,
                               const char* policy_json, size_t policy_len) {
  dgc_inventory* inv = NULL;
  dgc_policy* policy = NULL;
  dgc_plan *plan = NULL, *reread = NULL;
  dgc_buf df = {NULL, 0}, plan_json = {NULL, 0};

  CHECK(dgc_inventory_from_snapshot(&inv, snapshot, snapshot_len) == DGC_OK);
  CHECK(dgc_df(&df, inv) == DGC_OK);
  CHECK(df.ptr != NULL && strstr(df.ptr, "\"dgc.df/v1\"") != NULL);
  CHECK(df.ptr != NULL && df.ptr[df.size] == '\0');
  CHECK(df.ptr != NULL && json_number(df.ptr, "layers_bytes") > 0);
  CHECK(dgc_policy_from_json(&policy, policy_json, policy_len) == DGC_OK);
  CHECK(dgc_plan_compute(&plan, inv, policy, 0) == DGC_OK);
  CHECK(dgc_plan_to_json(&plan_json, plan) == DGC_OK);
  CHECK(plan_json.ptr != NULL && strstr(plan_json.ptr, "\"dgc.plan/v1\""));
  /* The value and the document agree, and the plan frees something. */
  CHECK(dgc_plan_reclaimable_bytes(plan) > 0);
  CHECK(plan_json.ptr != NULL &&
        json_number(plan_json.ptr, "reclaimable_bytes") ==
            dgc_plan_reclaimable_bytes(plan));
  /* A saved plan reads back with the same bytes. */
  CHECK(dgc_plan_from_json(&reread, plan_json.ptr, plan_json.size) == DGC_OK);
  CHECK(dgc_plan_reclaimable_bytes(reread) == dgc_plan_reclaimable_bytes(plan));

  dgc_buf_dispose(&df);
  CHECK(df.ptr == NULL && df.size == 0);
  dgc_buf_dispose(&plan_json);
  dgc_plan_free(reread);
  dgc_plan_free(plan);
  dgc_policy_free(policy);
  dgc_inventory_free(inv);
}

static void test_live_engine(const char* host) {
  dgc_client *client = NULL, *nowhere = NULL;
  dgc_inventory* inv = NULL;
  dgc_buf df = {NULL, 0};

  CHECK(dgc_client_new(&client, host) == DGC_OK);
  CHECK(dgc_inventory_fetch(&inv, client) == DGC_OK);
  CHECK(dgc_df(&df, inv) == DGC_OK);
  CHECK(df.ptr != NULL && strstr(df.ptr, host) != NULL);
  dgc_buf_dispose(&df);
  dgc_inventory_free(inv);
  inv = NULL;

  CHECK(dgc_client_new(&nowhere, "unix:///nonexistent/docker.sock") == DGC_OK);
  CHECK(dgc_inventory_fetch(&inv, nowhere) == DGC_EUNAVAILABLE);
  CHECK(inv == NULL);
  CHECK(strstr(dgc_error_last(), "unix:///nonexistent/docker.sock") != NULL);
  dgc_client_free(nowhere);
  dgc_client_free(client);
}

int main(int argc, char** argv) {
  size_t snapshot_len = 0, policy_len = 0;
  char *snapshot, *policy;
  const char* host = getenv("DGC_TEST_DOCKER_HOST");
  if (argc != 3) {
    fprintf(stderr, "usage: %s SNAPSHOT POLICY\n", argv[0]);
    return 2;
  }
  snapshot = read_file(argv[1], &snapshot_len);
  policy = read_file(argv[2], &policy_len);
  if (snapshot == NULL || policy == NULL) {
    fprintf(stderr, "cannot read %s or %s\n", argv[1], argv[2]);
    return 2;
  }
  test_arguments_and_errors();
  test_error_names_and_versions();
  test_policy_files(argv[2]);
  test_apply_arguments(snapshot, snapshot_len);
  test_snapshot_plan(snapshot, snapshot_len, policy, policy_len);
  if (host != NULL && host[0] != '\0') test_live_engine(host);
  free(snapshot);
  free(policy);
  if (failures > 0) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("ok\n");
  return 0;
}
