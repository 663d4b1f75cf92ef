// A JSON value's digest, as JSON/JSONDigest.swift's `StableHasher` defines the canonical
// encoding: a tag per kind, integers as 8 little-endian bytes, texts as their length and
// bytes (a text over 1,024 bytes as its length and its own digest), an object as its
// member count and the sorted digests of its members (name and value), so that member
// order does not matter; XXH3-128 of the whole. In C because the store digests every large
// member a rule only compares, and every heat output's value, while the tree is there.
#include "byte_buffer.h"
#include "json_walk.h"
#include "thread_exit.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
// XXH3 compiled in here: most members are a few dozen bytes, where the library's call
// and dispatch cost as much as the hash. The same function, so the same digests.
#define XXH_INLINE_ALL
#include <xxhash.h>

// An object of up to DIGESTS_ON_STACK members is sorted by insertion alone (no spare room).
enum { INLINE_LIMIT = 1024, DIGESTS_ON_STACK = 16, SPREAD_MOST = 256, ENCODING_KEPT = 1 << 20 };

typedef struct {
    byte_buffer bytes;
    int failed;
} encoding;

typedef struct {
    uint64_t high, low;
} digest;

// Room for `count` more bytes; 0 (and `failed` set) when memory ran out. Each value
// reserves once and then stores its bytes unchecked.
static inline int room(encoding *e, size_t count) {
    if (e->bytes.capacity - e->bytes.count >= count) return 1;
    if (byte_buffer_reserve(&e->bytes, count)) return 1;
    e->failed = 1;
    return 0;
}

static inline void store_tag(encoding *e, uint8_t tag) { e->bytes.data[e->bytes.count++] = tag; }

static inline void store_int(encoding *e, uint64_t value) {
    uint8_t *out = e->bytes.data + e->bytes.count;
    for (int i = 0; i < 8; i++) out[i] = (uint8_t)(value >> (8 * i));
    e->bytes.count += 8;
}

static digest xxh3(const void *bytes, size_t count) {
    XXH128_hash_t hash = XXH3_128bits(bytes, count);
    return (digest){hash.high64, hash.low64};
}

// The bytes a text takes (after its tag, when it has one).
static inline size_t text_size(size_t length) { return 8 + (length <= INLINE_LIMIT ? length : 16); }

static inline void store_text(encoding *e, const char *text, size_t length) {
    store_int(e, length);
    if (length <= INLINE_LIMIT) {
        memcpy(e->bytes.data + e->bytes.count, text, length);
        e->bytes.count += length;
    } else {
        digest d = xxh3(text, length);
        store_int(e, d.high);
        store_int(e, d.low);
    }
}

static inline int precedes(digest a, digest b) { return a.high < b.high || (a.high == b.high && a.low < b.low); }

static void insertion_sort(digest *digests, size_t count) {
    for (size_t i = 1; i < count; i++) {
        digest d = digests[i], *at = digests + i;
        for (; at > digests && precedes(d, at[-1]); at--) *at = at[-1];
        *at = d;
    }
}

// Past the few members most objects have: digests are uniform, so a counting sort by
// their top bits into `spare` leaves each but a step or two from its place, and insertion
// finishes (some 600 instructions for 22 members, where insertion alone took 1,800).
// Past SPREAD_MOST, by merging halves.
static void sort(digest *digests, size_t count, digest *spare) {
    if (count <= DIGESTS_ON_STACK) {
        insertion_sort(digests, count);
        return;
    }
    if (count <= SPREAD_MOST) {
        unsigned bits = 1;
        while ((size_t)1 << bits < count) bits++;
        size_t buckets = (size_t)1 << bits;
        uint16_t starts[SPREAD_MOST + 1];
        memset(starts, 0, (buckets + 1) * sizeof *starts);
        for (size_t i = 0; i < count; i++) starts[(digests[i].high >> (64 - bits)) + 1]++;
        for (size_t b = 1; b < buckets; b++) starts[b] += starts[b - 1];
        for (size_t i = 0; i < count; i++) spare[starts[digests[i].high >> (64 - bits)]++] = digests[i];
        insertion_sort(spare, count);
        memcpy(digests, spare, count * sizeof *digests);
        return;
    }
    size_t half = count / 2;
    sort(digests, half, spare);
    sort(digests + half, count - half, spare);
    size_t i = 0, j = half, k = 0;
    while (i < half && j < count) spare[k++] = precedes(digests[j], digests[i]) ? digests[j++] : digests[i++];
    while (i < half) spare[k++] = digests[i++];
    while (j < count) spare[k++] = digests[j++];
    memcpy(digests, spare, count * sizeof *digests);
}

static void add_value(encoding *e, json_t *node);

// An object: each member's digest alone, then those sorted; members named in `ignored`
// left out.
static void add_object(encoding *e, json_t *node, const char *const *ignored, size_t ignored_count) {
    if (!room(e, 1)) return;
    store_tag(e, 1);
    size_t count = json_object_size(node), n = 0;
    digest on_stack[DIGESTS_ON_STACK];
    // Past the stack's room, the digests and the merge's spare room in one block.
    digest *digests = count <= DIGESTS_ON_STACK ? on_stack : malloc(2 * count * sizeof *digests);
    if (!digests) { e->failed = 1; return; }
    for (void *it = json_object_iter(node); it && n < count; it = json_object_iter_next(node, it)) {
        const char *name = json_object_iter_key(it);
        int kept = 1;
        for (size_t i = 0; i < ignored_count && kept; i++) kept = strcmp(ignored[i], name) != 0;
        if (!kept) continue;
        // The member enters the encoding for its digest, and is then taken out again.
        size_t mark = e->bytes.count, length = json_object_iter_key_len(it);
        if (!room(e, text_size(length))) break;
        store_text(e, name, length);
        add_value(e, json_object_iter_value(it));
        digests[n++] = e->failed ? (digest){0, 0} : xxh3(e->bytes.data + mark, e->bytes.count - mark);
        e->bytes.count = mark;
    }
    sort(digests, n, digests + count);
    if (room(e, 8 + 16 * n)) {
        store_int(e, n);
        for (size_t i = 0; i < n; i++) {
            store_int(e, digests[i].high);
            store_int(e, digests[i].low);
        }
    }
    if (digests != on_stack) free(digests);
}

static void add_value(encoding *e, json_t *node) {
    // Room for the tag and a number: all a value but a text or an object takes here.
    if (!room(e, 9)) return;
    switch (json_typeof(node)) {
    case JSON_OBJECT: add_object(e, node, NULL, 0); break;
    case JSON_ARRAY: {
        size_t count = json_array_size(node);
        store_tag(e, 2);
        store_int(e, count);
        for (size_t i = 0; i < count; i++) add_value(e, json_array_get(node, i));
        break;
    }
    case JSON_STRING: {
        size_t length = json_string_length(node);
        if (!room(e, 1 + text_size(length))) return;
        store_tag(e, 3);
        store_text(e, json_string_value(node), length);
        break;
    }
    case JSON_INTEGER:
        store_tag(e, 4);
        store_int(e, (uint64_t)json_integer_value(node));
        break;
    case JSON_REAL: {
        double real = json_real_value(node);
        uint64_t bits;
        memcpy(&bits, &real, sizeof bits);
        store_tag(e, 5);
        store_int(e, bits);
        break;
    }
    case JSON_TRUE: store_tag(e, 6); break;
    case JSON_FALSE: store_tag(e, 7); break;
    default: store_tag(e, 8); break;
    }
}

// Each thread keeps its encoding from one digest to the next (a malloc, reallocs and a
// free a call cost more than the small values' hashing), and frees it when it ends.
static _Thread_local encoding thread_encoding;

static void release(encoding *e) {
    free(e->bytes.data);
    *e = (encoding){0};
}

static void release_thread_encoding(void) { release(&thread_encoding); }

THREAD_EXIT_HOOK(encoding, release_thread_encoding)

int json_walk_digest(void *node, const char *const *ignored, size_t ignored_count, uint64_t *high, uint64_t *low) {
    encoding *e = &thread_encoding;
    encoding_register();
    e->bytes.count = 0;
    e->failed = 0;
    json_t *json = node;
    if (ignored_count && json_is_object(json)) add_object(e, json, ignored, ignored_count);
    else add_value(e, json);
    int failed = e->failed;
    digest d = failed ? (digest){0, 0} : xxh3(e->bytes.data, e->bytes.count);
    // A huge value's room is given back rather than kept for the thread's life.
    if (e->bytes.capacity > ENCODING_KEPT) release(e);
    *high = d.high;
    *low = d.low;
    return !failed;
}
