/* A fixed pool of threads that runs the items of one job at a time, the
 * caller taking a share. Owned by a model (no global state). Each item is
 * given to exactly one thread, so results do not depend on the thread count
 * as long as an item's work does not.
 *
 * Natively the pool starts its own threads (pthreads). In WebAssembly the
 * embedder starts them: it runs sqz_pool_worker_run(pool, i) for every i in
 * 1..threads-1 on its own workers sharing the module's memory, before the
 * first job (src/js/threads.js). Workers never allocate. */
#ifndef SQZ_THREADPOOL_H
#define SQZ_THREADPOOL_H
#include <stddef.h>

#include "squeezenet.h"

typedef struct sqz_pool sqz_pool;

/* Runs item `item` of a job on thread `thread` (0 = the caller, < threads). */
typedef void (*sqz_pool_task_fn)(void *context, size_t item, int thread);

/* A pool of `threads` threads in all, the caller included. Natively, fewer
 * start if the system refuses some (sqz_pool_threads tells how many run);
 * builds without thread support always have one. NULL only if out of memory. */
sqz_pool *sqz_pool_create(int threads, sqz_error *err);
/* Natively: stops and joins the threads. In wasm the embedder must have let
 * every worker return from sqz_pool_worker_run (sqz_pool_shutdown) first. */
void sqz_pool_free(sqz_pool *pool);
int sqz_pool_threads(const sqz_pool *pool);

/* Calls fn(context, item, thread) once for every item in [0, items), spread
 * over the threads; returns when all are done. NULL pool: the caller alone. */
void sqz_pool_parallelize(sqz_pool *pool, sqz_pool_task_fn fn, void *context, size_t items);

/* Holds the workers awake longer between jobs (hold 1, waking those that
 * sleep) or lets them sleep sooner again (0): held for an inference, they
 * are spinning when its first job comes and between its jobs (waking a
 * sleeping thread takes longer than many jobs). NULL pool: nothing.
 * A thread runs its items of a job in increasing order. */
void sqz_pool_hold(sqz_pool *pool, int hold);

/* The loop of worker `index` (1..threads-1): runs jobs until shutdown. */
void sqz_pool_worker_run(sqz_pool *pool, int index);
/* Asks the workers to return from sqz_pool_worker_run. */
void sqz_pool_shutdown(sqz_pool *pool);
/* How many workers are inside sqz_pool_worker_run. */
int sqz_pool_workers_inside(const sqz_pool *pool);

#endif
