# Writes one program's man page with help2man from the program's own --help and
# --version, so the programs are the one source of their documentation. With
# -DCOMMANDS=ON the page also gets each command's --help, for the commands that
# the program's --help lists under "Commands:" (none of them is named here).
#
#   cmake -DHELP2MAN=... -DGZIP=... -DPROGRAM=<path> -DDESCRIPTION=<text> -DSEE_ALSO=<program>
#         -DHOMEPAGE=<url> -DCOMMANDS=ON|OFF -DOUTPUT=<page>.1.gz -P generate-manpage.cmake

foreach(var HELP2MAN GZIP PROGRAM DESCRIPTION OUTPUT)
    if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
        message(FATAL_ERROR "generate-manpage.cmake: -D${var}=... is required")
    endif()
endforeach()

get_filename_component(name "${PROGRAM}" NAME)
get_filename_component(directory "${PROGRAM}" DIRECTORY)
get_filename_component(output_dir "${OUTPUT}" DIRECTORY)
file(MAKE_DIRECTORY "${output_dir}")
set(page "${output_dir}/${name}.1")
set(include_file "${output_dir}/${name}.h2m")

# Run by name, so that usage lines say "zmqscope", not the build path; with no display,
# which --help and --version must not need.
set(ENV{PATH} "${directory}:$ENV{PATH}")
unset(ENV{DISPLAY})
unset(ENV{WAYLAND_DISPLAY})

# Text -> roff that prints it as it is, in a no-fill block.
function(roff_verbatim out text)
    string(REPLACE "\\" "\\e" text "${text}")
    string(REPLACE "-" "\\-" text "${text}")
    string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
    set(${out} ".nf\n${text}\n.fi\n" PARENT_SCOPE)
endfunction()

set(include_text "")
if(COMMANDS)
    execute_process(COMMAND "${name}" --help
        RESULT_VARIABLE result OUTPUT_VARIABLE help ERROR_VARIABLE error)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "${name} --help failed (${result}): ${error}")
    endif()
    if(NOT help MATCHES "\nCommands:\n(.*)")
        message(FATAL_ERROR "${name} --help lists no \"Commands:\"")
    endif()
    string(REGEX REPLACE "\n\n.*" "" commands_block "${CMAKE_MATCH_1}")
    string(REGEX MATCHALL "(^|\n)  [a-z][a-z0-9-]*  " commands "${commands_block}")
    if(NOT commands)
        message(FATAL_ERROR "${name} --help: no command found under \"Commands:\"")
    endif()
    string(APPEND include_text "[COMMAND OPTIONS]\n")
    foreach(command IN LISTS commands)
        string(STRIP "${command}" command)
        execute_process(COMMAND "${name}" ${command} --help
            RESULT_VARIABLE result OUTPUT_VARIABLE command_help ERROR_VARIABLE error)
        if(NOT result EQUAL 0 OR command_help STREQUAL "")
            message(FATAL_ERROR "${name} ${command} --help failed (${result}): ${error}")
        endif()
        string(STRIP "${command_help}" command_help)
        roff_verbatim(command_help "${command_help}")
        string(APPEND include_text ".SS \"${name} ${command}\"\n${command_help}")
    endforeach()
endif()
string(APPEND include_text "[SEE ALSO]\n")
if(SEE_ALSO)
    string(APPEND include_text ".BR ${SEE_ALSO} (1)\n.PP\n")
endif()
if(HOMEPAGE)
    string(APPEND include_text "The ZmqScope home page: ${HOMEPAGE}\n")
endif()
file(WRITE "${include_file}" "${include_text}")

execute_process(
    COMMAND "${HELP2MAN}" --no-info --no-discard-stderr --section=1
        "--name=${DESCRIPTION}" "--include=${include_file}" "--output=${page}" "${name}"
    RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "help2man ${name} failed (${result}): ${output}")
endif()
execute_process(COMMAND "${GZIP}" -9 -n -f "${page}" RESULT_VARIABLE result)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "gzip ${page} failed (${result})")
endif()
file(REMOVE "${include_file}")
