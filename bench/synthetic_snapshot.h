// Synthetic dgc.snapshot/v1 documents of any size for benchmarks: a busy CI
// host's images (many repositories and tags, shared base layers, dangling
// images, containers), with bodies shaped like API 1.41's.
#ifndef DGC_BENCH_SYNTHETIC_SNAPSHOT_H_
#define DGC_BENCH_SYNTHETIC_SNAPSHOT_H_

#include <string>

namespace dgc::bench {

struct SyntheticSnapshot {
  std::string snapshot;    // the whole dgc.snapshot/v1 document
  std::string image_list;  // the "images" body alone (GET /images/json)
};

// MakeSyntheticSnapshot returns an inventory of `images` images, 6 to 12
// layers each, drawn from a few shared bases; deterministic.
SyntheticSnapshot MakeSyntheticSnapshot(int images);

// IncidentLikePolicy returns a gc.json for the synthetic inventory.
std::string IncidentLikePolicy();

}  // namespace dgc::bench

#endif  // DGC_BENCH_SYNTHETIC_SNAPSHOT_H_
