/* The all_types fixture as a C plugin, written against the header bid generates, so the C
 * compiler checks every prototype; the Rust side calls it through the generated box. */
#include <stdlib.h>
#include <string.h>
#include "all_types.h"

static int32_t mode = 0;
static int32_t frees = 0;

/* int32(-1) makes flag return 2 and echoString return invalid UTF-8 until int32(0). */
BID_EXPORT int32_t at_flag(int32_t b) { return mode == -1 ? 2 : !b; }
BID_EXPORT int32_t at_int32(int32_t v) { mode = v; return v * 2; }
BID_EXPORT int64_t at_int64(int64_t v) { return v + 1; }
BID_EXPORT float at_float32(float v) { return v * 2.0f; }
BID_EXPORT double at_float64(double v) { return v / 2.0; }

static void give(bid_buf* out, const void* src, size_t bytes, int32_t len) {
    out->ptr = malloc(bytes ? bytes : 1);
    memcpy(out->ptr, src, bytes);
    out->len = len;
}

BID_EXPORT void at_echoString(const char* s_ptr, int32_t s_len, bid_buf* out) {
    char buf[256];
    if (mode == -1) { buf[0] = (char)0xff; give(out, buf, 1, 1); return; }
    memcpy(buf, "echo:", 5);
    memcpy(buf + 5, s_ptr, (size_t)s_len);
    give(out, buf, (size_t)s_len + 5, s_len + 5);
}
BID_EXPORT void at_staticName(bid_buf* out) { out->ptr = (void*)"all_types"; out->len = 9; }
static char last_error[] = "no error";
BID_EXPORT void at_lastError(bid_buf* out) { out->ptr = last_error; out->len = 8; }
BID_EXPORT void at_echoBytes(const uint8_t* data_ptr, int32_t data_len, bid_buf* out) {
    uint8_t buf[256];
    int32_t i;
    for (i = 0; i < data_len; i++) buf[i] = data_ptr[data_len - 1 - i];
    give(out, buf, (size_t)data_len, data_len);
}
static uint8_t borrowed[3] = {1, 2, 3};
BID_EXPORT void at_borrowedBytes(bid_buf* out) { out->ptr = borrowed; out->len = 3; }
BID_EXPORT int32_t at_newObj(int32_t seed, at_Obj* out) {
    if (seed < 0) return BID_E_INVALID_ARG;
    *out = seed + 100;
    return BID_OK;
}
BID_EXPORT at_Obj at_peekObj(void) { return 42; }
BID_EXPORT int32_t at_useObj(at_Obj o) { return o * 2; }
static int32_t dropped = 0;
BID_EXPORT void at_drop_obj_v2(at_Obj o) { dropped += o; }
BID_EXPORT at_Wide at_wide(at_Wide w) { return w + 1; }
BID_EXPORT at_Ptr at_newPtr(void) { return malloc(8); }
BID_EXPORT void at_freePtr(at_Ptr p) { free(p); }
BID_EXPORT at_Sample at_sample(at_Sample s) {
    s.id += 1; s.value *= 2.0; s.count += 1; s.ratio /= 2.0f; s.valid = !s.valid;
    return s;
}
BID_EXPORT at_Tagged at_tag(at_Tagged t) { t.obj += 1; t.sample.id += 10; return t; }
BID_EXPORT void at_sumI32(const int32_t* xs_ptr, int32_t xs_len, bid_buf* out) {
    int32_t buf[64], acc = 0, i;
    for (i = 0; i < xs_len; i++) { acc += xs_ptr[i]; buf[i] = acc; }
    give(out, buf, sizeof(int32_t) * (size_t)xs_len, xs_len);
}
static int64_t sums[64];
BID_EXPORT void at_sumI64(const int64_t* xs_ptr, int32_t xs_len, bid_buf* out) {
    int64_t acc = 0;
    int32_t i;
    for (i = 0; i < xs_len; i++) { acc += xs_ptr[i]; sums[i] = acc; }
    out->ptr = sums; out->len = xs_len;
}
static float scaled[64];
BID_EXPORT void at_scaleF32(const float* xs_ptr, int32_t xs_len, float k, bid_buf* out) {
    int32_t i;
    for (i = 0; i < xs_len; i++) scaled[i] = xs_ptr[i] * k;
    out->ptr = scaled; out->len = xs_len;
}
BID_EXPORT int32_t at_scaleF64(const double* xs_ptr, int32_t xs_len, double k, bid_buf* out) {
    double buf[64];
    int32_t i;
    if (k == 0.0) return BID_E_INVALID_ARG;
    for (i = 0; i < xs_len; i++) buf[i] = xs_ptr[i] * k;
    give(out, buf, sizeof(double) * (size_t)xs_len, xs_len);
    return BID_OK;
}
BID_EXPORT void at_objs(const at_Obj* os_ptr, int32_t os_len, bid_buf* out) {
    at_Obj buf[64];
    int32_t i;
    for (i = 0; i < os_len; i++) buf[i] = os_ptr[i] + 1;
    give(out, buf, sizeof(at_Obj) * (size_t)os_len, os_len);
}
BID_EXPORT void at_samples(const at_Sample* ss_ptr, int32_t ss_len, bid_buf* out) {
    give(out, ss_ptr, sizeof(at_Sample) * (size_t)ss_len, ss_len);
}
BID_EXPORT int32_t at_nothing(void) { return mode == -2 ? BID_E_IO : BID_OK; }
BID_EXPORT void at_bid_free(void* ptr, int32_t len) { (void)len; frees++; free(ptr); }
BID_EXPORT const char* at_bid_signature(void) { return AT_BID_SIGNATURE; }

static int64_t counter = 0;
BID_EXPORT int64_t test_local_counter(void) { return ++counter; }
BID_EXPORT void test_local_bid_free(void* ptr, int32_t len) { (void)len; free(ptr); }
BID_EXPORT const char* test_local_bid_signature(void) { return TEST_LOCAL_BID_SIGNATURE; }
