/*
 * A report (domain/report_engine.h) as JSON, CSV or an SVG chart: the one
 * place the API and the CLI turn a result into a document, so both give the
 * same bytes. Hidden cells are the strings "<5" and "[c]" in every format.
 */
#ifndef LW_IO_REPORT_FORMAT_H
#define LW_IO_REPORT_FORMAT_H

#include <jansson.h>

#include "domain/report_engine.h"

typedef enum report_format { REPORT_JSON, REPORT_CSV, REPORT_SVG } report_format;

/* -1 when NAME is not json, csv or svg (NULL or "" is json). */
int report_format_parse(const char *name);
const char *report_format_type(report_format f); /* the media type */

/* {"name","title","description","filters","suppressed","columns","rows","figures"}:
 * a new reference; steals FILTERS (may be NULL). */
json_t *report_json(const rp_result *r, json_t *filters, int suppressed);
/* The rows under a header row (RFC 4180, CRLF line ends), in A. */
char *report_csv(lw_arena *a, const rp_result *r);
/* The result's chart as a standalone SVG document, in A. */
lw_status report_svg(lw_arena *a, const rp_result *r, char **out, lw_error *err) LW_MUST_CHECK;
/* The whole document of format F, in A (JSON as text). */
lw_status report_render(lw_arena *a, const rp_result *r, report_format f, json_t *filters,
                        int suppressed, char **out, lw_error *err) LW_MUST_CHECK;

#endif
