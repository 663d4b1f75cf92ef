/*
 * The floor for a jansson design: jansson alone doing the parsing the audit cannot skip, no
 * checks, one thread.
 *
 *   jansson_floor VALUES.bin        (b) the fair floor: every value of a values file parsed
 *                                   with json_loadb(JSON_DECODE_ANY | JSON_REJECT_DUPLICATES)
 *                                   (again without the flag when it finds a duplicate member,
 *                                   as the tool does), and of each state record whose value
 *                                   holds state.heat_outputs as a string (with an integer
 *                                   version: what the tool re-parses), that string parsed
 *                                   again the same way; every tree json_decref'd
 *   jansson_floor --plain VALUES.bin (b') every value with json_loadb(JSON_DECODE_ANY) alone
 *   jansson_floor --frame DUMP.json the framing alone: find the base64 "key" and "value"
 *                                   strings of an etcdctl-json dump and decode them
 *
 * A values file (bench/extract_values.py) holds per value a 4-byte little-endian length, a
 * kind byte (1: a state record by the key layout of Catalog/layouts.yaml, 0: any other),
 * then the bytes. Only the parse loop (or the scan + decode loop) is timed, wall
 * (CLOCK_MONOTONIC) and CPU (CLOCK_PROCESS_CPUTIME_ID): values are read from the file in
 * 32 MiB batches outside the clocks. Prints one JSON object on stdout.
 * Built by scripts/benchmark: cc -O2 jansson_floor.c -ljansson
 */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static long maxrss_kib(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n);
    if (!q) { perror("jansson_floor: realloc"); exit(2); }
    return q;
}

struct counts { unsigned long long values, bytes, invalid, states, heat_outputs, reparsed; };

/* One value as the tool's JSONDocument.parse takes it: duplicates rejected first, the value
 * read again without the flag when that was the only problem. */
static json_t *load_strict(const char *text, size_t len, struct counts *c) {
    json_error_t error;
    json_t *value = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &error);
    if (!value && json_error_code(&error) == json_error_duplicate_key) {
        c->reparsed++;
        value = json_loadb(text, len, JSON_DECODE_ANY, &error);
    }
    return value;
}

/* What the fair floor does with one value; the plain floor only parses and frees. */
static void fair(const char *text, size_t len, int is_state, struct counts *c) {
    json_t *root = load_strict(text, len, c);
    if (!root) { c->invalid++; return; }
    if (is_state) {
        c->states++;
        /* The tool's state extraction: an object with a "state" object and an integer
         * "version"; then a string heat_outputs is JSON text, parsed again. */
        json_t *state = json_object_get(root, "state");
        json_t *outputs = json_is_object(state) ? json_object_get(state, "heat_outputs") : NULL;
        if (json_is_integer(json_object_get(root, "version")) && json_is_string(outputs)) {
            c->heat_outputs++;
            json_t *inner = load_strict(json_string_value(outputs), json_string_length(outputs), c);
            if (inner) json_decref(inner);
        }
    }
    json_decref(root);
}

static int parse_values(const char *path, int plain) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return 2; }
    size_t cap = (size_t)32 << 20, have = 0;
    char *buf = xrealloc(NULL, cap);
    struct counts c = {0};
    double parse = 0, cpu = 0;
    for (;;) {
        size_t n = fread(buf + have, 1, cap - have, f);
        have += n;
        size_t pos = 0;
        double t0 = now(), c0 = cpu_now();
        while (have - pos >= 5) {
            const unsigned char *p = (const unsigned char *)buf + pos;
            size_t len = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
            if (have - pos - 5 < len) break;
            if (plain) {
                json_error_t error;
                json_t *value = json_loadb(buf + pos + 5, len, JSON_DECODE_ANY, &error);
                if (value) json_decref(value); else c.invalid++;
            } else {
                fair(buf + pos + 5, len, p[4] == 1, &c);
            }
            c.values++;
            c.bytes += len;
            pos += 5 + len;
        }
        parse += now() - t0;
        cpu += cpu_now() - c0;
        if (n == 0 && pos == 0) {
            if (have) { fprintf(stderr, "%s: truncated record at the end\n", path); return 2; }
            break;
        }
        memmove(buf, buf + pos, have - pos);
        have -= pos;
        if (have >= 5 && pos == 0) {  /* one value larger than the buffer */
            const unsigned char *p = (const unsigned char *)buf;
            size_t len = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
            if (len + 5 > cap) { cap = len + 5; buf = xrealloc(buf, cap); }
        }
    }
    if (ferror(f)) { perror(path); return 2; }
    fclose(f);
    free(buf);
    printf("{\"mode\":\"%s\",\"values\":%llu,\"value_bytes\":%llu,\"invalid\":%llu,\"states\":%llu,"
           "\"heat_outputs\":%llu,\"reparsed_duplicates\":%llu,\"parse_s\":%.6f,\"parse_cpu_s\":%.6f,"
           "\"maxrss_kib\":%ld}\n", plain ? "plain" : "fair", c.values, c.bytes, c.invalid, c.states,
           c.heat_outputs, c.reparsed, parse, cpu, maxrss_kib());
    return 0;
}

static signed char b64[256];

static size_t decode_base64(const unsigned char *in, size_t n, unsigned char *out) {
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        signed char v = b64[in[i]];
        if (v < 0) continue;  /* '=' padding */
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) { bits -= 8; out[o++] = (unsigned char)(acc >> bits); }
    }
    return o;
}

static int frame(const char *path) {
    const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    memset(b64, -1, sizeof b64);
    for (int i = 0; i < 64; i++) b64[(unsigned char)alphabet[i]] = (signed char)i;
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return 2; }
    size_t cap = (size_t)32 << 20, have = 0, outcap = 1 << 20;
    unsigned char *buf = xrealloc(NULL, cap), *out = xrealloc(NULL, outcap);
    unsigned long long keys = 0, values = 0, value_bytes = 0;
    double elapsed = 0;
    static const char kk[] = "\"key\":\"", kv[] = "\"value\":\"";
    for (;;) {
        size_t n = fread(buf + have, 1, cap - have, f);
        have += n;
        size_t pos = 0;  /* everything before pos is done */
        double t0 = now();
        for (;;) {
            unsigned char *q = memchr(buf + pos, '"', have - pos);
            if (!q) { pos = have; break; }
            size_t at = (size_t)(q - buf), rest = have - at;
            int is_key = rest >= sizeof kk - 1 && memcmp(q, kk, sizeof kk - 1) == 0;
            int is_value = !is_key && rest >= sizeof kv - 1 && memcmp(q, kv, sizeof kv - 1) == 0;
            if (!is_key && !is_value) {
                if (rest < sizeof kv - 1) break;  /* maybe a marker cut by the batch end */
                pos = at + 1;
                continue;
            }
            size_t start = at + (is_key ? sizeof kk : sizeof kv) - 1;
            unsigned char *end = memchr(buf + start, '"', have - start);
            if (!end) { pos = at; break; }
            size_t len = (size_t)(end - buf) - start;
            if (len > outcap) { outcap = len; out = xrealloc(out, outcap); }
            size_t decoded = decode_base64(buf + start, len, out);
            if (is_key) keys++; else { values++; value_bytes += decoded; }
            pos = (size_t)(end - buf) + 1;
        }
        elapsed += now() - t0;
        if (n == 0) break;
        memmove(buf, buf + pos, have - pos);
        have -= pos;
        if (have == cap) { cap *= 2; buf = xrealloc(buf, cap); }
    }
    fclose(f);
    printf("{\"mode\":\"frame\",\"keys\":%llu,\"values\":%llu,\"value_bytes\":%llu,"
           "\"frame_s\":%.6f,\"maxrss_kib\":%ld}\n", keys, values, value_bytes, elapsed, maxrss_kib());
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 2) return parse_values(argv[1], 0);
    if (argc == 3 && strcmp(argv[1], "--plain") == 0) return parse_values(argv[2], 1);
    if (argc == 3 && strcmp(argv[1], "--frame") == 0) return frame(argv[2]);
    fprintf(stderr, "usage: jansson_floor [--plain] VALUES.bin | jansson_floor --frame DUMP.json\n");
    return 2;
}
