# Makes docker-gc's man pages from the built binary's own help text:
#   docker-gc.1.gz  help2man over `docker-gc --help`, with every command's
#                   --help (help_to_man.awk) and docker-gc.h2m around it;
#   gc.json.5.gz    `docker-gc help gc.json` through text_to_man.awk.
# Run by the build (packaging/CMakeLists.txt):
#   cmake -DBIN=... -DVERSION=... -DDESCRIPTION=... -DHELP2MAN=... -DAWK=...
#         -DGZIP=... -DSOURCE_DIR=packaging/man -DOUTPUT_DIR=... -P this
foreach(var BIN VERSION DESCRIPTION HELP2MAN AWK GZIP SOURCE_DIR OUTPUT_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "make_man_pages.cmake: ${var} is required")
  endif()
endforeach()

# check: stops with the command's output unless every result is 0.
function(check what results output)
  foreach(result IN LISTS results)
    if(NOT result EQUAL 0)
      message(FATAL_ERROR "make_man_pages.cmake: ${what} failed "
                          "(${results}):\n${output}")
    endif()
  endforeach()
endfunction()

file(MAKE_DIRECTORY ${OUTPUT_DIR})
# help2man and text_to_man.awk date the pages alike (SOURCE_DATE_EPOCH
# when set, for reproducible builds).
string(TIMESTAMP date "%B %Y" UTC)

# The commands, as the top-level help lists them.
execute_process(COMMAND ${BIN} --help OUTPUT_VARIABLE top
                ERROR_VARIABLE error RESULT_VARIABLE result)
check("${BIN} --help" "${result}" "${error}")
if(NOT top MATCHES "\nCommands:\n(.*)\n\n")
  message(FATAL_ERROR "make_man_pages.cmake: no \"Commands:\" in "
                      "${BIN} --help:\n${top}")
endif()
string(REGEX MATCHALL "\n  [a-z][a-z-]*" commands "\n${CMAKE_MATCH_1}")
list(TRANSFORM commands STRIP)

set(help_file ${OUTPUT_DIR}/commands.txt)
file(WRITE ${help_file} "")
foreach(command IN LISTS commands)
  execute_process(COMMAND ${BIN} ${command} --help OUTPUT_VARIABLE help
                  ERROR_VARIABLE error RESULT_VARIABLE result)
  check("${BIN} ${command} --help" "${result}" "${error}")
  file(APPEND ${help_file} "${help}")
endforeach()
execute_process(COMMAND ${AWK} -f ${SOURCE_DIR}/help_to_man.awk ${help_file}
                OUTPUT_FILE ${OUTPUT_DIR}/commands.h2m
                ERROR_VARIABLE error RESULT_VARIABLE result)
check("help_to_man.awk" "${result}" "${error}")

# The page's NAME line: "docker-gc \- exact, safe garbage collection ...".
string(SUBSTRING "${DESCRIPTION}" 0 1 first)
string(SUBSTRING "${DESCRIPTION}" 1 -1 rest)
string(TOLOWER "${first}" first)
execute_process(
  COMMAND ${HELP2MAN} --no-info --section=1 --version-string=${VERSION}
          "--name=${first}${rest}" "--manual=User Commands"
          --include=${OUTPUT_DIR}/commands.h2m
          --include=${SOURCE_DIR}/docker-gc.h2m
          --output=${OUTPUT_DIR}/docker-gc.1 ${BIN}
  OUTPUT_VARIABLE output ERROR_VARIABLE output RESULT_VARIABLE result)
check("help2man" "${result}" "${output}")

execute_process(
  COMMAND ${BIN} help gc.json
  COMMAND ${AWK} -v section=5 -v "date=${date}" -v "source=docker-gc ${VERSION}"
          -v "manual=File Formats" -f ${SOURCE_DIR}/text_to_man.awk
  OUTPUT_FILE ${OUTPUT_DIR}/gc.json.5
  ERROR_VARIABLE error RESULTS_VARIABLE results)
check("${BIN} help gc.json | text_to_man.awk" "${results}" "${error}")

# gzip -9n: no name or time stamp in the archive, as Debian policy wants.
execute_process(COMMAND ${GZIP} -9nf ${OUTPUT_DIR}/docker-gc.1
                        ${OUTPUT_DIR}/gc.json.5
                ERROR_VARIABLE error RESULT_VARIABLE result)
check("gzip" "${result}" "${error}")
