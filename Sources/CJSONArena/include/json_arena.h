// A per-thread bump arena for jansson's allocations (see JSON/Jansson.swift, the only
// user). In C for its thread-local state: jansson allocates and frees every node through
// these functions, and a Swift closure with pthread_getspecific cost 3% of an audit.
#ifndef JSON_ARENA_H
#define JSON_ARENA_H

#include <stddef.h>

/// Where a parse started: what `json_arena_release` goes back to.
typedef struct {
    void *chunk;
    char *cursor;
} json_arena_mark;

/// jansson's malloc: a bump in the thread's current chunk (a new chunk when it is full).
void *json_arena_malloc(size_t size);
/// jansson's free: nothing; the memory goes back with the parse (`json_arena_release`).
void json_arena_free(void *pointer);
json_arena_mark json_arena_mark_now(void);
/// Frees the chunks taken after `mark` and makes its place the next allocation's.
void json_arena_release(json_arena_mark mark);

#endif
