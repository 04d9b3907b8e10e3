/* `sqz classify`: images, folders and lists of them through a model, --jobs
 * at a time, each result printed in input order (tools/report.h). */
#ifndef SQZ_TOOLS_CLASSIFY_H
#define SQZ_TOOLS_CLASSIFY_H
#include <stddef.h>

/* Its options, for the usage text. */
#define CLASSIFY_HELP                                                                         \
  "classify options:\n"                                                                       \
  "  FILE               an image, or a folder: its images (jpg, jpeg, png, bmp, gif, pnm,\n" \
  "                     ppm, pgm; any case), all subfolders, names in byte order, hidden\n"  \
  "                     ones skipped. A file named explicitly is always tried\n"            \
  "  --files-from LIST  the paths in LIST, one a line ('-': standard input, read as it\n"   \
  "                     comes), in its place among the FILEs\n"                              \
  "  --model NAME|FILE  a model's name, looked up in $SQZ_MODELS_DIR, then models/\n"     \
  "                     beside the program, then ./models; or a path to a .sqz file.\n"    \
  "                     The build makes " SQZ_MODEL_NAMES "\n"                             \
  "                     (without --model: default)\n"                                      \
  "  --top K            how many predictions per file (default 5)\n"                        \
  "  --json             one JSON object per line and file\n"                                \
  "  --csv              a header, then one row per file: file,index1,label1,probability1,\n" \
  "                     ...,error\n"                                                         \
  "  --raw              FILE already is the network-input crop (e.g. 224x224):\n"           \
  "                     only channel order and normalisation apply\n"                        \
  "  --logits           also print the 1000 pre-softmax outputs\n"                          \
  "  --jobs N           images classified at once, 1 to 256 (default: the cores);\n"       \
  "                     the output is the same, in input order\n"                            \
  "  --threads N        threads per image, 1 to 64 (default 1); results are identical.\n"   \
  "                     A run uses jobs x threads threads\n"                                 \
  "  --quiet            no progress line (drawn only when standard error is a terminal)\n" \
  "  --ignore-orientation  classify JPEG/PNG pixels as stored, not turned upright\n"        \
  "                     by their EXIF orientation (as a camera held sideways tags them)\n" \
  "  --min-probability P  leave out classes whose probability is under P (0 to 1)\n"      \
  "  --allow LIST       only these classes: labels or class indices, comma-separated\n"   \
  "                     ('tabby,tiger cat,281'); repeatable\n"                             \
  "  --deny LIST        never these classes (as --allow); all three apply before --top\n" \
  "  --heatmaps         with --json: each prediction's heatmap (grid, region, data)\n"     \
  "  --heatmap DIR      write DIR/FILE.png: the picture with the top class's heatmap\n"    \
  "A file that fails is reported on its line and the others still run; the exit\n"         \
  "status is then 1 (also for a folder that cannot be read).\n"

/* argv after the subcommand; `usage` is printed for --help. Returns the exit status. */
int sqz_classify_main(int argc, char **argv, const char *usage);

/* NAME (default, squeezenet1_1, …) → the path of a built model, or a path as given. 0 if not found. */
int sqz_find_model(const char *arg, char *path, size_t cap);

/* What the other commands share with classify (tools/teach.c): an image
 * file read whole (NULL with the reason in `why`, the same words as the Node
 * CLI's), and the cores to run on (--jobs by default). */
unsigned char *sqz_cli_read_image(const char *path, size_t *size, char *why, size_t cap);
int sqz_cli_cores(void);

#endif
