// A snapshot read while it arrives is read exactly as the whole text is:
// ArrivingText's waiting and readable bytes, and the one-pass reader fed by
// a producer thread in small random pieces, which must give the same df
// and plan (byte for byte in JSON) on recorded and generated snapshots, and
// the same outcome on every prefix of one (a text that ends early must not
// be read as a shorter whole: a number cut at the end of what arrived is
// not the number).
#include "core/arriving_text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <thread>

#include "bench/synthetic_snapshot.h"
#include "core/disk_usage.h"
#include "core/disk_usage_json.h"
#include "core/plan_json.h"
#include "core/planner.h"
#include "core/snapshot.h"
#include "core/snapshot_inventory.h"
#include "core/test_inventory.h"

namespace dgc {
namespace {

constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;

// Feeds `text` to `arriving` on a thread of its own, in pieces of 1 to
// `largest` bytes (seeded), yielding now and then so readers catch up.
class Producer {
 public:
  Producer(const std::string& text, ArrivingText* arriving, size_t largest,
           uint32_t seed)
      : thread_([&text, arriving, largest, seed] {
          std::mt19937 random(seed);
          std::uniform_int_distribution<size_t> piece(1, largest);
          size_t sent = 0;
          while (sent < text.size()) {
            size_t bytes = std::min(piece(random), text.size() - sent);
            std::copy_n(text.data() + sent, bytes, arriving->space());
            arriving->Arrived(bytes);
            sent += bytes;
            if (random() % 8 == 0) std::this_thread::yield();
          }
          arriving->Finish(absl::OkStatus());
        }) {}
  ~Producer() { thread_.join(); }

 private:
  std::thread thread_;
};

// The df and plan documents of an inventory, or its error.
std::string Outcome(const absl::StatusOr<Inventory>& inventory) {
  if (!inventory.ok()) return inventory.status().ToString();
  Policy policy = DefaultPolicy();
  Plan plan = ComputePlan(*inventory, policy, inventory->captured_at);
  return DiskUsageToJson(*inventory, ComputeDiskUsage(*inventory), &plan) +
         PlanToJson(plan);
}

std::string WholeOutcome(const std::string& text) {
  bool has_content = false;
  return Outcome(BuildInventoryFromSnapshot(PaddedBody(text), &has_content));
}

std::string ArrivingOutcome(const std::string& text, size_t largest,
                            uint32_t seed) {
  ArrivingText arriving(text.size());
  absl::StatusOr<Inventory> inventory;
  {
    Producer producer(text, &arriving, largest, seed);
    bool has_content = false;
    inventory = BuildInventoryFromSnapshot(arriving, &has_content);
  }
  return Outcome(inventory);
}

TEST(ArrivingTextTest, ReadersSeeOnlyBytesWithArrivedPaddingAfterThem) {
  ArrivingText text(1000);
  EXPECT_EQ(text.room(), 1000u);
  std::fill_n(text.space(), 100, 'a');
  text.Arrived(100);
  EXPECT_EQ(text.WaitBeyond(0).size(), 100 - kPadding);
  EXPECT_FALSE(text.AllOf(text.WaitBeyond(0)));
  std::fill_n(text.space(), 10, 'b');
  text.Arrived(10);
  EXPECT_EQ(text.room(), 890u);
  std::string_view part = text.WaitBeyond(100 - kPadding);
  EXPECT_EQ(part.size(), 110 - kPadding);
  text.Finish(absl::OkStatus());
  part = text.WaitBeyond(0);
  EXPECT_EQ(part, std::string(100, 'a') + std::string(10, 'b'));
  EXPECT_TRUE(text.AllOf(part));
  EXPECT_EQ(text.whole().view(), part);
  EXPECT_TRUE(text.status().ok());
}

TEST(ArrivingTextTest, AWaitEndsWhenTheTextEndsShort) {
  ArrivingText text(1000);
  std::thread producer([&] {
    std::fill_n(text.space(), 5, 'x');
    text.Arrived(5);
    text.Finish(absl::DataLossError("cut"));
  });
  std::string_view part = text.WaitBeyond(500);
  producer.join();
  EXPECT_EQ(part, "xxxxx");
  EXPECT_TRUE(text.AllOf(part));
  EXPECT_TRUE(absl::IsDataLoss(text.status()));
}

TEST(ArrivingTextTest, AWholeBodyHasArrivedAlready) {
  PaddedBody body(std::string("[1, 2]"));
  ArrivingText text(body);
  EXPECT_EQ(text.WaitBeyond(0), "[1, 2]");
  EXPECT_TRUE(text.AllOf(text.WaitBeyond(0)));
}

TEST(ArrivingCursorTest, AStepThatRanOutRunsAgainOnMoreText) {
  const std::string json = R"({"a": 12345, "b": [1, {"c": "}"}]})";
  ArrivingText text(json.size());
  Producer producer(json, &text, 1, 7);
  ArrivingCursor cursor(text, 0);
  std::string_view key, value;
  auto consume = [&](char c) {
    return cursor.Step([c](JsonCursor& j) { return j.Consume(c); });
  };
  ASSERT_TRUE(consume('{'));
  ASSERT_TRUE(cursor.Step([&](JsonCursor& j) { return j.Key(&key); }));
  EXPECT_EQ(key, "a");
  ASSERT_TRUE(consume(':'));
  ASSERT_TRUE(cursor.Step([&](JsonCursor& j) { return j.Value(&value); }));
  EXPECT_EQ(value, "12345");  // not a prefix of it
  ASSERT_TRUE(consume(','));
  ASSERT_TRUE(cursor.Step([&](JsonCursor& j) { return j.Key(&key); }));
  ASSERT_TRUE(consume(':'));
  ASSERT_TRUE(cursor.Step([&](JsonCursor& j) { return j.Value(&value); }));
  EXPECT_EQ(value, R"([1, {"c": "}"}])");
  EXPECT_FALSE(consume(','));
  EXPECT_TRUE(consume('}'));
  EXPECT_TRUE(cursor.AtEnd());
}

TEST(ArrivingCursorTest, ANumberCutWhereTheTextEndsForNowIsTakenWhole) {
  const std::string json = R"({"pad": ")" + std::string(100, 'x') +
                           R"(", "a": 12345, "tail": ")" +
                           std::string(100, 'y') + R"("})";
  const size_t number = json.find("12345");
  for (size_t cut = number; cut <= number + 5; ++cut) {
    // What a reader may read ends at `cut` until the rest comes, later.
    ArrivingText text(json.size());
    std::thread producer([&] {
      size_t first = cut + kPadding;
      std::copy_n(json.data(), first, text.space());
      text.Arrived(first);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      std::copy_n(json.data() + first, json.size() - first, text.space());
      text.Arrived(json.size() - first);
      text.Finish(absl::OkStatus());
    });
    ArrivingCursor cursor(text, number);
    std::string_view value;
    EXPECT_TRUE(cursor.Step([&](JsonCursor& j) { return j.Value(&value); }));
    EXPECT_EQ(value, "12345") << "cut at " << cut;
    producer.join();
  }
}

TEST(ArrivingSnapshotTest,
     RecordedSnapshotsReadAsTheyArriveGiveTheSameDfAndPlan) {
  for (const char* engine : {"api-1.41", "api-1.52", "api-1.45-containerd"}) {
    absl::StatusOr<RawEngineBodies> raw =
        test_support::RecordedRawBodies(engine);
    ASSERT_TRUE(raw.ok()) << raw.status();
    std::string text = SnapshotJson(*raw);
    std::string whole = WholeOutcome(text);
    ASSERT_EQ(whole.find("INVALID_ARGUMENT"), std::string::npos) << whole;
    for (uint32_t seed = 1; seed <= 5; ++seed) {
      EXPECT_EQ(ArrivingOutcome(text, 1 + seed * 97, seed), whole)
          << engine << ", seed " << seed;
    }
  }
}

TEST(ArrivingSnapshotTest,
     AGeneratedSnapshotReadAsItArrivesGivesTheSameDfAndPlan) {
  std::string text = bench::MakeSyntheticSnapshot(3000).snapshot;
  std::string whole = WholeOutcome(text);
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    EXPECT_EQ(ArrivingOutcome(text, size_t{1} << (8 + 3 * seed), seed), whole)
        << "seed " << seed;
  }
}

TEST(ArrivingSnapshotTest, EveryPrefixReadsAsTheSameTextWhole) {
  absl::StatusOr<RawEngineBodies> raw =
      test_support::RecordedRawBodies("api-1.41");
  ASSERT_TRUE(raw.ok()) << raw.status();
  std::string text = SnapshotJson(*raw);
  // Every length near the start and the end, and a spread between.
  for (size_t length = 0; length <= text.size();
       length += length < 300 || text.size() - length < 300 ? 1 : 37) {
    std::string prefix = text.substr(0, length);
    EXPECT_EQ(ArrivingOutcome(prefix, 16, static_cast<uint32_t>(length)),
              WholeOutcome(prefix))
        << "the first " << length << " bytes";
  }
}

}  // namespace
}  // namespace dgc
