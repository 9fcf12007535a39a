/* The demo plugin: the nyash.file box over C stdio.
 *
 * Everything it exports is declared in the header bid generates from filebox.bid.yaml;
 * including it makes the compiler check each definition against the interface. */
#include "filebox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILES 64

static FILE* files[MAX_FILES];

/* The plugin copies borrowed strings: they are valid for the call only and carry no NUL. */
static char* copy_cstr(const char* ptr, int32_t len) {
    char* s = (char*)malloc((size_t)len + 1);
    if (s == NULL) return NULL;
    if (len > 0) memcpy(s, ptr, (size_t)len);
    s[len] = '\0';
    return s;
}

static FILE* lookup(nyash_file_FileHandle h) {
    if (h < 0 || h >= MAX_FILES) return NULL;
    return files[h];
}

BID_EXPORT int32_t nyash_file_open(const char* path_ptr, int32_t path_len, const char* mode_ptr,
                                   int32_t mode_len, nyash_file_FileHandle* out) {
    char* path = copy_cstr(path_ptr, path_len);
    char* mode = copy_cstr(mode_ptr, mode_len);
    int32_t status = BID_E_NO_MEMORY;
    if (path != NULL && mode != NULL) {
        int32_t slot = -1;
        for (int32_t i = 0; i < MAX_FILES; i++) {
            if (files[i] == NULL) { slot = i; break; }
        }
        if (slot < 0) {
            status = BID_E_STATE;
        } else {
            FILE* f = fopen(path, mode);
            if (f == NULL) {
                status = BID_E_IO;
            } else {
                files[slot] = f;
                *out = slot;
                status = BID_OK;
            }
        }
    }
    free(path);
    free(mode);
    return status;
}

BID_EXPORT int32_t nyash_file_read(nyash_file_FileHandle handle, int32_t size, bid_buf* out) {
    FILE* f = lookup(handle);
    if (f == NULL) return BID_E_BAD_HANDLE;
    if (size < 0) return BID_E_INVALID_ARG;
    uint8_t* data = (uint8_t*)malloc(size > 0 ? (size_t)size : 1);
    if (data == NULL) return BID_E_NO_MEMORY;
    size_t n = fread(data, 1, (size_t)size, f);
    if (n == 0 && ferror(f)) {
        free(data);
        return BID_E_IO;
    }
    if (n == 0) {
        free(data);
        out->ptr = NULL;
        out->len = 0;
        return BID_OK;
    }
    out->ptr = data;
    out->len = (int32_t)n;
    return BID_OK;
}

BID_EXPORT int32_t nyash_file_write(nyash_file_FileHandle handle, const uint8_t* data_ptr,
                                    int32_t data_len, int32_t* out) {
    FILE* f = lookup(handle);
    if (f == NULL) return BID_E_BAD_HANDLE;
    size_t n = data_len > 0 ? fwrite(data_ptr, 1, (size_t)data_len, f) : 0;
    if ((int32_t)n != data_len) return BID_E_IO;
    *out = (int32_t)n;
    return BID_OK;
}

BID_EXPORT int32_t nyash_file_close(nyash_file_FileHandle handle) {
    FILE* f = lookup(handle);
    if (f == NULL) return BID_E_BAD_HANDLE;
    files[handle] = NULL;
    return fclose(f) == 0 ? BID_OK : BID_E_IO;
}

/* Buffers returned `transferred` come back here exactly once. */
BID_EXPORT void nyash_file_bid_free(void* ptr, int32_t len) {
    (void)len;
    free(ptr);
}

BID_EXPORT const char* nyash_file_bid_signature(void) {
    return NYASH_FILE_BID_SIGNATURE;
}
