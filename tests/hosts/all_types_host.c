/* A host written in C against the generated header only, linked to the Rust plugin of
 * all_types.bid.yaml (plugins/all-types-rs): every kind of value through every ownership,
 * then the contract broken where a method can report it. Prints one line per check and
 * exits 1 on the first wrong answer. Run under valgrind by tests/tests/c_host.rs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "all_types.h"

static int checks = 0;

#define CHECK(cond)                                                      \
    do {                                                                 \
        checks++;                                                        \
        if (!(cond)) {                                                   \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,      \
                    __LINE__, #cond);                                    \
            exit(1);                                                     \
        }                                                                \
    } while (0)

static int buf_is(bid_buf b, const void* want, size_t bytes) {
    return b.ptr != NULL && memcmp(b.ptr, want, bytes) == 0;
}

int main(void) {
    bid_buf out;

    /* The plugin was built from the same BID file. */
    CHECK(strcmp(at_bid_signature(), AT_BID_SIGNATURE) == 0);
    CHECK(strcmp(test_local_bid_signature(), TEST_LOCAL_BID_SIGNATURE) == 0);

    /* Scalars; a bool crosses as 0 or 1. */
    CHECK(at_flag(1) == 0 && at_flag(0) == 1);
    CHECK(at_int32(21) == 42);
    CHECK(at_int64(INT64_MAX - 1) == INT64_MAX);
    CHECK(at_float32(1.25f) == 2.5f);
    CHECK(at_float64(5.0) == 2.5);

    /* Strings: transferred (freed once through at_bid_free), reference, borrowed (copied
     * before the next call). */
    at_echoString("h\xc3\xa9llo", 6, &out);
    CHECK(out.len == 11 && buf_is(out, "echo:h\xc3\xa9llo", 11));
    at_bid_free(out.ptr, out.len);
    at_echoString(NULL, 0, &out); /* an empty argument may be NULL */
    CHECK(out.len == 5 && buf_is(out, "echo:", 5));
    at_bid_free(out.ptr, out.len);
    at_staticName(&out);
    CHECK(out.len == 9 && buf_is(out, "all_types", 9));
    at_lastError(&out);
    CHECK(out.len == 8 && buf_is(out, "no error", 8));

    /* Bytes. */
    {
        const uint8_t data[4] = {1, 2, 3, 255};
        const uint8_t back[4] = {255, 3, 2, 1};
        const uint8_t lent[3] = {1, 2, 3};
        at_echoBytes(data, 4, &out);
        CHECK(out.len == 4 && buf_is(out, back, 4));
        at_bid_free(out.ptr, out.len);
        at_echoBytes(data, 0, &out); /* empty: {NULL, 0}, nothing to free */
        CHECK(out.ptr == NULL && out.len == 0);
        at_borrowedBytes(&out);
        CHECK(out.len == 3 && buf_is(out, lent, 3));
    }

    /* Handles: ids the plugin's tables issue. */
    {
        at_Obj a, b, kept;
        CHECK(at_newObj(1, &a) == BID_OK && a != 0);
        CHECK(at_newObj(2, &b) == BID_OK && b != a);
        {
            at_Obj before = b;
            CHECK(at_newObj(-1, &b) == BID_E_INVALID_ARG && b == before);
        }
        CHECK(at_useObj(a) == 202);
        kept = at_peekObj();
        CHECK(kept == at_peekObj() && at_useObj(kept) == 84);
        {
            at_Tagged t, r;
            memset(&t, 0, sizeof t);
            t.obj = a;
            t.sample.id = 7;
            r = at_tag(t);
            CHECK(r.obj == a && r.sample.id == 17 && r.sample.count == 101);
        }
        {
            const at_Obj ids[2] = {a, kept};
            at_objs(ids, 2, &out);
            CHECK(out.len == 2 && ((at_Obj*)out.ptr)[0] == 102 && ((at_Obj*)out.ptr)[1] == 43);
            at_bid_free(out.ptr, out.len);
        }
        at_drop_obj_v2(a);
        {
            at_Obj again;
            CHECK(at_newObj(3, &again) == BID_OK && again != a); /* ids are never reused */
            at_drop_obj_v2(again);
        }
        {
            at_Obj last;
            CHECK(at_newObj(4, &last) == BID_OK);
            at_drop_obj_v2(last);
        }
        {
            at_Ptr p = at_newPtr();
            CHECK(p != NULL);
            at_freePtr(p);
        }
        at_drop_obj_v2(b); /* the failed call left `b` as it was */
    }

    /* Records by value. */
    {
        at_Sample s, r;
        memset(&s, 0, sizeof s);
        s.id = 7;
        s.value = 1.5;
        s.count = 3;
        s.ratio = 0.5f;
        s.valid = 1;
        r = at_sample(s);
        CHECK(r.id == 8 && r.value == 3.0 && r.count == 4 && r.ratio == 0.25f && r.valid == 0);
    }

    /* Arrays: transferred, borrowed, reference; a fallible one. */
    {
        const int32_t xs[3] = {1, 2, 3};
        const int32_t sums[3] = {1, 3, 6};
        const int64_t big[2] = {INT64_MAX - 1, 1};
        const float fs[2] = {1.0f, 2.0f};
        const double ds[2] = {1.0, 2.0};
        at_sumI32(xs, 3, &out);
        CHECK(out.len == 3 && buf_is(out, sums, sizeof sums));
        at_bid_free(out.ptr, out.len);
        at_sumI64(big, 2, &out);
        CHECK(out.len == 2 && ((int64_t*)out.ptr)[1] == INT64_MAX);
        at_scaleF32(fs, 2, 3.0f, &out);
        CHECK(out.len == 2 && ((float*)out.ptr)[0] == 3.0f && ((float*)out.ptr)[1] == 6.0f);
        CHECK(at_scaleF64(ds, 2, 0.5, &out) == BID_OK);
        CHECK(out.len == 2 && ((double*)out.ptr)[0] == 0.5 && ((double*)out.ptr)[1] == 1.0);
        at_bid_free(out.ptr, out.len);
        CHECK(at_scaleF64(ds, 2, 0.0, &out) == BID_E_INVALID_ARG);
    }
    {
        at_Sample ss[2];
        memset(ss, 0, sizeof ss);
        ss[0].id = 1;
        ss[1].id = 2;
        ss[1].valid = 1;
        at_samples(ss, 2, &out);
        CHECK(out.len == 2 && memcmp(out.ptr, ss, sizeof ss) == 0);
        at_bid_free(out.ptr, out.len);
    }
    CHECK(at_nothing() == BID_OK);
    CHECK(test_local_counter() == 1 && test_local_counter() == 2);

    /* The contract broken where the method can say so: refused, the plugin never called. */
    {
        const double ds[1] = {1.0};
        at_Obj o;
        CHECK(at_newObj(5, NULL) == BID_E_INVALID_ARG);              /* no out-param */
        CHECK(at_scaleF64(NULL, 3, 1.0, &out) == BID_E_INVALID_ARG); /* NULL with a length */
        CHECK(at_scaleF64(ds, -1, 1.0, &out) == BID_E_INVALID_ARG);  /* negative length */
        CHECK(at_scaleF64((const double*)((const char*)ds + 1), 1, 1.0, &out)
              == BID_E_INVALID_ARG);                                   /* misaligned */
        /* A panic in a fallible method is a status, not an unwind into C. */
        CHECK(at_scaleF64(ds, 1, nan(""), &out) == BID_E_INTERNAL);
        /* A free of something the plugin never handed out, or a second free, frees nothing. */
        at_echoString("x", 1, &out);
        at_bid_free(out.ptr, out.len);
        at_bid_free(out.ptr, out.len);
        at_bid_free((void*)ds, 1);
        CHECK(at_newObj(6, &o) == BID_OK);
        at_drop_obj_v2(o);
    }

    printf("c host: %d checks passed\n", checks);
    return 0;
}
