/* The end-to-end plugin of e2e/types.bid.yaml: every type in both directions, and the bad
 * results a misbehaving plugin can give. It aborts on a handle it does not hold, so a test
 * that passes proves the host refused the call before it got here. */
#include "types.h"

#include <stdlib.h>
#include <string.h>

static int32_t live;           /* transferred buffers handed out and not yet freed */
static int64_t objs[8];        /* live Obj handles hold value+1; 0 is free */
static int ptr_target;

static void* take(size_t n) {
    void* p = malloc(n == 0 ? 1 : n);
    if (p == NULL) abort();
    live++;
    return p;
}

BID_EXPORT void e2e_types_bid_free(void* ptr, int32_t len) {
    (void)len;
    if (ptr == NULL) abort(); /* the host never frees an empty result */
    live--;
    free(ptr);
}

BID_EXPORT const char* e2e_types_bid_signature(void) { return E2E_TYPES_BID_SIGNATURE; }

BID_EXPORT int32_t e2e_types_echo_bool(int32_t v) { return v; }
BID_EXPORT int32_t e2e_types_echo_i32(int32_t v) { return v; }
BID_EXPORT int64_t e2e_types_echo_i64(int64_t v) { return v; }
BID_EXPORT float e2e_types_echo_f32(float v) { return v; }
BID_EXPORT double e2e_types_echo_f64(double v) { return v; }

BID_EXPORT void e2e_types_concat(const char* a_ptr, int32_t a_len, const char* b_ptr,
                                 int32_t b_len, bid_buf* out) {
    char* s = (char*)take((size_t)a_len + (size_t)b_len);
    memcpy(s, a_ptr, (size_t)a_len);
    memcpy(s + a_len, b_ptr, (size_t)b_len);
    out->ptr = s;
    out->len = a_len + b_len;
}

BID_EXPORT void e2e_types_reverse(const uint8_t* data_ptr, int32_t data_len, bid_buf* out) {
    uint8_t* r = (uint8_t*)take((size_t)data_len);
    for (int32_t i = 0; i < data_len; i++) r[i] = data_ptr[data_len - 1 - i];
    out->ptr = r;
    out->len = data_len;
}

BID_EXPORT int64_t e2e_types_sum(const int32_t* xs_ptr, int32_t xs_len) {
    int64_t s = 0;
    for (int32_t i = 0; i < xs_len; i++) s += xs_ptr[i];
    return s;
}

BID_EXPORT void e2e_types_doubled(const double* xs_ptr, int32_t xs_len, bid_buf* out) {
    double* r = (double*)take(sizeof(double) * (size_t)xs_len);
    for (int32_t i = 0; i < xs_len; i++) r[i] = xs_ptr[i] * 2.0;
    out->ptr = r;
    out->len = xs_len;
}

BID_EXPORT void e2e_types_echo_pairs(const e2e_types_Pair* ps_ptr, int32_t ps_len, bid_buf* out) {
    e2e_types_Pair* r = (e2e_types_Pair*)take(sizeof(e2e_types_Pair) * (size_t)ps_len);
    for (int32_t i = 0; i < ps_len; i++) r[i] = ps_ptr[i];
    out->ptr = r;
    out->len = ps_len;
}

/* Borrowed: the same static buffer is overwritten by the next call. */
BID_EXPORT void e2e_types_greeting(const char* name_ptr, int32_t name_len, bid_buf* out) {
    static char buf[128];
    int32_t n = name_len > 100 ? 100 : name_len;
    memcpy(buf, "hello, ", 7);
    memcpy(buf + 7, name_ptr, (size_t)n);
    out->ptr = buf;
    out->len = 7 + n;
}

BID_EXPORT void e2e_types_version_text(bid_buf* out) {
    static const char text[] = "types plugin 1.0";
    out->ptr = (void*)text;
    out->len = (int32_t)(sizeof text - 1);
}

BID_EXPORT void e2e_types_version_bytes(bid_buf* out) {
    static const uint8_t bytes[] = {1, 0, 0};
    out->ptr = (void*)bytes;
    out->len = 3;
}

BID_EXPORT e2e_types_Pair e2e_types_swap(e2e_types_Pair p) {
    e2e_types_Pair r;
    r.a = (int32_t)p.b;
    r.b = (double)p.a;
    return r;
}

BID_EXPORT e2e_types_Mixed e2e_types_mix(e2e_types_Mixed m) {
    m.flag = !m.flag;
    m.big = m.big * 2;
    m.small = m.small + 0.5f;
    m.pair.a = m.pair.a + 1;
    m.pair.b = m.pair.b * -1.0;
    m.obj = m.obj + 1;
    return m;
}

BID_EXPORT e2e_types_Obj e2e_types_new_obj(int64_t value) {
    for (int64_t i = 0; i < 8; i++) {
        if (objs[i] == 0) {
            objs[i] = value + 1;
            return i + 100;
        }
    }
    abort();
}

static int64_t* obj_slot(e2e_types_Obj o) {
    if (o < 100 || o >= 108 || objs[o - 100] == 0) abort();
    return &objs[o - 100];
}

BID_EXPORT int64_t e2e_types_obj_value(e2e_types_Obj o) { return *obj_slot(o) - 1; }

BID_EXPORT void e2e_types_free_obj(e2e_types_Obj o) { *obj_slot(o) = 0; }

BID_EXPORT e2e_types_Ptr e2e_types_new_ptr(void) { return &ptr_target; }

BID_EXPORT void e2e_types_free_ptr(e2e_types_Ptr p) {
    if (p != &ptr_target) abort();
}

BID_EXPORT int32_t e2e_types_checked_div(int32_t a, int32_t b, int32_t* out) {
    if (b == 0) return BID_E_INVALID_ARG;
    *out = a / b;
    return BID_OK;
}

BID_EXPORT int32_t e2e_types_checked_text(int32_t fail, bid_buf* out) {
    if (fail) return BID_E_STATE;
    char* s = (char*)take(2);
    s[0] = 'o';
    s[1] = 'k';
    out->ptr = s;
    out->len = 2;
    return BID_OK;
}

BID_EXPORT void e2e_types_nothing(void) {}

BID_EXPORT int32_t e2e_types_bad_bool(void) { return 2; }

BID_EXPORT void e2e_types_bad_null(bid_buf* out) {
    out->ptr = NULL;
    out->len = 3;
}

/* A real allocation with a length that lies: the host refuses the length and
   gives the buffer back through e2e_types_bid_free exactly as returned. */
BID_EXPORT void e2e_types_bad_len(bid_buf* out) {
    out->ptr = take(4);
    out->len = -1;
}

BID_EXPORT void e2e_types_bad_utf8(bid_buf* out) {
    uint8_t* s = (uint8_t*)take(3);
    s[0] = 'o';
    s[1] = 0xff;
    s[2] = 'k';
    out->ptr = s;
    out->len = 3;
}

BID_EXPORT void e2e_types_empty_text(bid_buf* out) {
    out->ptr = NULL;
    out->len = 0;
}

BID_EXPORT int32_t e2e_types_live_buffers(void) { return live; }
