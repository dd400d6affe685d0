# zmqscope_rpm_changelog(<Debian changelog text> <output file>)
# Writes the RPM %changelog body converted from packaging/changelog, so that the
# Debian-format file stays the one source of the release history:
#
#   zmqscope (0.1.0) unstable; urgency=medium        * Thu Nov 26 2026 Name <mail> - 0.1.0-1
#     * First release.                        ->      - First release.
#    -- Name <mail>  Thu, 26 Nov 2026 00:00:00 +0000
function(zmqscope_rpm_changelog text output)
    string(REPLACE ";" "\\;" text "${text}")
    string(REPLACE "\n" ";" lines "${text}")
    set(result "")
    set(version "")
    set(items "")
    foreach(line IN LISTS lines)
        if(line MATCHES "^zmqscope \\(([^)]+)\\)")
            set(version "${CMAKE_MATCH_1}")
            set(items "")
        elseif(line MATCHES "^  \\* (.*)$")
            string(APPEND items "\n- ${CMAKE_MATCH_1}")
        elseif(line MATCHES "^    +(.*)$")
            string(APPEND items " ${CMAKE_MATCH_1}")
        elseif(line MATCHES "^ -- (.+)  ([A-Z][a-z][a-z]), ([0-9]+) ([A-Z][a-z][a-z]) ([0-9]+) ")
            if(version STREQUAL "")
                message(FATAL_ERROR "packaging/changelog: a trailer line without an entry: ${line}")
            endif()
            string(APPEND result
                "* ${CMAKE_MATCH_2} ${CMAKE_MATCH_4} ${CMAKE_MATCH_3} ${CMAKE_MATCH_5} ${CMAKE_MATCH_1} - ${version}-1${items}\n\n")
            set(version "")
        endif()
    endforeach()
    if(result STREQUAL "")
        message(FATAL_ERROR "packaging/changelog: no complete entry found")
    endif()
    string(STRIP "${result}" result)
    file(WRITE "${output}" "${result}\n")
endfunction()
