/* Uses the installed libdgc: prints its version and the reclaimable bytes
 * of a policy over a snapshot (argv[1] snapshot, argv[2] policy). */
#include <dgc/dgc.h>
#include <stdio.h>
#include <stdlib.h>

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *data;
  long size;
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  size = ftell(f);
  fseek(f, 0, SEEK_SET);
  data = malloc((size_t)size);
  if (data == NULL || fread(data, 1, (size_t)size, f) != (size_t)size) {
    free(data);
    data = NULL;
  }
  fclose(f);
  *len = (size_t)size;
  return data;
}

int main(int argc, char **argv) {
  size_t snapshot_len = 0, policy_len = 0;
  char *snapshot, *policy_json;
  dgc_inventory *inv = NULL;
  dgc_policy *policy = NULL;
  dgc_plan *plan = NULL;
  int rc;
  if (argc != 3) return 2;
  snapshot = slurp(argv[1], &snapshot_len);
  policy_json = slurp(argv[2], &policy_len);
  if (snapshot == NULL || policy_json == NULL) return 2;
  rc = dgc_inventory_from_snapshot(&inv, snapshot, snapshot_len);
  if (rc == 0) rc = dgc_policy_from_json(&policy, policy_json, policy_len);
  if (rc == 0) rc = dgc_plan_compute(&plan, inv, policy, 0);
  if (rc != 0) {
    fprintf(stderr, "libdgc %s: %s\n", dgc_version(), dgc_error_last());
  } else {
    printf("libdgc %s: %llu reclaimable bytes\n", dgc_version(),
           (unsigned long long)dgc_plan_reclaimable_bytes(plan));
  }
  dgc_plan_free(plan);
  dgc_policy_free(policy);
  dgc_inventory_free(inv);
  free(snapshot);
  free(policy_json);
  return rc == 0 ? 0 : 1;
}
