/*
 * The floor for a jansson design: jansson alone parsing etcd values, no checks, one thread.
 *
 *   jansson_floor VALUES.bin        parse every value of a length-prefixed file (4-byte
 *                                   little-endian length, then the bytes) with
 *                                   json_loadb(JSON_DECODE_ANY) + json_decref
 *   jansson_floor --frame DUMP.json the framing alone: find the base64 "key" and "value"
 *                                   strings of an etcdctl-json dump and decode them
 *
 * Only the parse loop (or the scan + decode loop) is timed, with CLOCK_MONOTONIC: values are
 * read from the file in 32 MiB batches outside the clock. Prints one JSON object on stdout.
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

static int parse_values(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return 2; }
    size_t cap = (size_t)32 << 20, have = 0;
    char *buf = xrealloc(NULL, cap);
    unsigned long long count = 0, bytes = 0, errors = 0;
    double parse = 0;
    for (;;) {
        size_t n = fread(buf + have, 1, cap - have, f);
        have += n;
        size_t pos = 0;
        double t0 = now();
        while (have - pos >= 4) {
            const unsigned char *p = (const unsigned char *)buf + pos;
            size_t len = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
            if (have - pos - 4 < len) break;
            json_error_t error;
            json_t *value = json_loadb(buf + pos + 4, len, JSON_DECODE_ANY, &error);
            if (value) json_decref(value); else errors++;
            count++;
            bytes += len;
            pos += 4 + len;
        }
        parse += now() - t0;
        if (n == 0 && pos == 0) {
            if (have) { fprintf(stderr, "%s: truncated record at the end\n", path); return 2; }
            break;
        }
        memmove(buf, buf + pos, have - pos);
        have -= pos;
        if (have >= 4 && pos == 0) {  /* one value larger than the buffer */
            const unsigned char *p = (const unsigned char *)buf;
            size_t len = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
            if (len + 4 > cap) { cap = len + 4; buf = xrealloc(buf, cap); }
        }
    }
    if (ferror(f)) { perror(path); return 2; }
    fclose(f);
    free(buf);
    printf("{\"mode\":\"parse\",\"values\":%llu,\"value_bytes\":%llu,\"invalid\":%llu,"
           "\"parse_s\":%.6f,\"maxrss_kib\":%ld}\n", count, bytes, errors, parse, maxrss_kib());
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
    if (argc == 2) return parse_values(argv[1]);
    if (argc == 3 && strcmp(argv[1], "--frame") == 0) return frame(argv[2]);
    fprintf(stderr, "usage: jansson_floor VALUES.bin | jansson_floor --frame DUMP.json\n");
    return 2;
}
