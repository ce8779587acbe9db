# roxctl: the command-line client for central's StackRox-compatible API.
#
# asec_roxctl_output turns central's scan results into what `roxctl image
# scan` prints (table, json, csv, SARIF), and central's policy alerts into
# what `roxctl image check` and `roxctl deployment check` print (table,
# json, junit, SARIF; check_output.c); text_output.c holds what both
# share (terminal-safe UTF-8 and widths, box tables, CSV/XML/URI/JSON
# escaping, the SARIF skeleton). It is pure formatting, with no
# network, so it is unit-tested and fuzzed on its own. scan-output-dump and
# check-output-dump print a saved answer of central in any format: the
# SARIF schema test in tests/sarif/ runs them, and they regenerate the
# golden files in testdata/.
# Paths go through CMAKE_CURRENT_LIST_DIR so this file can be included from
# any CMakeLists.txt.
set(_roxctl_dir ${CMAKE_CURRENT_LIST_DIR})

add_library(asec_roxctl_output STATIC ${_roxctl_dir}/scan_output.c ${_roxctl_dir}/scan_output.h
  ${_roxctl_dir}/check_output.c ${_roxctl_dir}/check_output.h ${_roxctl_dir}/text_output.c
  ${_roxctl_dir}/text_output.h)
target_include_directories(asec_roxctl_output PUBLIC ${_roxctl_dir} ${PROJECT_SOURCE_DIR}/shared)
target_link_libraries(asec_roxctl_output PUBLIC asec_error PkgConfig::JANSSON m)

asec_unit_test(scan_output_test SOURCES ${_roxctl_dir}/scan_output_test.c LIBS asec_roxctl_output LABELS "roxctl")
asec_unit_test(check_output_test SOURCES ${_roxctl_dir}/check_output_test.c LIBS asec_roxctl_output LABELS "roxctl")
if(TARGET check_output_test)
  target_compile_definitions(check_output_test PRIVATE CHECK_TESTDATA="${_roxctl_dir}/testdata")
endif()

if(NOT ASEC_FUZZ)
  add_executable(scan-output-dump ${_roxctl_dir}/scan_output_dump.c)
  target_link_libraries(scan-output-dump PRIVATE asec_roxctl_output)
  add_executable(check-output-dump ${_roxctl_dir}/check_output_dump.c)
  target_link_libraries(check-output-dump PRIVATE asec_roxctl_output)
endif()

asec_fuzz_target(scan_output_fuzz SOURCES ${_roxctl_dir}/scan_output_fuzz.c LIBS asec_roxctl_output)
asec_fuzz_target(check_output_fuzz SOURCES ${_roxctl_dir}/check_output_fuzz.c LIBS asec_roxctl_output)

# The CLI: cli.c parses and dispatches, client.c speaks HTTPS to central,
# one file per command (check_common.c: what image check and deployment
# check share). asec_roxctl_cli is everything but main.c, so the
# unit test links the real parser and the real client.
add_library(asec_roxctl_cli STATIC ${_roxctl_dir}/cli.c ${_roxctl_dir}/cli.h ${_roxctl_dir}/client.c
  ${_roxctl_dir}/client.h ${_roxctl_dir}/central_whoami.c ${_roxctl_dir}/image_scan.c
  ${_roxctl_dir}/check_common.c ${_roxctl_dir}/check_common.h ${_roxctl_dir}/image_check.c
  ${_roxctl_dir}/deployment_check.c ${_roxctl_dir}/policy_cmd.c)
target_include_directories(asec_roxctl_cli PUBLIC ${_roxctl_dir} ${PROJECT_SOURCE_DIR}/shared)
target_link_libraries(asec_roxctl_cli PUBLIC asec_roxctl_output asec_httpclient asec_error PkgConfig::JANSSON)

if(NOT ASEC_FUZZ)
  add_executable(roxctl ${_roxctl_dir}/main.c)
  target_link_libraries(roxctl PRIVATE asec_roxctl_cli)
endif()

asec_unit_test(roxctl_cli_test SOURCES ${_roxctl_dir}/roxctl_cli_test.c LIBS asec_roxctl_cli LABELS "roxctl")

# End to end: this build's roxctl against this build's central, with
# PostgreSQL from ASEC_TEST_DATABASE_URL (skipped without it, failed under
# CI=true) and a throw-away PKI made with shared/pki.
asec_unit_test(roxctl_e2e_test SOURCES ${_roxctl_dir}/roxctl_e2e_test.c
  LIBS asec_pki asec_error PkgConfig::CURL PkgConfig::JANSSON PkgConfig::LIBPQ PkgConfig::GNUTLS Threads::Threads
  LABELS "roxctl;central;postgres;network-loopback")
if(TARGET roxctl_e2e_test)
  add_dependencies(roxctl_e2e_test roxctl central)
  target_compile_definitions(roxctl_e2e_test PRIVATE
    ROXCTL_E2E_ROXCTL_BIN="$<TARGET_FILE:roxctl>" ROXCTL_E2E_CENTRAL_BIN="$<TARGET_FILE:central>")
  set_tests_properties(roxctl_e2e_test PROPERTIES TIMEOUT 600)
endif()

asec_fuzz_target(roxctl_cli_fuzz SOURCES ${_roxctl_dir}/cli_fuzz.c LIBS asec_roxctl_cli)
