// A JSON value's digest, as JSON/JSONDigest.swift's `StableHasher` defines the canonical
// encoding: a tag per kind, integers as 8 little-endian bytes, texts as their length and
// bytes (a text over 1,024 bytes as its length and its own digest), an object as its
// member count and the sorted digests of its members (name and value), so that member
// order does not matter; XXH3-128 of the whole. In C because the store digests every large
// member a rule only compares, and every heat output's value, while the tree is there.
#include "byte_buffer.h"
#include "json_walk.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

// An object of up to DIGESTS_ON_STACK members is sorted by insertion alone (no spare room).
enum { INLINE_LIMIT = 1024, DIGESTS_ON_STACK = 16 };

typedef struct {
    byte_buffer bytes;
    int failed;
} encoding;

typedef struct {
    uint64_t high, low;
} digest;

static void add(encoding *e, const void *bytes, size_t count) {
    if (e->failed || !count) return;
    if (!byte_buffer_reserve(&e->bytes, count)) { e->failed = 1; return; }
    memcpy(e->bytes.data + e->bytes.count, bytes, count);
    e->bytes.count += count;
}

static void add_tag(encoding *e, uint8_t tag) { add(e, &tag, 1); }

static void add_int(encoding *e, uint64_t value) {
    uint8_t bytes[8];
    for (int i = 0; i < 8; i++) bytes[i] = (uint8_t)(value >> (8 * i));
    add(e, bytes, 8);
}

static digest xxh3(const void *bytes, size_t count) {
    XXH128_hash_t hash = XXH3_128bits(bytes, count);
    return (digest){hash.high64, hash.low64};
}

static void add_text(encoding *e, const char *text, size_t length) {
    add_int(e, length);
    if (length <= INLINE_LIMIT) {
        add(e, text, length);
    } else {
        digest d = xxh3(text, length);
        add_int(e, d.high);
        add_int(e, d.low);
    }
}

static int precedes(digest a, digest b) { return a.high != b.high ? a.high < b.high : a.low < b.low; }

// By insertion for the few members most objects have (qsort's calls through a pointer cost
// more than the sort), by merging halves past that.
static void sort(digest *digests, size_t count, digest *spare) {
    if (count <= 24) {
        for (size_t i = 1; i < count; i++) {
            digest d = digests[i];
            size_t j = i;
            for (; j > 0 && precedes(d, digests[j - 1]); j--) digests[j] = digests[j - 1];
            digests[j] = d;
        }
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
    add_tag(e, 1);
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
        size_t mark = e->bytes.count;
        add_text(e, name, strlen(name));
        add_value(e, json_object_iter_value(it));
        digests[n++] = e->failed ? (digest){0, 0} : xxh3(e->bytes.data + mark, e->bytes.count - mark);
        e->bytes.count = mark;
    }
    sort(digests, n, digests + count);
    add_int(e, n);
    for (size_t i = 0; i < n; i++) {
        add_int(e, digests[i].high);
        add_int(e, digests[i].low);
    }
    if (digests != on_stack) free(digests);
}

static void add_value(encoding *e, json_t *node) {
    switch (json_typeof(node)) {
    case JSON_OBJECT: add_object(e, node, NULL, 0); break;
    case JSON_ARRAY: {
        size_t count = json_array_size(node);
        add_tag(e, 2);
        add_int(e, count);
        for (size_t i = 0; i < count; i++) add_value(e, json_array_get(node, i));
        break;
    }
    case JSON_STRING:
        add_tag(e, 3);
        add_text(e, json_string_value(node), json_string_length(node));
        break;
    case JSON_INTEGER:
        add_tag(e, 4);
        add_int(e, (uint64_t)json_integer_value(node));
        break;
    case JSON_REAL: {
        double real = json_real_value(node);
        uint64_t bits;
        memcpy(&bits, &real, sizeof bits);
        add_tag(e, 5);
        add_int(e, bits);
        break;
    }
    case JSON_TRUE: add_tag(e, 6); break;
    case JSON_FALSE: add_tag(e, 7); break;
    default: add_tag(e, 8); break;
    }
}

int json_walk_digest(void *node, const char *const *ignored, size_t ignored_count, uint64_t *high, uint64_t *low) {
    encoding e = {0};
    json_t *json = node;
    if (ignored_count && json_is_object(json)) add_object(&e, json, ignored, ignored_count);
    else add_value(&e, json);
    digest d = e.failed ? (digest){0, 0} : xxh3(e.bytes.data, e.bytes.count);
    free(e.bytes.data);
    *high = d.high;
    *low = d.low;
    return !e.failed;
}
