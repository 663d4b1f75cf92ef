// The selections' walk over jansson's tree: see include/json_walk.h. What it selects goes
// to the writer (selected_writer.c), or, for a selection read only by `distinct`, first
// to the repeat probe, which says whether the values can repeat at all.
#include "json_walk.h"

#include <jansson.h>
#include <json_arena.h>
#include <stdlib.h>
#include <string.h>

#include "selected_writer.h"
#include "text_forms.h"
#include "thread_exit.h"

// MARK: - The repeat probe

// Says that a record's values of a selection read only by `distinct` tests cannot repeat:
// each such test then finds no failure, as it does on no values, and the store keeps
// none. It answers for the common cases (lists of at most one element, texts that
// differ) as the evaluator's `noRepeats` would, and for any other "keep them".
enum { TEXTS_COMPARED = 32 };

typedef struct {
    size_t count;
    // A list of two or more elements: only the rules can say whether it repeats.
    int saw_list, long_list;
    // A value neither a list nor a text, or texts past TEXTS_COMPARED.
    int not_text;
    byte_buffer text_bytes;
    size_t text_start[TEXTS_COMPARED], text_end[TEXTS_COMPARED];
    int text_count;
} probe;

static void probe_take(probe *p, json_t *node, int ending) {
    p->count++;
    if (ending) { p->not_text = 1; return; }
    if (json_is_array(node)) {
        p->saw_list = 1;
        if (json_array_size(node) > 1) p->long_list = 1;
    } else if (json_is_string(node) && p->text_count < TEXTS_COMPARED) {
        // Copied: a value inside a string the walk decodes is freed before the probe answers.
        p->text_start[p->text_count] = p->text_bytes.count;
        sw_put_bytes(&p->text_bytes, json_string_value(node), json_string_length(node));
        p->text_end[p->text_count++] = p->text_bytes.count;
    } else {
        p->not_text = 1;
    }
}

// True when every `distinct` test reading these values passes on them: each list on its
// own (one of at most one element cannot repeat); values that are not lists are compared
// only when there is no list.
static int probe_cannot_repeat(const probe *p, int whole_values) {
    if (p->long_list) return 0;
    if (p->saw_list || p->count < 2) return 1;
    if (!whole_values || p->not_text) return 0;
    for (int i = 1; i < p->text_count; i++) {
        size_t length = p->text_end[i] - p->text_start[i];
        for (int j = 0; j < i; j++) {
            if (p->text_end[j] - p->text_start[j] == length &&
                (length == 0 || memcmp(p->text_bytes.data + p->text_start[i],
                                       p->text_bytes.data + p->text_start[j], length) == 0))
                return 0;
        }
    }
    return 1;
}

// MARK: - The walk

// The `member` text of each element of the array a `[member=value]` step went through
// last: the checks read a dozen params of every job, each by `[param=NAME]`, and looking
// every element's member up again for each of them cost more than the rest of the walk.
// Kept for one tree only (the texts point into it).
#define NO_TEXT SIZE_MAX

typedef struct {
    json_t *array;
    const char *member;
    size_t member_length;
    // Each element's text, and its length: NO_TEXT when the element is not an object or
    // has no text there (so that the scan compares lengths alone).
    const char **texts;
    size_t *lengths;
    size_t count, capacity;
} element_keys;

static int element_texts(element_keys *keys, json_t *array, const char *member, size_t member_length) {
    if (keys->array == array && keys->member_length == member_length &&
        (keys->member == member || member_length == 0 || memcmp(keys->member, member, member_length) == 0))
        return 1;
    size_t count = json_array_size(array);
    if (count > keys->capacity) {
        const char **texts = realloc(keys->texts, count * sizeof *texts);
        if (texts) keys->texts = texts;
        size_t *lengths = texts ? realloc(keys->lengths, count * sizeof *lengths) : NULL;
        if (!lengths) { sw_failed = 1; return 0; }
        keys->lengths = lengths;
        keys->capacity = count;
    }
    for (size_t i = 0; i < count; i++) {
        json_t *text = json_object_getn(json_array_get(array, i), member, member_length);
        keys->texts[i] = json_is_string(text) ? json_string_value(text) : NULL;
        keys->lengths[i] = keys->texts[i] ? json_string_length(text) : NO_TEXT;
    }
    keys->array = array;
    keys->member = member;
    keys->member_length = member_length;
    keys->count = count;
    return 1;
}

static void forget_keys(element_keys *keys) {
    free(keys->texts);
    free(keys->lengths);
    memset(keys, 0, sizeof *keys);
}

// One selection's walk: where its values go (the writer, or the probe when it is set),
// and the choices made so far (one per `[*]` and `[k=v]` passed; the probe needs none).
typedef struct {
    const json_walk_selection *selection;
    sw_writer *writer;
    probe *probe;
    sw_choice *choices;
    size_t choice_count;
} walk_state;

// A value the path selects; `at` is past the last step, or the `|type` or `|digest` that
// ends the path.
static void take(walk_state *s, json_t *node, size_t at) {
    const json_walk_step *ending = at < s->selection->step_count ? &s->selection->steps[at] : NULL;
    if (s->probe) { probe_take(s->probe, node, ending != NULL); return; }
    sw_begin_value(s->writer, s->choices, s->choice_count);
    if (!ending) sw_value(s->writer, node);
    else if (ending->kind == JSON_WALK_TYPE) sw_type(s->writer, node);
    else sw_digest(s->writer, node, ending);
}

static void walk(walk_state *s, json_t *node, size_t at, element_keys *keys,
                 json_t *decoded_string, json_t *decoded_value);

static void walk_chosen(walk_state *s, json_t *child, size_t at, element_keys *keys, json_t *decoded_string,
                        json_t *decoded_value, sw_choice made) {
    if (!s->probe) s->choices[s->choice_count++] = made;
    walk(s, child, at, keys, decoded_string, decoded_value);
    if (!s->probe) s->choice_count--;
}

// Steps `at` and on, from `node`. `decoded_string`, when set, is a string already parsed
// into `decoded_value`.
static void walk(walk_state *s, json_t *node, size_t at, element_keys *keys,
                 json_t *decoded_string, json_t *decoded_value) {
    if (sw_failed) return;
    if (at == s->selection->step_count) { take(s, node, at); return; }
    const json_walk_step *step = &s->selection->steps[at];
    size_t next = at + 1;
    switch (step->kind) {
    case JSON_WALK_MEMBER: {
        json_t *child = json_object_getn(node, step->name, step->name_length);
        if (child) walk(s, child, next, keys, decoded_string, decoded_value);
        break;
    }
    case JSON_WALK_INDEX: {
        json_t *child = json_is_array(node) && step->index >= 0 ? json_array_get(node, (size_t)step->index) : NULL;
        if (child) walk(s, child, next, keys, decoded_string, decoded_value);
        break;
    }
    case JSON_WALK_EACH:
        if (json_is_array(node)) {
            size_t count = json_array_size(node);
            for (size_t i = 0; i < count; i++)
                walk_chosen(s, json_array_get(node, i), next, keys, decoded_string, decoded_value,
                            (sw_choice){.integer = (int64_t)i});
        } else if (json_is_object(node)) {
            for (void *it = json_object_iter(node); it; it = json_object_iter_next(node, it)) {
                const char *name = json_object_iter_key(it);
                walk_chosen(s, json_object_iter_value(it), next, keys, decoded_string, decoded_value,
                            (sw_choice){.text = name, .length = strlen(name), .is_text = 1});
            }
        }
        break;
    case JSON_WALK_SELECT: {
        if (!json_is_array(node)) break;
        int64_t occurrence = 0;
        size_t count = json_array_size(node);
        if (!element_texts(keys, node, step->name, step->name_length)) return;
        const size_t *lengths = keys->lengths, length = step->value_length;
        for (size_t i = 0; i < count; i++) {
            if (lengths[i] != length || (length && memcmp(keys->texts[i], step->value, length) != 0)) continue;
            occurrence++;
            walk_chosen(s, json_array_get(node, i), next, keys, decoded_string, decoded_value,
                        (sw_choice){.integer = occurrence});
            // The walk below may have filled `keys` for another array.
            if (!element_texts(keys, node, step->name, step->name_length)) return;
            lengths = keys->lengths;
        }
        break;
    }
    case JSON_WALK_DECODE: {
        if (decoded_string && node == decoded_string) {
            walk(s, decoded_value, next, keys, NULL, NULL);
            break;
        }
        // A string that does not decode selects nothing: the rules about decoding
        // (heat-outputs.undecodable) report it.
        if (!json_is_string(node)) break;
        json_arena_mark mark = json_arena_mark_now();
        json_error_t error;
        // Duplicate members are not looked for: jansson keeps the same tree either way.
        json_t *inner = json_loadb(json_string_value(node), json_string_length(node), JSON_DECODE_ANY, &error);
        if (inner) {
            // This tree is freed after the walk: what the keys would keep of it goes with it.
            element_keys inner_keys = {0};
            walk(s, inner, next, &inner_keys, NULL, NULL);
            forget_keys(&inner_keys);
        }
        json_arena_release(mark);
        break;
    }
    default:  // |type, |digest: they end a path
        take(s, node, at);
        break;
    }
}

// MARK: - Shared leading steps

// Paths come in runs that begin alike (`.body.id`, `.body.status`, ...; `[1].params[...]`
// seventeen times): the next path starts from the node the leading member and index steps
// it shares with the last one reached. A member's lookup hashes its name (some 150
// instructions); comparing two short names costs a few.
enum { LEADING_KEPT = 4 };

typedef struct {
    const json_walk_step *steps;  // the last path's
    size_t depth;                 // how many of its leading steps reached `nodes[1...]`
    json_t *nodes[LEADING_KEPT + 1];  // `nodes[0]`: the root
} leading_path;

static inline int same_name(const char *a, const char *b, size_t length) {
    if (length >= 8) return memcmp(a, b, length) == 0;
    if (length >= 4) {
        const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
        return load4(x) == load4(y) && load4(x + length - 4) == load4(y + length - 4);
    }
    for (size_t i = 0; i < length; i++) if (a[i] != b[i]) return 0;
    return 1;
}

static inline int same_step(const json_walk_step *a, const json_walk_step *b) {
    if (a->kind != b->kind) return 0;
    if (a->kind == JSON_WALK_INDEX) return a->index == b->index;
    return a->name_length == b->name_length && same_name(a->name, b->name, a->name_length);
}

// The node `selection`'s leading member and index steps reach, and in `at` the first step
// left; NULL when one of them finds nothing (the path then selects nothing).
static inline json_t *take_leading_steps(leading_path *p, const json_walk_selection *selection, size_t *at) {
    const json_walk_step *steps = selection->steps;
    size_t most = selection->step_count < LEADING_KEPT ? selection->step_count : LEADING_KEPT, k = 0;
    while (k < p->depth && k < most && same_step(&p->steps[k], &steps[k])) k++;
    p->steps = steps;
    p->depth = k;
    json_t *node = p->nodes[k];
    for (; k < most; k++) {
        const json_walk_step *step = &steps[k];
        if (step->kind == JSON_WALK_MEMBER) node = json_object_getn(node, step->name, step->name_length);
        else if (step->kind == JSON_WALK_INDEX)
            node = json_is_array(node) && step->index >= 0 ? json_array_get(node, (size_t)step->index) : NULL;
        else break;
        if (!node) return NULL;
        p->nodes[k + 1] = node;
        p->depth = k + 1;
    }
    *at = k;
    return node;
}

// One selection's walk, from where its leading steps led (most paths end there).
static void walk_selection(walk_state *s, leading_path *leading, element_keys *keys, json_t *decoded_string,
                           json_t *decoded_value) {
    size_t at;
    json_t *node = take_leading_steps(leading, s->selection, &at);
    if (!node) return;
    if (at == s->selection->step_count) take(s, node, at);
    else walk(s, node, at, keys, decoded_string, decoded_value);
}

// MARK: - Per thread: the buffers, kept from one record to the next

typedef struct {
    sw_writer writer;
    probe probe;
    element_keys keys;
    sw_choice *choices;
    size_t choice_capacity;
} scratch;

static _Thread_local scratch thread_scratch;

// A thread that ends gives its buffers back.
static void free_scratch(void) {
    scratch *t = &thread_scratch;
    sw_free(&t->writer);
    free(t->probe.text_bytes.data);
    forget_keys(&t->keys);
    free(t->choices);
    memset(t, 0, sizeof *t);
}

THREAD_EXIT_HOOK(scratch, free_scratch)

const uint8_t *json_walk_select(const json_walk_selection *selections, size_t count, void *root,
                                void *decoded_string, void *decoded_value,
                                const uint8_t *resource_id, size_t id_length,
                                json_walk_word_number word_number, size_t *length) {
    scratch *t = &thread_scratch;
    scratch_register();
    sw_failed = 0;
    sw_writer *w = &t->writer;
    sw_reset(&w->out);
    sw_reset(&w->text_bytes);
    sw_reset(&w->rewritten);
    sw_reset(&t->probe.text_bytes);
    w->id = resource_id;
    w->id_length = id_length;
    w->word_number = word_number;
    // The keys of the last record's arrays are not this tree's.
    t->keys.array = NULL;
    size_t most_steps = 0;
    for (size_t i = 0; i < count; i++)
        if (selections[i].step_count > most_steps) most_steps = selections[i].step_count;
    if (most_steps > t->choice_capacity) {
        sw_choice *choices = realloc(t->choices, most_steps * sizeof *choices);
        if (!choices) return NULL;
        t->choices = choices;
        t->choice_capacity = most_steps;
    }
    leading_path leading = {.nodes = {root}};
    // First what `distinct` alone reads: whether it can repeat here decides what is kept.
    uint64_t left_out = 0;
    for (size_t i = 0; i < count && i < 64; i++) {
        if (selections[i].keep != JSON_WALK_UNLESS_NO_REPEATS) continue;
        probe *p = &t->probe;
        p->count = 0;
        p->saw_list = p->long_list = p->not_text = 0;
        p->text_bytes.count = 0;
        p->text_count = 0;
        walk_state s = {.selection = &selections[i], .probe = p, .choices = t->choices};
        walk_selection(&s, &leading, &t->keys, decoded_string, decoded_value);
        if (probe_cannot_repeat(p, selections[i].whole_values)) left_out |= (uint64_t)1 << i;
    }
    for (size_t i = 0; i < count; i++) {
        const json_walk_selection *selection = &selections[i];
        sw_begin_slot(w, selection->slot);
        int kept = 1;
        if (selection->keep == JSON_WALK_UNLESS_NO_REPEATS && i < 64) kept = !(left_out >> i & 1);
        if (selection->keep == JSON_WALK_WITH_GUARDS) kept = (left_out & selection->guards) != selection->guards;
        if (kept) {
            walk_state s = {.selection = selection, .writer = w, .choices = t->choices};
            walk_selection(&s, &leading, &t->keys, decoded_string, decoded_value);
        }
        sw_end_slot(w);
    }
    if (sw_failed) return NULL;
    *length = w->out.count;
    return w->out.data ? w->out.data : (const uint8_t *)"";
}
