// Rule evaluation, the first stage of planning: each reference of each
// image is decided by the first rule that matches it (kept or selected),
// with the reason in words. Protections are not applied here.
//
// Example:
//   std::vector<dgc::ImageVerdict> verdicts =
//       dgc::EvaluateRules(inventory, policy, now);
//   if (verdicts[i].AllSelected()) ...  // a delete candidate
#ifndef DGC_CORE_RULE_EVALUATION_H_
#define DGC_CORE_RULE_EVALUATION_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/inventory.h"
#include "core/policy.h"

namespace dgc {

struct RefDecision {
  std::string ref;             // "repo:tag"; "" for a dangling image
  const Rule* rule = nullptr;  // the deciding rule; nullptr when none
  bool selected = false;
  std::string reason;
};

struct ImageVerdict {
  // One per tag of a tagged image; one (with ref "") for a dangling image;
  // none for an intermediate image.
  std::vector<RefDecision> refs;

  bool AnySelected() const;
  bool AllSelected() const;
};

// EvaluateRules returns one verdict per image of `inventory`, by index.
// Rules and references point into `policy` and must not outlive it.
std::vector<ImageVerdict> EvaluateRules(const Inventory& inventory,
                                        const Policy& policy, absl::Time now);

}  // namespace dgc

#endif  // DGC_CORE_RULE_EVALUATION_H_
