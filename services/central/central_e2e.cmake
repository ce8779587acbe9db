# central_e2e.cmake - central's image scans end to end with the real
# scanner-indexer and scanner-matcher, two docker-registries and PostgreSQL
# (central_e2e_test.c). Included at the end of this folder's CMakeLists.txt:
#
#   include(${CMAKE_CURRENT_SOURCE_DIR}/central_e2e.cmake)
#
# The test starts this build's central, scanner-indexer, scanner-matcher,
# roxctl and asec-pki binaries, so it depends on them, and finds them through the
# environment ctest gives it (CENTRAL_E2E_*_BIN). It needs
# ASEC_TEST_DATABASE_URL, ASEC_TEST_REGISTRY and ASEC_TEST_REGISTRY_AUTH
# (+ _USER, _PASSWORD), as scripts/test.sh provides, and the shared OSV PyPI
# feed; it skips without them. It talks to PostgreSQL with libpq only to make
# and drop its schemas, drop central's connections and read Central DB's rows.
asec_unit_test(central_e2e_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/central_e2e_test.c
  LIBS asec_registry_testpush asec_error PkgConfig::CURL PkgConfig::JANSSON PkgConfig::ZLIB
  PkgConfig::LIBPQ Threads::Threads
  LABELS "central;matcher;indexer;postgres;network-loopback")
if(TARGET central_e2e_test)
  # e2e_support.h (image building) lives with the indexer's end-to-end tests,
  # service_testing.h (the services, HTTPS, the schemas) with every service's.
  target_include_directories(central_e2e_test PRIVATE ${PROJECT_SOURCE_DIR}/services/scanner-indexer
    ${PROJECT_SOURCE_DIR}/tests/support)
  add_dependencies(central_e2e_test central roxctl scanner-matcher scanner-indexer asec-pki)
  set_property(TEST central_e2e_test APPEND PROPERTY ENVIRONMENT
    "CENTRAL_E2E_CENTRAL_BIN=$<TARGET_FILE:central>"
    "CENTRAL_E2E_ROXCTL_BIN=$<TARGET_FILE:roxctl>"
    "CENTRAL_E2E_MATCHER_BIN=$<TARGET_FILE:scanner-matcher>"
    "CENTRAL_E2E_INDEXER_BIN=$<TARGET_FILE:scanner-indexer>"
    "CENTRAL_E2E_PKI_BIN=$<TARGET_FILE:asec-pki>")
  # About a minute; 50 parallel scans and three restarts take longer under ASan.
  set_tests_properties(central_e2e_test PROPERTIES TIMEOUT 900)
endif()

# central_session_e2e_test.c - the portal's browser sessions against this
# build's central and PostgreSQL only (no scanners, no registries): it needs
# ASEC_TEST_DATABASE_URL and skips without it.
asec_unit_test(central_session_e2e_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/central_session_e2e_test.c
  LIBS PkgConfig::CURL PkgConfig::JANSSON PkgConfig::LIBPQ
  LABELS "central;postgres;network-loopback")
if(TARGET central_session_e2e_test)
  target_include_directories(central_session_e2e_test PRIVATE ${PROJECT_SOURCE_DIR}/tests/support
    ${PROJECT_SOURCE_DIR}/shared)
  add_dependencies(central_session_e2e_test central asec-pki)
  set_property(TEST central_session_e2e_test APPEND PROPERTY ENVIRONMENT
    "CENTRAL_E2E_CENTRAL_BIN=$<TARGET_FILE:central>"
    "CENTRAL_E2E_PKI_BIN=$<TARGET_FILE:asec-pki>")
  set_tests_properties(central_session_e2e_test PROPERTIES TIMEOUT 300)
endif()
