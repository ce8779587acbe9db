# layer.cmake - the layer walker, included from this folder's CMakeLists.txt.
# layer.c decompresses (ISA-L igzip, libzstd) and hands plain tar to
# libarchive; zlib is only the test's and fuzzer's gzip writer.
add_library(asec_indexer_layer STATIC ${CMAKE_CURRENT_LIST_DIR}/layer.c)
target_include_directories(asec_indexer_layer PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(asec_indexer_layer PUBLIC asec_indexer_detectors asec_error PkgConfig::LIBARCHIVE
  PkgConfig::ZLIB PkgConfig::ZSTD PkgConfig::ISAL)

asec_unit_test(layer_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/layer_test.c
  LIBS asec_indexer_layer Threads::Threads LABELS "indexer")
asec_fuzz_target(layer_fuzz SOURCES ${CMAKE_CURRENT_LIST_DIR}/layer_fuzz.c LIBS asec_indexer_layer)
