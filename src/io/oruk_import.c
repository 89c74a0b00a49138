/*
 * Importing Open Referral documents: reading the sources (a large JSON list one item
 * at a time, the CSV datapackage, ORUK v1) on one thread while this one writes what
 * the cleaner (oruk_clean.c) made of them, all in one transaction, and the report.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain/directory.h"
#include "io/oruk_internal.h"
#include "store/directory.h"
#include "util/timeutil.h"

static const dir_entity *const roots[5] = {&dir_service_entity, &dir_organization_entity,
                                           &dir_location_entity, &dir_taxonomy_entity,
                                           &dir_taxonomy_term_entity};

static int was_empty(const imp *m, const dir_entity *e) {
    for (int i = 0; i < 5; i++)
        if (roots[i] == e)
            return m->empty[i];
    return 0;
}

/* ---- writing, as the sources are read ---- */

static json_t *counts_json(const counts *c, int64_t rejected) {
    return json_pack("{s:I, s:I, s:I, s:I}", "imported", (json_int_t)c->n[LW_DIR_NEW], "updated",
                     (json_int_t)c->n[LW_DIR_UPDATED], "unchanged",
                     (json_int_t)c->n[LW_DIR_UNCHANGED], "rejected", (json_int_t)rejected);
}

/* The postcode a location is at, from its first address that has one. */
static const char *location_postcode(json_t *loc, char out[9]) {
    size_t i;
    json_t *ad;
    json_array_foreach(json_object_get(loc, "addresses"), i, ad) {
        const char *pc = json_string_value(json_object_get(ad, "postal_code"));
        if (pc && dir_postcode_normalise(pc, out) == 0)
            return out;
    }
    return NULL;
}

/* Writes the records in MAP (of entity E). The writer only reads documents: the reader,
 * which made them, frees them (their strings are shared with the source's tree, and
 * jansson's reference counts alone do not order one thread's reads before another's
 * free). */
static void put_pending(imp *m, const dir_entity *e, json_t *map, counts *c, char (*hashes)[65]) {
    const char *k;
    json_t *doc;
    size_t j = 0;
    json_object_foreach(map, k, doc) {
        if (m->st != LW_OK)
            break;
        lw_dir_outcome o;
        char pc[9];
        lw_dir_extra x = {.postcode = e == &dir_location_entity ? location_postcode(doc, pc) : NULL,
                          .known_new = was_empty(m, e),
                          .hash = hashes ? hashes[j++] : NULL};
        m->st = store_dir_put(m->db, e, doc, &x, m->opt->now, &o, m->err);
        if (m->st != LW_OK)
            break;
        c->n[o]++;
        if (e == &dir_organization_entity)
            json_object_set_new(m->w_orgs, k, json_true());
    }
}

/* Services whose organisation is neither in the import nor in the directory get a
 * placeholder, so that they can still be found. */
static void ensure_org(imp *m, json_t *svc) {
    const char *oid = json_string_value(json_object_get(svc, "organization_id"));
    char unknown[37];
    if (!oid) {
        dir_uuid_for("organization", "linkwell:not-given", unknown);
        json_object_set_new(svc, "organization_id", json_string(unknown));
        oid = json_string_value(json_object_get(svc, "organization_id"));
    }
    if (json_object_get(m->w_orgs, oid))
        return;
    lw_arena *a = arena_new();
    json_t *existing = NULL;
    lw_error e2;
    lw_status gs = store_dir_get(m->db, a, &dir_organization_entity, oid, &existing, &e2);
    json_decref(existing);
    arena_free(a);
    if (gs == LW_OK) {
        json_object_set_new(m->w_orgs, oid, json_true());
        return;
    }
    if (gs != LW_ENOTFOUND) {
        *m->err = e2;
        m->st = gs;
        return;
    }
    json_t *org =
        json_pack("{s:s, s:s}", "id", oid, "name",
                  strcmp(oid, unknown) == 0 ? "Organisation not given" : "Unnamed organisation");
    json_t *one = json_object();
    json_object_set_new(one, oid, org);
    put_pending(m, &dir_organization_entity, one, &m->orgc, NULL);
    json_decref(one);
}

/* linkwell's own fields of a service, from what the source says (kept only when
 * the service is new). Strings live in SA. */
static void local_fields(imp *m, json_t *svc, char text[512], lw_dir_extra *x) {
    const char *name = json_string_value(json_object_get(svc, "name"));
    size_t len = (size_t)snprintf(text, 512, "%s", name);
    size_t j;
    json_t *at;
    json_array_foreach(json_object_get(svc, "attributes"), j, at) {
        const char *tid = json_string_value(json_object_get(at, "taxonomy_term_id"));
        const char *tn = tid ? json_string_value(json_object_get(m->term_names, tid)) : NULL;
        if (tn && len < 511) {
            len += (size_t)snprintf(text + len, 512 - len, ". %s", tn);
            if (len > 511)
                len = 511;
        }
    }
    /* The writer matches TEXT against the need-domain rules (see write_item). */
    int64_t cheapest = -1;
    json_array_foreach(json_object_get(svc, "cost_options"), j, at) {
        json_t *amt = json_object_get(at, "amount");
        if (json_is_number(amt)) {
            int64_t p = llround(json_number_value(amt) * 100);
            if (cheapest < 0 || p < cheapest)
                cheapest = p;
        }
    }
    const char *fees = json_string_value(json_object_get(svc, "fees_description"));
    if (!fees)
        fees = json_string_value(json_object_get(svc, "fees"));
    int64_t checked = m->opt->now;
    json_t *lm = json_object_get(svc, "last_modified");
    lw_error ignored;
    if (json_is_string(lm))
        lw_ignore(time_parse_iso(json_string_value(lm), "last_modified", &checked, &ignored));
    x->cost_band = dir_cost_band(cheapest, fees);
    x->last_checked_at = checked;
}

/* Writes a cleaned service and the records it brought with it (the writer). */
static void write_item(imp *m, queued *it) {
    static const dir_entity *const kinds[4] = {&dir_taxonomy_entity, &dir_taxonomy_term_entity,
                                               &dir_organization_entity, &dir_location_entity};
    counts *c[4] = {&m->taxc, &m->termc, &m->orgc, &m->locc};
    char(*ph)[65] = it->npend <= 4 ? it->phash_in : it->phash_heap;
    for (int k = 0; k < 4; k++) {
        put_pending(m, kinds[k], it->pend[k], c[k], ph);
        ph += json_object_size(it->pend[k]);
    }
    if (m->st == LW_OK)
        ensure_org(m, it->svc);
    lw_dir_outcome o = LW_DIR_UNCHANGED;
    /* The need domains of the words the reader gathered (two threads share the work). */
    uint32_t mask;
    /* Many services share their words (a chain's groups, a generated feed): each text
     * is matched against the rules once. */
    json_t *known = json_object_get(m->domain_memo, it->text);
    if (known) {
        mask = (uint32_t)json_integer_value(known);
    } else {
        mask = dir_domains_for_text(it->text, m->rules, m->nrules);
        if (json_object_size(m->domain_memo) >= 100000)
            json_object_clear(m->domain_memo);
        json_object_set_new(m->domain_memo, it->text, json_integer(mask));
    }
    char domains[256];
    size_t len = 0;
    domains[0] = '\0';
    for (int d = 0; d < LW_DOMAIN_COUNT; d++)
        if (mask & (1u << d))
            len += (size_t)snprintf(domains + len, sizeof domains - len, "%s%s", len ? "," : "",
                                    dir_domain_name(d));
    lw_dir_extra x = it->x;
    x.need_domains = domains;
    x.hash = it->hash;
    if (m->st == LW_OK)
        m->st = store_dir_put(m->db, &dir_service_entity, it->svc, &x, m->opt->now, &o, m->err);
    if (m->st != LW_OK)
        return;
    m->svcc.n[o]++;
    m->nsvc++;
    if (m->opt->progress && m->nsvc % 10000 == 0)
        m->opt->progress(m->nsvc, -1, m->opt->ctx);
}

static void item_free(queued *it) {
    json_decref(it->svc);
    for (int k = 0; k < 4; k++)
        json_decref(it->pend[k]);
    free(it->phash_heap);
}

/* Hands a cleaned service to the writer (the reader), waiting while the queue is full. */
static void emit_service(imp *m, json_t *svc) {
    if (!m->db)
        return;
    queued it = {
        .svc = json_incref(svc),
        .pend = {m->taxes, m->terms, m->orgs, m->locs},
    };
    m->taxes = json_object();
    m->terms = json_object();
    m->orgs = json_object();
    m->locs = json_object();
    it.x.known_new = m->empty[0];
    local_fields(m, svc, it.text, &it.x);
    /* Hashed here, while the documents are still in this core's cache. */
    dir_doc_hash(svc, it.hash);
    for (int k = 0; k < 4; k++)
        it.npend += json_object_size(it.pend[k]);
    char(*ph)[65] = it.phash_in;
    if (it.npend > 4) {
        it.phash_heap = malloc(sizeof *it.phash_heap * it.npend);
        if (!it.phash_heap)
            lw_oom();
        ph = it.phash_heap;
    }
    for (int k = 0; k < 4; k++) {
        const char *key;
        json_t *doc;
        json_object_foreach(it.pend[k], key, doc) dir_doc_hash(doc, *ph++);
    }
    pthread_mutex_lock(&m->mu);
    /* Take back what the writer is done with, to free here. */
    queued *spent = m->spent;
    size_t nspent = m->nspent;
    if (nspent) {
        m->spent = NULL;
        m->nspent = m->capspent = 0;
    }
    while (m->count == m->cap && !atomic_load(&m->abort))
        pthread_cond_wait(&m->can_put, &m->mu);
    int aborted = atomic_load(&m->abort);
    if (!aborted) {
        m->ring[(m->head + m->count) % m->cap] = it;
        /* Wake the writer only when it may be waiting: fewer context switches. */
        if (m->count++ == 0)
            pthread_cond_signal(&m->can_take);
    }
    pthread_mutex_unlock(&m->mu);
    if (aborted)
        item_free(&it);
    for (size_t i = 0; i < nspent; i++)
        item_free(&spent[i]);
    if (nspent)
        free(spent);
}

/* ---- sources ---- */

static void add_service(imp *m, json_t *item, const char *path) {
    if (atomic_load(&m->abort))
        return;
    if (oruk_is_v1(item)) {
        json_t *v3 = oruk_v1_to_v3(item);
        add_service(m, v3, path);
        json_decref(v3);
        return;
    }
    int rej = 0;
    json_t *doc = oruk_clean_root(m, &dir_service_entity, item, path, NULL, &rej);
    if (!doc) {
        m->nrejected++;
        return;
    }
    const char *id = json_string_value(json_object_get(doc, "id"));
    json_t *first = json_object_get(m->svc_seen, id);
    if (first) {
        char p[600];
        snprintf(p, sizeof p, "%s.id", path);
        char *sid = oruk_scalar_text(json_object_get(item, "id"));
        oruk_note(m, m->rejected, sid, p, "duplicate: the same id as %s, which is kept",
                  json_string_value(first));
        free(sid);
        m->nrejected++;
        json_decref(doc);
        return;
    }
    json_object_set_new(m->svc_seen, id, json_string(path));
    emit_service(m, doc);
    json_decref(doc);
}

static void add_item(imp *m, json_t *item, const char *path) {
    /* An organisation with its services (organization_full). */
    json_t *svcs = json_object_get(item, "services");
    if (json_is_object(item) && json_is_array(svcs) && !json_object_get(item, "organization") &&
        !json_object_get(item, "service_at_locations")) {
        int rej = 0;
        json_t *org = oruk_clean_root(m, &dir_organization_entity, item, path, NULL, &rej);
        if (!org)
            return;
        const char *oid = json_string_value(json_object_get(org, "id"));
        if (!json_object_get(m->orgs, oid) && !oruk_seen_root(m, "organization", oid))
            json_object_set(m->orgs, oid, org);
        size_t i;
        json_t *s;
        json_array_foreach(svcs, i, s) {
            char p[600];
            snprintf(p, sizeof p, "%s.services[%zu]", path, i);
            if (json_is_object(s) && !json_object_get(s, "organization_id") &&
                !json_object_get(s, "organization"))
                json_object_set_new(s, "organization_id", json_string(oid));
            add_service(m, s, p);
        }
        json_decref(org);
        return;
    }
    add_service(m, item, path);
}

/* An item read from a source (a reference the callee takes): cleaned on the reader's
 * thread, and freed there too. */
static void hand_over(imp *m, json_t *item, const char *file, const char *path) {
    m->file = file;
    add_item(m, item, path);
    json_decref(item);
}

/* A file mapped read-only: its pages are read as the list is, and dropped again
 * behind the reader (see add_json), so a large file never sits whole in memory. */
typedef struct mapped {
    char *buf;
    size_t len;
    int map; /* 1: mmap'd; 0: malloc'd (an empty file) */
} mapped;

static lw_status map_file(const char *path, mapped *out, lw_error *err) {
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return lw_fail(err, LW_EINVAL, path, "cannot be read: %s", strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return lw_fail(err, LW_EINVAL, path, "cannot be read: %s", strerror(e));
    }
    if (!S_ISREG(sb.st_mode) || sb.st_size == 0) {
        /* A pipe (or an empty file): read into memory. */
        size_t cap = 1 << 16, n = 0;
        char *b = malloc(cap);
        if (!b)
            lw_oom();
        for (;;) {
            ssize_t got = read(fd, b + n, cap - n);
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0) {
                int e = errno;
                free(b);
                close(fd);
                return lw_fail(err, LW_EINVAL, path, "cannot be read: %s", strerror(e));
            }
            if (got == 0)
                break;
            n += (size_t)got;
            if (n == cap) {
                cap *= 2;
                char *g = realloc(b, cap);
                if (!g)
                    lw_oom();
                b = g;
            }
        }
        close(fd);
        out->buf = b;
        out->len = n;
        return LW_OK;
    }
    void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd);
    if (p == MAP_FAILED)
        return lw_fail(err, LW_EINVAL, path, "cannot be read: %s", strerror(e));
    (void)madvise(p, (size_t)sb.st_size, MADV_SEQUENTIAL);
    out->buf = p;
    out->len = (size_t)sb.st_size;
    out->map = 1;
    return LW_OK;
}

static void unmap_file(mapped *f) {
    if (f->map)
        munmap(f->buf, f->len);
    else
        free(f->buf);
}

/* Gives back the pages of a mapped BUF before AT (they are read again from the file
 * should an error message need them). */
static void drop_behind(const char *buf, size_t at, size_t *dropped) {
    static const size_t step = 16u << 20;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t upto = at / page * page;
    if (upto < *dropped + step)
        return;
    (void)madvise((void *)(uintptr_t)buf, upto, MADV_DONTNEED);
    *dropped = upto;
}

/* ---- reading a large JSON list one item at a time ---- */

static size_t skip_ws(const char *b, size_t len, size_t i) {
    while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r'))
        i++;
    return i;
}

/* Just past the JSON value that starts at I; 0 when the text ends inside it. Only
 * the structure is followed (strings, brackets): jansson checks the rest. */
static size_t value_end(const char *b, size_t len, size_t i) {
    if (i >= len)
        return 0;
    if (b[i] == '"') {
        for (i++; i < len; i++) {
            if (b[i] == '\\')
                i++;
            else if (b[i] == '"')
                return i + 1;
        }
        return 0;
    }
    if (b[i] == '{' || b[i] == '[') {
        size_t depth = 0;
        while (i < len) {
            char c = b[i];
            if (c == '"') {
                size_t e = value_end(b, len, i);
                if (!e)
                    return 0;
                i = e;
                continue;
            }
            if (c == '{' || c == '[')
                depth++;
            else if ((c == '}' || c == ']') && --depth == 0)
                return i + 1;
            i++;
        }
        return 0;
    }
    while (i < len && !strchr(",]} \t\r\n", b[i]))
        i++;
    return i;
}

static lw_status json_error(const char *name, const char *buf, size_t at, const char *what,
                            lw_error *err) {
    int line = 1;
    for (size_t k = 0; k < at; k++)
        line += buf[k] == '\n';
    return lw_fail(err, LW_EINVAL, name,
                   "is not valid JSON (%s at line %d, byte %zu): nothing was imported", what, line,
                   at);
}

/* What follows the list (from AT) must close the document that starts at ROOT: for a
 * root object, its other members and the '}'; then nothing but white space. */
static lw_status json_tail(const char *name, const char *buf, size_t len, size_t root, size_t at,
                           lw_error *err) {
    size_t i = skip_ws(buf, len, at);
    if (buf[root] == '{') {
        while (i < len && buf[i] == ',') {
            i = skip_ws(buf, len, i + 1);
            size_t kend = i < len && buf[i] == '"' ? value_end(buf, len, i) : 0;
            size_t v = kend ? skip_ws(buf, len, kend) : len;
            if (v >= len || buf[v] != ':')
                return json_error(name, buf, kend ? v : i, "a member of the document is broken",
                                  err);
            size_t vstart = skip_ws(buf, len, v + 1), vend = value_end(buf, len, vstart);
            if (!vend)
                return json_error(name, buf, len, "the text ends before the document does", err);
            if (vend == vstart)
                return json_error(name, buf, vstart, "a member of the document has no value", err);
            i = skip_ws(buf, len, vend);
        }
        if (i >= len)
            return json_error(name, buf, len, "the text ends before the document does", err);
        if (buf[i] != '}')
            return json_error(name, buf, i, "expected ',' or '}' after the list", err);
        i = skip_ws(buf, len, i + 1);
    }
    if (i != len)
        return json_error(name, buf, i, "more text after the document", err);
    return LW_OK;
}

static lw_status add_json(imp *m, const char *name, const char *buf, size_t len, int mapped_buf,
                          lw_error *err) {
    size_t root = skip_ws(buf, len, 0), end = len;
    if (root >= len)
        return json_error(name, buf, len, "the text ends before the document does", err);
    /* Where the list of services is: the root array, or "contents" (HSDS) or "content"
     * (ORUK v1 pages) of the root object. The list is read one item at a time, and
     * what follows it checked after: nothing is scanned twice. */
    size_t arr = 0;
    int found = 0;
    if (buf[root] == '[') {
        arr = root;
        found = 1;
    } else if (buf[root] == '{') {
        size_t i = skip_ws(buf, len, root + 1);
        while (i < end && buf[i] == '"') {
            size_t kend = value_end(buf, len, i);
            size_t v = skip_ws(buf, len, kend);
            if (!kend || v >= end || buf[v] != ':')
                break;
            v = skip_ws(buf, len, v + 1);
            size_t klen = kend - i - 2;
            if (v < len && buf[v] == '[' &&
                ((klen == 8 && strncmp(buf + i + 1, "contents", 8) == 0) ||
                 (klen == 7 && strncmp(buf + i + 1, "content", 7) == 0))) {
                arr = v;
                found = 1;
                break;
            }
            size_t vend = value_end(buf, len, v);
            if (!vend)
                break;
            i = skip_ws(buf, len, vend);
            if (i < end && buf[i] == ',')
                i = skip_ws(buf, len, i + 1);
        }
    }
    if (!found) {
        json_error_t je;
        json_t *doc = json_loadb(buf, len, JSON_ALLOW_NUL, &je);
        if (!doc)
            return json_error(name, buf, (size_t)je.position, je.text, err);
        int one = json_is_object(doc) && json_object_get(doc, "id") &&
                  (json_object_get(doc, "name") || json_object_get(doc, "services"));
        if (one)
            hand_over(m, doc, name, "services[0]");
        else
            json_decref(doc);
        if (!one)
            return lw_fail(err, LW_EINVAL, name,
                           "is not an Open Referral document: expected a list of services (an "
                           "array, or an object with \"contents\"), or one service: nothing was "
                           "imported");
        return LW_OK;
    }
    size_t i = skip_ws(buf, len, arr + 1), n = 0, dropped = 0;
    if (i >= len)
        return json_error(name, buf, len, "the text ends before the document does", err);
    if (buf[i] == ']')
        return json_tail(name, buf, len, root, i + 1, err);
    while (!atomic_load(&m->abort)) {
        size_t e = value_end(buf, len, i);
        if (!e)
            return json_error(name, buf, i, "a list item never ends", err);
        json_error_t je;
        /* The fast reader gives up on anything unusual; jansson then reads the item
         * (the same tree) or says what is wrong with it. */
        json_t *item = oruk_parse_fast(buf + i, e - i);
        if (!item)
            item = json_loadb(buf + i, e - i, JSON_ALLOW_NUL | JSON_DECODE_ANY, &je);
        if (!item)
            return json_error(name, buf, i + (size_t)(je.position > 0 ? je.position : 0), je.text,
                              err);
        char p[40];
        snprintf(p, sizeof p, "services[%zu]", n++);
        hand_over(m, item, name, p);
        if (mapped_buf)
            drop_behind(buf, e, &dropped);
        i = skip_ws(buf, len, e);
        if (i < len && buf[i] == ',') {
            i = skip_ws(buf, len, i + 1);
            continue;
        }
        if (i < len && buf[i] == ']')
            return json_tail(name, buf, len, root, i + 1, err);
        return json_error(name, buf, i, "expected ',' or ']' between list items", err);
    }
    return LW_OK;
}

static lw_status add_source(imp *m, const oruk_source *s, lw_error *err) {
    const char *file = s->name ? s->name : (s->path ? s->path : "input");
    if (!s->path)
        return add_json(m, file, s->buf, s->len, 0, err);
    struct stat sb;
    if (stat(s->path, &sb) != 0)
        return lw_fail(err, LW_EINVAL, s->path, "cannot be read: %s", strerror(errno));
    const char *base = strrchr(s->path, '/');
    base = base ? base + 1 : s->path;
    if (S_ISDIR(sb.st_mode) || strcmp(base, "datapackage.json") == 0) {
        char *dir = strdup(s->path);
        if (!S_ISDIR(sb.st_mode)) {
            char *slash = strrchr(dir, '/');
            if (slash)
                *slash = '\0';
            else
                strcpy(dir, ".");
        }
        json_t *list = NULL;
        lw_status st = oruk_csv_read(dir, &list, err);
        free(dir);
        if (st != LW_OK)
            return st;
        size_t i;
        json_t *item;
        json_array_foreach(list, i, item) {
            char p[40];
            snprintf(p, sizeof p, "services[%zu]", i);
            hand_over(m, json_incref(item), file, p);
        }
        json_decref(list);
        return LW_OK;
    }
    mapped f;
    lw_status st = map_file(s->path, &f, err);
    if (st == LW_OK) {
        st = add_json(m, file, f.buf, f.len, f.map, err);
        unmap_file(&f);
    }
    return st;
}

typedef struct reader {
    imp *m;
    const oruk_source *sources;
    int n;
    lw_status st;
    lw_error err;
} reader;

/* The reader's thread: reads and cleans the sources, handing services to the writer. */
static void *read_sources(void *arg) {
    reader *r = arg;
    imp *m = r->m;
    for (int i = 0; i < r->n && r->st == LW_OK && !atomic_load(&m->abort); i++)
        r->st = add_source(m, &r->sources[i], &r->err);
    pthread_mutex_lock(&m->mu);
    m->done = 1;
    if (r->st != LW_OK)
        atomic_store(&m->abort, 1); /* the import fails: the writer stops */
    pthread_cond_broadcast(&m->can_take);
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

lw_status oruk_import(lw_db *db, const oruk_source *sources, int n, const oruk_options *opt,
                      json_t **report, lw_error *err) {
    imp m;
    oruk_imp_init(&m, opt->max_report_lines ? opt->max_report_lines : 1000);
    m.db = db;
    m.opt = opt;
    m.err = err;
    m.ra = arena_new();
    *report = NULL;
    /* Everything in one transaction: a source that cannot be read undoes it all. */
    lw_status st = store_dir_domain_rules(db, m.ra, &m.rules, &m.nrules, err);
    for (int i = 0; i < 5 && st == LW_OK; i++)
        st = store_dir_empty(db, roots[i], &m.empty[i], err);
    lw_dir_bulk saved = {0};
    if (st == LW_OK)
        st = store_dir_bulk_begin(db, &saved, err);
    if (st == LW_OK)
        st = store_begin(db, err);
    /* Into an empty directory: the indexes are built once, at the end. */
    int fresh = m.empty[0] && m.empty[1] && m.empty[2] && m.empty[3] && m.empty[4];
    if (st == LW_OK && fresh)
        st = store_dir_indexes(db, 1, err);
    if (st == LW_OK) {
        /* The reader parses and cleans on another thread while this one writes. */
        reader r = {.m = &m, .sources = sources, .n = n, .st = LW_OK};
        lw_error_clear(&r.err);
        m.cap = 256;
        m.ring = calloc(m.cap, sizeof *m.ring);
        if (!m.ring)
            lw_oom();
        pthread_mutex_init(&m.mu, NULL);
        pthread_cond_init(&m.can_put, NULL);
        pthread_cond_init(&m.can_take, NULL);
        pthread_t t;
        if (pthread_create(&t, NULL, read_sources, &r) != 0)
            lw_oom();
        queued batch[64];
        for (;;) {
            /* Take what is there (up to a batch) in one go. */
            pthread_mutex_lock(&m.mu);
            while (m.count == 0 && !m.done)
                pthread_cond_wait(&m.can_take, &m.mu);
            if (m.count == 0) {
                pthread_mutex_unlock(&m.mu);
                break;
            }
            int was_full = m.count == m.cap;
            size_t nb = 0;
            while (m.count > 0 && nb < 64) {
                batch[nb++] = m.ring[m.head];
                m.head = (m.head + 1) % m.cap;
                m.count--;
            }
            if (was_full)
                pthread_cond_signal(&m.can_put);
            pthread_mutex_unlock(&m.mu);
            for (size_t b = 0; b < nb; b++)
                if (m.st == LW_OK)
                    write_item(&m, &batch[b]);
            pthread_mutex_lock(&m.mu);
            if (m.nspent + nb > m.capspent) {
                m.capspent = (m.nspent + nb) * 2;
                queued *g = realloc(m.spent, sizeof *g * m.capspent);
                if (!g)
                    lw_oom();
                m.spent = g;
            }
            memcpy(m.spent + m.nspent, batch, sizeof *batch * nb);
            m.nspent += nb;
            pthread_mutex_unlock(&m.mu);
            if (m.st != LW_OK && !atomic_load(&m.abort)) {
                pthread_mutex_lock(&m.mu);
                atomic_store(&m.abort, 1);
                pthread_cond_broadcast(&m.can_put);
                pthread_mutex_unlock(&m.mu);
            }
        }
        pthread_join(t, NULL);
        for (size_t i = 0; i < m.nspent; i++)
            item_free(&m.spent[i]);
        free(m.spent);
        pthread_cond_destroy(&m.can_take);
        pthread_cond_destroy(&m.can_put);
        pthread_mutex_destroy(&m.mu);
        free(m.ring);
        st = m.st;
        if (st == LW_OK && r.st != LW_OK) {
            st = r.st;
            *err = r.err;
        }
    }
    int64_t changed = m.orgc.n[0] + m.orgc.n[1] + m.locc.n[0] + m.locc.n[1] + m.termc.n[0] +
                      m.termc.n[1] + m.taxc.n[0] + m.taxc.n[1] + m.svcc.n[0] + m.svcc.n[1];
    if (st == LW_OK && fresh)
        st = store_dir_indexes(db, 0, err);
    if (st == LW_OK && changed > 0)
        st = store_dir_bump(db, opt->now, err);
    if (st == LW_OK && opt->before_commit)
        st = opt->before_commit(db, opt->before_ctx, err);
    if (st == LW_OK)
        st = store_commit(db, err);
    if (st != LW_OK)
        store_rollback(db);
    store_dir_bulk_end(db, &saved);
    if (st != LW_OK) {
        oruk_imp_free(&m);
        return st;
    }
    json_t *rep = json_object();
    json_object_set_new(rep, "services", counts_json(&m.svcc, m.nrejected));
    json_object_set_new(rep, "organizations", counts_json(&m.orgc, 0));
    json_object_set_new(rep, "locations", counts_json(&m.locc, 0));
    json_object_set_new(rep, "taxonomy_terms", counts_json(&m.termc, 0));
    json_object_set_new(rep, "taxonomies", counts_json(&m.taxc, 0));
    json_object_set(rep, "rejected", m.rejected);
    json_object_set(rep, "warnings", m.warnings);
    json_object_set_new(rep, "warnings_total", json_integer(m.nwarn));
    *report = rep;
    oruk_imp_free(&m);
    return LW_OK;
}

static char *append(char *s, size_t *len, const char *fmt, ...) LW_PRINTF(3, 4);
static char *append(char *s, size_t *len, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *g = realloc(s, *len + (size_t)k + 1);
    if (!g)
        lw_oom();
    va_start(ap, fmt);
    vsnprintf(g + *len, (size_t)k + 1, fmt, ap);
    va_end(ap);
    *len += (size_t)k;
    return g;
}

char *oruk_report_text(const json_t *report) {
    size_t len = 0;
    char *s = calloc(1, 1);
    static const char *const lists[] = {"rejected", "warnings"};
    for (int l = 0; l < 2; l++) {
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(report, lists[l]), i, e) {
            const char *id = json_string_value(json_object_get(e, "id"));
            s = append(
                s, &len, "%s: %s%s: %s%s%s%s\n", json_string_value(json_object_get(e, "file")),
                l == 0 ? "rejected " : "warning ", json_string_value(json_object_get(e, "path")),
                json_string_value(json_object_get(e, "reason")), id ? " (id " : "", id ? id : "",
                id ? ")" : "");
        }
    }
    json_int_t wt = json_integer_value(json_object_get(report, "warnings_total"));
    if ((size_t)wt > json_array_size(json_object_get(report, "warnings")))
        s = append(s, &len, "(%lld warnings in all; the first %zu are listed)\n", (long long)wt,
                   json_array_size(json_object_get(report, "warnings")));
    static const char *const kinds[] = {"services", "organizations", "locations", "taxonomy_terms",
                                        "taxonomies"};
    for (int k = 0; k < 5; k++) {
        json_t *c = json_object_get(report, kinds[k]);
        s = append(s, &len, "%s: %lld imported, %lld updated, %lld unchanged", kinds[k],
                   (long long)json_integer_value(json_object_get(c, "imported")),
                   (long long)json_integer_value(json_object_get(c, "updated")),
                   (long long)json_integer_value(json_object_get(c, "unchanged")));
        if (k == 0)
            s = append(s, &len, ", %lld rejected",
                       (long long)json_integer_value(json_object_get(c, "rejected")));
        s = append(s, &len, "\n");
    }
    return s;
}
