# services/scanner-indexer/rootfs.cmake - the indexer end to end over a real
# Debian root file system (a debootstrap minbase tree made and cached by
# scripts/lib/rootfs.sh), compared with dpkg-query. Included from
# services/scanner-indexer/CMakeLists.txt.
#
# Needs ASEC_TEST_ROOTFS_DIR, ASEC_TEST_DATABASE_URL and ASEC_TEST_REGISTRY
# (scripts/test.sh sets them); skipped without them, failed under CI=true.
# libarchive reads the dpkg status file back out of the tar; zlib and libzstd
# make the gzip and zstd layers.
asec_unit_test(rootfs_e2e_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/rootfs_e2e_test.c
  LIBS asec_indexer_core asec_registry_testpush PkgConfig::ZLIB PkgConfig::ZSTD PkgConfig::LIBARCHIVE
  LABELS "indexer;postgres;network-loopback")
if(TARGET rootfs_e2e_test)
  # Compressing and indexing ~250 MB three times; under ASan+UBSan a few
  # minutes on a slow machine.
  set_tests_properties(rootfs_e2e_test PROPERTIES TIMEOUT 1800)
endif()
