// The writing half of the selected values' layout (Records/SelectedValues.swift says what
// the bytes are, and reads them): what json_walk.c hands each value it selects to.
#ifndef SELECTED_WRITER_H
#define SELECTED_WRITER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "byte_buffer.h"
#include "json_walk.h"

enum { SW_TEXTS_KEPT = 64 };  // texts numbered per selection (SelectedValues.textsKept)

/// Set when an allocation fails: later writes do nothing, and the walk gives NULL.
extern _Thread_local int sw_failed;

void sw_put_bytes(byte_buffer *b, const void *bytes, size_t count);
/// Empties `b`, and gives its memory back when a huge value made it large.
void sw_reset(byte_buffer *b);

/// A choice that locates a value: an element's index or occurrence, or a member's name.
typedef struct {
    const char *text;
    size_t length;
    int64_t integer;
    int is_text;
} sw_choice;

/// Words already numbered on this thread (the table is append-only: a number never changes).
typedef struct sw_word_cache sw_word_cache;

typedef struct {
    byte_buffer out;
    const uint8_t *id;
    size_t id_length;
    json_walk_word_number word_number;
    // The slot being written: where its header and its values begin.
    uint64_t slot;
    size_t header_start, values_start, count;
    int form;
    // Where each value begins while the form leaves the choices out.
    size_t *value_starts;
    size_t value_start_count, value_start_capacity;
    // The texts numbered so far in this selection.
    byte_buffer text_bytes;
    size_t text_start[SW_TEXTS_KEPT], text_end[SW_TEXTS_KEPT];
    int text_count;
    byte_buffer rewritten;
    sw_word_cache *words;
} sw_writer;

void sw_begin_slot(sw_writer *w, uint64_t slot);
void sw_end_slot(sw_writer *w);
/// Before each value: the choices that locate it.
void sw_begin_value(sw_writer *w, const sw_choice *choices, size_t count);
/// A value as jansson's tree holds it.
void sw_value(sw_writer *w, json_t *node);
/// The value of a path that ends in `|type`, or in the `|digest` `step`.
void sw_type(sw_writer *w, json_t *node);
void sw_digest(sw_writer *w, json_t *node, const json_walk_step *step);
/// Frees what the writer holds.
void sw_free(sw_writer *w);

#endif
