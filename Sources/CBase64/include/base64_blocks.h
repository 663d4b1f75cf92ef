#ifndef ETCD_AUDIT_BASE64_BLOCKS_H
#define ETCD_AUDIT_BASE64_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

/// Decodes base64 (RFC 4648 §4) thirty-two characters at a time with AVX2, then sixteen
/// with SSSE3, while every character of a block is in the alphabet: 3 bytes out per 4 in.
/// Returns how many characters it decoded (a multiple of 16, 0 without SSSE3); the caller
/// decodes the rest, where a character outside the alphabet or the padding is met, one
/// group at a time. Writes a whole vector per block, so it stops where fewer than 32 (then
/// 16) bytes of `out` are left.
size_t etcd_audit_base64_decode_blocks(const uint8_t *in, size_t length, uint8_t *out, size_t capacity);

#endif
