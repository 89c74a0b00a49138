/*
 * A bump allocator for memory that lives as long as one request or one command.
 * Everything allocated from an arena is freed at once by arena_free().
 * Allocation cannot fail: on out-of-memory the process aborts (as h2o does), so
 * no caller handles NULL.
 */
#ifndef LW_ARENA_H
#define LW_ARENA_H

#include <stdarg.h>
#include <stddef.h>

#include "util/error.h"

typedef struct lw_arena lw_arena;

lw_arena *arena_new(void);
void arena_free(lw_arena *a); /* NULL is fine */

void *arena_alloc(lw_arena *a, size_t n); /* zeroed, aligned for any type */
/* Not zeroed: for memory the caller fills at once (strings, buffers it copies into). */
void *arena_alloc_raw(lw_arena *a, size_t n);
char *arena_strdup(lw_arena *a, const char *s); /* NULL gives NULL */
char *arena_strndup(lw_arena *a, const char *s, size_t n);
char *arena_printf(lw_arena *a, const char *fmt, ...) LW_PRINTF(2, 3);
char *arena_vprintf(lw_arena *a, const char *fmt, va_list ap) LW_PRINTF(2, 0);

/* Aborts with a message: for out-of-memory and broken invariants only. */
_Noreturn void lw_oom(void);

#endif
