# Helpers shared by every CMakeLists.txt of the project.

# The OpenAPI generator is a Python 3 program that needs PyYAML. Any python3
# on PATH that can import yaml will do; Debian's python3-yaml provides it.
find_program(ASEC_PYTHON NAMES python3 REQUIRED)
execute_process(COMMAND ${ASEC_PYTHON} -c "import yaml"
                RESULT_VARIABLE _asec_yaml_missing OUTPUT_QUIET ERROR_QUIET)
if(_asec_yaml_missing AND EXISTS /usr/bin/python3)
  set(ASEC_PYTHON /usr/bin/python3 CACHE FILEPATH "python3 with PyYAML" FORCE)
  execute_process(COMMAND ${ASEC_PYTHON} -c "import yaml"
                  RESULT_VARIABLE _asec_yaml_missing OUTPUT_QUIET ERROR_QUIET)
endif()
if(_asec_yaml_missing)
  message(FATAL_ERROR "The OpenAPI generator needs PyYAML: apt-get install python3-yaml")
endif()

set(ASEC_GENERATOR ${PROJECT_SOURCE_DIR}/tools/openapi-gen/openapi_gen.py)
set(ASEC_GEN_DIR ${PROJECT_BINARY_DIR}/gen)
file(MAKE_DIRECTORY ${ASEC_GEN_DIR})

# asec_openapi(<prefix> <spec>) generates <prefix>_api.c/.h from an OpenAPI
# document into the build tree and sets <prefix>_API_SOURCES. Generated code
# is never committed; it is remade whenever the spec or the generator changes.
function(asec_openapi prefix spec)
  set(out_c ${ASEC_GEN_DIR}/${prefix}_api.c)
  set(out_h ${ASEC_GEN_DIR}/${prefix}_api.h)
  file(GLOB gen_sources ${PROJECT_SOURCE_DIR}/tools/openapi-gen/*.py)
  add_custom_command(
    OUTPUT ${out_c} ${out_h}
    COMMAND ${ASEC_PYTHON} ${ASEC_GENERATOR} --prefix ${prefix} --out-dir ${ASEC_GEN_DIR} ${spec}
    DEPENDS ${spec} ${gen_sources}
    COMMENT "Generating C bindings for ${prefix} from ${spec}"
    VERBATIM)
  set(${prefix}_API_SOURCES ${out_c} ${out_h} PARENT_SCOPE)
endfunction()

# asec_unit_test(<name> SOURCES ... LIBS ... [LABELS ...])
# A test that needs an outside service (PostgreSQL) exits 77 to say "skipped"
# when that service was not given to it; scripts/test.sh always gives it.
function(asec_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  if(ASEC_FUZZ)
    return()
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} PkgConfig::CMOCKA)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES
    SKIP_RETURN_CODE 77
    LABELS "unit;${T_LABELS}"
    ENVIRONMENT "ASEC_SOURCE_DIR=${PROJECT_SOURCE_DIR};CMOCKA_MESSAGE_OUTPUT=stdout")
endfunction()

# asec_fuzz_target(<name> SOURCES ... LIBS ...): a libFuzzer binary, built only
# in the fuzz preset. Its seed corpus lives in tests/fuzz/corpus/<name>/.
function(asec_fuzz_target name)
  cmake_parse_arguments(F "" "" "SOURCES;LIBS" ${ARGN})
  if(NOT ASEC_FUZZ)
    return()
  endif()
  add_executable(${name} ${F_SOURCES})
  target_link_libraries(${name} PRIVATE ${F_LIBS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
endfunction()

# asec_embed_files(<out.c> <symbol> <files...>): a C file holding the files'
# bytes (see cmake/embed.cmake), regenerated when any of them changes.
function(asec_embed_files out symbol)
  string(REPLACE ";" "|" files "${ARGN}")
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DSYMBOL=${symbol} "-DFILES=${files}"
      -P ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    DEPENDS ${ARGN} ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    COMMENT "Embedding ${symbol}" VERBATIM)
endfunction()
