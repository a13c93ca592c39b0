# Sanitizer and fuzzing builds (docs/reliability.md, "Fuzzing and
# sanitizers"): two options that change every target's compile and link
# flags and nothing when they are off.
#
#   DGC_SANITIZE  a comma-separated list of -fsanitize= checks, e.g.
#                 "address,undefined" or "thread"; adds them with
#                 -fno-omit-frame-pointer -fno-sanitize-recover=all, so the
#                 first report ends the process with an error.
#   DGC_FUZZ      builds the libFuzzer targets in fuzz/ (fuzz_*); needs
#                 clang, implies DGC_SANITIZE=address,undefined when unset,
#                 and instruments every target for coverage
#                 (-fsanitize=fuzzer-no-link); the fuzz targets alone link
#                 libFuzzer (-fsanitize=fuzzer).
#
# With AddressSanitizer every target but the fuzz targets uses the shared
# runtime (-shared-libasan, found through an rpath), so that libdgc.so
# loaded into an uninstrumented Python works: DGC_SANITIZER_PRELOAD is the
# runtime to put in LD_PRELOAD (empty otherwise), which
# dgc_sanitizer_preload() gives such tests, and their children (docker-gc)
# share that one runtime. The fuzz targets keep the static runtime
# (fuzz/CMakeLists.txt).

set(DGC_SANITIZE "" CACHE STRING
    "Sanitizers for every target, comma-separated (address,undefined or thread)")
option(DGC_FUZZ "Build the libFuzzer targets in fuzz/ (clang only)" OFF)
set(DGC_SANITIZER_PRELOAD "")

if(DGC_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang"
     OR NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR
      "DGC_FUZZ=ON needs clang (libFuzzer), but the compilers are "
      "${CMAKE_C_COMPILER_ID} and ${CMAKE_CXX_COMPILER_ID}: configure a new "
      "build directory with -DCMAKE_C_COMPILER=clang "
      "-DCMAKE_CXX_COMPILER=clang++ (Debian: apt-get install clang "
      "libclang-rt-14-dev)")
  endif()
  if(DGC_SANITIZE STREQUAL "")
    set(DGC_SANITIZE "address,undefined" CACHE STRING
        "Sanitizers for every target, comma-separated" FORCE)
  endif()
endif()

if(NOT DGC_SANITIZE STREQUAL "")
  string(REPLACE "," ";" dgc_sanitizers "${DGC_SANITIZE}")
  foreach(sanitizer IN LISTS dgc_sanitizers)
    if(NOT sanitizer MATCHES "^(address|undefined|thread|leak)$")
      message(FATAL_ERROR "DGC_SANITIZE: unknown sanitizer '${sanitizer}' in "
                          "'${DGC_SANITIZE}' (known: address, undefined, "
                          "thread, leak)")
    endif()
  endforeach()
  if("thread" IN_LIST dgc_sanitizers AND "address" IN_LIST dgc_sanitizers)
    message(FATAL_ERROR "DGC_SANITIZE: thread and address cannot be combined "
                        "(got '${DGC_SANITIZE}'): use two build directories")
  endif()
  if(DGC_FUZZ AND NOT "address" IN_LIST dgc_sanitizers)
    message(FATAL_ERROR "DGC_FUZZ=ON runs the fuzz targets with "
                        "AddressSanitizer: DGC_SANITIZE='${DGC_SANITIZE}' must "
                        "include address")
  endif()

  add_compile_options(-fsanitize=${DGC_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${DGC_SANITIZE})

  if("address" IN_LIST dgc_sanitizers)
    # GCC links its shared runtime (libasan.so) by default; clang needs
    # -shared-libasan and an rpath to its runtime's directory.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
      set(dgc_asan_runtime libclang_rt.asan-${CMAKE_SYSTEM_PROCESSOR}.so)
    else()
      set(dgc_asan_runtime libasan.so)
    endif()
    execute_process(
      COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=${dgc_asan_runtime}
      OUTPUT_VARIABLE DGC_SANITIZER_PRELOAD OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT IS_ABSOLUTE "${DGC_SANITIZER_PRELOAD}"
       OR NOT EXISTS "${DGC_SANITIZER_PRELOAD}")
      message(FATAL_ERROR "DGC_SANITIZE=${DGC_SANITIZE}: the compiler's "
                          "shared ASan runtime ${dgc_asan_runtime} was not "
                          "found (Debian: apt-get install libclang-rt-14-dev "
                          "for clang)")
    endif()
    if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
      get_filename_component(dgc_asan_dir "${DGC_SANITIZER_PRELOAD}" DIRECTORY)
      add_link_options(-shared-libasan "LINKER:-rpath,${dgc_asan_dir}")
    endif()
  endif()
  message(STATUS "Sanitizers: ${DGC_SANITIZE}")
endif()

if(DGC_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)
  message(STATUS "Fuzz targets: on (fuzz/)")
endif()

# dgc_sanitizer_preload(TEST...): the tests named load libdgc.so into a
# program not built with the sanitizers (Python, a Go test): under
# AddressSanitizer they get its runtime in LD_PRELOAD, without leak
# detection, since every program they start (Python, pip, gcc…) inherits
# the runtime and none of those frees all it allocates. Otherwise nothing.
function(dgc_sanitizer_preload)
  if(DGC_SANITIZER_PRELOAD)
    set_property(TEST ${ARGN} APPEND PROPERTY ENVIRONMENT
                 "LD_PRELOAD=${DGC_SANITIZER_PRELOAD}")
    set_property(TEST ${ARGN} APPEND PROPERTY ENVIRONMENT_MODIFICATION
                 "ASAN_OPTIONS=string_append::detect_leaks=0")
  endif()
endfunction()

# dgc_sanitizer_runtime(TEST...): the tests named start such a program
# themselves, among others that must not get the runtime (a dockerd):
# under AddressSanitizer they get its path in DGC_SANITIZER_PRELOAD, for
# the LD_PRELOAD of that program alone. Otherwise nothing.
function(dgc_sanitizer_runtime)
  if(DGC_SANITIZER_PRELOAD)
    set_property(TEST ${ARGN} APPEND PROPERTY ENVIRONMENT
                 "DGC_SANITIZER_PRELOAD=${DGC_SANITIZER_PRELOAD}")
  endif()
endfunction()
