// The walk that takes what the rule language's paths select out of jansson's tree and
// writes it in the layout the record store keeps (SelectedValues.swift reads it; its
// comment says what the bytes are). In C because it runs for every record, on every
// member a path reaches: in Swift the same walk cost some 30,000 instructions a record,
// most of them reference counting and bounds checks. Records/KeptSelections.swift compiles
// the paths for it (`CompiledSelections`) and JSON/Jansson.swift calls it; nodes are
// `void *` here so that only that file sees jansson's types on the Swift side.
#ifndef JSON_WALK_H
#define JSON_WALK_H

#include <stddef.h>
#include <stdint.h>

/// A path step (RulePath.swift's `ValueStep`).
enum json_walk_step_kind {
    JSON_WALK_MEMBER, JSON_WALK_INDEX, JSON_WALK_EACH, JSON_WALK_SELECT,
    JSON_WALK_DECODE, JSON_WALK_TYPE, JSON_WALK_DIGEST
};

typedef struct {
    uint8_t kind;
    /// MEMBER: the member's name; SELECT: the member an element is chosen by.
    const char *name;
    size_t name_length;
    /// SELECT: the text that member must hold.
    const char *value;
    size_t value_length;
    /// INDEX: the element.
    int64_t index;
    /// DIGEST: the top-level members it leaves out.
    const char *const *ignored;
    size_t ignored_count;
} json_walk_step;

/// When a record keeps a selection's values (KeptSelections.swift's `KeptSelection.Keep`).
enum json_walk_keep { JSON_WALK_ALWAYS, JSON_WALK_UNLESS_NO_REPEATS, JSON_WALK_WITH_GUARDS };

typedef struct {
    const json_walk_step *steps;
    size_t step_count;
    uint64_t slot;
    uint8_t keep;
    /// UNLESS_NO_REPEATS: no `distinct` test reading these compares by members, so texts
    /// are compared whole.
    uint8_t whole_values;
    /// WITH_GUARDS: bit i stands for the ith selection given; the values are left out when
    /// every one of those is.
    uint64_t guards;
} json_walk_selection;

/// A word's number in the table of the selections' words, or -1 when it is full.
typedef int64_t (*json_walk_word_number)(const uint8_t *bytes, size_t length);

/// The values `selections` (in increasing slot order) select in `root`, laid out as the
/// store keeps them. `decoded_string`, when not NULL, is a string node already parsed into
/// `decoded_value` (a state's heat_outputs): a `|json` step on it goes on there.
/// `resource_id` is written as one byte wherever a text is it, or holds it; words are
/// written by the number `word_number` gives them.
/// Returns the bytes, valid until the thread's next call, and their count in `length`;
/// NULL when memory ran out.
const uint8_t *json_walk_select(const json_walk_selection *selections, size_t count, void *root,
                                void *decoded_string, void *decoded_value,
                                const uint8_t *resource_id, size_t id_length,
                                json_walk_word_number word_number, size_t *length);

/// The digest of `node` in JSON/JSONDigest.swift's canonical encoding (XXH3-128), without
/// the top-level members `ignored` names when it is an object. Returns 0 when memory ran out.
int json_walk_digest(void *node, const char *const *ignored, size_t ignored_count, uint64_t *high, uint64_t *low);

#endif
