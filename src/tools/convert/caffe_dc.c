/* Caffe Deep Compression SqueezeNet v1.0 (songhan/SqueezeNet-Deep-Compression):
 * the graph from its deploy prototxt, the weights from compressed_SqueezeNet.net
 * (per convolution: 256-entry codebook, biases, 8-bit codes, 4-bit gaps). */
#include <stdlib.h>
#include <string.h>

#include "tools/convert/convert.h"

/* A line-oriented reader of the prototxt subset Caffe deploy files use:
 * `key: value` lines and `name {` … `}` blocks. */
static sqz_status parse_prototxt(const char *text, src_graph *g, sqz_error *err) {
  int depth = 0, in_layer = 0, input_dims = 0;
  char type[64] = "";
  src_layer cur;
  memset(&cur, 0, sizeof cur);
  int global = 0, pool_max = 0;
  g->count = 0;
  const char *p = text;
  while (*p) {
    const char *eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    char line[256];
    if (len >= sizeof line) len = sizeof line - 1;
    memcpy(line, p, len);
    line[len] = 0;
    p += eol ? len + 1 : len;
    char *s = line;
    while (*s == ' ' || *s == '\t') s++;
    char key[64], val[64];
    if (strchr(s, '{')) {
      if (depth == 0 && strncmp(s, "layer", 5) == 0) {
        in_layer = 1;
        type[0] = 0;
        memset(&cur, 0, sizeof cur);
        cur.stride = 1;
        global = pool_max = 0;
      }
      depth++;
    } else if (strchr(s, '}')) {
      if (--depth < 0) return sqz_fail(err, SQZ_ERR_MODEL, "prototxt: unbalanced braces");
      if (depth == 0 && in_layer) {
        in_layer = 0;
        if (g->count >= CONVERT_MAX_LAYERS) return sqz_fail(err, SQZ_ERR_MODEL, "prototxt: too many layers");
        if (strcmp(type, "Convolution") == 0) {
          cur.type = SRC_CONV;
          g->layers[g->count++] = cur;
        } else if (strcmp(type, "Pooling") == 0) {
          if (global && !pool_max) {
            cur.type = SRC_GAP;
          } else if (pool_max && !global) {
            cur.type = SRC_MAXPOOL;
          } else {
            return sqz_fail(err, SQZ_ERR_MODEL, "prototxt: unsupported pooling layer");
          }
          g->layers[g->count++] = cur;
        } else if (strcmp(type, "ReLU") == 0) {
          if (g->count == 0 || g->layers[g->count - 1].type != SRC_CONV)
            return sqz_fail(err, SQZ_ERR_MODEL, "prototxt: ReLU not after a convolution");
          g->layers[g->count - 1].relu = 1;
        } else if (strcmp(type, "Concat") && strcmp(type, "Dropout") && strcmp(type, "Softmax")) {
          return sqz_fail(err, SQZ_ERR_MODEL, "prototxt: unsupported layer type '%s'", type);
        }
      }
    } else if (sscanf(s, "%63[a-z_]: %63s", key, val) == 2) {
      char *q = val;
      if (*q == '"') {
        q++;
        char *e = strchr(q, '"');
        if (e) *e = 0;
      }
      int v = atoi(q);
      if (depth == 0 && strcmp(key, "input_dim") == 0) {
        if (input_dims == 2) g->input_height = v;
        if (input_dims == 3) g->input_width = v;
        input_dims++;
      } else if (in_layer && strcmp(key, "type") == 0 && depth == 1) {
        snprintf(type, sizeof type, "%s", q);
      } else if (in_layer && strcmp(key, "num_output") == 0) {
        cur.cout = v;
      } else if (in_layer && strcmp(key, "kernel_size") == 0) {
        cur.kernel = v;
      } else if (in_layer && strcmp(key, "stride") == 0) {
        cur.stride = v;
      } else if (in_layer && strcmp(key, "pad") == 0) {
        cur.pad = v;
      } else if (in_layer && strcmp(key, "pool") == 0) {
        pool_max = strcmp(q, "MAX") == 0;
      } else if (in_layer && strcmp(key, "global_pooling") == 0) {
        global = strcmp(q, "true") == 0;
      }
    }
  }
  if (depth != 0) return sqz_fail(err, SQZ_ERR_MODEL, "prototxt: unbalanced braces");
  if (g->count == 0) return sqz_fail(err, SQZ_ERR_MODEL, "prototxt: no layers");
  if (input_dims != 4) return sqz_fail(err, SQZ_ERR_MODEL, "prototxt: no 4 input_dim lines");
  return SQZ_OK;
}

static uint32_t le32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

sqz_status convert_caffe_deep_compression(const char *prototxt, const char *net_path,
                                          src_graph *g, sqz_error *err) {
  size_t tsize, size;
  char *text = (char *)convert_read_file(prototxt, &tsize, err);
  if (!text) return err->code;
  sqz_status st = parse_prototxt(text, g, err);
  free(text);
  int nconv = 0;
  if (st || (st = convert_plan(g, &nconv, err))) return st;
  unsigned char *data = convert_read_file(net_path, &size, err);
  if (!data) return err->code;
  size_t off = 4 * (size_t)nconv;
  if (size < off) {
    free(data);
    return sqz_fail(err, SQZ_ERR_MODEL, "%s: too short for %d counts", net_path, nconv);
  }
  int c = 0;
  for (int i = 0; i < g->count && st == SQZ_OK; i++) {
    src_layer *l = &g->layers[i];
    if (l->type != SRC_CONV) continue;
    uint32_t nnz = le32(data + 4 * c);
    size_t total = (size_t)l->cout * l->cin * l->kernel * l->kernel;
    size_t need = 256 * 4 + (size_t)l->cout * 4 + nnz + (nnz + 1) / 2;
    if (nnz > total || size - off < need) {
      st = sqz_fail(err, SQZ_ERR_MODEL, "%s: convolution %d: %u entries do not fit", net_path, c, nnz);
      break;
    }
    float codebook[256];
    memcpy(codebook, data + off, sizeof codebook);
    off += sizeof codebook;
    memcpy(l->bias, data + off, (size_t)l->cout * 4);
    off += (size_t)l->cout * 4;
    const unsigned char *codes = data + off, *gaps = data + off + nnz;
    long long pos = -1;
    for (uint32_t k = 0; k < nnz; k++) {
      unsigned gap = (gaps[k / 2] >> ((k & 1) * 4)) & 15;
      pos += gap + 1;
      if ((size_t)pos >= total) {
        st = sqz_fail(err, SQZ_ERR_MODEL, "%s: convolution %d: entry %u lands past the weights", net_path, c, k);
        break;
      }
      l->weights[pos] = codebook[codes[k]];
    }
    off += nnz + (nnz + 1) / 2;
    c++;
  }
  if (st == SQZ_OK && off != size)
    st = sqz_fail(err, SQZ_ERR_MODEL, "%s: %zu bytes left over after the last convolution", net_path, size - off);
  free(data);
  return st;
}
