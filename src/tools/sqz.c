/* sqz — the native command-line tool: classify images, convert models. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "squeezenet.h"
#include "tools/classify.h"
#include "tools/compress.h"
#include "tools/convert/convert.h"
#include "tools/teach.h"

static const char *usage =
    "usage:\n"
    "  sqz classify [--model NAME|FILE] [--top K] [--json] [--raw] [--logits] [--threads N] FILE...\n"
    "               [--csv] [--jobs N] [--files-from LIST] [--quiet]\n"
    "  sqz embed [--model NAME|FILE] [--raw] [--jobs N] [--threads N] [--files-from LIST] FILE...\n"
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
    CLASSIFY_HELP
    "\n"
    EMBED_HELP
    "\n"
    TRAIN_HELP
    "\n"
    "weight encodings (models/FORMAT.md): f32, f16, int8 (per output channel),\n"
    "codebookN (k-means, 2^N entries, N = 1..8), sparseN (zeros kept as positions,\n"
    "2^N - 1 values), each codebook/sparse with an 'h' suffix for Huffman-coded\n"
    "indices (codebook5h, sparse8h).\n";

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
  if (argc >= 2 && strcmp(argv[1], "classify") == 0) return sqz_classify_main(argc - 2, argv + 2, usage);
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
