/* The end-to-end plugin of fixtures/valid/keywords.bid.yaml: every name a Rust or C keyword. */
#include "keywords.h"

static int live_self;

BID_EXPORT match_type_class match_type_fn(int32_t type, const char* match_ptr, int32_t match_len,
                                          match_type_struct int_) {
    match_type_class c;
    (void)match_ptr;
    c.match = int_;
    c.match.type = int_.type + type;
    c.new_ = match_len;
    return c;
}

BID_EXPORT match_type_self match_type_new(const char* template__ptr, int32_t template__len,
                                          const uint8_t* out__ptr, int32_t out__len) {
    (void)template__ptr;
    (void)out__ptr;
    live_self++;
    return template__len * 100 + out__len;
}

BID_EXPORT void match_type_delete(match_type_self self) {
    (void)self;
    live_self--;
}

BID_EXPORT int32_t match_type_loop(int32_t super, int64_t crate, double static_, int32_t default_) {
    return super + (int32_t)crate + (int32_t)static_ + default_;
}

BID_EXPORT int32_t match_type_int(int32_t struct_, int32_t _) { return struct_ * _; }

BID_EXPORT void match_type_bid_free(void* ptr, int32_t len) {
    (void)ptr;
    (void)len;
}

BID_EXPORT const char* match_type_bid_signature(void) { return MATCH_TYPE_BID_SIGNATURE; }
