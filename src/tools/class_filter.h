/* The output controls of `sqz classify` (--min-probability, --allow, --deny)
 * into the engine's sqz_filter, which does the filtering (one definition for
 * the library, the package and both CLIs). */
#ifndef SQZ_TOOLS_CLASS_FILTER_H
#define SQZ_TOOLS_CLASS_FILTER_H
#include <stddef.h>

#include "squeezenet.h"

typedef struct cli_filter {
  sqz_filter filter;           /* what sqz_top_k_filtered takes; its lists are allow and deny below */
  int *allow, *deny;
  int num_allow, num_deny, cap_allow, cap_deny;
} cli_filter;

/* --min-probability VALUE: a number from 0 to 1. 0, or -1 with the reason. */
int cli_filter_min_probability(cli_filter *f, const char *value, char *why, size_t cap);
/* --allow LIST / --deny LIST (deny != 0), repeatable: comma-separated labels
 * (every class of that short label, as the model names them) or class
 * indices (whole numbers). 0, or -1 with the reason naming the value. */
int cli_filter_add(cli_filter *f, const sqz_model *model, int deny, const char *list, char *why, size_t cap);
void cli_filter_free(cli_filter *f);

#endif
