/* A plugin of e2e/types.bid.yaml that forgot most of its methods: loading must name each. */
#include "types.h"

BID_EXPORT int32_t e2e_types_echo_i32(int32_t v) { return v; }
BID_EXPORT void e2e_types_bid_free(void* ptr, int32_t len) {
    (void)ptr;
    (void)len;
}
