/* IEEE float16 <-> float32, round to nearest even (the f16 encoding). */
#ifndef SQZ_HALF_H
#define SQZ_HALF_H
#include <stdint.h>

float sqz_f16_to_f32(uint16_t h);
uint16_t sqz_f32_to_f16(float f);

#endif
