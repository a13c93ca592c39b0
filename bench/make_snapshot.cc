// Writes a synthetic dgc.snapshot/v1 of N images and the policy to plan it
// with (bench/synthetic_snapshot.h), for whole-process comparisons:
//
//   dgc_make_snapshot 100000 snapshot.json gc.json
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "bench/synthetic_snapshot.h"

int main(int argc, char** argv) {
  if (argc != 4 || std::atoi(argv[1]) <= 0) {
    std::fprintf(stderr, "usage: %s IMAGES SNAPSHOT_FILE POLICY_FILE\n",
                 argv[0]);
    return 2;
  }
  dgc::bench::SyntheticSnapshot made =
      dgc::bench::MakeSyntheticSnapshot(std::atoi(argv[1]));
  std::ofstream(argv[2], std::ios::binary) << made.snapshot;
  std::ofstream(argv[3], std::ios::binary) << dgc::bench::IncidentLikePolicy();
  return 0;
}
