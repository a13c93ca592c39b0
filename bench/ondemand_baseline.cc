// The baseline docker gc's snapshot path is measured against (issue 11):
// one simdjson On-Demand pass over a dgc.snapshot/v1 file that reads the
// fields libdgc reads, and nothing else — no inventory, no plan. It prints
// what it read as counts and a checksum, so no read can be optimised away.
//
//   dgc_ondemand_baseline SNAPSHOT_FILE
//
// Compared with `docker-gc plan --from SNAPSHOT_FILE` by
// bench/compare_snapshot.py (wall time and peak RSS, alternating runs).
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "simdjson.h"

namespace {

using simdjson::ondemand::array;
using simdjson::ondemand::object;
using simdjson::ondemand::value;

// What was read: counts and a checksum of every string length and number.
struct Tally {
  uint64_t images = 0, containers = 0, details = 0, layers = 0, steps = 0;
  uint64_t checksum = 0;

  void String(value v) {
    std::string_view text;
    if (!v.get_string().get(text)) checksum += text.size();
  }
  void Number(value v) {
    int64_t number = 0;
    if (!v.get_int64().get(number)) checksum += static_cast<uint64_t>(number);
  }
  void Strings(value v) {
    array items;
    if (v.get_array().get(items)) return;  // null
    for (auto item : items) {
      value element;
      if (!item.get(element)) String(element);
    }
  }
  void StringMap(value v) {
    object map;
    if (v.get_object().get(map)) return;  // null
    for (auto field : map) {
      std::string_view key;
      if (!field.unescaped_key().get(key)) checksum += key.size();
      String(field.value());
    }
  }
};

void ReadImageSummary(object image, Tally* tally) {
  ++tally->images;
  for (auto field : image) {
    std::string_view key;
    if (field.unescaped_key().get(key)) continue;
    if (key == "Id" || key == "ParentId") {
      tally->String(field.value());
    } else if (key == "RepoTags" || key == "RepoDigests") {
      tally->Strings(field.value());
    } else if (key == "Created" || key == "Size") {
      tally->Number(field.value());
    } else if (key == "Labels") {
      tally->StringMap(field.value());
    }
  }
}

void ReadContainer(object container, Tally* tally) {
  ++tally->containers;
  for (auto field : container) {
    std::string_view key;
    if (field.unescaped_key().get(key)) continue;
    if (key == "Id" || key == "Image" || key == "ImageID" || key == "State") {
      tally->String(field.value());
    } else if (key == "Names") {
      tally->Strings(field.value());
    } else if (key == "Created" || key == "SizeRw") {
      tally->Number(field.value());
    } else if (key == "Labels") {
      tally->StringMap(field.value());
    }
  }
}

void ReadInspect(object inspect, Tally* tally) {
  for (auto field : inspect) {
    std::string_view key;
    if (field.unescaped_key().get(key)) continue;
    if (key == "Id" || key == "Parent" || key == "Created") {
      tally->String(field.value());
    } else if (key == "RepoTags" || key == "RepoDigests") {
      tally->Strings(field.value());
    } else if (key == "Size") {
      tally->Number(field.value());
    } else if (key == "RootFS") {
      object rootfs;
      if (field.value().get_object().get(rootfs)) continue;
      for (auto part : rootfs) {
        std::string_view name;
        if (part.unescaped_key().get(name) || name != "Layers") continue;
        array layers;
        if (part.value().get_array().get(layers)) continue;
        for (auto layer : layers) {
          value diff_id;
          if (!layer.get(diff_id)) tally->String(diff_id);
          ++tally->layers;
        }
      }
    } else if (key == "Config" || key == "Metadata") {
      object nested;
      if (field.value().get_object().get(nested)) continue;
      for (auto part : nested) {
        std::string_view name;
        if (part.unescaped_key().get(name)) continue;
        if (name == "Labels") tally->StringMap(part.value());
        if (name == "LastTagTime") tally->String(part.value());
      }
    }
  }
}

void ReadHistory(array history, Tally* tally) {
  for (auto entry : history) {
    object step;
    if (entry.get_object().get(step)) continue;
    ++tally->steps;
    for (auto field : step) {
      std::string_view key;
      if (field.unescaped_key().get(key)) continue;
      if (key == "Size" || key == "Created") tally->Number(field.value());
      if (key == "CreatedBy") tally->String(field.value());
    }
  }
}

template <typename F>
void ForEachObject(value list, F read) {
  array items;
  if (list.get_array().get(items)) return;
  for (auto item : items) {
    object element;
    if (!item.get_object().get(element)) read(element);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SNAPSHOT_FILE\n", argv[0]);
    return 2;
  }
  simdjson::padded_string text;
  if (simdjson::padded_string::load(argv[1]).get(text)) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document document;
  if (parser.iterate(text).get(document)) {
    std::fprintf(stderr, "%s is not JSON\n", argv[1]);
    return 1;
  }
  Tally tally;
  object root;
  if (document.get_object().get(root)) return 1;
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return 1;
    if (key == "images") {
      ForEachObject(field.value(),
                    [&](object image) { ReadImageSummary(image, &tally); });
    } else if (key == "containers") {
      ForEachObject(field.value(), [&](object container) {
        ReadContainer(container, &tally);
      });
    } else if (key == "image_details") {
      object details;
      if (field.value().get_object().get(details)) return 1;
      for (auto image : details) {
        ++tally.details;
        object bodies;
        if (image.value().get_object().get(bodies)) return 1;
        for (auto body : bodies) {
          std::string_view name;
          if (body.unescaped_key().get(name)) return 1;
          if (name == "inspect") {
            object inspect;
            if (!body.value().get_object().get(inspect)) {
              ReadInspect(inspect, &tally);
            }
          } else if (name == "history") {
            array history;
            if (!body.value().get_array().get(history)) {
              ReadHistory(history, &tally);
            }
          }
        }
      }
    }
  }
  std::printf(
      "images %llu containers %llu details %llu layers %llu steps "
      "%llu checksum %llu\n",
      static_cast<unsigned long long>(tally.images),
      static_cast<unsigned long long>(tally.containers),
      static_cast<unsigned long long>(tally.details),
      static_cast<unsigned long long>(tally.layers),
      static_cast<unsigned long long>(tally.steps),
      static_cast<unsigned long long>(tally.checksum));
  return 0;
}
