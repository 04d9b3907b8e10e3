/* The thread pool: one job at a time, published by bumping `generation`;
 * threads take items from an atomic counter and count themselves out
 * through `active`. Workers spin a little before sleeping (the next step of
 * a network follows within microseconds) and sleep on the generation word:
 * a futex natively, memory.atomic.wait32 in wasm. The caller never sleeps,
 * only spins, since a browser's main thread may not wait. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE
#endif
#include "engine/threadpool.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "engine/error.h"

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

#define SQZ_POOL_MAX_THREADS 64
/* Polls of the generation word before a worker sleeps (~tens of µs). */
#define SQZ_POOL_SPINS 20000

typedef struct sqz_pool_start {
  struct sqz_pool *pool;
  int index;
} sqz_pool_start;

struct sqz_pool {
  int threads;
  _Atomic uint32_t generation; /* bumped for each job and for shutdown */
  _Atomic int shutdown;
  _Atomic size_t next;         /* next item to take */
  _Atomic int active;          /* workers still in the current job */
  _Atomic int inside;          /* workers inside sqz_pool_worker_run */
  sqz_pool_task_fn fn;         /* the job, published by generation */
  void *context;
  size_t items;
#ifdef SQZ_POOL_NATIVE
  pthread_t handles[SQZ_POOL_MAX_THREADS];
  sqz_pool_start starts[SQZ_POOL_MAX_THREADS];
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
  if (g == 0) g = 1; /* 0 is what a worker has seen before its first job */
  atomic_store_explicit(&p->generation, g, memory_order_release);
  wake_fn(&p->generation);
}

static void run_items(sqz_pool *p, int thread) {
  for (;;) {
    size_t i = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
    if (i >= p->items) return;
    p->fn(p->context, i, thread);
  }
}

void sqz_pool_worker_run(sqz_pool *p, int index) {
  if (!p || index < 1 || index >= SQZ_POOL_MAX_THREADS) return;
  atomic_fetch_add_explicit(&p->inside, 1, memory_order_acq_rel);
  uint32_t seen = 0;
  for (;;) {
    uint32_t g;
    int spins = 0;
    while ((g = atomic_load_explicit(&p->generation, memory_order_acquire)) == seen) {
      if (++spins < SQZ_POOL_SPINS) {
        cpu_relax();
        continue;
      }
      wait_fn(&p->generation, seen);
    }
    seen = g;
    if (atomic_load_explicit(&p->shutdown, memory_order_acquire)) break;
    run_items(p, index);
    atomic_fetch_sub_explicit(&p->active, 1, memory_order_release);
  }
  atomic_fetch_sub_explicit(&p->inside, 1, memory_order_release);
}

void sqz_pool_parallelize(sqz_pool *p, sqz_pool_task_fn fn, void *context, size_t items) {
  if (!p || p->threads <= 1 || items <= 1) {
    for (size_t i = 0; i < items; i++) fn(context, i, 0);
    return;
  }
  p->fn = fn, p->context = context, p->items = items;
  atomic_store_explicit(&p->next, 0, memory_order_relaxed);
  atomic_store_explicit(&p->active, p->threads - 1, memory_order_relaxed);
  publish(p);
  run_items(p, 0);
  for (unsigned spins = 0; atomic_load_explicit(&p->active, memory_order_acquire) != 0; spins++) {
    cpu_relax();
#ifdef SQZ_POOL_NATIVE
    /* two cores shared with other work: let a preempted worker finish */
    if ((spins & 1023) == 1023) sched_yield();
#endif
  }
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
  sqz_pool *p = calloc(1, sizeof *p);
  if (!p) {
    sqz_fail(err, SQZ_ERR_MEMORY, "out of memory for the thread pool");
    return NULL;
  }
  if (threads < 1) threads = 1;
  if (threads > SQZ_POOL_MAX_THREADS) threads = SQZ_POOL_MAX_THREADS;
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
