// libdgc's version (see library_version.h).
#include "core/library_version.h"

#include "dgc/version.h"

namespace dgc {

std::string_view LibraryVersion() { return DGC_VERSION_STRING; }

int LibraryVersionNumber() { return DGC_VERSION_NUMBER; }

}  // namespace dgc
