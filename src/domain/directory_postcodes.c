/*
 * Where a UK postcode is: the centre of its district (outcode), from the table
 * shipped in the binary (data/outcodes.csv; its source and limits are in
 * docs/directory.md). A full postcode resolves through its district.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/directory.h"
#include "util/embed.h"

extern const lw_embedded lw_data_files[];

int dir_postcode_locate(const char *postcode, int64_t *lat_e6, int64_t *lon_e6) {
    char norm[9], out[5];
    if (dir_postcode_normalise(postcode, norm) != 0)
        return -1;
    dir_postcode_outcode(norm, out);
    const lw_embedded *e = embed_find(lw_data_files, "outcodes.csv");
    if (!e)
        return -1;
    const char *p = (const char *)e->data, *end = p + e->len;
    size_t n = strlen(out);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if ((size_t)(le - p) > n && p[n] == ',' && strncmp(p, out, n) == 0) {
            char line[80];
            size_t len = (size_t)(le - p) < sizeof line - 1 ? (size_t)(le - p) : sizeof line - 1;
            memcpy(line, p, len);
            line[len] = '\0';
            /* "LAT,LON" read as sscanf's "%lf,%lf" reads it (strtod both), without the
             * cost of sscanf on every search with a postcode. */
            char *e1, *e2;
            double lat = strtod(line + n + 1, &e1), lon = 0;
            int ok = e1 != line + n + 1 && *e1 == ',';
            if (ok) {
                lon = strtod(e1 + 1, &e2);
                ok = e2 != e1 + 1;
            }
            if (ok) {
                *lat_e6 = (int64_t)(lat * 1e6 + (lat < 0 ? -0.5 : 0.5));
                *lon_e6 = (int64_t)(lon * 1e6 + (lon < 0 ? -0.5 : 0.5));
                return 0;
            }
        }
        p = le + 1;
    }
    return -1;
}
