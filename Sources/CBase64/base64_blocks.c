#include "base64_blocks.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

// One block: sixteen characters to their six-bit values, checked, then packed.
//
// A character's class follows from its two nibbles: a table indexed by the low nibble and
// one by the high nibble each give a bit set, whose AND is zero exactly for the alphabet
// (A-Z a-z 0-9 + /). The value is the character plus an offset that depends on the high
// nibble alone, except '/' (0x2F), which shares its high nibble with '+': comparing with
// '/' moves it to its own entry. pshufb reads only bits 0-3 and 7 of an index, so masking
// with 0x2F (not 0x0F) keeps bit 7 clear and needs one constant for both uses.
__attribute__((target("ssse3")))
static size_t decode_ssse3(const uint8_t *in, size_t length, uint8_t *out, size_t capacity) {
    const __m128i low_classes = _mm_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                              0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A);
    const __m128i high_classes = _mm_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08,
                                               0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
    // By high nibble (and '/' at index 1, its high nibble 2 less one): '+' → 62, '/' → 63,
    // digits → 52..61, A-Z → 0..25, a-z → 26..51.
    const __m128i offsets = _mm_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m128i mask = _mm_set1_epi8(0x2F);
    // Four six-bit values a b c d (a byte each) become 24 bits: first pairs (a<<6|b, c<<6|d)
    // in 16-bit lanes, then the pairs in 32-bit lanes, then the three bytes of each lane in
    // order, big end first.
    const __m128i pair = _mm_set1_epi32(0x01400140);
    const __m128i quad = _mm_set1_epi32(0x00011000);
    const __m128i order = _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);

    size_t i = 0, o = 0;
    while (i + 16 <= length && o + 16 <= capacity) {
        __m128i text = _mm_loadu_si128((const __m128i *)(in + i));
        __m128i high = _mm_and_si128(_mm_srli_epi32(text, 4), mask);
        __m128i low = _mm_and_si128(text, mask);
        __m128i classes = _mm_and_si128(_mm_shuffle_epi8(low_classes, low), _mm_shuffle_epi8(high_classes, high));
        if (_mm_movemask_epi8(_mm_cmpgt_epi8(classes, _mm_setzero_si128())) != 0) break;
        __m128i slash = _mm_cmpeq_epi8(text, mask);
        __m128i values = _mm_add_epi8(text, _mm_shuffle_epi8(offsets, _mm_add_epi8(slash, high)));
        __m128i packed = _mm_madd_epi16(_mm_maddubs_epi16(values, pair), quad);
        _mm_storeu_si128((__m128i *)(out + o), _mm_shuffle_epi8(packed, order));
        i += 16;
        o += 12;
    }
    return i;
}

// The same with AVX2, thirty-two characters at a time: each 128-bit half does what one
// SSSE3 block does (the byte shuffles stay within their half), then the two halves' twelve
// bytes are moved together.
__attribute__((target("avx2")))
static size_t decode_avx2(const uint8_t *in, size_t length, uint8_t *out, size_t capacity) {
    const __m256i low_classes = _mm256_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                                 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A,
                                                 0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                                 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A);
    const __m256i high_classes = _mm256_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08,
                                                  0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
                                                  0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08,
                                                  0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
    const __m256i offsets = _mm256_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0,
                                             0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m256i mask = _mm256_set1_epi8(0x2F);
    const __m256i pair = _mm256_set1_epi32(0x01400140);
    const __m256i quad = _mm256_set1_epi32(0x00011000);
    const __m256i order = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,
                                           2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
    // The 32-bit words that hold bytes: three of each half.
    const __m256i together = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7);

    size_t i = 0, o = 0;
    while (i + 32 <= length && o + 32 <= capacity) {
        __m256i text = _mm256_loadu_si256((const __m256i *)(in + i));
        __m256i high = _mm256_and_si256(_mm256_srli_epi32(text, 4), mask);
        __m256i low = _mm256_and_si256(text, mask);
        __m256i classes = _mm256_and_si256(_mm256_shuffle_epi8(low_classes, low), _mm256_shuffle_epi8(high_classes, high));
        if (_mm256_movemask_epi8(_mm256_cmpgt_epi8(classes, _mm256_setzero_si256())) != 0) break;
        __m256i slash = _mm256_cmpeq_epi8(text, mask);
        __m256i values = _mm256_add_epi8(text, _mm256_shuffle_epi8(offsets, _mm256_add_epi8(slash, high)));
        __m256i packed = _mm256_madd_epi16(_mm256_maddubs_epi16(values, pair), quad);
        packed = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(packed, order), together);
        _mm256_storeu_si256((__m256i *)(out + o), packed);
        i += 32;
        o += 24;
    }
    return i;
}

size_t etcd_audit_base64_decode_blocks(const uint8_t *in, size_t length, uint8_t *out, size_t capacity) {
    // Every x86-64 machine of the last fifteen years has SSSE3, but the baseline does not
    // promise it; AVX2 came later. A block the wider loop stops at (a character outside
    // the alphabet, or the end near) goes on sixteen at a time.
    size_t done = 0;
    if (__builtin_cpu_supports("avx2")) done = decode_avx2(in, length, out, capacity);
    if (!__builtin_cpu_supports("ssse3")) return done;
    return done + decode_ssse3(in + done, length - done, out + done / 4 * 3, capacity - done / 4 * 3);
}

#else

size_t etcd_audit_base64_decode_blocks(const uint8_t *in, size_t length, uint8_t *out, size_t capacity) {
    (void)in; (void)length; (void)out; (void)capacity;
    return 0;
}

#endif
