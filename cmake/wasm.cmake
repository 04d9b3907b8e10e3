# The .wasm engines: the library sources (cmake/sources.cmake) compiled by
# Emscripten. The native build's `wasm` step configures this with emcmake
# (CMakeLists.txt); by hand: emcmake cmake -S . -B build/wasm && cmake --build build/wasm
# Each lands in SQZ_DIST_DIR (dist/):
#   squeezenet.wasm         SIMD128, one thread, standalone
#   squeezenet-mt.wasm      SIMD128 with threads: shared memory imported as env.memory,
#                           instantiated once per thread by src/js/threads.js
#   squeezenet-scalar.wasm  no SIMD (the kernels' scalar twins), one thread, standalone:
#                           for browsers without wasm SIMD
#   cli-report.wasm         not an engine: the CLIs' output format (src/tools/report.c)
#                           for the Node CLI, so the engines link nothing of the CLIs
# Emscripten's JS glue is not used (under Node 20 it fetch()es file paths and
# fails): src/js/engine.js loads the .wasm.
set(SQZ_DIST_DIR "${CMAKE_SOURCE_DIR}/dist" CACHE PATH "where the .wasm files go")
set(CMAKE_C_EXTENSIONS OFF)     # -std=c11
set(CMAKE_C_FLAGS_RELEASE "")   # each engine's flags are below
# emcc's optimizer, run at link, needs Debian's acorn.
set(CMAKE_C_LINKER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs)

set(SQZ_WASM_CFLAGS -O3 -DNDEBUG)
set(SQZ_WASM_LINK --no-entry -sALLOW_MEMORY_GROWTH -sINITIAL_MEMORY=${SQZ_WASM_INITIAL_MEMORY}
    -sMAXIMUM_MEMORY=${SQZ_WASM_MAXIMUM_MEMORY} -sTOTAL_STACK=512KB)

# sqz_wasm(NAME SOURCES ... COMPILE flags... LINK flags...): NAME.wasm in dist/.
function(sqz_wasm name)
  cmake_parse_arguments(arg "" "" "SOURCES;COMPILE;LINK" ${ARGN})
  add_executable(${name} ${arg_SOURCES} ${SQZ_WASM_EXPORT_SOURCES})
  target_include_directories(${name} PRIVATE ${SQZ_INCLUDE_DIRS})
  target_include_directories(${name} SYSTEM PRIVATE ${SQZ_STB_INCLUDE_DIR})
  target_compile_options(${name} PRIVATE ${SQZ_WASM_CFLAGS} ${arg_COMPILE})
  target_link_options(${name} PRIVATE ${arg_LINK} ${SQZ_WASM_LINK})
  add_custom_command(TARGET ${name} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E make_directory ${SQZ_DIST_DIR}
    COMMAND ${CMAKE_COMMAND} -E copy $<TARGET_FILE_DIR:${name}>/${name}.wasm ${SQZ_DIST_DIR}/${name}.wasm)
endfunction()

sqz_wasm(squeezenet SOURCES ${SQZ_LIBRARY_SOURCES}
  COMPILE -msimd128
  LINK -O3 -msimd128 -sSTANDALONE_WASM)
set_target_properties(squeezenet PROPERTIES SUFFIX .wasm)

# emcc refuses STANDALONE_WASM with -pthread: this links to JS + wasm and
# keeps the .wasm, linked at -O2 (from -O3 on, emcc minifies export names).
sqz_wasm(squeezenet-mt SOURCES ${SQZ_LIBRARY_SOURCES}
  COMPILE -msimd128 -pthread
  LINK -O2 -msimd128 -pthread -Wno-pthreads-mem-growth)

# Without -msimd128 the kernels header leaves the SIMD sets out and the engine
# runs the scalar twins (src/kernels/kernels.h, SQZ_KERNELS_SIMD).
set(SQZ_SCALAR_SOURCES ${SQZ_LIBRARY_SOURCES})
list(REMOVE_ITEM SQZ_SCALAR_SOURCES ${SQZ_SIMD_KERNEL_SOURCES})
sqz_wasm(squeezenet-scalar SOURCES ${SQZ_SCALAR_SOURCES}
  LINK -O3 -sSTANDALONE_WASM)
set_target_properties(squeezenet-scalar PROPERTIES SUFFIX .wasm)

# About 22 KB; a formatter needs no engine-sized memory.
add_executable(cli-report ${SQZ_CLI_REPORT_SOURCES})
target_include_directories(cli-report PRIVATE ${SQZ_INCLUDE_DIRS})
target_compile_options(cli-report PRIVATE -O2 -DNDEBUG)
target_link_options(cli-report PRIVATE -O2 -sSTANDALONE_WASM --no-entry -sALLOW_MEMORY_GROWTH
                    -sINITIAL_MEMORY=1MB -sTOTAL_STACK=64KB)
set_target_properties(cli-report PROPERTIES SUFFIX .wasm)
add_custom_command(TARGET cli-report POST_BUILD
  COMMAND ${CMAKE_COMMAND} -E make_directory ${SQZ_DIST_DIR}
  COMMAND ${CMAKE_COMMAND} -E copy $<TARGET_FILE:cli-report> ${SQZ_DIST_DIR}/cli-report.wasm)
