/* ncnn models (param text graph + bin weights), as the torchvision SqueezeNet
 * v1.1 export: Convolution, Pooling (max, or global average), and the
 * layers that need no work here (Input, Split, Concat, Reshape, Flatten). */
#include <stdlib.h>
#include <string.h>

#include "common/half.h"
#include "tools/convert/convert.h"

static sqz_status parse_param(const char *text, src_graph *g, int *weight_counts, sqz_error *err) {
  const char *p = text;
  int lineno = 0, magic = 0;
  g->count = 0;
  while (*p) {
    const char *eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    char line[1024];
    if (len >= sizeof line) return sqz_fail(err, SQZ_ERR_MODEL, "param: line %d too long", lineno + 1);
    memcpy(line, p, len);
    line[len] = 0;
    p += eol ? len + 1 : len;
    lineno++;
    if (lineno == 1) {
      magic = atoi(line);
      if (magic != 7767517) return sqz_fail(err, SQZ_ERR_MODEL, "param: not an ncnn param file (magic %d)", magic);
      continue;
    }
    if (lineno == 2) continue; /* layer and blob counts */
    char type[64], name[128];
    int nin, nout, n;
    if (sscanf(line, "%63s %127s %d %d%n", type, name, &nin, &nout, &n) != 4) continue;
    /* skip the blob names, then read k=v pairs */
    char *s = line + n;
    for (int b = 0; b < nin + nout; b++) {
      while (*s == ' ') s++;
      while (*s && *s != ' ') s++;
    }
    int kv[32];
    for (int k = 0; k < 32; k++) kv[k] = -1;
    int key, val, m;
    while (sscanf(s, " %d=%d%n", &key, &val, &m) == 2) {
      if (key >= 0 && key < 32) kv[key] = val;
      s += m;
    }
    if (g->count >= CONVERT_MAX_LAYERS) return sqz_fail(err, SQZ_ERR_MODEL, "param: too many layers");
    src_layer l;
    memset(&l, 0, sizeof l);
    if (strcmp(type, "Convolution") == 0) {
      l.type = SRC_CONV;
      l.cout = kv[0];
      l.kernel = kv[1];
      l.stride = kv[3] > 0 ? kv[3] : 1;
      l.pad = kv[4] > 0 ? kv[4] : 0;
      l.relu = kv[9] == 1;
      if (kv[11] >= 0 && kv[11] != kv[1])
        return sqz_fail(err, SQZ_ERR_MODEL, "param: %s: non-square kernels are not supported", name);
      if (kv[5] != 1) return sqz_fail(err, SQZ_ERR_MODEL, "param: %s: convolution without bias", name);
      weight_counts[g->count] = kv[6];
    } else if (strcmp(type, "Pooling") == 0) {
      if (kv[4] == 1 && kv[0] == 1) {
        l.type = SRC_GAP;
      } else if (kv[0] == 0 && kv[4] != 1 && kv[3] <= 0 && kv[5] <= 0) {
        l.type = SRC_MAXPOOL; /* pad_mode 0 = "full": ceil rounding */
        l.kernel = kv[1];
        l.stride = kv[2] > 0 ? kv[2] : 1;
      } else {
        return sqz_fail(err, SQZ_ERR_MODEL, "param: %s: unsupported pooling", name);
      }
    } else if (strcmp(type, "Input") == 0 || strcmp(type, "Split") == 0 ||
               strcmp(type, "Concat") == 0 || strcmp(type, "Reshape") == 0 ||
               strcmp(type, "Flatten") == 0 || strcmp(type, "Dropout") == 0) {
      continue;
    } else {
      return sqz_fail(err, SQZ_ERR_MODEL, "param: unsupported layer type '%s'", type);
    }
    g->layers[g->count++] = l;
  }
  if (g->count == 0) return sqz_fail(err, SQZ_ERR_MODEL, "param: no layers");
  return SQZ_OK;
}

sqz_status convert_ncnn(const char *param_path, const char *bin_path, src_graph *g,
                        sqz_error *err) {
  size_t tsize, size;
  int weight_counts[CONVERT_MAX_LAYERS];
  char *text = (char *)convert_read_file(param_path, &tsize, err);
  if (!text) return err->code;
  sqz_status st = parse_param(text, g, weight_counts, err);
  free(text);
  int nconv = 0;
  if (st || (st = convert_plan(g, &nconv, err))) return st;
  unsigned char *data = convert_read_file(bin_path, &size, err);
  if (!data) return err->code;
  size_t off = 0;
  for (int i = 0; i < g->count && st == SQZ_OK; i++) {
    src_layer *l = &g->layers[i];
    if (l->type != SRC_CONV) continue;
    size_t total = (size_t)l->cout * l->cin * l->kernel * l->kernel;
    if ((size_t)weight_counts[i] != total) {
      st = sqz_fail(err, SQZ_ERR_MODEL, "param: layer %d declares %d weights, its shape needs %zu",
                    i, weight_counts[i], total);
      break;
    }
    size_t wbytes = (total * 2 + 3) & ~(size_t)3;
    if (size - off < 4 + wbytes + (size_t)l->cout * 4) {
      st = sqz_fail(err, SQZ_ERR_MODEL, "%s: truncated at layer %d", bin_path, i);
      break;
    }
    uint32_t tag = (uint32_t)data[off] | (uint32_t)data[off + 1] << 8 |
                   (uint32_t)data[off + 2] << 16 | (uint32_t)data[off + 3] << 24;
    if (tag != 0x01306B47) {
      st = sqz_fail(err, SQZ_ERR_MODEL, "%s: layer %d: tag 0x%08x is not float16 (0x01306B47)", bin_path, i, tag);
      break;
    }
    off += 4;
    for (size_t k = 0; k < total; k++)
      l->weights[k] = sqz_f16_to_f32((uint16_t)(data[off + 2 * k] | data[off + 2 * k + 1] << 8));
    off += wbytes;
    memcpy(l->bias, data + off, (size_t)l->cout * 4);
    off += (size_t)l->cout * 4;
  }
  if (st == SQZ_OK && off != size)
    st = sqz_fail(err, SQZ_ERR_MODEL, "%s: %zu bytes left over after the last convolution", bin_path, size - off);
  free(data);
  return st;
}
