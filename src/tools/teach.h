/* `sqz embed` and `sqz train` (teaching your own classes): the Node CLI
 * (src/js/cli-teach.js) takes the same arguments and prints the same. */
#ifndef SQZ_TOOLS_TEACH_H
#define SQZ_TOOLS_TEACH_H
#include <stddef.h>

#define EMBED_HELP                                                                          \
  "embed options (one JSON line per file: {\"file\", \"model\", \"embedding\": [...]}):\n"  \
  "  --model NAME|FILE  as for classify\n"                                                 \
  "  --raw              the raw averages of the last fire module's output, not scaled\n"   \
  "                     to unit length\n"                                                  \
  "  --threads N        threads per image, 1 to 64 (default 1); results are identical\n"  \
  "  --ignore-orientation  as for classify\n"                                              \
  "A file that fails gives {\"file\", \"error\"}; the others still run; the exit\n"       \
  "status is then 1.\n"

#define TRAIN_HELP                                                                          \
  "train options: each DIR holds one folder per class (DIR/<class>/*.jpg: its images,\n"   \
  "and those in its subfolders; hidden entries skipped); the folder names are the\n"       \
  "labels, classes of the same name in several DIRs are one class\n"                       \
  "  --model NAME|FILE  the base model, as for classify (a taught model too)\n"            \
  "  --out FILE.sqz     the taught model to write\n"                                       \
  "  --threads N        threads per image, 1 to 64 (default 1)\n"                          \
  "  --ignore-orientation  as for classify\n"                                              \
  "An image that cannot be read is reported and skipped (the exit status is then 1).\n"    \
  "Then `classify --model FILE.sqz` classifies with the taught model.\n"

/* argv after the subcommand; `usage` is printed for --help. Return the exit status. */
int sqz_embed_main(int argc, char **argv, const char *usage);
int sqz_train_main(int argc, char **argv, const char *usage);

/* NAME (default, squeezenet1_1, …) → the path of a built model, or a path as given; 0 if not found (sqz.c). */
int sqz_find_model(const char *arg, char *path, size_t cap);

#endif
