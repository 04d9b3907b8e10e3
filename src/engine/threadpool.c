/* The thread pool: one job at a time. A job is its fields plus a claim word
 * (job number << 32 | next item); threads claim items by compare-and-swap,
 * so a worker that wakes late finds the job closed and claims nothing, and
 * the caller waits only for items to be done, never for a worker that the
 * system has not scheduled (two cores shared with other work, a busy phone).
 * A claimed item keeps its job open, so the fields read after a claim are
 * that job's. Workers spin a while before sleeping on `generation`, bumped
 * for each job: a futex natively, memory.atomic.wait32 in wasm. Waking a
 * sleeping thread takes tens of µs or more, longer than the gap between
 * two steps (a worker done with its items waits for the caller's last),
 * so workers spin about 100 µs, longer while the pool is held (an
 * inference, from preprocessing on); spinning longer would take a core
 * from the caller when the machine has only one to give. The caller never
 * sleeps, only spins, since a browser's main thread may not wait. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE
#endif
#include "engine/threadpool.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "squeezenet.h" /* SQZ_MAX_THREADS: the pool holds at most what the API allows */

#if defined(__EMSCRIPTEN__)
#if defined(__EMSCRIPTEN_PTHREADS__)
#define SQZ_POOL_WASM 1
#endif
#elif defined(__linux__)
#define SQZ_POOL_NATIVE 1
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#define CLOSED UINT32_MAX
/* Polls of the generation word before a worker sleeps, about 100 µs: long
 * enough to catch the next step, short enough not to hold a core others
 * need. Measured on the bench machine (Zen 4): natively a poll with a pause
 * takes 25 ns; wasm has no pause, and a poll takes 0.3 ns (TurboFan) to
 * 1.1 ns (Liftoff, where a worker's loop stays): 4000 polls were 1.5-5 µs,
 * after which a worker slept through most steps' ends. */
#ifndef SQZ_POOL_SPINS
#if defined(SQZ_POOL_WASM)
#define SQZ_POOL_SPINS 100000u
#else
#define SQZ_POOL_SPINS 4000u
#endif
#endif
/* While the pool is held (sqz_pool_hold): the preprocessing before the
 * first step, a long item's tail. */
#ifndef SQZ_POOL_HELD_SPINS
#define SQZ_POOL_HELD_SPINS (4 * SQZ_POOL_SPINS)
#endif

typedef struct sqz_pool_start {
  struct sqz_pool *pool;
  int index;
} sqz_pool_start;

/* The words threads poll and the words they write, each on a cache line of
 * its own (64 bytes apart, whatever the allocation's alignment): a worker
 * polling `generation` or the caller polling `done` would otherwise take
 * the line from under every claim. Measured in wasm (`npm run bench`, v1.1
 * on 2 threads, three runs, medians against 1 thread): 1.61, 1.84, 1.61×
 * with the words on shared lines, 1.86, 1.85, 1.86× apart. */
#define SQZ_LINE 64
struct sqz_pool {
  _Alignas(SQZ_LINE) _Atomic uint32_t generation; /* bumped for each job and for shutdown; polled by workers */
  _Atomic int shutdown;
  _Atomic int held;            /* workers spin between jobs (sqz_pool_hold) */
  int threads;
  _Atomic(sqz_pool_task_fn) fn; /* the job (atomics: a late worker may read them) */
  _Atomic(void *) context;
  _Atomic size_t items;
  _Alignas(SQZ_LINE) _Atomic uint64_t claim; /* job number << 32 | next item (CLOSED: none) */
  _Alignas(SQZ_LINE) _Atomic size_t done;    /* items of the current job done; polled by the caller */
  _Alignas(SQZ_LINE) _Atomic int inside;     /* workers inside sqz_pool_worker_run */
#ifdef SQZ_POOL_NATIVE
  pthread_t handles[SQZ_MAX_THREADS];
  sqz_pool_start starts[SQZ_MAX_THREADS];
#endif
};

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

static void wait_while_equal(_Atomic uint32_t *word, uint32_t value) {
#if defined(SQZ_POOL_WASM)
  __builtin_wasm_memory_atomic_wait32((int *)word, (int)value, -1);
#elif defined(SQZ_POOL_NATIVE)
  syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, value, NULL, NULL, 0);
#else
  (void)word, (void)value;
#endif
}

static void wake_all(_Atomic uint32_t *word) {
#if defined(SQZ_POOL_WASM)
  __builtin_wasm_memory_atomic_notify((int *)word, INT_MAX);
#elif defined(SQZ_POOL_NATIVE)
  syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
#else
  (void)word;
#endif
}

/* Called through pointers the optimisers cannot see through, so that they stay
 * out of line: V8's baseline wasm compiler (Liftoff; Node 20) loses locals held
 * in registers across memory.atomic.wait32 (a worker's index came back as 0),
 * and a worker's endless loop never moves on to optimised code. Around a call,
 * Liftoff keeps its locals in memory. */
static void (*volatile wait_fn)(_Atomic uint32_t *, uint32_t) = wait_while_equal;
static void (*volatile wake_fn)(_Atomic uint32_t *) = wake_all;

static void publish(sqz_pool *p) {
  uint32_t g = atomic_load_explicit(&p->generation, memory_order_relaxed) + 1;
  if (g == 0) g = 1;
  atomic_store(&p->generation, g);
  wake_fn(&p->generation);
}

/* Claims and runs items of job `job` until it has none left. */
static void run_items(sqz_pool *p, uint32_t job, int thread) {
  for (;;) {
    uint64_t c = atomic_load(&p->claim);
    uint32_t i = (uint32_t)c;
    if ((uint32_t)(c >> 32) != job || i == CLOSED || i >= atomic_load(&p->items)) return;
    if (!atomic_compare_exchange_weak(&p->claim, &c, c + 1)) continue;
    atomic_load(&p->fn)(atomic_load(&p->context), i, thread);
    atomic_fetch_add_explicit(&p->done, 1, memory_order_release);
  }
}

void sqz_pool_worker_run(sqz_pool *p, int index) {
  if (!p || index < 1 || index >= SQZ_MAX_THREADS) return;
  atomic_fetch_add_explicit(&p->inside, 1, memory_order_acq_rel);
  uint32_t seen = 0;
  for (;;) {
    uint32_t g;
    unsigned spins = 0;
    while ((g = atomic_load_explicit(&p->generation, memory_order_acquire)) == seen) {
      const int held = atomic_load_explicit(&p->held, memory_order_relaxed);
      if (++spins < (held ? SQZ_POOL_HELD_SPINS : SQZ_POOL_SPINS)) {
        cpu_relax();
        continue;
      }
      wait_fn(&p->generation, seen);
      spins = 0;
    }
    seen = g;
    if (atomic_load_explicit(&p->shutdown, memory_order_acquire)) break;
    run_items(p, g, index);
  }
  atomic_fetch_sub_explicit(&p->inside, 1, memory_order_release);
}

void sqz_pool_parallelize(sqz_pool *p, sqz_pool_task_fn fn, void *context, size_t items) {
  if (!p || p->threads <= 1 || items <= 1 || items >= CLOSED) {
    for (size_t i = 0; i < items; i++) fn(context, i, 0);
    return;
  }
  /* The claim is closed (job done) from the last job; workers see the new
   * fields only through claims tagged with the new job number. */
  uint32_t job = atomic_load_explicit(&p->generation, memory_order_relaxed) + 1;
  if (job == 0) job = 1; /* 0 is what a worker has seen before its first job */
  atomic_store(&p->fn, fn);
  atomic_store(&p->context, context);
  atomic_store(&p->items, items);
  atomic_store(&p->done, 0);
  atomic_store(&p->claim, (uint64_t)job << 32);
  atomic_store(&p->generation, job);
  wake_fn(&p->generation);
  run_items(p, job, 0);
  for (unsigned spins = 0; atomic_load_explicit(&p->done, memory_order_acquire) != items; spins++) {
    cpu_relax();
#ifdef SQZ_POOL_NATIVE
    /* two cores shared with other work: let a preempted worker finish its item */
    if ((spins & 1023) == 1023) sched_yield();
#endif
  }
  atomic_store(&p->claim, (uint64_t)job << 32 | CLOSED);
}

void sqz_pool_hold(sqz_pool *p, int hold) {
  if (!p || p->threads <= 1) return;
  if (!hold) {
    atomic_store_explicit(&p->held, 0, memory_order_relaxed);
    return;
  }
  if (atomic_exchange_explicit(&p->held, 1, memory_order_relaxed)) return;
  /* wake sleeping workers now, so that they spin by the first job: a new
   * generation with no job (the claim stays closed, tagged with the last) */
  publish(p);
}

void sqz_pool_shutdown(sqz_pool *p) {
  if (!p || atomic_exchange_explicit(&p->shutdown, 1, memory_order_acq_rel)) return;
  publish(p);
}

int sqz_pool_workers_inside(const sqz_pool *p) {
  return p ? atomic_load_explicit(&((sqz_pool *)p)->inside, memory_order_acquire) : 0;
}

int sqz_pool_threads(const sqz_pool *p) { return p ? p->threads : 1; }

#ifdef SQZ_POOL_NATIVE
static void *thread_main(void *arg) {
  sqz_pool_start *start = arg;
  sqz_pool_worker_run(start->pool, start->index);
  return NULL;
}
#endif

sqz_pool *sqz_pool_create(int threads, sqz_error *err) {
  /* aligned as its cache lines are (sizeof is a multiple of SQZ_LINE) */
  sqz_pool *p = aligned_alloc(SQZ_LINE, sizeof *p);
  if (p) memset(p, 0, sizeof *p);
  if (!p) {
    sqz_fail(err, SQZ_ERR_MEMORY, "out of memory for the thread pool");
    return NULL;
  }
  atomic_store(&p->claim, CLOSED); /* no job yet */
  if (threads < 1) threads = 1;
  if (threads > SQZ_MAX_THREADS) threads = SQZ_MAX_THREADS;
#if defined(SQZ_POOL_WASM)
  p->threads = threads;
#elif defined(SQZ_POOL_NATIVE)
  /* Workers read only their index before a job, so the count can shrink
   * here when the system refuses a thread. */
  p->threads = threads;
  for (int i = 1; i < threads; i++) {
    p->starts[i].pool = p, p->starts[i].index = i;
    if (pthread_create(&p->handles[i], NULL, thread_main, &p->starts[i]) != 0) {
      p->threads = i;
      break;
    }
  }
#else
  p->threads = 1;
#endif
  return p;
}

void sqz_pool_free(sqz_pool *p) {
  if (!p) return;
  sqz_pool_shutdown(p);
#if defined(SQZ_POOL_NATIVE)
  for (int i = 1; i < p->threads; i++) pthread_join(p->handles[i], NULL);
#elif defined(SQZ_POOL_WASM)
  while (atomic_load_explicit(&p->inside, memory_order_acquire) != 0) cpu_relax();
#endif
  free(p);
}
