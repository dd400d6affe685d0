# Checks the DEB packages made from a build tree, as a user would get them:
#   1. cpack -G DEB with the build tree's CPackConfig.cmake (no rebuild)
#   2. the control fields: names, version from project(), computed dependencies
#   3. dpkg-deb -x to a scratch root; the file lists (expected-files.txt for the
#      application, the core headers and CMake package for -dev); stripped binaries
#   4. desktop-file-validate, appstreamcli validate --no-net, update-mime-database
#      on the extracted files; one application id in all of them
#   5. the man pages cover every command of zmqscope-cli --help
#   6. the extracted zmqscope --version and zmqscope-cli --version, with no display
#
# cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DVERSION=... -DAPP_ID=...
#       -DLIBDIR=... -DICON_SIZES=... -DBUILD_TYPE=... -DEXPECTED_FILES=... -P run_packaging.cmake

foreach(var BUILD_DIR SOURCE_DIR WORK_DIR VERSION APP_ID LIBDIR ICON_SIZES EXPECTED_FILES)
    if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
        message(FATAL_ERROR "run_packaging.cmake: -D${var}=... is required")
    endif()
endforeach()

function(fail message)
    message(FATAL_ERROR "packaging: ${message}")
endfunction()

# step <name> COMMAND...: runs a command, fails the test with its output when it fails.
function(step name)
    message(STATUS "packaging: ${name}")
    execute_process(COMMAND ${ARGN}
        RESULT_VARIABLE result
        OUTPUT_VARIABLE output
        ERROR_VARIABLE output
        TIMEOUT 300)
    if(NOT result EQUAL 0)
        fail("${name} failed (${result}):\n${output}")
    endif()
    set(step_output "${output}" PARENT_SCOPE)
endfunction()

foreach(tool dpkg-deb desktop-file-validate appstreamcli update-mime-database file gzip)
    find_program(tool_path ${tool} NO_CACHE)
    if(NOT tool_path)
        fail("${tool} is missing (packaging/debian-packages.txt lists the package that has it)")
    endif()
    unset(tool_path)
endforeach()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(out "${WORK_DIR}/out")
set(root "${WORK_DIR}/root")
set(dev_root "${WORK_DIR}/dev-root")

# 1. The packages, from the build tree as it is.
set(config_args "")
if(BUILD_TYPE)
    set(config_args -C "${BUILD_TYPE}")
endif()
# gzip instead of the packages' xz only to keep the test fast (xz of the -dev package's
# archive takes about a minute on 2 cores); the contents are the same.
step("cpack -G DEB" "${CMAKE_CPACK_COMMAND}" -G DEB --config "${BUILD_DIR}/CPackConfig.cmake"
    -B "${out}" ${config_args} -D CPACK_DEBIAN_COMPRESSION_TYPE=gzip)
file(GLOB app_deb "${out}/zmqscope_${VERSION}_*.deb")
file(GLOB dev_deb "${out}/zmqscope-dev_${VERSION}_*.deb")
list(LENGTH app_deb app_count)
list(LENGTH dev_deb dev_count)
if(NOT app_count EQUAL 1 OR NOT dev_count EQUAL 1)
    file(GLOB made "${out}/*.deb")
    fail("expected zmqscope_${VERSION}_<arch>.deb and zmqscope-dev_${VERSION}_<arch>.deb, cpack made: ${made}")
endif()

# 2. Control fields.
function(check_field deb field pattern)
    execute_process(COMMAND dpkg-deb --field "${deb}" ${field}
        OUTPUT_VARIABLE value OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE result)
    if(NOT result EQUAL 0 OR NOT value MATCHES "${pattern}")
        get_filename_component(name "${deb}" NAME)
        fail("${name}: field ${field} is \"${value}\", expected to match \"${pattern}\"")
    endif()
endfunction()
check_field("${app_deb}" Package "^zmqscope$")
check_field("${app_deb}" Version "^${VERSION}$")
check_field("${app_deb}" Maintainer "^.+ <[^@ ]+@[^@ ]+>$")
check_field("${app_deb}" Homepage "^https://github.com/zmqscope/zmqscope$")
check_field("${app_deb}" Section "^devel$")
# dpkg-shlibdeps computed these from the binaries; libqt6svg6 is for the SVG plugins.
check_field("${app_deb}" Depends "libqt6widgets6")
check_field("${app_deb}" Depends "libzmq5")
check_field("${app_deb}" Depends "libc6 \\(>= ")
check_field("${app_deb}" Depends "libqt6svg6")
check_field("${app_deb}" Description "^[^\n]+\n .+")
check_field("${dev_deb}" Package "^zmqscope-dev$")
check_field("${dev_deb}" Version "^${VERSION}$")
check_field("${dev_deb}" Section "^libdevel$")
check_field("${dev_deb}" Depends "qt6-base-dev")

# 3. Contents.
step("extract the application package" dpkg-deb -x "${app_deb}" "${root}")
step("extract the development package" dpkg-deb -x "${dev_deb}" "${dev_root}")

function(list_files out dir)
    file(GLOB_RECURSE files LIST_DIRECTORIES false RELATIVE "${dir}" "${dir}/*")
    list(SORT files)
    set(${out} "${files}" PARENT_SCOPE)
endfunction()

file(STRINGS "${EXPECTED_FILES}" expected_lines REGEX "^[^#]")
set(expected "")
foreach(line IN LISTS expected_lines)
    if(line MATCHES "@ICON_SIZE@")
        foreach(size IN LISTS ICON_SIZES)
            string(REPLACE "@ICON_SIZE@" "${size}" sized "${line}")
            list(APPEND expected "${sized}")
        endforeach()
    else()
        list(APPEND expected "${line}")
    endif()
endforeach()
list(SORT expected)
list_files(actual "${root}")
if(NOT actual STREQUAL expected)
    set(missing ${expected})
    list(REMOVE_ITEM missing ${actual})
    set(unexpected ${actual})
    list(REMOVE_ITEM unexpected ${expected})
    fail("the zmqscope package's files differ from tests/packaging/expected-files.txt\n"
        "  missing: ${missing}\n  not expected: ${unexpected}")
endif()

# The development package: every header of core/transport (the only installed part), the archive, the CMake package.
file(GLOB headers RELATIVE "${SOURCE_DIR}/core/transport/include" "${SOURCE_DIR}/core/transport/include/zmqscope/*.h")
set(expected_dev "")
foreach(header IN LISTS headers)
    list(APPEND expected_dev "usr/include/${header}")
endforeach()
list(APPEND expected_dev
    "usr/${LIBDIR}/libzmqscope-core.a"
    "usr/${LIBDIR}/cmake/ZmqScope/ZmqScopeConfig.cmake"
    "usr/${LIBDIR}/cmake/ZmqScope/ZmqScopeConfigVersion.cmake"
    "usr/${LIBDIR}/cmake/ZmqScope/ZmqScopeTargets.cmake"
    usr/share/doc/zmqscope-dev/changelog.gz
    usr/share/doc/zmqscope-dev/copyright)
list_files(actual_dev "${dev_root}")
# Plus one ZmqScopeTargets-<config>.cmake for the build type.
list(FILTER actual_dev EXCLUDE REGEX "^usr/${LIBDIR}/cmake/ZmqScope/ZmqScopeTargets-[a-z]+\\.cmake$")
list(SORT expected_dev)
if(NOT actual_dev STREQUAL expected_dev)
    set(missing ${expected_dev})
    list(REMOVE_ITEM missing ${actual_dev})
    set(unexpected ${actual_dev})
    list(REMOVE_ITEM unexpected ${expected_dev})
    fail("the zmqscope-dev package's files differ from the core headers and CMake package\n"
        "  missing: ${missing}\n  not expected: ${unexpected}")
endif()

foreach(program zmqscope zmqscope-cli)
    step("file ${program}" file -b "${root}/usr/bin/${program}")
    if(NOT step_output MATCHES "ELF" OR step_output MATCHES "not stripped" OR NOT step_output MATCHES "stripped")
        fail("usr/bin/${program} is not a stripped ELF executable: ${step_output}")
    endif()
endforeach()

# 4. Desktop integration: validators, and one application id everywhere.
set(share "${root}/usr/share")
set(desktop "${share}/applications/${APP_ID}.desktop")
set(metainfo "${share}/metainfo/${APP_ID}.metainfo.xml")
step("desktop-file-validate" desktop-file-validate "${desktop}")
if(NOT step_output STREQUAL "")
    fail("desktop-file-validate has remarks:\n${step_output}")
endif()
step("appstreamcli validate --no-net" appstreamcli validate --no-net "${metainfo}")

file(READ "${desktop}" desktop_text)
foreach(pattern "\nExec=zmqscope %F\n" "\nIcon=${APP_ID}\n" "\nMimeType=application/x-zmqscope-capture;application/vnd.tcpdump.pcap;application/x-pcapng;\n")
    if(NOT desktop_text MATCHES "${pattern}")
        string(STRIP "${pattern}" pattern)
        fail("${APP_ID}.desktop lacks the line ${pattern}")
    endif()
endforeach()
file(READ "${metainfo}" metainfo_text)
foreach(pattern "<id>${APP_ID}</id>" "<launchable type=\"desktop-id\">${APP_ID}.desktop</launchable>"
        "<icon type=\"stock\">${APP_ID}</icon>" "<mediatype>application/x-zmqscope-capture</mediatype>"
        "<screenshot " "<description>")
    string(FIND "${metainfo_text}" "${pattern}" at)
    if(at EQUAL -1)
        fail("${APP_ID}.metainfo.xml lacks ${pattern}")
    endif()
endforeach()
# The newest release in the metainfo and in the changelog is this version.
if(NOT metainfo_text MATCHES "<release version=\"([^\"]+)\"")
    fail("${APP_ID}.metainfo.xml has no <release>")
endif()
if(NOT CMAKE_MATCH_1 STREQUAL VERSION)
    fail("the newest <release> of the metainfo is ${CMAKE_MATCH_1}, the project is ${VERSION}")
endif()
step("gzip -dc changelog.gz" gzip -dc "${share}/doc/zmqscope/changelog.gz")
if(NOT step_output MATCHES "^zmqscope \\(${VERSION}\\) ")
    fail("the changelog does not start with an entry for ${VERSION}")
endif()

# The MIME package compiles, and maps both the extension and the header to our type.
file(COPY "${share}/mime/packages" DESTINATION "${WORK_DIR}/mime")
step("update-mime-database" update-mime-database "${WORK_DIR}/mime")
file(READ "${WORK_DIR}/mime/globs2" globs)
if(NOT globs MATCHES ":application/x-zmqscope-capture:\\*\\.zmqcap")
    fail("the MIME database maps no *.zmqcap to application/x-zmqscope-capture:\n${globs}")
endif()
file(STRINGS "${WORK_DIR}/mime/magic" magic REGEX "application/x-zmqscope-capture")
if(NOT magic)
    fail("the MIME database has no magic rule for application/x-zmqscope-capture")
endif()

# 5. Man pages: the CLI's lists every command of its --help.
unset(ENV{DISPLAY})
unset(ENV{WAYLAND_DISPLAY})
unset(ENV{QT_QPA_PLATFORM})
step("zmqscope-cli --help" "${root}/usr/bin/zmqscope-cli" --help)
if(NOT step_output MATCHES "\nCommands:\n(.*)")
    fail("zmqscope-cli --help lists no Commands:")
endif()
string(REGEX REPLACE "\n\n.*" "" commands_block "${CMAKE_MATCH_1}")
string(REGEX MATCHALL "(^|\n)  [a-z][a-z0-9-]*  " commands "${commands_block}")
step("gzip -dc zmqscope-cli.1.gz" gzip -dc "${share}/man/man1/zmqscope-cli.1.gz")
set(cli_page "${step_output}")
foreach(command IN LISTS commands)
    string(STRIP "${command}" command)
    string(FIND "${cli_page}" ".SS \"zmqscope-cli ${command}\"" at)
    if(at EQUAL -1)
        fail("zmqscope-cli.1 has no section for the command \"${command}\"")
    endif()
endforeach()
step("gzip -dc zmqscope.1.gz" gzip -dc "${share}/man/man1/zmqscope.1.gz")
if(NOT step_output MATCHES "\\.TH ZMQSCOPE \"1\"" OR NOT step_output MATCHES "demo")
    fail("zmqscope.1 is not the man page of zmqscope --help")
endif()

# 6. The extracted programs run, without a display.
step("zmqscope-cli --version" "${root}/usr/bin/zmqscope-cli" --version)
if(NOT step_output MATCHES "^zmqscope-cli ${VERSION} ")
    fail("zmqscope-cli --version printed \"${step_output}\"")
endif()
step("zmqscope --version (no display)" "${root}/usr/bin/zmqscope" --version)
if(NOT step_output MATCHES "^zmqscope ${VERSION} ")
    fail("zmqscope --version printed \"${step_output}\"")
endif()
step("zmqscope --help (no display)" "${root}/usr/bin/zmqscope" --help)
if(NOT step_output MATCHES "--demo")
    fail("zmqscope --help printed \"${step_output}\"")
endif()
message(STATUS "packaging: all checks passed for ${app_deb} and ${dev_deb}")
