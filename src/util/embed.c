/* Lookup in the tables that cmake/embed.cmake generates. */
#include "util/embed.h"

#include <string.h>

const lw_embedded *embed_find(const lw_embedded *table, const char *path) {
    for (const lw_embedded *e = table; e->path; e++)
        if (strcmp(e->path, path) == 0)
            return e;
    return NULL;
}
