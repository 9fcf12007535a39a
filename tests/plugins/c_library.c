/* A C library written without bid, as existing libraries are: its own names and prototypes
 * (void*, char*, uint32_t), its own free functions, a handle that is the same pointer for
 * every caller, NULL for "no value", no signature export. fixtures/valid/c_library.bid.yaml
 * describes it as it is; the tests compile it once as it is and once with the generated
 * header force-included, which fails if a prototype differs.
 *
 * It counts what it hands out and gets back, so the tests can check every release happened
 * exactly once: nyash_test_live() is the number of live allocations. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(_WIN32)
#define EXPORT __declspec(dllexport)
#else
#define EXPORT __attribute__((visibility("default")))
#endif

static int32_t live = 0;
static int fail_next = 0;

/* One calculator for everyone: a zero-sized value boxed once, returned again and again. */
static struct { char unused; } the_math;
static int32_t math_live = 0;

typedef struct { int32_t year, month, day; } date;

EXPORT int32_t nyash_test_live(void) { return live + math_live; }

EXPORT double nyash_math_sqrt(double x) {
    double r = x > 1.0 ? x : 1.0;
    int i;
    if (x <= 0.0) return 0.0;
    for (i = 0; i < 60; i++) r = 0.5 * (r + x / r);
    return r;
}

EXPORT void* nyash_math_create(void) {
    if (fail_next) {
        fail_next = 0;
        return NULL;
    }
    math_live++;
    return &the_math;
}

EXPORT void nyash_math_destroy(void* m) {
    if (m == &the_math) math_live--;
}

EXPORT void nyash_math_failNext(int32_t fail) { fail_next = fail; }

EXPORT void* nyash_time_parse(const char* text) {
    date* d;
    int y, m, dd;
    char extra;
    if (sscanf(text, "%4d-%2d-%2d%c", &y, &m, &dd, &extra) != 3) return NULL;
    if (m < 1 || m > 12 || dd < 1 || dd > 31) return NULL;
    d = (date*)malloc(sizeof *d);
    if (d == NULL) return NULL;
    live++;
    d->year = y;
    d->month = m;
    d->day = dd;
    return d;
}

EXPORT char* nyash_datetime_to_string(void* dt) {
    const date* d = (const date*)dt;
    char* s = (char*)malloc(16);
    if (s == NULL) return NULL;
    live++;
    snprintf(s, 16, "%04d-%02d-%02d", (int)d->year, (int)d->month, (int)d->day);
    return s;
}

EXPORT uint32_t nyash_datetime_month(void* dt) { return (uint32_t)((const date*)dt)->month; }

EXPORT void nyash_datetime_free(void* dt) {
    if (dt != NULL) live--;
    free(dt);
}

EXPORT void nyash_string_free(char* s) {
    if (s != NULL) live--;
    free(s);
}

EXPORT void nyash_buffer_free(void* p) {
    if (p != NULL) live--;
    free(p);
}

EXPORT const char* nyash_math_version(void) { return "nyash-math 1.2.0"; }

EXPORT const char* nyash_math_lastError(void) { return NULL; }

/* Fallible, in bid's shape: a status, the string through an out-pointer. */
EXPORT int32_t nyash_math_greet(const char* name, char** out) {
    size_t n = strlen(name);
    char* s;
    if (n == 0) return -1; /* BID_E_INVALID_ARG */
    s = (char*)malloc(n + 8);
    if (s == NULL) return -4;
    live++;
    memcpy(s, "hello, ", 7);
    memcpy(s + 7, name, n + 1);
    *out = s;
    return 0;
}

EXPORT uint8_t nyash_math_clampU8(int32_t v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

EXPORT int64_t nyash_math_widen(uint8_t a, uint16_t b, int8_t c, int16_t d, uint32_t e) {
    return (int64_t)a + (int64_t)b + (int64_t)c + (int64_t)d + (int64_t)e;
}

EXPORT uint64_t nyash_math_bits(uint64_t v) { return ~v; }

/* The decimal digits of v, most significant first, in a buffer nyash_buffer_free releases,
 * returned through bid's out-parameter shape (the header defines it when included). */
#ifndef BID_BUF_DEFINED
typedef struct bid_buf { void* ptr; int32_t len; } bid_buf;
#endif

EXPORT void nyash_math_digits(uint64_t v, bid_buf* out) {
    uint8_t tmp[20];
    int32_t n = 0, i;
    uint8_t* d;
    do {
        tmp[n++] = (uint8_t)(v % 10);
        v /= 10;
    } while (v != 0);
    d = (uint8_t*)malloc((size_t)n);
    if (d == NULL) {
        out->ptr = NULL;
        out->len = 0;
        return;
    }
    live++;
    for (i = 0; i < n; i++) d[i] = tmp[n - 1 - i];
    out->ptr = d;
    out->len = n;
}

/* nyash_math_bid_free is not exported: every transferred result here names its own free. */
