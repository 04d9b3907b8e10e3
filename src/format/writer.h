/* Writing .sqz files (models/FORMAT.md), for the converters and tools. */
#ifndef SQZ_WRITER_H
#define SQZ_WRITER_H
#include <stddef.h>
#include <stdint.h>

#include "format/format.h"

/* Writing: a growable byte buffer; errors are sticky and reported at the end. */
typedef struct sqz_writer {
  uint8_t *data;
  size_t size, capacity;
  size_t section_start; /* offset of the open section's length field */
  int failed;
} sqz_writer;

void sqz_writer_init(sqz_writer *w);
void sqz_writer_free(sqz_writer *w);
void sqz_write_u8(sqz_writer *w, uint8_t v);
void sqz_write_u16(sqz_writer *w, uint16_t v);
void sqz_write_u32(sqz_writer *w, uint32_t v);
void sqz_write_f32(sqz_writer *w, float v);
void sqz_write_bytes(sqz_writer *w, const void *p, size_t n);
void sqz_write_header(sqz_writer *w);
void sqz_write_section_begin(sqz_writer *w, const char tag[4]);
void sqz_write_section_end(sqz_writer *w);
/* META from a description's name, input size and recipe. */
void sqz_write_meta(sqz_writer *w, const char *name, const sqz_recipe *recipe);
/* LABL from the text of a synset_words.txt (one label per line). */
void sqz_write_labels(sqz_writer *w, const char *const *labels, uint32_t count);
/* A layer record's header: the op and 3 reserved bytes. */
void sqz_write_op(sqz_writer *w, sqz_op op);
/* A tensor of float values stored in `encoding` (F32 or F16). */
void sqz_write_tensor(sqz_writer *w, sqz_encoding encoding, const float *values, uint32_t count);
/* A tensor whose payload is already encoded. */
void sqz_write_tensor_raw(sqz_writer *w, sqz_encoding encoding, uint32_t count,
                          const void *payload, uint32_t bytes);
/* Fills in size and checksum; returns SQZ_OK or SQZ_ERR_MEMORY. */
sqz_status sqz_writer_finish(sqz_writer *w, sqz_error *err);

#endif
