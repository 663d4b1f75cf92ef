// A growable run of bytes: what the walk writes (selected_writer.c) and the encoding a
// digest hashes (json_digest.c).
#ifndef BYTE_BUFFER_H
#define BYTE_BUFFER_H

#include <stdint.h>
#include <stdlib.h>

typedef struct {
    uint8_t *data;
    size_t count, capacity;
} byte_buffer;

/// Room for `more` bytes past `count` (the capacity doubled as often as needed); 0 when
/// memory, or size_t, ran out (the buffer is then as it was).
static inline int byte_buffer_reserve(byte_buffer *b, size_t more) {
    if (b->capacity - b->count >= more) return 1;
    size_t capacity = b->capacity ? b->capacity : 256;
    while (capacity - b->count < more) {
        if (capacity > SIZE_MAX / 2) return 0;
        capacity *= 2;
    }
    uint8_t *data = realloc(b->data, capacity);
    if (!data) return 0;
    b->data = data;
    b->capacity = capacity;
    return 1;
}

#endif
