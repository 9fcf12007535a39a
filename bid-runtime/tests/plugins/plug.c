/* A test plugin for interface test.plug, shaped like what the bid C header asks for.
 * It keeps its own books (live buffers, open handles) and aborts on any misuse, so a
 * test that passes proves the host never handed it a bad pointer or handle. */
#define _POSIX_C_SOURCE 199309L /* nanosleep under -std=c99 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sig.h" /* #define PLUG_SIGNATURE "..." written by the test */

typedef struct bid_buf { void* ptr; int32_t len; } bid_buf;

#define MAGIC 0x0B1DB0F5u
typedef struct { uint32_t magic; int32_t len; int64_t pad; } hdr; /* 16 bytes: keeps alignment */

static int64_t live_buffers = 0;
static int open_handles[64];
static int next_handle = 1;

static void* alloc_buf(int32_t len, size_t elem) {
    hdr* h = malloc(sizeof(hdr) + (len > 0 ? (size_t)len * elem : 1));
    if (!h) abort();
    h->magic = MAGIC;
    h->len = len;
    __atomic_add_fetch(&live_buffers, 1, __ATOMIC_SEQ_CST);
    return h + 1;
}

#ifndef OMIT_SYMBOLS
void plug_bid_free(void* p, int32_t len) {
    if (((uintptr_t)p & 3) != 0) p = (char*)p - 1; /* the deliberately misaligned array */
    hdr* h = (hdr*)p - 1;
    if (h->magic != MAGIC || h->len != len) abort();
    h->magic = 0;
    __atomic_sub_fetch(&live_buffers, 1, __ATOMIC_SEQ_CST);
    free(h);
}

int32_t plug_add(int32_t a, int32_t b) { return a + b; }
#endif

void plug_greet(const char* name, int32_t len, bid_buf* out) {
    char* p = alloc_buf(7 + len, 1);
    memcpy(p, "hello, ", 7);
    memcpy(p + 7, name, (size_t)len);
    out->ptr = p;
    out->len = 7 + len;
}

void plug_echo_bytes(const uint8_t* data, int32_t len, bid_buf* out) {
    uint8_t* p = alloc_buf(len, 1);
    memcpy(p, data, (size_t)len);
    out->ptr = p;
    out->len = len;
}

#ifndef OMIT_SYMBOLS
void plug_range(int32_t n, bid_buf* out) {
    int32_t* p = alloc_buf(n, sizeof(int32_t));
    for (int32_t i = 0; i < n; i++) p[i] = i;
    out->ptr = p;
    out->len = n;
}
#endif

void plug_empty(bid_buf* out) { out->ptr = NULL; out->len = 0; }
void plug_null_len(bid_buf* out) { out->ptr = NULL; out->len = 5; }
/* An allocated buffer with a length no host can use: the host must still give it back. */
void plug_neg_len(bid_buf* out) {
    char* p = alloc_buf(-1, 1);
    out->ptr = p;
    out->len = -1;
}

void plug_bad_utf8(bid_buf* out) {
    uint8_t* p = alloc_buf(3, 1);
    p[0] = 'a'; p[1] = 0xff; p[2] = 0xfe;
    out->ptr = p;
    out->len = 3;
}

int32_t plug_is_even(int32_t v) { return v % 2 == 0; }
int32_t plug_bad_bool(void) { return 2; }

int32_t plug_check(int32_t code, int32_t* out) {
    if (code == 0) *out = 42;
    return code;
}

void plug_borrowed(int32_t n, bid_buf* out) {
    static char buf[32];
    int len = snprintf(buf, sizeof buf, "value-%d", (int)n);
    out->ptr = buf;
    out->len = len;
}

void plug_version(bid_buf* out) {
    static const char v[] = "plug 1.0";
    out->ptr = (void*)v;
    out->len = (int32_t)(sizeof v - 1);
}

void plug_misaligned(bid_buf* out) {
    static int32_t words[4] = {1, 2, 3, 4};
    out->ptr = (char*)words + 1;
    out->len = 2;
}

int32_t plug_open(int32_t seed) {
    (void)seed;
    int h = next_handle;
    next_handle = next_handle % 63 + 1;
    if (open_handles[h]) abort();
    open_handles[h] = 1;
    return h;
}

static void check_handle(int32_t h) {
    if (h < 1 || h > 63 || !open_handles[h]) {
        fprintf(stderr, "plug: bad handle %d\n", (int)h);
        abort();
    }
}

int32_t plug_read(int32_t h) { check_handle(h); return h * 10; }
void plug_close(int32_t h) { check_handle(h); open_handles[h] = 0; }

int64_t plug_live_buffers(void) { return __atomic_load_n(&live_buffers, __ATOMIC_SEQ_CST); }
int32_t plug_live_handles(void) {
    int n = 0;
    for (int i = 0; i < 64; i++) n += open_handles[i];
    return n;
}

void plug_misaligned_owned(bid_buf* out) {
    char* p = alloc_buf(2, sizeof(int32_t));
    out->ptr = p + 1;
    out->len = 2;
}

/* Every caller of one round waits (up to a second) until two callers of that round have been
 * inside at the same time: returns 1 if that happened, 0 if it timed out alone. */
static int inside = 0, peak = 0, current_round = 0;
static int32_t meet(int32_t round) {
    if (__atomic_exchange_n(&current_round, round, __ATOMIC_SEQ_CST) != round)
        __atomic_store_n(&peak, 0, __ATOMIC_SEQ_CST);
    int now = __atomic_add_fetch(&inside, 1, __ATOMIC_SEQ_CST);
    int seen = __atomic_load_n(&peak, __ATOMIC_SEQ_CST);
    while (now > seen && !__atomic_compare_exchange_n(&peak, &seen, now, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {}
    int32_t met = 0;
    for (int i = 0; i < 10000 && !met; i++) {
        if (__atomic_load_n(&peak, __ATOMIC_SEQ_CST) >= 2) met = 1;
        else { struct timespec t = {0, 100000}; nanosleep(&t, NULL); }
    }
    __atomic_sub_fetch(&inside, 1, __ATOMIC_SEQ_CST);
    return met;
}
int32_t plug_meet(int32_t round) { return meet(round); }
int32_t serial_meet(int32_t round) { return meet(round); }

#ifdef PLUG_SIGNATURE
const char* plug_bid_signature(void) { return PLUG_SIGNATURE; }
#endif
