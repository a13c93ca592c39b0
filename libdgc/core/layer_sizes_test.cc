// Tests of LayerSizesFromHistory and IsMetadataStep (core/layer_sizes.h):
// step-by-step pairing, greedy placement of the steps with bytes, empty-tar
// layers, zero-size layers whose position is a guess, sizes that do not add
// up, empty histories, and every history recorded from a real engine.
#include "core/layer_sizes.h"

#include <cstdint>
#include <string>
#include <vector>

#include "core/test_inventory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dgc {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kGuessProblem[] =
    "the history does not show which of its layers are empty; sizes of "
    "layers shared with other images may be misattributed";

const std::string kA = test_support::Id("diff a");
const std::string kB = test_support::Id("diff b");
const std::string kC = test_support::Id("diff c");
const std::string kEmpty(kEmptyLayerDiffId);

// History entries are written newest first, as the engine sends them.
using test_support::Step;

// ---- pairing steps with layers ----

TEST(LayerSizesTest, PairsStepsWithLayersIncludingAZeroSizeLayerInTheMiddle) {
  // RUN touch creates a real layer of 0 bytes; ENV and CMD create none.
  // Greedy placement would put 100 on the middle layer; pairing does not.
  LayerSizes sizes = LayerSizesFromHistory(
      {kA, kB, kC},
      {Step(0, "CMD [\"/app\"]"), Step(100, "COPY app /app"),
       Step(0, "RUN touch /marker"), Step(0, "ENV A=b"),
       Step(500, "ADD rootfs.tar /")},
      600);
  EXPECT_TRUE(sizes.exact) << sizes.problem;
  EXPECT_EQ(sizes.problem, "");
  EXPECT_THAT(sizes.sizes, ElementsAre(500u, 0u, 100u));
}

TEST(LayerSizesTest, PairsClassicBuilderHistory) {
  LayerSizes sizes = LayerSizesFromHistory(
      {kA, kB, kC},
      {Step(0, "/bin/sh -c #(nop)  CMD [\"sh\"]"),
       Step(0, "/bin/sh -c mkdir /empty"),
       Step(0, "/bin/sh -c #(nop)  ENV X=1"),
       Step(40, "/bin/sh -c #(nop) COPY file:abc in /app "),
       Step(1000, "/bin/sh -c #(nop) ADD file:def in / ")},
      1040);
  EXPECT_TRUE(sizes.exact) << sizes.problem;
  EXPECT_THAT(sizes.sizes, ElementsAre(1000u, 40u, 0u));
}

TEST(LayerSizesTest, PairingGivesAnEmptyTarLayerItsZeroBytes) {
  LayerSizes sizes = LayerSizesFromHistory(
      {kA, kEmpty, kB},
      {Step(100, "RUN make"), Step(0, "WORKDIR /src"), Step(50, "RUN base")},
      150);
  EXPECT_TRUE(sizes.exact) << sizes.problem;
  EXPECT_THAT(sizes.sizes, ElementsAre(50u, 0u, 100u));
}

// ---- greedy placement ----

TEST(LayerSizesTest, PlacesStepsWithBytesWhenClassificationDoesNotMatch) {
  // Three layer-looking steps for two layers: pairing is impossible, but
  // every layer gets one step with bytes, so the placement is certain.
  LayerSizes sizes = LayerSizesFromHistory(
      {kA, kB}, {Step(100, "RUN b"), Step(0, "RUN true"), Step(50, "RUN a")},
      150);
  EXPECT_TRUE(sizes.exact) << sizes.problem;
  EXPECT_THAT(sizes.sizes, ElementsAre(50u, 100u));
}

TEST(LayerSizesTest, GreedyPlacementSkipsEmptyTarLayers) {
  // The history lost the step of the empty layer; its diff ID says it is
  // the empty tar, so the bytes still land on the right layers.
  LayerSizes sizes = LayerSizesFromHistory(
      {kEmpty, kA, kEmpty, kB}, {Step(100, "RUN b"), Step(50, "RUN a")}, 150);
  EXPECT_TRUE(sizes.exact) << sizes.problem;
  EXPECT_THAT(sizes.sizes, ElementsAre(0u, 50u, 0u, 100u));
}

TEST(LayerSizesTest, AnEmptyTarPairedWithBytesFallsBackToPlacement) {
  // Oldest first the layer steps are [100, 0]: pairing would give the empty
  // tar 100 bytes, which cannot be; placement puts them on kA.
  LayerSizes sizes = LayerSizesFromHistory(
      {kEmpty, kA}, {Step(0, "RUN rm -rf /tmp/x"), Step(100, "RUN a")}, 100);
  EXPECT_TRUE(sizes.exact) << sizes.problem;
  EXPECT_THAT(sizes.sizes, ElementsAre(0u, 100u));
}

TEST(LayerSizesTest, OnlyEmptyTarLayersAndNoBytes) {
  LayerSizes sizes = LayerSizesFromHistory({kEmpty, kEmpty}, {}, 0);
  EXPECT_TRUE(sizes.exact) << sizes.problem;
  EXPECT_THAT(sizes.sizes, ElementsAre(0u, 0u));
}

// ---- guesses ----

TEST(LayerSizesTest, ZeroSizeLayerBelowALayerWithBytesIsInexact) {
  // Layers kA (really 0 bytes) and kB (100 bytes), a history with only the
  // step with bytes and metadata: which layer is empty is a guess.
  LayerSizes sizes = LayerSizesFromHistory(
      {kA, kB}, {Step(100, "RUN b"), Step(0, "ENV X=1")}, 100);
  EXPECT_FALSE(sizes.exact);
  EXPECT_EQ(sizes.problem, kGuessProblem);
  ASSERT_EQ(sizes.sizes.size(), 2u);
  EXPECT_EQ(sizes.sizes[0] + sizes.sizes[1], 100u);
}

TEST(LayerSizesTest, TooManyZeroSizeStepsMakeTheZeroLayerAGuess) {
  LayerSizes sizes = LayerSizesFromHistory(
      {kA, kB, kC},
      {Step(7, "RUN c"), Step(0, "RUN x"), Step(0, "RUN y"), Step(0, "RUN z"),
       Step(3, "RUN a")},
      10);
  EXPECT_FALSE(sizes.exact);
  EXPECT_EQ(sizes.problem, kGuessProblem);
  ASSERT_EQ(sizes.sizes.size(), 3u);
}

// ---- sizes that do not add up ----

TEST(LayerSizesTest, SizesThatDoNotAddUpAreReported) {
  LayerSizes sizes = LayerSizesFromHistory({kA}, {Step(100, "RUN a")}, 150);
  EXPECT_FALSE(sizes.exact);
  EXPECT_EQ(sizes.problem,
            "layer sizes from history add up to 100 bytes, but the image is "
            "150 bytes");
  EXPECT_THAT(sizes.sizes, ElementsAre(100u));
}

TEST(LayerSizesTest, MoreStepsWithBytesThanLayersDoNotAddUp) {
  LayerSizes sizes =
      LayerSizesFromHistory({kA}, {Step(10, "RUN b"), Step(20, "RUN a")}, 30);
  EXPECT_FALSE(sizes.exact);
  EXPECT_EQ(sizes.problem,
            "layer sizes from history add up to 20 bytes, but the image is "
            "30 bytes");
  EXPECT_THAT(sizes.sizes, ElementsAre(20u));
}

TEST(LayerSizesTest, HistoryLargerThanTheImageIsReported) {
  LayerSizes sizes = LayerSizesFromHistory(
      {kA, kB}, {Step(100, "RUN b"), Step(50, "RUN a")}, 149);
  EXPECT_FALSE(sizes.exact);
  EXPECT_EQ(sizes.problem,
            "layer sizes from history add up to 150 bytes, but the image is "
            "149 bytes");
}

// ---- empty histories ----

TEST(LayerSizesTest, EmptyHistoryOfAnEmptyImageIsExactZeros) {
  LayerSizes sizes = LayerSizesFromHistory({kA, kB}, {}, 0);
  EXPECT_TRUE(sizes.exact) << sizes.problem;
  EXPECT_THAT(sizes.sizes, ElementsAre(0u, 0u));
}

TEST(LayerSizesTest, EmptyHistoryOfANonEmptyImageIsReported) {
  LayerSizes sizes = LayerSizesFromHistory({kA, kB}, {}, 10);
  EXPECT_FALSE(sizes.exact);
  EXPECT_EQ(sizes.problem,
            "layer sizes from history add up to 0 bytes, but the image is 10 "
            "bytes");
  EXPECT_THAT(sizes.sizes, ElementsAre(0u, 0u));
}

TEST(LayerSizesTest, NoLayersAndNoHistory) {
  LayerSizes sizes = LayerSizesFromHistory({}, {}, 0);
  EXPECT_TRUE(sizes.exact);
  EXPECT_THAT(sizes.sizes, IsEmpty());
}

TEST(LayerSizesTest, OneSizePerLayerWhateverTheHistory) {
  const std::vector<std::vector<HistoryEntry>> histories = {
      {},
      {Step(1, "RUN a")},
      {Step(1, "RUN a"), Step(2, "RUN b"), Step(3, "RUN c"), Step(4, "RUN d")},
      {Step(0, "ENV a=b"), Step(0, "LABEL x=y")}};
  for (const auto& history : histories) {
    LayerSizes sizes = LayerSizesFromHistory({kA, kB, kC}, history, 6);
    EXPECT_EQ(sizes.sizes.size(), 3u) << history.size() << " steps";
    EXPECT_EQ(sizes.exact, sizes.problem.empty());
  }
}

// ---- recorded engine histories ----

TEST(LayerSizesTest, EveryRecordedHistoryIsExactAndAddsUp) {
  for (const char* api : {"api-1.41", "api-1.52"}) {
    absl::StatusOr<EngineBodies> bodies = test_support::RecordedBodies(api);
    ASSERT_TRUE(bodies.ok()) << bodies.status();
    for (const ImageSummary& image : bodies->images) {
      const ImageDetails& details = bodies->details.at(image.id);
      std::vector<std::string_view> diff_ids(details.inspect.diff_ids.begin(),
                                             details.inspect.diff_ids.end());
      LayerSizes sizes =
          LayerSizesFromHistory(diff_ids, details.history, image.size);
      EXPECT_TRUE(sizes.exact)
          << api << " " << image.id << ": " << sizes.problem;
      uint64_t total = 0;
      for (uint64_t size : sizes.sizes) total += size;
      EXPECT_EQ(total, static_cast<uint64_t>(image.size)) << image.id;
    }
  }
}

TEST(LayerSizesTest, RecordedImageWithAZeroByteLayer) {
  // testdata/make_images.py: busybox, a layer holding only a directory
  // (0 bytes), a 300-byte config file; history with "RUN mkdir /empty" of
  // size 0 and a CMD step.
  absl::StatusOr<EngineBodies> bodies =
      test_support::RecordedBodies("api-1.41");
  ASSERT_TRUE(bodies.ok()) << bodies.status();
  const ImageDetails& details = bodies->details.at(
      "sha256:"
      "9ca9d53f214849d83129b1170a7ffb23e580d323c2620b85a221f31c12616a91");
  std::vector<std::string_view> diff_ids(details.inspect.diff_ids.begin(),
                                         details.inspect.diff_ids.end());
  LayerSizes sizes = LayerSizesFromHistory(diff_ids, details.history, 1982556);
  EXPECT_TRUE(sizes.exact) << sizes.problem;
  EXPECT_THAT(sizes.sizes, ElementsAre(1982256u, 0u, 300u));
}

// ---- IsMetadataStep ----

TEST(IsMetadataStepTest, BuildKitInstructionsWithoutLayers) {
  for (const char* step :
       {"ENV MODE=prod", "LABEL org.example.team=core", "CMD [\"/bin/sh\"]",
        "ENTRYPOINT [\"/app\"]", "EXPOSE map[80/tcp:{}]", "USER app",
        "ARG VERSION=1", "VOLUME [/data]", "STOPSIGNAL SIGTERM",
        "HEALTHCHECK &{[\"CMD\" \"true\"] 0s 0s 0s 0s 0}",
        "SHELL [\"/bin/bash\" \"-c\"]", "ONBUILD RUN make",
        "MAINTAINER someone"}) {
    EXPECT_TRUE(IsMetadataStep(step)) << step;
  }
}

TEST(IsMetadataStepTest, ClassicBuilderNopStepsExceptCopyAndAdd) {
  EXPECT_TRUE(IsMetadataStep("/bin/sh -c #(nop)  ENV GREETING=hello"));
  EXPECT_TRUE(IsMetadataStep("/bin/sh -c #(nop)  LABEL stage=built"));
  EXPECT_TRUE(IsMetadataStep("/bin/sh -c #(nop) WORKDIR /app"));
  EXPECT_FALSE(IsMetadataStep("/bin/sh -c #(nop) COPY file:9b2f in /app "));
  EXPECT_FALSE(IsMetadataStep("/bin/sh -c #(nop) ADD file:c5377eaa in / "));
  EXPECT_FALSE(IsMetadataStep("/bin/sh -c #(nop) COPY dir:1a2b in /srv "));
}

TEST(IsMetadataStepTest, StepsThatCreateLayers) {
  for (const char* step :
       {"", "RUN /bin/sh -c apt-get update # buildkit", "COPY data /app/data",
        "ADD rootfs.tar / # buildkit", "WORKDIR /srv",
        "/bin/sh -c echo hi > /hello.txt", "COPY --from=build /out /app",
        "ENVIRONMENT", "ENV", "LABELS x", "env a=b"}) {
    EXPECT_FALSE(IsMetadataStep(step)) << step;
  }
}

}  // namespace
}  // namespace dgc
