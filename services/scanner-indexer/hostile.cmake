# hostile.cmake - the scanner-indexer service process against hostile and
# broken images and registries (hostile_e2e_test.c). Included at the end of
# this folder's CMakeLists.txt.
#
# The test starts the scanner-indexer and asec-pki binaries of this build, so
# it depends on them and gets their paths as compile definitions; it needs
# PostgreSQL (ASEC_TEST_DATABASE_URL) and a docker-registry
# (ASEC_TEST_REGISTRY), as scripts/test.sh provides, and skips without them.
# In a sanitizer build the service's peak RSS is printed, not judged.
asec_unit_test(hostile_e2e_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/hostile_e2e_test.c
  LIBS asec_registry_testpush asec_error PkgConfig::CURL PkgConfig::JANSSON PkgConfig::ZLIB
  Threads::Threads
  LABELS "indexer;postgres;network-loopback")
if(TARGET hostile_e2e_test)
  target_compile_definitions(hostile_e2e_test PRIVATE
    HOSTILE_INDEXER_BIN="$<TARGET_FILE:scanner-indexer>"
    HOSTILE_PKI_BIN="$<TARGET_FILE:asec-pki>"
    $<$<BOOL:${ASEC_SANITIZE}>:HOSTILE_SANITIZED>)
  add_dependencies(hostile_e2e_test scanner-indexer asec-pki)
  # service_testing.h: starting the service, HTTPS, the PKI.
  target_include_directories(hostile_e2e_test PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
  # A gzip bomb, 1,000 layers and deliberate registry timeouts: minutes under ASan.
  set_tests_properties(hostile_e2e_test PROPERTIES TIMEOUT 900)
endif()
