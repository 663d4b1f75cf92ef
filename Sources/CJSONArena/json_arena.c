// A per-thread bump arena for jansson: see include/json_arena.h.
#include "json_arena.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

enum { CHUNK_SIZE = 256 << 10, HEADER_SIZE = 16 };

// One chunk: the previous chunk and this chunk's size, then the allocations.
typedef struct chunk_header {
    struct chunk_header *previous;
    size_t size;
} chunk_header;

typedef struct {
    chunk_header *chunk;
    char *cursor;
    char *end;
} arena_state;

static _Thread_local arena_state state;
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

// A thread that ends gives its chunks back.
static void free_chunks(void *unused) {
    (void)unused;
    chunk_header *chunk = state.chunk;
    while (chunk) {
        chunk_header *previous = chunk->previous;
        free(chunk);
        chunk = previous;
    }
    state.chunk = NULL;
    state.cursor = state.end = NULL;
}

static void make_exit_key(void) { pthread_key_create(&exit_key, free_chunks); }

static int new_chunk(size_t size) {
    chunk_header *chunk = malloc(size);
    if (!chunk) return 0;
    if (!state.chunk) {
        // The thread's first chunk: have it freed when the thread ends.
        pthread_once(&exit_key_once, make_exit_key);
        pthread_setspecific(exit_key, (void *)1);
    }
    chunk->previous = state.chunk;
    chunk->size = size;
    state.chunk = chunk;
    state.cursor = (char *)chunk + HEADER_SIZE;
    state.end = (char *)chunk + size;
    return 1;
}

void *json_arena_malloc(size_t size) {
    if (size > SIZE_MAX - HEADER_SIZE - 15) return NULL;
    size_t rounded = (size + 15) & ~(size_t)15;
    if ((size_t)(state.end - state.cursor) < rounded || !state.chunk) {
        // A large allocation gets a chunk of its own size.
        size_t wanted = rounded + HEADER_SIZE > CHUNK_SIZE ? rounded + HEADER_SIZE : CHUNK_SIZE;
        if (!new_chunk(wanted)) return NULL;  // jansson reports it as out of memory
    }
    void *pointer = state.cursor;
    state.cursor += rounded;
    return pointer;
}

void json_arena_free(void *pointer) { (void)pointer; }

json_arena_mark json_arena_mark_now(void) {
    if (!state.chunk) new_chunk(CHUNK_SIZE);  // a mark needs a chunk to point into
    json_arena_mark mark = {state.chunk, state.cursor};
    return mark;
}

void json_arena_release(json_arena_mark mark) {
    while (state.chunk && state.chunk != mark.chunk) {
        chunk_header *previous = state.chunk->previous;
        free(state.chunk);
        state.chunk = previous;
    }
    if (!state.chunk) {
        state.cursor = state.end = NULL;
        return;
    }
    state.cursor = mark.cursor;
    state.end = (char *)state.chunk + state.chunk->size;
}
