/* exp and log written out in C, for training: libm's differ between
 * platforms in the last bit (glibc natively, musl in emscripten), and a
 * trained head must be the same bytes everywhere. Plain double arithmetic,
 * no FMA (-ffp-contract=off), is the same on every IEEE platform. */
#ifndef SQZ_LEARN_MATHF_H
#define SQZ_LEARN_MATHF_H

/* e^x for x <= 0 (softmax of logits minus their maximum); 0 below −87.
 * Relative error under 2e-7. */
float sqz_learn_exp(float x);
/* ln x for x >= 1 (a softmax denominator); relative error under 1e-15. */
double sqz_learn_log(double x);

#endif
