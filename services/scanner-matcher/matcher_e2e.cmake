# matcher_e2e.cmake - scanner-matcher end to end with the real indexer, a
# docker-registry and PostgreSQL (matcher_e2e_test.c). Included at the end of
# this folder's CMakeLists.txt:
#
#   include(${CMAKE_CURRENT_SOURCE_DIR}/matcher_e2e.cmake)
#
# The test starts this build's scanner-indexer, scanner-matcher and asec-pki
# binaries, so it depends on them, and finds them through the environment
# ctest gives it (MATCHER_E2E_*_BIN). It needs ASEC_TEST_DATABASE_URL and
# ASEC_TEST_REGISTRY (scripts/test.sh) and the shared feeds and fixtures, and
# skips without them. It builds an rpm database with libsqlite3 and talks to
# PostgreSQL with libpq only to make and drop its own schema.
asec_unit_test(matcher_e2e_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/matcher_e2e_test.c
  LIBS asec_registry_testpush asec_error PkgConfig::CURL PkgConfig::JANSSON PkgConfig::ZLIB
  PkgConfig::LIBPQ PkgConfig::SQLITE3 Threads::Threads
  LABELS "matcher;indexer;postgres;network-loopback")
if(TARGET matcher_e2e_test)
  # e2e_support.h lives with the indexer's end-to-end tests; service_testing.h
  # (starting the services, HTTPS, the run's schema) with every service's.
  target_include_directories(matcher_e2e_test PRIVATE ${PROJECT_SOURCE_DIR}/services/scanner-indexer
    ${PROJECT_SOURCE_DIR}/tests/support)
  add_dependencies(matcher_e2e_test scanner-matcher scanner-indexer asec-pki)
  set_property(TEST matcher_e2e_test APPEND PROPERTY ENVIRONMENT
    "MATCHER_E2E_MATCHER_BIN=$<TARGET_FILE:scanner-matcher>"
    "MATCHER_E2E_INDEXER_BIN=$<TARGET_FILE:scanner-indexer>"
    "MATCHER_E2E_PKI_BIN=$<TARGET_FILE:asec-pki>")
  # Fifteen feed imports, five images, a 65 MiB line and eight kill -9
  # restarts, each loading all data: about two minutes, more under ASan.
  set_tests_properties(matcher_e2e_test PROPERTIES TIMEOUT 1200)
endif()
