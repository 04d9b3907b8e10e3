/* A valid model without a fire module (a 1x1 convolution of 3 to 2 channels,
 * then the global pool), for the tests of what needs one (embeddings, a base
 * to teach): it classifies, but has no embedding. */
#ifndef SQZ_TEST_NO_FIRE_MODEL_H
#define SQZ_TEST_NO_FIRE_MODEL_H
#include <stddef.h>
#include <stdint.h>

#include "format/writer.h"

/* Its bytes (free them), or NULL. */
static uint8_t *test_no_fire_model(size_t *size) {
  sqz_recipe r = {16, 16, 0, SQZ_RESIZE_SHORTER, 18, 1.0f / 255, {0, 0, 0}, {1, 1, 1}};
  const char *labels[2] = {"a", "b"};
  float wv[2 * 3] = {1, 2, 3, 4, 5, 6}, bv[2] = {0, 0};
  sqz_writer w;
  sqz_writer_init(&w);
  sqz_write_header(&w);
  sqz_write_meta(&w, "nofire", &r);
  sqz_write_labels(&w, labels, 2);
  sqz_write_section_begin(&w, "GRPH");
  sqz_write_u32(&w, 2);
  sqz_write_op(&w, SQZ_OP_CONV);
  sqz_write_u16(&w, 2);
  sqz_write_u8(&w, 1), sqz_write_u8(&w, 1), sqz_write_u8(&w, 1), sqz_write_u8(&w, 0), sqz_write_u8(&w, 0), sqz_write_u8(&w, 0);
  sqz_write_tensor(&w, SQZ_ENC_F32, wv, 6);
  sqz_write_tensor(&w, SQZ_ENC_F32, bv, 2);
  sqz_write_op(&w, SQZ_OP_GAP);
  sqz_write_section_end(&w);
  sqz_error err;
  if (sqz_writer_finish(&w, &err)) return NULL;
  *size = w.size;
  return w.data;
}

#endif
