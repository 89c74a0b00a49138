/*
 * Files embedded in the binary at build time (cmake/embed.cmake): the web UI
 * assets and the OpenAPI document. The tables end with an entry whose path is NULL.
 */
#ifndef LW_EMBED_H
#define LW_EMBED_H

#include <stddef.h>

typedef struct lw_embedded {
    const char *path;          /* relative to the embedded folder, e.g. "index.html" */
    const unsigned char *data; /* NUL-terminated for convenience; len excludes it */
    size_t len;
} lw_embedded;

extern const lw_embedded lw_web_assets[];
extern const lw_embedded lw_api_docs[];
extern const lw_embedded lw_sqlite_migrations[];
extern const lw_embedded lw_postgres_migrations[];

/* The entry whose path equals PATH, or NULL. */
const lw_embedded *embed_find(const lw_embedded *table, const char *path);

#endif
