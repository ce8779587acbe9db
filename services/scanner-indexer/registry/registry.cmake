# services/scanner-indexer/registry: the OCI registry client (references,
# manifests, configs, blobs, auth), its tests and fuzz targets. Included from
# services/scanner-indexer/CMakeLists.txt.
set(ASEC_REGISTRY_DIR ${CMAKE_CURRENT_LIST_DIR})

add_library(asec_indexer_registry STATIC
  ${ASEC_REGISTRY_DIR}/reference.c
  ${ASEC_REGISTRY_DIR}/digest.c
  ${ASEC_REGISTRY_DIR}/manifest.c
  ${ASEC_REGISTRY_DIR}/challenge.c
  ${ASEC_REGISTRY_DIR}/registry.c
  ${ASEC_REGISTRY_DIR}/registry.h
  ${ASEC_REGISTRY_DIR}/registry_int.h)
# Includes are written "registry/registry.h", from services/scanner-indexer.
target_include_directories(asec_indexer_registry PUBLIC ${ASEC_REGISTRY_DIR}/..)
target_link_libraries(asec_indexer_registry PUBLIC asec_httpclient asec_error asec_log PkgConfig::JANSSON
  PkgConfig::GNUTLS Threads::Threads)

# The test pusher: for tests only (this module's and the indexer's end-to-end tests).
add_library(asec_indexer_registry_testpush STATIC
  ${ASEC_REGISTRY_DIR}/testpush.c ${ASEC_REGISTRY_DIR}/testpush.h)
target_link_libraries(asec_indexer_registry_testpush PUBLIC asec_indexer_registry)

# Parsers alone: no network.
asec_unit_test(registry_reference_test SOURCES ${ASEC_REGISTRY_DIR}/reference_test.c
  LIBS asec_indexer_registry LABELS "indexer;registry")
asec_unit_test(registry_challenge_test SOURCES ${ASEC_REGISTRY_DIR}/challenge_test.c
  LIBS asec_indexer_registry LABELS "indexer;registry")
asec_unit_test(registry_manifest_test SOURCES ${ASEC_REGISTRY_DIR}/manifest_test.c
  LIBS asec_indexer_registry LABELS "indexer;registry")

# The client against fake registries and a token service of its own (ulfius)
# and misbehaving socket servers, all on 127.0.0.1.
asec_unit_test(registry_client_test SOURCES ${ASEC_REGISTRY_DIR}/client_test.c
  LIBS asec_indexer_registry PkgConfig::ULFIUS PkgConfig::ORCANIA PkgConfig::MHD
  LABELS "indexer;registry;network-loopback")

# The client against real docker-registry instances started by scripts/test.sh
# (scripts/lib/registry.sh): ASEC_TEST_REGISTRY, ASEC_TEST_REGISTRY_AUTH,
# ASEC_TEST_REGISTRY_USER, ASEC_TEST_REGISTRY_PASSWORD. Skipped without them.
asec_unit_test(registry_live_test SOURCES ${ASEC_REGISTRY_DIR}/live_test.c
  LIBS asec_indexer_registry asec_indexer_registry_testpush LABELS "indexer;registry;network-loopback")

foreach(t registry_client_test registry_live_test registry_manifest_test)
  if(TARGET ${t})
    target_compile_definitions(${t} PRIVATE
      REGISTRY_TESTDATA="${ASEC_REGISTRY_DIR}/testdata"
      HTTPCLIENT_TESTDATA="${PROJECT_SOURCE_DIR}/shared/httpclient/testdata")
    set_tests_properties(${t} PROPERTIES TIMEOUT 240)
  endif()
endforeach()

asec_fuzz_target(manifest_fuzz SOURCES ${ASEC_REGISTRY_DIR}/manifest_fuzz.c LIBS asec_indexer_registry)
asec_fuzz_target(reference_fuzz SOURCES ${ASEC_REGISTRY_DIR}/reference_fuzz.c LIBS asec_indexer_registry)
