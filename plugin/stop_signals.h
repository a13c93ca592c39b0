// Requests to stop an apply: SIGINT and SIGTERM, and the docker CLI's
// plugin socket closing (DOCKER_CLI_PLUGIN_SOCKET: the CLI closes it when
// the user interrupts `docker gc`). An apply finishes the actions in flight,
// then stops and reports what was and was not done.
#ifndef DGC_PLUGIN_STOP_SIGNALS_H_
#define DGC_PLUGIN_STOP_SIGNALS_H_

#include <optional>
#include <string>

#include "engine/endpoint.h"

namespace dgc {

// WatchStopSignals installs the signal handlers and, when the environment
// names a plugin socket, connects to it and watches it. Call once.
void WatchStopSignals(const EnvironmentLookup& env);

// StopRequested returns why a stop was requested ("interrupted by
// SIGTERM"), or nullopt.
std::optional<std::string> StopRequested();

}  // namespace dgc

#endif  // DGC_PLUGIN_STOP_SIGNALS_H_
