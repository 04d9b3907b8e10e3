/* sqz — the native command-line tool: classify images, convert models. */
#define _DEFAULT_SOURCE /* readlink */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "squeezenet.h"
#include "tools/convert/convert.h"
#include "tools/compress.h"
#include "tools/report.h"
#include "tools/teach.h"

/* models/default.sqz, made by the build (CMake's SQZ_DEFAULT_MODEL chooses it). */
#define DEFAULT_MODEL "default"

static const char *usage =
    "usage:\n"
    "  sqz classify [--model NAME|FILE] [--top K] [--json] [--raw] [--logits] [--threads N] FILE...\n"
    "  sqz embed [--model NAME|FILE] [--raw] [--threads N] FILE...\n"
    "  sqz train [--model BASE] --out FILE.sqz [--threads N] DIR...\n"
    "  sqz convert caffe-dc DEPLOY.prototxt WEIGHTS.net --labels synset_words.txt -o OUT.sqz\n"
    "              [--name NAME] [--encoding ENC]   (default sparse8h: lossless)\n"
    "  sqz convert ncnn MODEL.param MODEL.bin --labels synset_words.txt -o OUT.sqz\n"
    "              [--name NAME] [--encoding ENC]   (default f16: lossless)\n"
    "  sqz compress IN.sqz -o OUT.sqz --encoding ENC [--layer NAME=ENC]... [--name NAME]\n"
    "              [--quiet]   re-encodes the weights (k-means from the weights alone),\n"
    "              NAME (conv1, fire9, fire9/expand3x3) with its own ENC, and prints\n"
    "              each layer's size and error\n"
    "\n"
    "classify options:\n"
    "  --model NAME|FILE  default (the default), squeezenet1_0, squeezenet1_1,\n"
    "                     squeezenet1_1-compact or squeezenet1_1-int8, looked up in\n"
    "                     $SQZ_MODELS_DIR, then models/ beside the program, then ./models;\n"
    "                     or a path to a .sqz file\n"
    "  --top K            how many predictions per file (default 5)\n"
    "  --json             one JSON object per line and file\n"
    "  --raw              FILE already is the network-input crop (e.g. 224x224):\n"
    "                     only channel order and normalisation apply\n"
    "  --logits           also print the 1000 pre-softmax outputs\n"
    "  --threads N        threads per image, 1 to 64 (default 1); results are identical\n"
    "  --ignore-orientation  classify JPEG/PNG pixels as stored, not turned upright\n"
    "                     by their EXIF orientation (as a camera held sideways tags them)\n"
    "A file that fails is reported on its line and the others still run; the exit\n"
    "status is then 1.\n"
    "\n"
    EMBED_HELP
    "\n"
    TRAIN_HELP
    "\n"
    "weight encodings (models/FORMAT.md): f32, f16, int8 (per output channel),\n"
    "codebookN (k-means, 2^N entries, N = 1..8), sparseN (zeros kept as positions,\n"
    "2^N - 1 values), each codebook/sparse with an 'h' suffix for Huffman-coded\n"
    "indices (codebook5h, sparse8h).\n";

static unsigned char *read_file(const char *path, size_t *size, char *why, size_t why_cap) {
  sqz_error err = {SQZ_OK, ""};
  unsigned char *data = convert_read_file(path, size, &err);
  if (!data) snprintf(why, why_cap, "%s", err.message);
  return data;
}

static int file_exists(const char *path) { return access(path, R_OK) == 0; }

/* NAME → a built model; anything that looks like a path is taken as one. */
int sqz_find_model(const char *arg, char *path, size_t cap) {
  if (strchr(arg, '/') || (strlen(arg) > 4 && strcmp(arg + strlen(arg) - 4, ".sqz") == 0)) {
    snprintf(path, cap, "%s", arg);
    return 1;
  }
  const char *env = getenv("SQZ_MODELS_DIR");
  if (env && *env) {
    snprintf(path, cap, "%s/%s.sqz", env, arg);
    if (file_exists(path)) return 1;
  }
  char exe[2048]; /* leaves room in path[4096] for the suffixes below */
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash) *slash = 0;
    snprintf(path, cap, "%s/../models/%s.sqz", exe, arg);
    if (file_exists(path)) return 1;
    snprintf(path, cap, "%s/models/%s.sqz", exe, arg);
    if (file_exists(path)) return 1;
  }
  snprintf(path, cap, "models/%s.sqz", arg);
  return file_exists(path);
}

static int cmd_classify(int argc, char **argv) {
  const char *model_arg = DEFAULT_MODEL;
  int top = 5, json = 0, raw = 0, logits = 0, nfiles = 0, ignore_orientation = 0;
  sqz_options options = {.threads = 1};
  char **files = calloc((size_t)argc + 1, sizeof *files);
  if (!files) return 2;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--model") == 0 && i + 1 < argc) model_arg = argv[++i];
    else if (strcmp(a, "--top") == 0 && i + 1 < argc) {
      char *end;
      long k = strtol(argv[++i], &end, 10);
      if (*end || k < 1 || k > 1000) {
        fprintf(stderr, "sqz: --top takes a number from 1 to 1000, not '%s'\n", argv[i]);
        free(files);
        return 2;
      }
      top = (int)k;
    } else if (strcmp(a, "--threads") == 0 && i + 1 < argc) {
      char *end;
      long n = strtol(argv[++i], &end, 10);
      if (*end || n < 1 || n > SQZ_MAX_THREADS) {
        fprintf(stderr, "sqz: --threads takes a number from 1 to %d, not '%s'\n", SQZ_MAX_THREADS, argv[i]);
        free(files);
        return 2;
      }
      options.threads = (int)n;
    } else if (strcmp(a, "--json") == 0) json = 1;
    else if (strcmp(a, "--raw") == 0) raw = 1;
    else if (strcmp(a, "--logits") == 0) logits = 1;
    else if (strcmp(a, "--ignore-orientation") == 0) ignore_orientation = 1;
    else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(usage, stdout);
      free(files);
      return 0;
    } else if (a[0] == '-' && a[1] == '-') {
      fprintf(stderr, "sqz: unknown option '%s'\n%s", a, usage);
      free(files);
      return 2;
    } else files[nfiles++] = argv[i];
  }
  if (nfiles == 0) {
    fprintf(stderr, "sqz classify: no files given\n%s", usage);
    free(files);
    return 2;
  }
  char path[4096], why[512];
  if (!sqz_find_model(model_arg, path, sizeof path)) {
    fprintf(stderr, "sqz: model '%s' not found (build it with `cmake --build build`, or give a .sqz path)\n", model_arg);
    free(files);
    return 2;
  }
  size_t size;
  unsigned char *bytes = read_file(path, &size, why, sizeof why);
  sqz_error err = {SQZ_OK, ""};
  sqz_model *m = bytes ? sqz_model_load_with_options(bytes, size, &options, &err) : NULL;
  free(bytes);
  if (!m) {
    fprintf(stderr, "sqz: %s: %s\n", path, bytes ? err.message : why);
    free(files);
    return 2;
  }
  size_t cap = 64 * 1024;
  char *buf = malloc(cap);
  int failed = 0;
  for (int i = 0; i < nfiles && buf; i++) {
    const char *f = files[i];
    unsigned char *img = read_file(f, &size, why, sizeof why);
    sqz_status st = SQZ_ERR_ARGUMENT;
    if (img) {
      unsigned flags = (raw ? SQZ_INPUT_RAW : 0) | (ignore_orientation ? SQZ_IGNORE_ORIENTATION : 0);
      st = sqz_classify_image(m, img, size, flags, &err);
      free(img);
      if (st) snprintf(why, sizeof why, "%s", err.message);
    }
    if (st) {
      failed = 1;
      if (json) sqz_report_json_error(f, why, buf, cap);
      else sqz_report_text_error(f, why, buf, cap);
    } else if (json) {
      sqz_report_json(m, f, top, logits, buf, cap);
    } else {
      sqz_report_text(m, f, top, logits, buf, cap);
    }
    fputs(buf, stdout);
    if (json) fputc('\n', stdout);
    fflush(stdout);
  }
  free(buf);
  free(files);
  sqz_model_free(m);
  return failed;
}

static int cmd_convert(int argc, char **argv) {
  if (argc < 1 || strcmp(argv[0], "--help") == 0) {
    fputs(usage, argc < 1 ? stderr : stdout);
    return argc < 1 ? 2 : 0;
  }
  const char *kind = argv[0], *labels = NULL, *outp = NULL, *name = NULL, *inputs[2] = {NULL, NULL};
  sqz_codec codec = {SQZ_ENC_F32, 0, 0};
  int ninputs = 0, enc_set = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--labels") == 0 && i + 1 < argc) labels = argv[++i];
    else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) outp = argv[++i];
    else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) name = argv[++i];
    else if (strcmp(argv[i], "--encoding") == 0 && i + 1 < argc) {
      const char *e = argv[++i];
      enc_set = 1;
      if (!sqz_codec_parse(e, &codec)) {
        fprintf(stderr, "sqz convert: unknown encoding '%s' (f32, f16, int8, codebookN[h], sparse[N][h])\n", e);
        return 2;
      }
    } else if (ninputs < 2 && argv[i][0] != '-') inputs[ninputs++] = argv[i];
    else {
      fprintf(stderr, "sqz convert: unexpected argument '%s'\n%s", argv[i], usage);
      return 2;
    }
  }
  if (ninputs != 2 || !labels || !outp) {
    fprintf(stderr, "sqz convert %s: needs two input files, --labels and -o\n%s", kind, usage);
    return 2;
  }
  src_graph *g = calloc(1, sizeof *g);
  if (!g) return 2;
  sqz_error err = {SQZ_OK, ""};
  sqz_status st;
  sqz_recipe r;
  memset(&r, 0, sizeof r);
  if (strcmp(kind, "caffe-dc") == 0) {
    /* Caffe recipe: warp to 256×256, centre crop, B,G,R, 0..255 minus means. */
    st = convert_caffe_deep_compression(inputs[0], inputs[1], g, &err);
    r.input_width = g->input_width, r.input_height = g->input_height;
    r.bgr = 1, r.resize_mode = SQZ_RESIZE_WARP, r.resize_size = 256, r.scale = 1.0f;
    r.mean[0] = 123, r.mean[1] = 117, r.mean[2] = 104;
    r.std[0] = r.std[1] = r.std[2] = 1.0f;
    if (!name) name = "squeezenet1_0";
    /* The upstream weights are pruned and codebook-quantised: keep them exactly, compactly. */
    if (!enc_set) sqz_codec_parse("sparse8h", &codec);
  } else if (strcmp(kind, "ncnn") == 0) {
    /* torchvision recipe: shorter side to 256, centre crop 224, R,G,B, ImageNet mean/std. */
    st = convert_ncnn(inputs[0], inputs[1], g, &err);
    r.input_width = r.input_height = 224;
    r.bgr = 0, r.resize_mode = SQZ_RESIZE_SHORTER, r.resize_size = 256, r.scale = 1.0f / 255.0f;
    r.mean[0] = 0.485f, r.mean[1] = 0.456f, r.mean[2] = 0.406f;
    r.std[0] = 0.229f, r.std[1] = 0.224f, r.std[2] = 0.225f;
    if (!name) name = "squeezenet1_1";
    if (!enc_set) codec.encoding = SQZ_ENC_F16; /* the upstream weights are float16: keep them exactly */
  } else {
    fprintf(stderr, "sqz convert: unknown source format '%s' (caffe-dc or ncnn)\n", kind);
    free(g);
    return 2;
  }
  if (st == SQZ_OK) st = convert_write(g, name, &r, labels, &codec, outp, &err);
  convert_free(g);
  free(g);
  if (st) {
    fprintf(stderr, "sqz convert %s: %s\n", kind, err.message);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "classify") == 0) return cmd_classify(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "embed") == 0) return sqz_embed_main(argc - 2, argv + 2, usage);
  if (argc >= 2 && strcmp(argv[1], "train") == 0) return sqz_train_main(argc - 2, argv + 2, usage);
  if (argc >= 2 && strcmp(argv[1], "convert") == 0) return cmd_convert(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "compress") == 0) return sqz_compress_main(argc - 2, argv + 2);
  if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
                    strcmp(argv[1], "help") == 0)) {
    fputs(usage, stdout);
    return 0;
  }
  fputs(usage, stderr);
  return 2;
}
