// The per-image details cache (SPEC.md §9): each image's inspect and
// history bodies, kept across runs so that a warm run asks the engine only
// for its lists. An image ID is a content hash, so what it names never
// changes, except for what tagging changes in its inspect (RepoTags,
// RepoDigests, Metadata.LastTagTime): an entry is kept with the tags the
// image had, and is used only while the image lists the same tags; when
// they differ, its inspect is asked again (its history still comes from
// the cache).
//
// One file per engine, "<dir>/details-<sha256(engine ID)>.json", compact:
//   {"schema": "dgc.image-details/v1", "engine": "<ID>",
//    "images": {"sha256:…": {"tags": ["app:1"], "inspect": {…},
//                            "history": […]}, …}}
// written atomically (temporary file, then rename), so concurrent runs
// leave one of their files whole. A file that is corrupt, truncated, of
// another schema or of another engine is ignored (and rewritten), never
// trusted; so is an entry whose bodies are not for its image.
//
// Example:
//   dgc::DetailsCache cache = dgc::DetailsCache::Load(dir, engine_id);
//   if (const dgc::DetailsCache::Entry* hit = cache.Find(id)) { … }
//   cache.Put(id, tags, inspect_body, history_body);
//   absl::Status saved = cache.Save();  // only what was Put this run
#ifndef DGC_ENGINE_DETAILS_CACHE_H_
#define DGC_ENGINE_DETAILS_CACHE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "core/json_reader.h"

namespace dgc {

class DetailsCache {
 public:
  struct Entry {
    std::vector<std::string> tags;  // sorted, as the image listed them
    PaddedBody inspect;             // GET /images/{id}/json
    PaddedBody history;             // GET /images/{id}/history
  };

  // Load reads the cache of engine `engine_id` in `directory`; an empty
  // directory or engine ID, a missing file or one that cannot be trusted
  // gives an empty cache (that Save writes in `directory`, unless empty).
  static DetailsCache Load(const std::string& directory,
                           const std::string& engine_id);

  // Find returns the entry of `image_id`, or nullptr.
  const Entry* Find(std::string_view image_id) const;

  // Put records the bodies of `image_id` as read this run, with its `tags`
  // (in any order).
  void Put(const std::string& image_id, std::vector<std::string> tags,
           PaddedBody inspect, PaddedBody history);

  // Save writes the entries Put this run (images the engine no longer has
  // are dropped), atomically; when they are the ones loaded, with the same
  // tags (a warm run of an unchanged engine), the file stays as it is.
  // Errors: the directory or file could not be written (worth a warning,
  // never fatal).
  absl::Status Save() const;

 private:
  // Whether the entries Put are those loaded, with the same tags.
  bool Unchanged() const;

  std::string directory_;
  std::string engine_id_;
  absl::flat_hash_map<std::string, Entry> loaded_;
  absl::flat_hash_map<std::string, Entry> put_;
};

}  // namespace dgc

#endif  // DGC_ENGINE_DETAILS_CACHE_H_
