/* The bad plugin without e2e_bad_bid_signature: nothing tells the host it was built from
 * the same BID file. */
#define BAD_NO_SIGNATURE
#include "bad.c"
