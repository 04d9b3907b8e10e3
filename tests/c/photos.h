/* The 200 sample photos and the independent reference's predictions for them
 * (../shared/reference/<model>/predictions.json), shared by the end-to-end
 * tests and the compact-model benchmark. */
#ifndef SQZ_TEST_PHOTOS_H
#define SQZ_TEST_PHOTOS_H
#include "squeezenet.h"

typedef struct ref_entry {
  char file[256];
  int label, top5[5];
  float top5_logits[5];
} ref_entry;

/* Parses the reference predictions of `model` (squeezenet1_1, squeezenet1_0)
 * into out; returns the number of entries (0 if the file cannot be read). */
int photos_load_reference(const char *model, ref_entry *out, int cap);

/* Classifies every photo end to end; top5[5 * i …] receives photo i's top-5
 * indices (-1 when it failed). Returns the number classified. */
int photos_classify(sqz_model *m, const ref_entry *refs, int n, int *top5);

#endif
