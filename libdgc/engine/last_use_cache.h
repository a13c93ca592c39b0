// Remembered last uses (SPEC.md §7, §9): when each image was last used by
// a container, kept across runs in the cache directory so that least-
// recently-used order still knows about containers that are gone — LRU
// from cron, without a daemon watching events.
//
// One file per engine, "<dir>/last-use-<sha256(engine ID)>.json":
//   {"schema": "dgc.last-use/v1", "engine": "<ID>",
//    "images": {"sha256:…": "2026-11-25T22:40:00Z", …}}
// A file that is corrupt, of another schema or of another engine is
// ignored (and rewritten), never trusted.
//
// Example:
//   dgc::RememberLastUse(CacheDirectory(env), &inventory);
#ifndef DGC_ENGINE_LAST_USE_CACHE_H_
#define DGC_ENGINE_LAST_USE_CACHE_H_

#include <string>

#include "absl/status/status.h"
#include "core/inventory.h"
#include "engine/endpoint.h"

namespace dgc {

// CacheDirectory returns docker gc's cache directory: $XDG_CACHE_HOME/
// docker-gc, else /var/cache/docker-gc for root, else $HOME/.cache/
// docker-gc; "" when none can be named.
std::string CacheDirectory(const EnvironmentLookup& env);

// RememberLastUse reads what `directory` remembers for the inventory's
// engine into inventory->remembered_last_use, adds the last use of every
// image a container uses now (its creation and start), drops images the
// engine no longer has, and writes the file back atomically. An engine
// without an ID, or an empty `directory`, is left alone. Errors (the file
// could not be written) are only worth a warning: the caller adds one.
absl::Status RememberLastUse(const std::string& directory,
                             Inventory* inventory);

}  // namespace dgc

#endif  // DGC_ENGINE_LAST_USE_CACHE_H_
