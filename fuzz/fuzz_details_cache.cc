// libFuzzer target: the details cache file reader (DetailsCache::Load in
// engine/details_cache.h), which must ignore any file it cannot trust. The
// input is written as the cache file of engine "fuzz" in a temporary
// directory and loaded; the bodies of the seeds' image,
// when found, are parsed as a run parses a cache hit.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/engine_bodies.h"
#include "core/json_reader.h"
#include "core/sha256.h"
#include "engine/details_cache.h"

namespace {

constexpr char kEngine[] = "fuzz";
// The image the seeds (corpus/details_cache/) hold.
constexpr char kImage[] =
    "sha256:4434d072e463636d9b41ad8304059cfc67a548957c563893d4b553e77ec36f47";

// The temporary directory the cache files go in, deleted at exit: in
// memory (/dev/shm) when there is one, as a file per input on disk would
// make the target a hundred times slower.
struct TemporaryDirectory {
  TemporaryDirectory()
      : path((std::filesystem::is_directory("/dev/shm")
                  ? std::filesystem::path("/dev/shm")
                  : std::filesystem::temp_directory_path()) /
             "dgc-fuzz-XXXXXX") {
    if (mkdtemp(path.data()) == nullptr) std::abort();
  }
  ~TemporaryDirectory() { std::filesystem::remove_all(path); }
  std::string path;
};

const std::string& CacheDirectory() {
  static const TemporaryDirectory directory;
  return directory.path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& directory = CacheDirectory();
  {
    std::ofstream file(
        directory + "/details-" + dgc::Sha256Hex(kEngine) + ".json",
        std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(data),
               static_cast<std::streamsize>(size));
  }
  dgc::DetailsCache cache = dgc::DetailsCache::Load(directory, kEngine);
  if (const dgc::DetailsCache::Entry* hit = cache.Find(kImage)) {
    static simdjson::ondemand::parser parser;
    dgc::ImageDetails details;
    (void)dgc::ParseDocument(
        parser, hit->inspect, [&](simdjson::ondemand::value& value) {
          return dgc::ParseImageInspect(value, &details.inspect);
        });
    (void)dgc::ParseDocument(
        parser, hit->history, [&](simdjson::ondemand::value& value) {
          return dgc::ParseImageHistory(value, &details.history);
        });
  }
  return 0;
}
