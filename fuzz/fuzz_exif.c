/* libFuzzer entry point: the EXIF orientation parser alone (see targets.h). */
#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return sqz_fuzz_exif(data, size); }
