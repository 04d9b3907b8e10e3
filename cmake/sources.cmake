# The C sources of each layer, listed once: the native libraries
# (CMakeLists.txt) and the .wasm engines (cmake/wasm.cmake) are built from
# these lists. Each layer uses only the ones above it.
#   common      errors, CRC-32, float16: what every layer shares
#   kernels     micro-kernels (one per operation, tile and ISA) + weight packing
#   preprocess  decoding, resize/crop/normalise
#   format      the .sqz format: reading, tensor codecs, writing
#   learn       training a head, writing taught models
#   engine      network plan and arena, operators, thread pool, the public API
file(GLOB SQZ_COMMON_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/common/*.c)
file(GLOB SQZ_KERNEL_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/kernels/*.c ${CMAKE_SOURCE_DIR}/src/kernels/*/*.c)
file(GLOB SQZ_PREPROCESS_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/preprocess/*.c)
file(GLOB SQZ_FORMAT_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/format/*.c)
file(GLOB SQZ_LEARN_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/learn/*.c)
file(GLOB SQZ_ENGINE_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/engine/*.c ${CMAKE_SOURCE_DIR}/src/engine/*/*.c)
set(SQZ_LIBRARY_SOURCES ${SQZ_COMMON_SOURCES} ${SQZ_KERNEL_SOURCES} ${SQZ_PREPROCESS_SOURCES}
    ${SQZ_FORMAT_SOURCES} ${SQZ_LEARN_SOURCES} ${SQZ_ENGINE_SOURCES})
# Training's sums must round the same on every platform: no FMA contraction
# (gcc contracts by default where FMA exists).
file(GLOB SQZ_LEARN_KERNEL_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/kernels/f32-mm/*.c)
set_source_files_properties(${SQZ_LEARN_SOURCES} ${SQZ_LEARN_KERNEL_SOURCES}
                            PROPERTIES COMPILE_OPTIONS -ffp-contract=off)
# The SIMD128 kernels (file names end in -wasmsimd*), which the scalar .wasm leaves out.
set(SQZ_SIMD_KERNEL_SOURCES ${SQZ_KERNEL_SOURCES})
list(FILTER SQZ_SIMD_KERNEL_SOURCES INCLUDE REGEX "-wasmsimd[^/]*\\.c$")
# What the .wasm engines add: their exports (src/wasm/*.c; nothing of the CLIs).
file(GLOB SQZ_WASM_EXPORT_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/wasm/*.c)
# The CLIs' output format (what the native sqz links) and its exports, built
# alone as dist/cli-report.wasm for the Node CLI.
set(SQZ_CLI_REPORT_SOURCES ${CMAKE_SOURCE_DIR}/src/tools/report.c ${CMAKE_SOURCE_DIR}/src/wasm/report/exports.c)
set(SQZ_INCLUDE_DIRS ${CMAKE_SOURCE_DIR}/src/include ${CMAKE_SOURCE_DIR}/src)
set(SQZ_STB_INCLUDE_DIR /usr/include/stb)  # Debian's libstb-dev

# The .wasm engines' memory (cmake/wasm.cmake links with these; src/js/threads.js
# creates the threaded engine's shared memory with them, through dist/constants.js).
set(SQZ_WASM_INITIAL_MEMORY 16777216)    # 16 MiB
set(SQZ_WASM_MAXIMUM_MEMORY 2147483648)  # 2 GiB
