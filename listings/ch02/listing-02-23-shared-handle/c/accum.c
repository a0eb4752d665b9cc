/* An accumulator object: how many numbers were added to it, and their sum.
 * Objects are independent of each other and the library keeps no global
 * state; but accum_add updates two fields, one after the other, with no
 * lock, so two threads adding to one object at the same time would race. */
#include <stdint.h>
#include <stdlib.h>

struct accum {
    int64_t count;
    int64_t sum;
};

/* Returns a new, empty accumulator, or NULL if memory ran out. */
struct accum *accum_new(void)
{
    struct accum *acc = malloc(sizeof *acc);
    if (acc != NULL) {
        acc->count = 0;
        acc->sum = 0;
    }
    return acc;
}

void accum_add(struct accum *acc, int64_t x)
{
    acc->count += 1;
    acc->sum += x;
}

/* Adds what `from` has counted into `into`. */
void accum_merge(struct accum *into, const struct accum *from)
{
    into->count += from->count;
    into->sum += from->sum;
}

int64_t accum_count(const struct accum *acc)
{
    return acc->count;
}

int64_t accum_sum(const struct accum *acc)
{
    return acc->sum;
}

void accum_free(struct accum *acc)
{
    free(acc);
}
