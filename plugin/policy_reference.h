// The reference of the policy file (gc.json): the one source of both
// `docker gc help gc.json` and the gc.json(5) man page, which the build
// makes from this text (packaging/man/text_to_man.cmake).
//
// The text is laid out so that it reads well in a terminal and converts
// line by line:
//   - the first line is "NAME - what it is";
//   - a line starting at column 0 is a section heading;
//   - lines indented by 2 spaces are running text; a blank line ends a
//     paragraph;
//   - a 2-space line directly followed by 6-space lines is a term and its
//     definition;
//   - a line indented by 4 spaces starts a literal block (an example),
//     which goes on while lines are indented by 4 or more.
//
// Example:
//   std::cout << dgc::PolicyReference();
#ifndef DGC_PLUGIN_POLICY_REFERENCE_H_
#define DGC_PLUGIN_POLICY_REFERENCE_H_

#include <string_view>

namespace dgc {

// The help topic that prints the reference: `docker gc help gc.json`.
inline constexpr std::string_view kPolicyReferenceTopic = "gc.json";

// PolicyReference returns the reference text (static storage, ends with a
// newline).
std::string_view PolicyReference();

}  // namespace dgc

#endif  // DGC_PLUGIN_POLICY_REFERENCE_H_
