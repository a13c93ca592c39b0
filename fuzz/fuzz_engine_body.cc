// libFuzzer target for one Engine API body parser (core/engine_bodies.h),
// chosen when it is built: fuzz/CMakeLists.txt builds this file once per
// parser, as fuzz_<body>, with DGC_FUZZ_PARSER naming it (e.g.
// dgc::ParseImageList). The input is the whole body, read as the engine
// client reads one (ParseDocument).
#include <simdjson.h>

#include <cstddef>
#include <cstdint>

#include "core/engine_bodies.h"
#include "core/json_reader.h"
#include "fuzz/fuzz_input.h"

#ifndef DGC_FUZZ_PARSER
#error "DGC_FUZZ_PARSER names the parser this target runs"
#endif

namespace {

// ParseBody runs `parse` on `body` into a fresh value of what it fills.
template <typename Body>
void ParseBody(absl::Status (*parse)(simdjson::ondemand::value&, Body*),
               const dgc::PaddedBody& body) {
  static simdjson::ondemand::parser parser;
  Body out{};
  (void)dgc::ParseDocument(parser, body, [&](simdjson::ondemand::value& value) {
    return parse(value, &out);
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ParseBody(&DGC_FUZZ_PARSER, dgc::fuzz::Padded(data, size));
  return 0;
}
