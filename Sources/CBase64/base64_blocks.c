#include "base64_blocks.h"

#if defined(__x86_64__) || defined(__i386__)
#include <tmmintrin.h>

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

size_t etcd_audit_base64_decode_blocks(const uint8_t *in, size_t length, uint8_t *out, size_t capacity) {
    // Every x86-64 machine of the last fifteen years has SSSE3, but the baseline does not
    // promise it.
    return __builtin_cpu_supports("ssse3") ? decode_ssse3(in, length, out, capacity) : 0;
}

#else

size_t etcd_audit_base64_decode_blocks(const uint8_t *in, size_t length, uint8_t *out, size_t capacity) {
    (void)in; (void)length; (void)out; (void)capacity;
    return 0;
}

#endif
