/* The plugin of e2e/bad.bid.yaml: every bad value a plugin can hand the host, one method
 * each. It keeps a table of the buffers it handed out, so that a free of anything else (an
 * adjusted pointer, another length, a borrowed buffer) is counted instead of reaching free(),
 * and a test can check that each buffer came back exactly once, as it was returned.
 * bad_nosig.c builds it with BAD_NO_SIGNATURE: then it exports no e2e_bad_bid_signature. */
#include "bad.h"

#include <stdlib.h>
#include <string.h>

#define SLOTS 64

/* A buffer handed out and not given back: the pointer and length returned to the host, and
   the block malloc gave (the returned pointer may sit past its start). */
static struct {
    void* returned;
    void* base;
    int32_t len;
} given[SLOTS];
static int32_t bad_frees;

/* Allocates `size` bytes and returns them to the host as (start + offset, len). */
static void* hand_out(size_t size, size_t offset, int32_t len) {
    for (int i = 0; i < SLOTS; i++) {
        if (given[i].returned == NULL) {
            char* base = (char*)calloc(1, size + offset);
            if (base == NULL) abort();
            given[i].base = base;
            given[i].returned = base + offset;
            given[i].len = len;
            return base + offset;
        }
    }
    abort();
}

static void give(bid_buf* out, void* ptr, int32_t len) {
    out->ptr = ptr;
    out->len = len;
}

BID_EXPORT void e2e_bad_bid_free(void* ptr, int32_t len) {
    for (int i = 0; i < SLOTS; i++) {
        if (given[i].returned != NULL && given[i].returned == ptr && given[i].len == len) {
            free(given[i].base);
            given[i].returned = NULL;
            return;
        }
    }
    bad_frees++;
}

#ifndef BAD_NO_SIGNATURE
BID_EXPORT const char* e2e_bad_bid_signature(void) { return E2E_BAD_BID_SIGNATURE; }
#endif

/* Static memory for borrowed and reference results. */
static const char text[] = "static text";
static const uint8_t not_utf8[] = {'o', 0xff, 'k'};
static int64_t cells[3];
static double dcells[3];

BID_EXPORT void e2e_bad_null_string(bid_buf* out) { give(out, NULL, 5); }
BID_EXPORT void e2e_bad_null_bytes(bid_buf* out) { give(out, NULL, 1); }
BID_EXPORT void e2e_bad_null_array(bid_buf* out) { give(out, NULL, INT32_MAX); }
BID_EXPORT void e2e_bad_null_string_borrowed(bid_buf* out) { give(out, NULL, 2); }
BID_EXPORT void e2e_bad_null_bytes_reference(bid_buf* out) { give(out, NULL, 3); }
BID_EXPORT char* e2e_bad_null_cstr(void) { return NULL; }
BID_EXPORT const char* e2e_bad_null_cstr_reference(void) { return NULL; }

BID_EXPORT void e2e_bad_neg_string(bid_buf* out) { give(out, hand_out(4, 0, -1), -1); }
BID_EXPORT void e2e_bad_neg_bytes(bid_buf* out) { give(out, hand_out(4, 0, -4), -4); }
BID_EXPORT void e2e_bad_neg_array(bid_buf* out) { give(out, hand_out(16, 0, -2), -2); }
BID_EXPORT void e2e_bad_neg_min_bytes(bid_buf* out) {
    give(out, hand_out(1, 0, INT32_MIN), INT32_MIN);
}
BID_EXPORT void e2e_bad_neg_null_bytes(bid_buf* out) { give(out, NULL, -1); }
BID_EXPORT void e2e_bad_neg_string_borrowed(bid_buf* out) { give(out, (void*)text, -1); }
BID_EXPORT void e2e_bad_neg_bytes_borrowed(bid_buf* out) { give(out, (void*)text, -2); }
BID_EXPORT void e2e_bad_neg_array_borrowed(bid_buf* out) { give(out, cells, -3); }
BID_EXPORT void e2e_bad_neg_string_reference(bid_buf* out) { give(out, (void*)text, -4); }
BID_EXPORT void e2e_bad_neg_bytes_reference(bid_buf* out) { give(out, (void*)text, -5); }
BID_EXPORT void e2e_bad_neg_array_reference(bid_buf* out) { give(out, cells, -6); }

/* 2^28 elements of 8 bytes in an 8-byte block: a lie the host can only refuse where 2 GiB
   is past isize::MAX (32-bit); elsewhere it must never read past the first element. */
BID_EXPORT void e2e_bad_huge_array(bid_buf* out) {
    give(out, hand_out(8, 0, 1 << 28), 1 << 28);
}

BID_EXPORT void e2e_bad_utf8_transferred(bid_buf* out) {
    void* p = hand_out(sizeof not_utf8, 0, (int32_t)sizeof not_utf8);
    memcpy(p, not_utf8, sizeof not_utf8);
    give(out, p, (int32_t)sizeof not_utf8);
}
BID_EXPORT void e2e_bad_utf8_borrowed(bid_buf* out) {
    give(out, (void*)not_utf8, (int32_t)sizeof not_utf8);
}
BID_EXPORT void e2e_bad_utf8_reference(bid_buf* out) {
    give(out, (void*)not_utf8, (int32_t)sizeof not_utf8);
}

BID_EXPORT int32_t e2e_bad_bool_two(void) { return 2; }
BID_EXPORT int32_t e2e_bad_bool_minus_one(void) { return -1; }

/* One byte past malloc's alignment: two int64_t that start at an odd address. */
BID_EXPORT void e2e_bad_misaligned_transferred(bid_buf* out) {
    give(out, hand_out(16, 1, 2), 2);
}
BID_EXPORT void e2e_bad_misaligned_borrowed(bid_buf* out) {
    give(out, (char*)cells + 1, 2);
}
BID_EXPORT void e2e_bad_misaligned_reference(bid_buf* out) {
    give(out, (char*)dcells + 4, 2);
}

/* Failures no header names. *out is left as the host passed it. */
BID_EXPORT int32_t e2e_bad_status_positive(bid_buf* out) {
    (void)out;
    return 7;
}
BID_EXPORT int32_t e2e_bad_status_min(bid_buf* out) {
    (void)out;
    return INT32_MIN;
}
BID_EXPORT int32_t e2e_bad_status_unknown(int32_t* out) {
    (void)out;
    return -42;
}

/* Handle values 1..7 come from open, one reference each; `same` always returns 8 and counts
   every reference to it. A release of a value without a reference is BID_E_BAD_HANDLE. */
#define HANDLES 9
#define SAME 8
static int32_t refs[HANDLES];

BID_EXPORT e2e_bad_Res e2e_bad_open(void) {
    for (int32_t v = 1; v < SAME; v++) {
        if (refs[v] == 0) {
            refs[v] = 1;
            return v;
        }
    }
    abort();
}

BID_EXPORT e2e_bad_Res e2e_bad_same(void) {
    refs[SAME]++;
    return SAME;
}

BID_EXPORT int32_t e2e_bad_release(e2e_bad_Res r) {
    if (r <= 0 || r >= HANDLES || refs[r] == 0) return BID_E_BAD_HANDLE;
    refs[r]--;
    return BID_OK;
}

BID_EXPORT int32_t e2e_bad_live_allocations(void) {
    int32_t n = 0;
    for (int i = 0; i < SLOTS; i++) n += given[i].returned != NULL;
    return n;
}

BID_EXPORT int32_t e2e_bad_bad_frees(void) { return bad_frees; }

BID_EXPORT int32_t e2e_bad_live_handles(void) {
    int32_t n = 0;
    for (int v = 0; v < HANDLES; v++) n += refs[v];
    return n;
}
