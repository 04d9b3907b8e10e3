/* libFuzzer entry point: decode + preprocess + classify (see targets.h). */
#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return sqz_fuzz_image(data, size); }
