/* `sqz embed` and `sqz train` (teaching your own classes): the Node CLI
 * (src/js/cli.js, cli-teach.js) takes the same arguments and prints the same. */
#ifndef SQZ_TOOLS_TEACH_H
#define SQZ_TOOLS_TEACH_H

#define EMBED_HELP                                                                          \
  "embed options: FILE, --files-from, --model, --jobs, --threads, --quiet and\n"           \
  "--ignore-orientation as for classify; one JSON line per file:\n"                        \
  "{\"file\", \"model\", \"embedding\": [...]}, of unit length\n"                            \
  "  --raw              the raw averages of the last fire module's output instead\n"       \
  "A file that fails gives {\"file\", \"error\"}; the others still run; the exit\n"       \
  "status is then 1.\n"

#define TRAIN_HELP                                                                          \
  "train options: each DIR holds one folder per class (DIR/<class>/*.jpg: its images,\n"   \
  "found as classify finds a folder's); the folder names are the labels, and classes\n"    \
  "of the same name in several DIRs are one class\n"                                       \
  "  --model NAME|FILE  the base model, as for classify (a taught model too)\n"            \
  "  --out FILE.sqz     the taught model to write\n"                                       \
  "  --threads N        threads per image, 1 to 64 (default 1)\n"                          \
  "  --ignore-orientation  as for classify\n"                                              \
  "An image that cannot be read is reported and skipped (the exit status is then 1).\n"    \
  "Then `classify --model FILE.sqz` classifies with the taught model.\n"

/* argv after the subcommand; `usage` is printed for --help. Return the exit status. */
int sqz_embed_main(int argc, char **argv, const char *usage);
int sqz_train_main(int argc, char **argv, const char *usage);

#endif
