/* A library that calls back from a thread of its own, as event loops,
 * audio drivers and database clients do. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>

/* The callback: `user` is whatever the caller passed to worker_start. A
 * nonzero result asks the worker to stop. */
typedef int (*worker_callback)(void *user, int value);

struct worker {
    pthread_t thread;
    worker_callback callback;
    void *user;
    int count;
    int completed;
};

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < w->count; i++) {
        if (w->callback(w->user, i) != 0) {
            break;
        }
        w->completed++;
    }
    return NULL;
}

/* Starts a thread that calls callback(user, i) for i = 0 .. count - 1,
 * stopping early if a call returns nonzero. Returns NULL if no thread could
 * be started. */
struct worker *worker_start(worker_callback callback, void *user, int count)
{
    struct worker *w = malloc(sizeof *w);
    if (w == NULL) {
        return NULL;
    }
    w->callback = callback;
    w->user = user;
    w->count = count;
    w->completed = 0;
    if (pthread_create(&w->thread, NULL, worker_run, w) != 0) {
        free(w);
        return NULL;
    }
    return w;
}

/* Waits for the worker's thread to end, frees the worker, and returns how
 * many calls completed (returned 0). */
int worker_join(struct worker *w)
{
    pthread_join(w->thread, NULL);
    int completed = w->completed;
    free(w);
    return completed;
}
