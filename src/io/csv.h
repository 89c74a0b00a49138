/*
 * CSV (RFC 4180) text as records: shared by the HSDS CSV datapackage reader
 * (csv.c) and the GP consultation import (gp_import.c).
 */
#ifndef LW_IO_CSV_H
#define LW_IO_CSV_H

#include <jansson.h>
#include <stddef.h>

/* Every record of S[0..LEN) in order (the header too; a blank line is a
 * record of one empty cell) as an array of arrays of strings; a byte-order
 * mark is skipped. Record i is line i + 1 unless a quoted cell spans lines.
 * -1 on malformed text (a quoted cell never closed). *OUT is the caller's. */
int csv_records(const char *s, size_t len, json_t **out);

#endif
