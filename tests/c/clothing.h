/* The dev task of issue 16 (../shared/testdata/clothing/): real photos of 10
 * clothing classes, train/ (30 per class) and validation/ (341), and their
 * embeddings, computed from the photos by a features model (the base cut
 * after its last fire module, then the global average pool). Shared by
 * test_teach_clothing, test_taught_model and bench/teach.c. */
#ifndef SQZ_TEST_CLOTHING_H
#define SQZ_TEST_CLOTHING_H
#include <stddef.h>
#include <stdint.h>

#include "squeezenet.h"

#define CLOTHING_MAX_CLASSES 16

typedef struct clothing_set {
  int classes;                          /* class folders, in sorted order */
  char names[CLOTHING_MAX_CLASSES][64];
  int n;                                /* photos */
  int *label;                           /* n: class index (its folder) */
  int *rank;                            /* n: position within its class, sorted by file name */
  char **path;                          /* n */
  int dim;
  float *embeddings;                    /* n × dim, once computed */
} clothing_set;

/* Lists the photos of ../shared/testdata/clothing/<split>/<class>/; returns their count (0: none). */
int clothing_list(const char *split, clothing_set *set);
/* Computes every photo's embedding with features (a loaded features model);
 * returns how many succeeded (failures are printed). */
int clothing_embed(clothing_set *set, sqz_model *features);
/* Loads the features model of a base .sqz (with threads per classification). */
sqz_model *clothing_features_model(const uint8_t *base, size_t size, int threads);
void clothing_free(clothing_set *set);

#endif
