# Proves the installed package works for another program:
#   1. cmake --install <build dir> --prefix <work>/prefix --component development
#   2. configure and build tests/consumer/project against that prefix only
#   3. run the consumer, which exits 0 only when all its checks passed.
#
# cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DCONSUMER_DIR=... -DWORK_DIR=...
#       -DGENERATOR=... -DCXX_COMPILER=... -DBUILD_TYPE=... -P run_consumer.cmake

foreach(var BUILD_DIR SOURCE_DIR CONSUMER_DIR WORK_DIR GENERATOR CXX_COMPILER)
    if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
        message(FATAL_ERROR "run_consumer.cmake: -D${var}=... is required")
    endif()
endforeach()
# BUILD_TYPE is the configuration under test; empty for a build without CMAKE_BUILD_TYPE.
set(config_args "")
if(BUILD_TYPE)
    set(config_args --config "${BUILD_TYPE}")
endif()

set(prefix "${WORK_DIR}/prefix")
set(project_copy "${WORK_DIR}/project")
set(consumer_build "${WORK_DIR}/build")

# step <name> COMMAND...: runs a command, fails the test with its output when it fails.
function(step name)
    message(STATUS "consumer: ${name}")
    execute_process(COMMAND ${ARGN}
        RESULT_VARIABLE result
        OUTPUT_VARIABLE output
        ERROR_VARIABLE output
        TIMEOUT 240)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "consumer: ${name} failed (${result}):\n${output}")
    endif()
    set(step_output "${output}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

step("install the development component to ${prefix}"
    "${CMAKE_COMMAND}" --install "${BUILD_DIR}" ${config_args} --prefix "${prefix}" --component development)
foreach(installed include/zmqscope/transport.h)
    if(NOT EXISTS "${prefix}/${installed}")
        message(FATAL_ERROR "consumer: the install did not produce ${prefix}/${installed}")
    endif()
endforeach()
file(GLOB_RECURSE config_files "${prefix}/*/ZmqScopeConfig.cmake")
if(NOT config_files)
    message(FATAL_ERROR "consumer: the install did not produce ZmqScopeConfig.cmake under ${prefix}")
endif()

# The consumer's sources are copied out, so nothing relative to our tree can
# leak in; the user and system package registries are off, so find_package()
# can only succeed through CMAKE_PREFIX_PATH.
file(COPY "${CONSUMER_DIR}/" DESTINATION "${project_copy}")
step("configure the consumer against ${prefix}"
    "${CMAKE_COMMAND}" -S "${project_copy}" -B "${consumer_build}" -G "${GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${prefix}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)

file(STRINGS "${consumer_build}/CMakeCache.txt" found_dir REGEX "^ZmqScope_DIR:")
string(REGEX REPLACE "^ZmqScope_DIR:[A-Z]+=" "" found_dir "${found_dir}")
string(FIND "${found_dir}" "${prefix}/" at)
if(NOT at EQUAL 0)
    message(FATAL_ERROR "consumer: ZmqScope was found in \"${found_dir}\", not in the install prefix ${prefix}")
endif()

# Only the transport part is installed (DESIGN.md section 4): the headers under include/zmqscope/
# are exactly those of core/transport/include/zmqscope, with no folder of another part.
file(GLOB_RECURSE installed_headers RELATIVE "${prefix}/include/zmqscope" "${prefix}/include/zmqscope/*")
file(GLOB_RECURSE transport_headers RELATIVE "${SOURCE_DIR}/core/transport/include/zmqscope"
    "${SOURCE_DIR}/core/transport/include/zmqscope/*")
list(SORT installed_headers)
list(SORT transport_headers)
if(NOT installed_headers STREQUAL transport_headers OR installed_headers STREQUAL "")
    message(FATAL_ERROR "consumer: the installed headers are not those of core/transport:\n"
        "  installed: ${installed_headers}\n  transport: ${transport_headers}")
endif()

step("build the consumer" "${CMAKE_COMMAND}" --build "${consumer_build}" ${config_args})

# Nothing of our source or build tree may appear in how the consumer was compiled and linked.
file(READ "${consumer_build}/compile_commands.json" commands)
set(link_commands "")
if(EXISTS "${consumer_build}/build.ninja")
    file(READ "${consumer_build}/build.ninja" link_commands)
endif()
foreach(forbidden "${SOURCE_DIR}/core/" "${BUILD_DIR}/core/")
    string(FIND "${commands}${link_commands}" "${forbidden}" at)
    if(NOT at EQUAL -1)
        message(FATAL_ERROR "consumer: the consumer build uses ${forbidden}, not only the install prefix")
    endif()
endforeach()

step("run the consumer" "${consumer_build}/consumer")
message(STATUS "${step_output}")
