/* A word splitter in the style of C's strtok: between calls it remembers,
 * in one static variable, where it is in the text it was given. Every caller
 * in the process shares that variable. */
#include <stddef.h>

static const char *cursor; /* the next byte to look at, or NULL when done */

/* Starts splitting `text` at spaces. The splitter keeps the pointer, so the
 * text must stay valid until ex_split_next has returned NULL. */
void ex_split_start(const char *text)
{
    cursor = text;
}

/* Returns the next word of the text as a pointer into it, with its length
 * in *len, or NULL when no word is left. */
const char *ex_split_next(size_t *len)
{
    if (cursor == NULL) {
        return NULL;
    }
    while (*cursor == ' ') {
        cursor++;
    }
    if (*cursor == '\0') {
        cursor = NULL;
        return NULL;
    }
    const char *word = cursor;
    while (*cursor != ' ' && *cursor != '\0') {
        cursor++;
    }
    *len = (size_t)(cursor - word);
    return word;
}
