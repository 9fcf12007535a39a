#include "kv.h" /* generated: the exact prototypes, status codes and ownership rules */
#include <string.h>

static struct { char key[32]; int64_t value; } table[16];
static int used;

BID_EXPORT void demo_kv_put(const char* key, int32_t key_len, int64_t value) {
    if (key_len >= 32 || used == 16) return;
    memcpy(table[used].key, key, (size_t)key_len); /* key is not NUL-terminated */
    table[used].key[key_len] = '\0';
    table[used++].value = value;
}

BID_EXPORT int32_t demo_kv_get(const char* key, int32_t key_len, int64_t* out) {
    for (int i = used - 1; i >= 0; i--) {
        if ((int32_t)strlen(table[i].key) == key_len
            && memcmp(table[i].key, key, (size_t)key_len) == 0) {
            *out = table[i].value;
            return BID_OK;
        }
    }
    return BID_E_NOT_FOUND;
}

/* Lets the host check at load time that this plugin was built from the same BID file. */
BID_EXPORT const char* demo_kv_bid_signature(void) { return DEMO_KV_BID_SIGNATURE; }
