# The go_binding test: installs the build into a temporary prefix, then runs
# `go test ./...` in bindings/go against it, offline (GOPROXY=off) and with
# every Go cache inside WORK_DIR, so that it needs no network and no HOME.
# DGC_TEST_DOCKER_HOST and DGC_TEST_DOCKER pass through from the
# environment; without DGC_TEST_DOCKER_HOST the live tests are skipped.
#   cmake -DGO=... -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... \
#         -DLIBDIR=... -DDGC_BIN=... -P run_go_test.cmake
foreach(var GO BUILD_DIR SOURCE_DIR WORK_DIR LIBDIR DGC_BIN)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "${var} is required")
  endif()
endforeach()
set(prefix ${WORK_DIR}/prefix)
# A fresh build cache too: go does not notice changes to headers outside
# the package, such as an installed <dgc/dgc.h>.
file(REMOVE_RECURSE ${WORK_DIR})

execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR}
                        --prefix ${prefix}
                RESULT_VARIABLE result OUTPUT_QUIET)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "cmake --install ${BUILD_DIR} failed (${result})")
endif()

set(ENV{PKG_CONFIG_PATH} ${prefix}/${LIBDIR}/pkgconfig)
set(ENV{CGO_ENABLED} 1)
set(ENV{CGO_LDFLAGS} "-Wl,-rpath,${prefix}/${LIBDIR}")
set(ENV{GO111MODULE} on)
set(ENV{GOPROXY} off)
set(ENV{GOFLAGS} -mod=readonly)
set(ENV{GOENV} off)
set(ENV{GOCACHE} ${WORK_DIR}/gocache)
set(ENV{GOPATH} ${WORK_DIR}/gopath)
set(ENV{DGC_BIN} ${DGC_BIN})

execute_process(COMMAND ${GO} test -count=1 -v ./...
                WORKING_DIRECTORY ${SOURCE_DIR}
                RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "go test failed (${result})")
endif()
