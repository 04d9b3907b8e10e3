/* The path choice (src/engine/conv_path.c) against the rules it documents:
 * Winograd F(4x4) from 13x13 outputs, F(2x2) below; spmm only for 1x1
 * stride-1 convolutions at most 0.55 dense with at least 48 nonzeros per
 * input channel; im2col up to 3 input channels; panels for the other dense
 * 1x1s; IGEMM for the rest; each path only where the policy allows it and
 * the ISA has its kernels, else the next one. */
#include <string.h>

#include "engine/conv_path.h"
#include "testutil.h"

static sqz_conv_shape conv(int side, int cin, int cout, int k, int stride, int pad) {
  const int out = (side + 2 * pad - k) / stride + 1;
  const sqz_conv_shape s = {side, side, cin, out, out, cout, k, k, stride, pad, 0, 1};
  return s;
}

static void expect(const sqz_conv_shape *s, uint64_t nonzeros, const sqz_kernels *k, const sqz_conv_policy *p,
                   sqz_conv_path want, const char *what) {
  const sqz_conv_path got = sqz_conv_choose_path(s, nonzeros, k, p);
  CHECK(got == want, "%s (%s paths, %s kernels): path %d, expected %d", what, p->name, k->name, got, want);
}

int main(void) {
  const sqz_kernels *simd = &sqz_kernels_wasmsimd;
  const sqz_conv_policy *def = &sqz_conv_policy_default;
  /* SqueezeNet's layers with dense weights */
  const sqz_conv_shape stem = conv(224, 3, 64, 3, 2, 0), squeeze = conv(55, 128, 16, 1, 1, 0);
  const sqz_conv_shape e3_55 = conv(55, 16, 64, 3, 1, 1), e3_27 = conv(27, 32, 128, 3, 1, 1);
  const sqz_conv_shape e3_13 = conv(13, 64, 256, 3, 1, 1), e3_12 = conv(12, 64, 256, 3, 1, 1), conv10 = conv(13, 512, 1000, 1, 1, 0);
  const sqz_conv_shape conv10_pad = conv(13, 512, 1000, 1, 1, 1), head = conv(13, 512, 2, 1, 1, 0);
  const uint64_t dense10 = 512 * 1000;
  expect(&stem, 3 * 64 * 9, simd, def, SQZ_CONV_IM2COL, "the stem");
  expect(&squeeze, 128 * 16, simd, def, SQZ_CONV_PANELS, "a dense squeeze");
  expect(&e3_55, 16 * 64 * 9, simd, def, SQZ_CONV_WINOGRAD4, "expand3x3 at 55x55");
  expect(&e3_27, 32 * 128 * 9, simd, def, SQZ_CONV_WINOGRAD4, "expand3x3 at 27x27");
  expect(&e3_13, 64 * 256 * 9, simd, def, SQZ_CONV_WINOGRAD4, "expand3x3 at 13x13");
  expect(&e3_12, 64 * 256 * 9, simd, def, SQZ_CONV_WINOGRAD2, "expand3x3 at 12x12");
  expect(&conv10, dense10, simd, def, SQZ_CONV_PANELS, "a dense conv10");
  expect(&conv10_pad, dense10, simd, def, SQZ_CONV_IGEMM, "a dense padded conv10");
  expect(&head, 2 * 512, simd, def, SQZ_CONV_PANELS, "a taught head of 2 classes");
  /* density and nonzeros per input */
  expect(&conv10, dense10 / 5, simd, def, SQZ_CONV_SPMM, "v1.0's conv10 (density 0.2)");
  expect(&conv10_pad, dense10 / 5, simd, def, SQZ_CONV_SPMM, "v1.0's padded conv10 (density 0.2)");
  expect(&conv10, 550 * 512, simd, def, SQZ_CONV_SPMM, "density 0.55");
  expect(&conv10, 551 * 512, simd, def, SQZ_CONV_PANELS, "density 0.551");
  expect(&squeeze, 128 * 8, simd, def, SQZ_CONV_PANELS, "a half-dense squeeze (8 nonzeros per input)");
  const sqz_conv_shape e1 = conv(27, 32, 128, 1, 1, 0);
  expect(&e1, 32 * 48, simd, def, SQZ_CONV_SPMM, "48 nonzeros per input, density 0.375");
  expect(&e1, 32 * 47, simd, def, SQZ_CONV_PANELS, "47 nonzeros per input");
  expect(&e3_13, 10, simd, def, SQZ_CONV_WINOGRAD4, "a sparse 3x3");
  const sqz_conv_shape strided = conv(27, 64, 64, 1, 2, 0);
  expect(&strided, 10, simd, def, SQZ_CONV_IGEMM, "a sparse strided 1x1");
  const sqz_conv_shape huge = conv(1024, 4096, 8, 1, 1, 0); /* 16 GB transposed: over spmm's int32 offsets */
  CHECK(!sqz_conv_may_be_sparse(&huge, simd, def), "spmm offered past int32 offsets");
  expect(&huge, 10, simd, def, SQZ_CONV_PANELS, "a sparse 1x1 too large for spmm");
  CHECK(sqz_conv_may_be_sparse(&conv10, simd, def) && !sqz_conv_may_be_sparse(&e3_13, simd, def) &&
            !sqz_conv_may_be_sparse(&conv10, simd, &sqz_conv_policy_direct),
        "which convolutions may be sparse");
  /* 8 bits: where the model asks (its weights qs8), on a ReLU's output, dense 1x1s only */
  sqz_conv_shape asked = squeeze, asked10 = conv10, asked_pad = conv10_pad, asked_e3 = e3_13;
  asked.int8_asked = asked10.int8_asked = asked_pad.int8_asked = asked_e3.int8_asked = 1;
  expect(&asked, 128 * 16, simd, def, SQZ_CONV_QS8, "a squeeze asking for 8 bits");
  expect(&asked10, dense10 / 5, simd, def, SQZ_CONV_QS8, "a sparse conv10 asking for 8 bits (before spmm)");
  expect(&asked10, dense10, &sqz_kernels_scalar, def, SQZ_CONV_QS8, "8 bits with the scalar twins");
  expect(&asked_pad, dense10, simd, def, SQZ_CONV_IGEMM, "a padded 1x1 asking for 8 bits");
  expect(&asked_e3, 64 * 256 * 9, simd, def, SQZ_CONV_WINOGRAD4, "a 3x3 asking for 8 bits");
  asked.input_nonnegative = 0;
  expect(&asked, 128 * 16, simd, def, SQZ_CONV_PANELS, "8 bits asked on an input that may be negative");
  expect(&squeeze, 128 * 16, simd, &sqz_conv_policy_all_qs8, SQZ_CONV_QS8, "a squeeze, all-qs8");
  expect(&asked10, dense10, simd, &sqz_conv_policy_direct, SQZ_CONV_GEMM, "8 bits asked, direct");
  /* the test policies */
  expect(&e3_12, 64 * 256 * 9, simd, &sqz_conv_policy_winograd4, SQZ_CONV_WINOGRAD4, "F(4x4) forced at 12x12");
  expect(&e3_55, 16 * 64 * 9, simd, &sqz_conv_policy_winograd2, SQZ_CONV_WINOGRAD2, "F(2x2) forced at 55x55");
  expect(&conv10, dense10, simd, &sqz_conv_policy_all_sparse, SQZ_CONV_SPMM, "a dense conv10, all sparse");
  expect(&e3_55, 16 * 64 * 9, simd, &sqz_conv_policy_direct, SQZ_CONV_IGEMM, "a 3x3, direct");
  expect(&stem, 3 * 64 * 9, simd, &sqz_conv_policy_direct, SQZ_CONV_IGEMM, "the stem, direct");
  expect(&conv10, dense10 / 5, simd, &sqz_conv_policy_direct, SQZ_CONV_GEMM, "a sparse conv10, direct");
  /* an ISA without some kernels falls back */
  sqz_kernels bare = sqz_kernels_scalar;
  bare.name = "scalar without ppmm, spmm, F(4x4)";
  bare.ppmm = NULL, bare.spmm = NULL, bare.winograd4_input = NULL;
  expect(&stem, 3 * 64 * 9, &bare, def, SQZ_CONV_IGEMM, "the stem");
  expect(&conv10, dense10 / 5, &bare, def, SQZ_CONV_GEMM, "a sparse conv10");
  expect(&e3_55, 16 * 64 * 9, &bare, def, SQZ_CONV_IGEMM, "expand3x3 at 55x55 (Winograd runs on the PPMM)");
  sqz_kernels no_f4 = sqz_kernels_scalar;
  no_f4.name = "scalar without F(4x4)";
  no_f4.winograd4_input = NULL;
  expect(&e3_55, 16 * 64 * 9, &no_f4, def, SQZ_CONV_WINOGRAD2, "expand3x3 at 55x55");
  expect(&conv10, dense10 / 5, &sqz_kernels_scalar, def, SQZ_CONV_SPMM, "v1.0's conv10");
  return test_finish("test_conv_path");
}
