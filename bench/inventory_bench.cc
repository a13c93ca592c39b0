// Benchmarks of the inventory path, each beside its baseline so results
// read as ratios: libdgc's parse of /images/json against one plain simdjson
// pass over the same bytes (DOM parse, all values validated), and the whole
// snapshot → inventory → plan pipeline at several sizes.
//
//   build/bench/dgc_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include "bench/synthetic_snapshot.h"
#include "core/accounting.h"
#include "core/disk_usage.h"
#include "core/engine_bodies.h"
#include "core/json_reader.h"
#include "core/planner.h"
#include "core/policy.h"
#include "core/snapshot.h"
#include "core/snapshot_inventory.h"

namespace dgc::bench {
namespace {

void SetBytes(benchmark::State& state, size_t bytes) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(bytes));
}

// One simdjson pass (stage 1 and the tape, every value validated) over
// `text`: the baseline each libdgc benchmark is read against.
void SimdjsonDomPass(benchmark::State& state, const std::string& text) {
  PaddedBody body(text);
  simdjson::dom::parser parser;
  for (auto _ : state) {
    simdjson::dom::element root;
    if (parser.parse(body.padded().data(), body.view().size(), false)
            .get(root) != simdjson::SUCCESS) {
      state.SkipWithError("parse failed");
    }
    benchmark::DoNotOptimize(root);
  }
  SetBytes(state, body.view().size());
}

void BM_ImageList_SimdjsonDomBaseline(benchmark::State& state) {
  SimdjsonDomPass(
      state,
      MakeSyntheticSnapshot(static_cast<int>(state.range(0))).image_list);
}

// libdgc: ParseImageList into ImageSummary structs.
void BM_ImageList_Libdgc(benchmark::State& state) {
  SyntheticSnapshot data =
      MakeSyntheticSnapshot(static_cast<int>(state.range(0)));
  PaddedBody body(data.image_list);
  simdjson::ondemand::parser parser;
  for (auto _ : state) {
    std::vector<ImageSummary> images;
    absl::Status status = ParseDocument(
        parser, body, [&](auto& v) { return ParseImageList(v, &images); });
    if (!status.ok()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(images);
  }
  SetBytes(state, body.view().size());
}

void BM_Snapshot_SimdjsonDomBaseline(benchmark::State& state) {
  SimdjsonDomPass(
      state, MakeSyntheticSnapshot(static_cast<int>(state.range(0))).snapshot);
}

// libdgc: snapshot → Inventory in one pass, as `plan --from` reads it.
void BM_Snapshot_ToInventory(benchmark::State& state) {
  SyntheticSnapshot data =
      MakeSyntheticSnapshot(static_cast<int>(state.range(0)));
  PaddedBody body(data.snapshot);
  for (auto _ : state) {
    bool has_content = false;
    absl::StatusOr<Inventory> inventory =
        BuildInventoryFromSnapshot(body, &has_content);
    if (!inventory.ok()) state.SkipWithError("inventory failed");
    benchmark::DoNotOptimize(inventory);
  }
  SetBytes(state, body.view().size());
}

// libdgc: snapshot → EngineBodies → Inventory, the way of documents not
// laid out for one pass.
void BM_Snapshot_ThroughEngineBodies(benchmark::State& state) {
  SyntheticSnapshot data =
      MakeSyntheticSnapshot(static_cast<int>(state.range(0)));
  PaddedBody body(data.snapshot);
  for (auto _ : state) {
    absl::StatusOr<EngineBodies> bodies = ParseSnapshot(body);
    if (!bodies.ok()) state.SkipWithError("snapshot failed");
    absl::StatusOr<Inventory> inventory = BuildInventory(*std::move(bodies));
    if (!inventory.ok()) state.SkipWithError("inventory failed");
    benchmark::DoNotOptimize(inventory);
  }
  SetBytes(state, body.view().size());
}

// The planner and disk usage on a built inventory.
void BM_Plan(benchmark::State& state) {
  SyntheticSnapshot data =
      MakeSyntheticSnapshot(static_cast<int>(state.range(0)));
  absl::StatusOr<Inventory> inventory =
      BuildInventory(*ParseSnapshot(PaddedBody(data.snapshot)));
  absl::StatusOr<Policy> policy =
      ParsePolicy(PaddedBody(IncidentLikePolicy()), "bench");
  for (auto _ : state) {
    Plan plan = ComputePlan(*inventory, *policy, inventory->captured_at);
    benchmark::DoNotOptimize(plan);
  }
  state.counters["images"] = static_cast<double>(state.range(0));
}

void BM_DiskUsage(benchmark::State& state) {
  SyntheticSnapshot data =
      MakeSyntheticSnapshot(static_cast<int>(state.range(0)));
  absl::StatusOr<Inventory> inventory =
      BuildInventory(*ParseSnapshot(PaddedBody(data.snapshot)));
  for (auto _ : state) {
    DiskUsage usage = ComputeDiskUsage(*inventory);
    benchmark::DoNotOptimize(usage);
  }
  state.counters["images"] = static_cast<double>(state.range(0));
}

BENCHMARK(BM_ImageList_SimdjsonDomBaseline)->Arg(1000)->Arg(20000);
BENCHMARK(BM_ImageList_Libdgc)->Arg(1000)->Arg(20000);
BENCHMARK(BM_Snapshot_SimdjsonDomBaseline)->Arg(1000)->Arg(20000);
BENCHMARK(BM_Snapshot_ToInventory)->Arg(1000)->Arg(20000);
BENCHMARK(BM_Snapshot_ThroughEngineBodies)->Arg(1000)->Arg(20000);
BENCHMARK(BM_Plan)->Arg(1000)->Arg(5000)->Arg(20000);
BENCHMARK(BM_DiskUsage)->Arg(1000)->Arg(20000);

}  // namespace
}  // namespace dgc::bench

BENCHMARK_MAIN();
