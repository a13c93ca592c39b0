// The version of the libdgc code this program runs, as compiled into the
// library (not the headers a front end was built with): what `docker gc
// version` and dgc_version() report.
//
// Example:
//   std::cout << "libdgc version " << dgc::LibraryVersion() << "\n";
#ifndef DGC_CORE_LIBRARY_VERSION_H_
#define DGC_CORE_LIBRARY_VERSION_H_

#include <string_view>

namespace dgc {

// LibraryVersion returns libdgc's version, e.g. "0.2.0".
std::string_view LibraryVersion();

// LibraryVersionNumber returns it as MAJOR * 1000000 + MINOR * 1000 + PATCH
// (0.2.0 is 2000), the value of DGC_VERSION_NUMBER it was built with.
int LibraryVersionNumber();

}  // namespace dgc

#endif  // DGC_CORE_LIBRARY_VERSION_H_
