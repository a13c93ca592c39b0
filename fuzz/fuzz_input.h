// What every fuzz target starts from: libFuzzer's input as the padded
// buffer libdgc's readers parse in place.
//
// Example:
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
//     dgc::PaddedBody text = dgc::fuzz::Padded(data, size);
//     ...
//   }
#ifndef DGC_FUZZ_FUZZ_INPUT_H_
#define DGC_FUZZ_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/json_reader.h"

namespace dgc::fuzz {

// Text returns the input as characters.
inline std::string_view Text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Padded returns a copy of the input with simdjson's padding after it.
inline PaddedBody Padded(const uint8_t* data, size_t size) {
  return PaddedBody(Text(data, size));
}

}  // namespace dgc::fuzz

#endif  // DGC_FUZZ_FUZZ_INPUT_H_
