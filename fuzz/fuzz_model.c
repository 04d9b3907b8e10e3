/* libFuzzer entry point: the .sqz model loader (see targets.h). */
#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return sqz_fuzz_model(data, size); }
