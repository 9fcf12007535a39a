/* The types plugin built against an older interface: its signature says `echo_i32` took an
 * i64 and `sum` returned an i32. Loading must name both methods. */
#define e2e_types_bid_signature e2e_types_bid_signature_current
#include "types.c"
#undef e2e_types_bid_signature

#include <string.h>

BID_EXPORT const char* e2e_types_bid_signature(void) {
    static char old[8192];
    static const char* lines[][2] = {
        {"fn echo_i32 e2e_types_echo_i32(i32) -> i32", "fn echo_i32 e2e_types_echo_i32(i64) -> i32"},
        {"fn sum e2e_types_sum(array(i32) borrowed) -> i64", "fn sum e2e_types_sum(array(i32) borrowed) -> i32"},
    };
    const char* sig = E2E_TYPES_BID_SIGNATURE;
    if (strlen(sig) >= sizeof old) return sig;
    strcpy(old, sig);
    for (unsigned i = 0; i < 2; i++) {
        char* at = strstr(old, lines[i][0]);
        if (at != NULL) memcpy(at, lines[i][1], strlen(lines[i][1]));
    }
    return old;
}
