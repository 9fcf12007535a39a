/* The benchmark plugin: calls as cheap as a call can be, so the bench measures the bindings. */
#include <stdint.h>

#if defined(_WIN32)
#define EXPORT __declspec(dllexport)
#else
#define EXPORT __attribute__((visibility("default")))
#endif

static int32_t counters[16];

EXPORT int32_t bench_calls_add(int32_t a, int32_t b) { return a + b; }

EXPORT int32_t bench_calls_len(const char* s_ptr, int32_t s_len) {
    (void)s_ptr;
    return s_len;
}

EXPORT int32_t bench_calls_new_counter(void) { return 3; }

EXPORT int32_t bench_calls_bump(int32_t c) { return ++counters[c & 15]; }

EXPORT void bench_calls_drop_counter(int32_t c) { counters[c & 15] = 0; }

EXPORT void bench_calls_bid_free(void* ptr, int32_t len) {
    (void)ptr;
    (void)len;
}
