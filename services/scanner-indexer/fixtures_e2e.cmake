# services/scanner-indexer/fixtures_e2e.cmake - every detector at once, end to
# end: images assembled from ../shared/fixtures (one per OS package database
# family, with the language fixtures in gzip and zstd layers on top, a layer
# of whiteouts, a two-platform index) are pushed to a docker-registry and
# indexed through indexer_index(), and each ecosystem is compared with the
# expected list beside its fixture (fixtures_e2e_test.c). Included at the end
# of this folder's CMakeLists.txt.
#
# Needs ASEC_TEST_DATABASE_URL and ASEC_TEST_REGISTRY (scripts/test.sh sets
# them) and the shared fixtures; skipped without them, failed under CI=true.
# libarchive writes the layer tars; zlib and libzstd compress them.
asec_unit_test(fixtures_e2e_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/fixtures_e2e_test.c
  LIBS asec_indexer_core asec_registry_testpush PkgConfig::ZLIB PkgConfig::ZSTD PkgConfig::LIBARCHIVE
  LABELS "indexer;postgres;network-loopback")
if(TARGET fixtures_e2e_test)
  # About 2 MB of layers indexed six times: a second or two here in Debug
  # and with ASan+UBSan; the bound leaves room for a slow machine.
  set_tests_properties(fixtures_e2e_test PROPERTIES TIMEOUT 600)
endif()
