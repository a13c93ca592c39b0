// Synthetic snapshots for benchmarks (see synthetic_snapshot.h).
#include "bench/synthetic_snapshot.h"

#include <random>
#include <vector>

#include "absl/strings/str_format.h"
#include "core/sha256.h"

namespace dgc::bench {
namespace {

std::string Digest(const std::string& seed) {
  return "sha256:" + Sha256Hex(seed);
}

struct SyntheticImage {
  std::string id;
  std::vector<std::string> tags;
  std::vector<std::string> diff_ids;
  std::vector<int64_t> sizes;
  int64_t created;
};

std::string Quoted(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    out += absl::StrFormat("%s\"%s\"", i ? "," : "", items[i]);
  }
  return out + "]";
}

std::vector<SyntheticImage> MakeImages(int count) {
  std::mt19937 random(42);
  constexpr int kBases = 8;
  constexpr int kRepositories = 200;
  std::vector<SyntheticImage> images;
  for (int i = 0; i < count; ++i) {
    SyntheticImage image;
    int base = static_cast<int>(random() % kBases);
    int repository = static_cast<int>(random() % kRepositories);
    for (int layer = 0; layer < 4; ++layer) {  // shared base layers
      image.diff_ids.push_back(
          Digest(absl::StrFormat("base%d-%d", base, layer)));
      image.sizes.push_back(5'000'000 + 1'000'000 * layer);
    }
    int own = 2 + static_cast<int>(random() % 7);
    for (int layer = 0; layer < own; ++layer) {
      image.diff_ids.push_back(Digest(absl::StrFormat("own%d-%d", i, layer)));
      image.sizes.push_back(static_cast<int64_t>(random() % 20'000'000));
    }
    image.id = Digest(absl::StrFormat("image%d", i));
    if (random() % 10 != 0) {  // one in ten is dangling
      image.tags.push_back(
          absl::StrFormat("ci/service-%d:build-%d", repository, i));
      if (random() % 5 == 0)
        image.tags.push_back(
            absl::StrFormat("ci/service-%d:latest-%d", repository, i));
    }
    image.created = 1'790'000'000 + static_cast<int64_t>(random() % 5'000'000);
    images.push_back(std::move(image));
  }
  return images;
}

std::string ImageListBody(const std::vector<SyntheticImage>& images) {
  std::string out = "[";
  for (size_t i = 0; i < images.size(); ++i) {
    const SyntheticImage& image = images[i];
    int64_t size = 0;
    for (int64_t s : image.sizes) size += s;
    out += absl::StrFormat(
        "%s{\"Containers\":-1,\"Created\":%d,\"Id\":\"%s\",\"Labels\":"
        "{\"org.opencontainers.image.source\":\"https://example.com/repo\"},"
        "\"ParentId\":\"\",\"RepoDigests\":null,\"RepoTags\":%s,"
        "\"SharedSize\":-1,\"Size\":%d,\"VirtualSize\":%d}",
        i ? "," : "", image.created, image.id,
        image.tags.empty() ? "[\"<none>:<none>\"]" : Quoted(image.tags), size,
        size);
  }
  return out + "]";
}

std::string InspectBody(const SyntheticImage& image) {
  int64_t size = 0;
  for (int64_t s : image.sizes) size += s;
  return absl::StrFormat(
      "{\"Id\":\"%s\",\"RepoTags\":%s,\"RepoDigests\":[],\"Parent\":\"\","
      "\"Comment\":\"\",\"Created\":\"2026-10-16T00:00:00.123456789Z\","
      "\"DockerVersion\":\"20.10.24\",\"Author\":\"\",\"Config\":{\"Env\":["
      "\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],"
      "\"Cmd\":[\"/bin/sh\"],\"Labels\":{\"org.opencontainers.image.source\":"
      "\"https://example.com/repo\"}},\"Architecture\":\"amd64\",\"Os\":"
      "\"linux\",\"Size\":%d,\"VirtualSize\":%d,\"GraphDriver\":{\"Data\":"
      "null,\"Name\":\"overlay2\"},\"RootFS\":{\"Type\":\"layers\",\"Layers\":"
      "%s},\"Metadata\":{\"LastTagTime\":\"0001-01-01T00:00:00Z\"}}",
      image.id, Quoted(image.tags), size, size, Quoted(image.diff_ids));
}

std::string HistoryBody(const SyntheticImage& image) {
  std::string out = "[";
  for (size_t i = image.sizes.size(); i-- > 0;) {
    out += absl::StrFormat(
        "%s{\"Comment\":\"\",\"Created\":1790000000,\"CreatedBy\":\"/bin/sh "
        "-c make step-%d\",\"Id\":\"<missing>\",\"Size\":%d,\"Tags\":null}",
        out.size() > 1 ? "," : "", i, image.sizes[i]);
    if (i % 3 == 0) {
      out +=
          ",{\"Comment\":\"\",\"Created\":1790000000,\"CreatedBy\":\"/bin/"
          "sh -c #(nop)  ENV A=b\",\"Id\":\"<missing>\",\"Size\":0,"
          "\"Tags\":null}";
    }
  }
  return out + "]";
}

std::string ContainersBody(const std::vector<SyntheticImage>& images) {
  std::string out = "[";
  for (size_t i = 0; i < images.size(); i += 20) {
    out += absl::StrFormat(
        "%s{\"Id\":\"%s\",\"Names\":[\"/job-%d\"],\"Image\":\"%s\",\"ImageID\":"
        "\"%s\",\"Command\":\"/bin/sh\",\"Created\":1790000000,\"State\":"
        "\"exited\",\"Status\":\"Exited (0) 2 days ago\"}",
        out.size() > 1 ? "," : "", Sha256Hex(absl::StrFormat("c%d", i)), i,
        images[i].id, images[i].id);
  }
  return out + "]";
}

}  // namespace

SyntheticSnapshot MakeSyntheticSnapshot(int count) {
  std::vector<SyntheticImage> images = MakeImages(count);
  SyntheticSnapshot result;
  result.image_list = ImageListBody(images);
  std::string& s = result.snapshot;
  s = "{\"schema\":\"dgc.snapshot/"
      "v1\",\"captured_at\":\"2026-11-25T00:00:00Z\","
      "\"host\":\"unix:///var/run/docker.sock\",\"version\":{\"Version\":"
      "\"20.10.24\",\"ApiVersion\":\"1.41\",\"MinAPIVersion\":\"1.12\"},"
      "\"info\":{\"ID\":\"bench\",\"Driver\":\"overlay2\"},\"images\":";
  s += result.image_list;
  s += ",\"containers\":" + ContainersBody(images) + ",\"image_details\":{";
  for (size_t i = 0; i < images.size(); ++i) {
    s += absl::StrFormat("%s\"%s\":{\"inspect\":%s,\"history\":%s}",
                         i ? "," : "", images[i].id, InspectBody(images[i]),
                         HistoryBody(images[i]));
  }
  s += "}}";
  return result;
}

std::string IncidentLikePolicy() {
  return R"({"rules": [
    {"name": "services", "match": "ci/service-1*", "keep_newest": 3},
    {"name": "family", "match": "ci/service-2*", "keep_newest": 5, "group_by": "rule"},
    {"name": "old", "match": "ci/*", "older_than": "7d"},
    {"name": "dangling", "dangling": true, "older_than": "24h"}],
    "protect": {"labels": ["gc.keep=true"]}, "min_age": "1h"})";
}

}  // namespace dgc::bench
