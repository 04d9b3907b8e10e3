/* A tiny test harness: CHECK records a failure and goes on; test_main()
 * returns non-zero if anything failed. */
#ifndef SQZ_TESTUTIL_H
#define SQZ_TESTUTIL_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern int test_failures;
extern int test_checks;

#define CHECK(cond, ...)                                                   \
  do {                                                                     \
    test_checks++;                                                         \
    if (!(cond)) {                                                         \
      test_failures++;                                                     \
      fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                        \
      fprintf(stderr, "\n");                                               \
    }                                                                      \
  } while (0)

/* Reads a whole file; NULL if it cannot. Free with free(). */
uint8_t *test_read_file(const char *path, size_t *size);
/* Reads models/NAME.sqz (in test_models_dir()); a failed CHECK naming the
 * path and NULL if it cannot. Free with free(). */
uint8_t *test_read_model(const char *name, size_t *size);
/* $SQZ_SHARED_DIR (default ../shared) and $SQZ_MODELS_DIR (default models). */
const char *test_shared_dir(void);
const char *test_models_dir(void);
/* Deterministic pseudo-random numbers for reproducible random shapes. */
uint32_t test_rand(void);
float test_randf(float lo, float hi);
/* A file of the repository by its path from the root: as given when the
 * test runs from the root (ctest does), else found from this source file's
 * location. The result lives until the next call. */
const char *test_repo_path(const char *relative);
/* The indices of the k largest of x[0..n), largest first (ties: lower index). */
void test_top_k(const float *x, int n, int k, int *out);
/* Prints the summary and returns the exit status: non-zero if a check
 * failed or if none was made (a test that checked nothing has not passed). */
int test_finish(const char *name);

#endif
