// Which compact form a text takes in the selected values' layout (Records/CompactStrings.swift
// says which forms): UUIDs, MAC addresses and hex runs as numbers, words by number.
// Functions of the bytes alone; selected_writer.c writes the forms.
#ifndef TEXT_FORMS_H
#define TEXT_FORMS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { WORD_SHORTEST = 2, WORD_LONGEST = 64 };

// Each byte's value as a lowercase hex digit, plus one; 0 for any other byte.
static const uint8_t hex_plus_one[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
    ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

// The `count` (at most 16) lowercase hex digits at `text` as one number.
static inline int hex_digits(const uint8_t *text, size_t count, uint64_t *value) {
    uint64_t v = 0;
    for (size_t i = 0; i < count; i++) {
        unsigned d = hex_plus_one[text[i]];
        if (!d) return 0;
        v = v << 4 | (d - 1);
    }
    *value = v;
    return 1;
}

// A UUID's 32 digits (8-4-4-4-12): the first 16 in `high`, the last 16 in `low`.
static inline int uuid_number(const uint8_t *t, uint64_t *high, uint64_t *low) {
    uint64_t a, b, c, d, e;
    if (t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-' || !hex_digits(t, 8, &a) ||
        !hex_digits(t + 9, 4, &b) || !hex_digits(t + 14, 4, &c) || !hex_digits(t + 19, 4, &d) ||
        !hex_digits(t + 24, 12, &e))
        return 0;
    *high = a << 32 | b << 16 | c;
    *low = d << 48 | e;
    return 1;
}

// A MAC address: six pairs of digits between colons.
static inline int mac_number(const uint8_t *t, uint64_t *value) {
    uint64_t v = 0, pair;
    for (int i = 0; i < 6; i++) {
        if ((i && t[3 * i - 1] != ':') || !hex_digits(t + 3 * i, 2, &pair)) return 0;
        v = v << 8 | pair;
    }
    *value = v;
    return 1;
}

// An even run of 16 or more digits as the bytes it spells, written to `out` as it is
// read (the caller keeps them only when the whole text is such a run).
static inline int hex_bytes(const uint8_t *text, size_t length, uint8_t *out) {
    if (length < 16 || length % 2) return 0;
    for (size_t i = 0; i < length; i += 2) {
        unsigned high = hex_plus_one[text[i]], low = hex_plus_one[text[i + 1]];
        if (!high || !low) return 0;
        out[i / 2] = (uint8_t)((high - 1) << 4 | (low - 1));
    }
    return 1;
}

static inline uint64_t load8(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t load4(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

// The high bit of each byte of `x` that is an ASCII digit, eight bytes at once (no lane
// carries into the next: each sum stays below 256).
static inline uint64_t digit_bits(uint64_t x) {
    const uint64_t ones = 0x0101010101010101u, low7 = ones * 127;
    uint64_t l = x & low7;
    return (ones * (127 + '9' + 1) - l) & ~x & (l + ones * (127 - ('0' - 1))) & ones * 128;
}

// One step of the word hash: a full product folded, so that every bit of `h ^ piece`
// reaches the low bits the cache is indexed by.
static inline uint64_t mix(uint64_t h, uint64_t piece) {
    __uint128_t product = (__uint128_t)(h ^ piece) * 0x9E3779B97F4A7C15u;
    return (uint64_t)product ^ (uint64_t)(product >> 64);
}

// Whether the text is a word (2 to 64 bytes, no digit), and then a hash of it for the
// word cache: both from the same 8-byte pieces, the last overlapping the one before.
static inline int word_hash(const uint8_t *text, size_t length, uint64_t *hash) {
    if (length < WORD_SHORTEST || length > WORD_LONGEST) return 0;
    uint64_t h = length, digits = 0, piece;
    if (length >= 8) {
        for (size_t i = 0; i + 8 < length; i += 8) {
            piece = load8(text + i);
            digits |= digit_bits(piece);
            h = mix(h, piece);
        }
        piece = load8(text + length - 8);
    } else {
        piece = length >= 4 ? load4(text) | load4(text + length - 4) << 32
                            : (uint64_t)text[0] | (uint64_t)text[1] << 8 | (uint64_t)text[length - 1] << 16;
    }
    digits |= digit_bits(piece);
    *hash = mix(h, piece);
    return !digits;
}

#endif
