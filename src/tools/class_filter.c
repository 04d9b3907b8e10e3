#include "tools/class_filter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_filter_min_probability(cli_filter *f, const char *value, char *why, size_t cap) {
  char *end;
  errno = 0;
  const double p = strtod(value, &end);
  if (end == value || *end || errno || !(p >= 0 && p <= 1))
    return snprintf(why, cap, "--min-probability takes a number from 0 to 1, not '%s'", value), -1;
  f->filter.min_probability = (float)p;
  return 0;
}

static int push(int **list, int *count, int *cap, int value) {
  if (*count == *cap) {
    int grown = *cap ? 2 * *cap : 16;
    int *bigger = realloc(*list, (size_t)grown * sizeof **list);
    if (!bigger) return -1;
    *list = bigger, *cap = grown;
  }
  (*list)[(*count)++] = value;
  return 0;
}

int cli_filter_add(cli_filter *f, const sqz_model *model, int deny, const char *list, char *why, size_t cap) {
  const char *option = deny ? "--deny" : "--allow";
  int **into = deny ? &f->deny : &f->allow, *count = deny ? &f->num_deny : &f->num_allow;
  int *room = deny ? &f->cap_deny : &f->cap_allow;
  const int classes = sqz_model_get_info(model).num_classes;
  for (const char *p = list;;) {
    const char *end = strchr(p, ',');
    const size_t len = end ? (size_t)(end - p) : strlen(p);
    char item[1024];
    if (len == 0 || len >= sizeof item)
      return snprintf(why, cap, "%s: %s in '%s'", option, len ? "a name too long" : "an empty name", list), -1;
    memcpy(item, p, len);
    item[len] = 0;
    char *stop;
    const long index = strtol(item, &stop, 10);
    int found = 0;
    if (*stop == 0 && item[0] != '+' && item[0] != ' ') { /* a whole number: a class index */
      if (index < 0 || index >= classes)
        return snprintf(why, cap, "%s: class index %s is out of range (0 to %d)", option, item, classes - 1), -1;
      if (push(into, count, room, (int)index)) return snprintf(why, cap, "out of memory"), -1;
      found = 1;
    } else {
      for (int i = 0; i < classes; i++)
        if (strcmp(sqz_model_label(model, i), item) == 0) {
          if (push(into, count, room, i)) return snprintf(why, cap, "out of memory"), -1;
          found = 1;
        }
      if (!found) return snprintf(why, cap, "%s: unknown label '%s'", option, item), -1;
    }
    if (!end) break;
    p = end + 1;
  }
  f->filter.allow = f->allow, f->filter.num_allow = f->num_allow;
  f->filter.deny = f->deny, f->filter.num_deny = f->num_deny;
  return 0;
}

void cli_filter_free(cli_filter *f) {
  free(f->allow);
  free(f->deny);
  memset(f, 0, sizeof *f);
}
