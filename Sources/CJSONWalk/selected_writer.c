// See selected_writer.h. The tags and forms are SelectedValues.swift's.
#include "selected_writer.h"
#include "text_forms.h"

#include <stdlib.h>
#include <string.h>

// SelectedValues.swift's `SelectedTag`.
enum tag {
    TAG_NULL, TAG_FALSE, TAG_TRUE, TAG_INTEGER, TAG_REAL, TAG_ARRAY, TAG_OBJECT,
    TAG_STRING, TAG_UUID, TAG_MAC, TAG_RESOURCE_ID, TAG_WORD, TAG_AGAIN, TAG_DIGEST,
    TAG_AROUND_RESOURCE_ID, TAG_HEX
};

// SelectedValues.swift's `ChoiceForm`.
enum form { FORM_WRITTEN, FORM_NONE, FORM_POSITION, FORM_OCCURRENCE, FORM_UNSET = -1 };

enum {
    SHORTEST_ID_INSIDE_TEXTS = 8,  // a shorter id would split most texts, not shorten them
    WORDS_CACHED = 512,
    BUFFER_KEPT = 1 << 20          // a buffer larger than this is given back between records
};

_Thread_local int sw_failed;

static int reserve(byte_buffer *b, size_t more) {
    if (sw_failed) return 0;
    if (!byte_buffer_reserve(b, more)) sw_failed = 1;
    return !sw_failed;
}

static void put(byte_buffer *b, uint8_t byte) {
    if (reserve(b, 1)) b->data[b->count++] = byte;
}

void sw_put_bytes(byte_buffer *b, const void *bytes, size_t count) {
    if (count && reserve(b, count)) {
        memcpy(b->data + b->count, bytes, count);
        b->count += count;
    }
}

void sw_reset(byte_buffer *b) {
    if (b->capacity > BUFFER_KEPT) {
        free(b->data);
        b->data = NULL;
        b->capacity = 0;
    }
    b->count = 0;
}

// Unsigned LEB128 (Records/ByteCoding.swift's `Varint`) at `out`, which has room for 10
// bytes; returns how many it took.
static size_t varint_at(uint8_t *out, uint64_t value) {
    size_t n = 0;
    while (value >= 0x80) {
        out[n++] = (uint8_t)value | 0x80;
        value >>= 7;
    }
    out[n++] = (uint8_t)value;
    return n;
}

static void put_varint(byte_buffer *b, uint64_t value) {
    if (reserve(b, 10)) b->count += varint_at(b->data + b->count, value);
}

// The low `count` bytes of `value` at `out`, most significant first.
static inline void store_big(uint8_t *out, uint64_t value, int count) {
    for (int k = 0; k < count; k++) out[k] = (uint8_t)(value >> (8 * (count - 1 - k)));
}

static void put_big(byte_buffer *b, uint64_t value, int count) {
    if (reserve(b, (size_t)count)) {
        store_big(b->data + b->count, value, count);
        b->count += (size_t)count;
    }
}

// Zig-zag, so that small negative numbers stay short.
static void put_integer(byte_buffer *b, int64_t i) {
    put(b, TAG_INTEGER);
    put_varint(b, ((uint64_t)i << 1) ^ (uint64_t)(i >> 63));
}

// MARK: - Texts as the layout keeps them (text_forms.h tells the forms)

// A word's number costs a lock and a hash in the process's table (Swift's WordTable);
// the few dozen words of a store repeat in every record, so each thread keeps the ones
// it met, by a hash of their bytes.
typedef struct {
    uint8_t length;
    uint8_t bytes[WORD_LONGEST];
    int64_t number;
} word_entry;

struct sw_word_cache {
    word_entry entries[WORDS_CACHED];
};

static int64_t word_number(sw_writer *w, const uint8_t *word, size_t length, uint64_t hash) {
    if (!w->words) w->words = calloc(1, sizeof *w->words);
    if (!w->words) return w->word_number(word, length);
    // Two places a word may be in, so that two words of the same place do not push each
    // other out at every turn.
    word_entry *entry = &w->words->entries[hash % WORDS_CACHED], *other = &w->words->entries[(hash % WORDS_CACHED) ^ 1];
    if (entry->length == length && memcmp(entry->bytes, word, length) == 0) return entry->number;
    if (other->length == length && memcmp(other->bytes, word, length) == 0) return other->number;
    if (entry->length && !other->length) entry = other;
    int64_t number = w->word_number(word, length);
    if (number >= 0) {
        entry->length = (uint8_t)length;
        memcpy(entry->bytes, word, length);
        entry->number = number;
    }
    return number;
}

// Where the resource's id first stands in a longer text. memchr for its first byte, then
// the rest compared: glibc's memmem cost some 500 instructions a text, most of them
// setting up its search.
static const uint8_t *find_id(const sw_writer *w, const uint8_t *raw, size_t length) {
    const uint8_t *at = raw, *last = raw + (length - w->id_length);
    while (at <= last && (at = memchr(at, w->id[0], (size_t)(last - at) + 1))) {
        if (memcmp(at + 1, w->id + 1, w->id_length - 1) == 0) return at;
        at++;
    }
    return NULL;
}

static void text(sw_writer *w, const uint8_t *raw, size_t length) {
    byte_buffer *out = &w->out;
    // A text holding the resource's id is written as the text before it and then the text
    // after it, which may hold the id again: taken in turn, as often as the text is long,
    // not by recursion (a text holding the id 300,000 times would overflow the stack).
    for (;;) {
        if (length && length == w->id_length && memcmp(raw, w->id, length) == 0) {
            put(out, TAG_RESOURCE_ID);
            return;
        }
        uint64_t hash;
        if (word_hash(raw, length, &hash)) {
            int64_t number = word_number(w, raw, length, hash);
            if (number >= 0) {
                put(out, TAG_WORD);
                put_varint(out, (uint64_t)number);
                return;
            }
        }
        for (int i = 0; i < w->text_count; i++) {
            if (w->text_end[i] - w->text_start[i] == length &&
                (length == 0 || memcmp(w->text_bytes.data + w->text_start[i], raw, length) == 0)) {
                put(out, TAG_AGAIN);
                put_varint(out, (uint64_t)i);
                return;
            }
        }
        const uint8_t *at = w->id_length >= SHORTEST_ID_INSIDE_TEXTS && length > w->id_length
                                ? find_id(w, raw, length)
                                : NULL;
        if (!at) break;
        // Not numbered as a whole: the reader numbers only what it reads as a text. The
        // text before is the first occurrence's: it holds no id, and does not come back here.
        put(out, TAG_AROUND_RESOURCE_ID);
        size_t start = (size_t)(at - raw);
        text(w, raw, start);
        length -= start + w->id_length;
        raw = at + w->id_length;
    }
    if (w->text_count < SW_TEXTS_KEPT) {
        w->text_start[w->text_count] = w->text_bytes.count;
        sw_put_bytes(&w->text_bytes, raw, length);
        w->text_end[w->text_count] = w->text_bytes.count;
        w->text_count++;
    }
    // Room for the longest form, a plain text; the others are shorter.
    if (!reserve(out, 1 + 10 + length)) return;
    uint8_t *at = out->data + out->count;
    uint64_t high, low;
    if (length == 36 && uuid_number(raw, &high, &low)) {
        *at++ = TAG_UUID;
        store_big(at, high, 8);
        store_big(at + 8, low, 8);
        at += 16;
    } else if (length == 17 && mac_number(raw, &low)) {
        *at++ = TAG_MAC;
        store_big(at, low, 6);
        at += 6;
    } else {
        size_t n = varint_at(at + 1, length / 2);
        if (hex_bytes(raw, length, at + 1 + n)) {
            *at = TAG_HEX;
            at += 1 + n + length / 2;
        } else {
            *at++ = TAG_STRING;
            at += varint_at(at, length);
            memcpy(at, raw, length);
            at += length;
        }
    }
    out->count = (size_t)(at - out->data);
}

// MARK: - Slots and values

void sw_begin_slot(sw_writer *w, uint64_t slot) {
    w->slot = slot;
    // Two bytes for the header, filled in once the form and size are known: nearly always
    // a one-byte slot and a one-byte size, so no value bytes are moved.
    w->header_start = w->out.count;
    if (reserve(&w->out, 2)) w->out.count += 2;
    w->values_start = w->out.count;
    w->count = 0;
    w->form = FORM_UNSET;
    w->value_start_count = 0;
    w->text_bytes.count = 0;
    w->text_count = 0;
}

// A header longer than the two bytes kept for it: the values move up to make room. Out of
// line, so that the common case saves no registers.
__attribute__((noinline)) static void write_long_header(sw_writer *w, uint64_t size) {
    uint8_t header[20];
    size_t length = varint_at(header, w->slot);
    length += varint_at(header + length, size);
    if (!reserve(&w->out, length - 2)) return;
    uint8_t *values = w->out.data + w->values_start;
    memmove(values + length - 2, values, w->out.count - w->values_start);
    memcpy(w->out.data + w->header_start, header, length);
    w->out.count += length - 2;
}

void sw_end_slot(sw_writer *w) {
    if (sw_failed) return;
    int form = w->form == FORM_UNSET ? FORM_NONE : w->form;
    uint64_t size = (uint64_t)(w->out.count - w->values_start) << 2 | (uint64_t)form;
    if (w->slot < 0x80 && size < 0x80) {
        w->out.data[w->header_start] = (uint8_t)w->slot;
        w->out.data[w->header_start + 1] = (uint8_t)size;
    } else {
        write_long_header(w, size);
    }
}

static int implies(int form, const sw_choice *choices, size_t count, size_t n) {
    switch (form) {
    case FORM_WRITTEN: return 1;
    case FORM_NONE: return count == 0;
    default:
        return count == 1 && !choices[0].is_text &&
               choices[0].integer == (int64_t)n + (form == FORM_OCCURRENCE ? 1 : 0);
    }
}

// The slot turns written (an element gave no value or two): the values so far get the
// choices their form implied written in front. Integers only, so no text is numbered out
// of the reader's order.
__attribute__((noinline)) static void write_implied_choices(sw_writer *w) {
    byte_buffer *r = &w->rewritten;
    r->count = 0;
    for (size_t n = 0; n < w->value_start_count && !sw_failed; n++) {
        if (w->form == FORM_NONE) {
            put_varint(r, 0);
        } else {
            put_varint(r, 1);
            put_integer(r, (int64_t)n + (w->form == FORM_OCCURRENCE ? 1 : 0));
        }
        size_t start = w->value_starts[n];
        size_t end = n + 1 < w->value_start_count ? w->value_starts[n + 1] : w->out.count;
        sw_put_bytes(r, w->out.data + start, end - start);
    }
    if (sw_failed) return;
    w->out.count = w->values_start;
    sw_put_bytes(&w->out, r->data, r->count);
    w->form = FORM_WRITTEN;
    w->value_start_count = 0;
}

// The rarer cases of sw_begin_value, out of line so that the common one (a value whose
// form implies its choices) saves no registers.
__attribute__((noinline)) static void write_choices(sw_writer *w, const sw_choice *choices, size_t count) {
    put_varint(&w->out, count);
    for (size_t i = 0; i < count; i++) {
        if (choices[i].is_text) text(w, (const uint8_t *)choices[i].text, choices[i].length);
        else put_integer(&w->out, choices[i].integer);
    }
}

__attribute__((noinline)) static int more_value_starts(sw_writer *w) {
    size_t capacity = w->value_start_capacity ? w->value_start_capacity * 2 : 16;
    size_t *starts = realloc(w->value_starts, capacity * sizeof *starts);
    if (!starts) {
        sw_failed = 1;
        return 0;
    }
    w->value_starts = starts;
    w->value_start_capacity = capacity;
    return 1;
}

void sw_begin_value(sw_writer *w, const sw_choice *choices, size_t count) {
    if (w->form == FORM_UNSET) {
        w->form = implies(FORM_NONE, choices, count, 0)         ? FORM_NONE
                  : implies(FORM_POSITION, choices, count, 0)   ? FORM_POSITION
                  : implies(FORM_OCCURRENCE, choices, count, 0) ? FORM_OCCURRENCE
                                                                : FORM_WRITTEN;
    } else if (w->form != FORM_WRITTEN && !implies(w->form, choices, count, w->count)) {
        write_implied_choices(w);
    }
    w->count++;
    if (w->form == FORM_WRITTEN) write_choices(w, choices, count);
    else if (w->value_start_count < w->value_start_capacity || more_value_starts(w))
        w->value_starts[w->value_start_count++] = w->out.count;
}

void sw_value(sw_writer *w, json_t *node) {
    byte_buffer *out = &w->out;
    switch (json_typeof(node)) {
    case JSON_OBJECT:
        put(out, TAG_OBJECT);
        put_varint(out, json_object_size(node));
        for (void *it = json_object_iter(node); it; it = json_object_iter_next(node, it)) {
            const char *name = json_object_iter_key(it);
            text(w, (const uint8_t *)name, strlen(name));
            sw_value(w, json_object_iter_value(it));
        }
        break;
    case JSON_ARRAY: {
        size_t count = json_array_size(node);
        put(out, TAG_ARRAY);
        put_varint(out, count);
        for (size_t i = 0; i < count; i++) sw_value(w, json_array_get(node, i));
        break;
    }
    case JSON_STRING:
        text(w, (const uint8_t *)json_string_value(node), json_string_length(node));
        break;
    case JSON_INTEGER: put_integer(out, (int64_t)json_integer_value(node)); break;
    case JSON_REAL: {
        double real = json_real_value(node);
        uint64_t bits;
        memcpy(&bits, &real, sizeof bits);
        put(out, TAG_REAL);
        put_big(out, bits, 8);
        break;
    }
    case JSON_TRUE: put(out, TAG_TRUE); break;
    case JSON_FALSE: put(out, TAG_FALSE); break;
    default: put(out, TAG_NULL); break;
    }
}

void sw_type(sw_writer *w, json_t *node) {
    // The names `is:` uses (`Evaluation.typeName`, Operators.swift).
    const char *name;
    switch (json_typeof(node)) {
    case JSON_OBJECT: name = "object"; break;
    case JSON_ARRAY: name = "array"; break;
    case JSON_STRING: name = "string"; break;
    case JSON_INTEGER: name = "integer"; break;
    case JSON_REAL: name = "real"; break;
    case JSON_TRUE: case JSON_FALSE: name = "boolean"; break;
    default: name = "null"; break;
    }
    text(w, (const uint8_t *)name, strlen(name));
}

void sw_digest(sw_writer *w, json_t *node, const json_walk_step *step) {
    uint64_t high = 0, low = 0;
    if (!json_walk_digest(node, step->ignored, step->ignored_count, &high, &low)) sw_failed = 1;
    put(&w->out, TAG_DIGEST);
    put_big(&w->out, high, 8);
    put_big(&w->out, low, 8);
}

void sw_free(sw_writer *w) {
    free(w->out.data);
    free(w->value_starts);
    free(w->text_bytes.data);
    free(w->rewritten.data);
    free(w->words);
}
