// Protected images and why (see protection.h).
#include "core/protection.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "core/time_text.h"

namespace dgc {
namespace {

// Why containers that stay protect `image`, or "" when none does.
std::string ContainerReason(const Inventory& inventory, const Image& image,
                            const std::vector<bool>& removed_containers) {
  std::vector<ContainerIndex> staying =
      StayingContainers(image, removed_containers);
  if (staying.empty()) return "";
  const Container& first = inventory.containers[staying.front()];
  std::string name = first.name.empty() ? first.id.substr(0, 12) : first.name;
  std::string reason =
      absl::StrFormat("in use by container %s (%s)", name, first.state);
  if (staying.size() > 1) {
    reason += absl::StrFormat(" and %d more", staying.size() - 1);
  }
  return reason;
}

std::string ProtectMatchReason(const Policy& policy, const Image& image) {
  for (const Glob& glob : policy.protect_match) {
    for (const std::string& tag : image.tags) {
      if (MatchesReference(glob, tag)) {
        return absl::StrFormat("protected: %s matches protect.match \"%s\"",
                               tag, glob.pattern());
      }
    }
  }
  return "";
}

std::string ProtectLabelReason(const Policy& policy, const Image& image) {
  for (const LabelCondition& condition : policy.protect_labels) {
    if (condition.Holds(image.labels)) {
      return absl::StrFormat("protected: label %s", condition.Text());
    }
  }
  return "";
}

// Images in an order where every image comes after all its children.
std::vector<ImageIndex> ChildrenFirst(const Inventory& inventory) {
  std::vector<ImageIndex> order;
  order.reserve(inventory.images.size());
  std::vector<std::pair<ImageIndex, size_t>> stack;  // image, next child
  for (ImageIndex root = 0; root < inventory.images.size(); ++root) {
    if (inventory.images[root].parent != kNoImage) continue;
    stack.push_back({root, 0});
    while (!stack.empty()) {
      auto& [image, next_child] = stack.back();
      const std::vector<ImageIndex>& children =
          inventory.images[image].children;
      if (next_child < children.size()) {
        ImageIndex child = children[next_child++];
        stack.push_back({child, 0});
      } else {
        order.push_back(image);
        stack.pop_back();
      }
    }
  }
  return order;
}

}  // namespace

std::string ImageName(const Image& image) {
  return image.tags.empty() ? ShortId(image.id) : image.tags.front();
}

std::string DirectProtection(const Inventory& inventory, const Policy& policy,
                             absl::Time now, ImageIndex index,
                             const std::vector<bool>& removed_containers) {
  const Image& image = inventory.images[index];
  if (std::string reason =
          ContainerReason(inventory, image, removed_containers);
      !reason.empty()) {
    return reason;
  }
  if (std::string reason = ProtectMatchReason(policy, image); !reason.empty()) {
    return reason;
  }
  if (std::string reason = ProtectLabelReason(policy, image); !reason.empty()) {
    return reason;
  }
  if (now - image.last_tagged < policy.min_age.duration) {
    return absl::StrFormat(
        "younger than min_age %s (%s %s)", policy.min_age.text,
        image.last_tagged > image.created ? "tagged" : "created",
        FormatRfc3339(image.last_tagged));
  }
  return "";
}

std::string ParentReason(const Inventory& inventory, ImageIndex staying_child) {
  return absl::StrFormat("parent of %s, which stays",
                         ImageName(inventory.images[staying_child]));
}

std::vector<ImageIndex> KeepParentsOfStayingImages(
    const Inventory& inventory, const std::vector<std::string>& protection,
    std::vector<bool>* deleting) {
  size_t count = inventory.images.size();
  std::vector<bool> removed(count, false);
  std::vector<ImageIndex> staying_child(count, kNoImage);
  for (ImageIndex i : ChildrenFirst(inventory)) {
    const Image& image = inventory.images[i];
    for (ImageIndex child : image.children) {
      if (removed[child]) continue;
      // An intermediate that stays passes on the image that holds it.
      bool pass_on = inventory.images[child].intermediate &&
                     staying_child[child] != kNoImage;
      staying_child[i] = pass_on ? staying_child[child] : child;
      break;
    }
    bool child_stays = staying_child[i] != kNoImage;
    if (image.intermediate) {
      removed[i] = !child_stays && protection[i].empty();
    } else {
      if (child_stays) (*deleting)[i] = false;
      removed[i] = (*deleting)[i];
    }
  }
  return staying_child;
}

}  // namespace dgc
