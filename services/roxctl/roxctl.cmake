# roxctl: the command-line client for central's StackRox-compatible API.
#
# asec_roxctl_output turns central's scan results into what `roxctl image
# scan` prints (table, json, csv, SARIF); it is pure formatting, with no
# network, so it is unit-tested and fuzzed on its own. scan-output-dump
# prints a saved Image JSON in any format: the SARIF schema test in
# tests/sarif/ runs it, and it regenerates the golden files in testdata/.
# Paths go through CMAKE_CURRENT_LIST_DIR so this file can be included from
# any CMakeLists.txt.
set(_roxctl_dir ${CMAKE_CURRENT_LIST_DIR})

add_library(asec_roxctl_output STATIC ${_roxctl_dir}/scan_output.c ${_roxctl_dir}/scan_output.h)
target_include_directories(asec_roxctl_output PUBLIC ${_roxctl_dir} ${PROJECT_SOURCE_DIR}/shared)
target_link_libraries(asec_roxctl_output PUBLIC asec_error PkgConfig::JANSSON m)

asec_unit_test(scan_output_test SOURCES ${_roxctl_dir}/scan_output_test.c LIBS asec_roxctl_output LABELS "roxctl")

if(NOT ASEC_FUZZ)
  add_executable(scan-output-dump ${_roxctl_dir}/scan_output_dump.c)
  target_link_libraries(scan-output-dump PRIVATE asec_roxctl_output)
endif()

asec_fuzz_target(scan_output_fuzz SOURCES ${_roxctl_dir}/scan_output_fuzz.c LIBS asec_roxctl_output)
