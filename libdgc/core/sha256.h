// SHA-256 digests as docker writes them: lower-case hex, optionally with the
// "sha256:" prefix. Used for layer chain IDs and context directory names.
//
// Example:
//   std::string hex = dgc::Sha256Hex("default");  // 64 hex characters
#ifndef DGC_CORE_SHA256_H_
#define DGC_CORE_SHA256_H_

#include <string>
#include <string_view>

namespace dgc {

// Sha256Hex returns the lower-case hex SHA-256 of `data` (64 characters).
std::string Sha256Hex(std::string_view data);

}  // namespace dgc

#endif  // DGC_CORE_SHA256_H_
