#!/usr/bin/env python3
"""Extract the values of an etcdctl-json dump into a length-prefixed binary file.

    extract_values.py DUMP.json VALUES.bin

etcdctl's `-w json` shape (and scripts/generate-dump.py's) holds one kv object per
`{"key": ...}`, each with a base64 "key" and "value" string. This scanner streams the file
in 16 MiB chunks (memory stays small at any size), base64-decodes every value and writes it
as a 4-byte little-endian length, a kind byte (1 when its key is a state record's by the
`state` layout of Sources/EtcdAuditCore/Catalog/layouts.yaml, else 0: the fair floor
re-parses only states' heat_outputs, as the tool does) and the bytes: the input of
jansson_floor. Prints one JSON object on stdout (values, states, value bytes, seconds).
"""
import base64
import json
import os
import re
import struct
import sys
import time

FIELD = re.compile(rb'"(key|value)"\s*:\s*"([A-Za-z0-9+/=]*)"')
LAYOUTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                       "Sources", "EtcdAuditCore", "Catalog", "layouts.yaml")


def state_key_pattern():
    """The state layout with its placeholders filled: {plural} one of the declared types,
    {id} one path segment (read from layouts.yaml with a regex: no YAML module needed)."""
    text = open(LAYOUTS).read()
    layout = re.search(r'^\s*state:\s*"([^"]+)"', text, re.M).group(1)
    plurals = re.findall(r'plural:\s*([A-Za-z0-9_-]+)', text)
    pattern = re.escape(layout).replace(re.escape("{plural}"), "(?:%s)" % "|".join(map(re.escape, plurals)))
    pattern = pattern.replace(re.escape("{id}"), "[^/]+")
    return re.compile(("^" + pattern + "$").encode())


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    is_state = state_key_pattern().match
    started = time.monotonic()
    count = states = total = 0
    key = b""
    with open(sys.argv[1], "rb") as src, open(sys.argv[2], "wb") as out:
        pending = b""
        while True:
            chunk = src.read(1 << 24)
            buf = pending + chunk
            done = 0
            for m in FIELD.finditer(buf):
                done = m.end()
                if m.group(1) == b"key":
                    key = base64.b64decode(m.group(2))
                    continue
                value = base64.b64decode(m.group(2))
                kind = 1 if is_state(key) else 0
                out.write(struct.pack("<IB", len(value), kind))
                out.write(value)
                count += 1
                states += kind
                total += len(value)
            if not chunk:
                break
            # An unmatched tail may be a field cut by the chunk end: keep it for the next.
            pending = buf[done:]
    print(json.dumps({"values": count, "states": states, "value_bytes": total,
                      "seconds": round(time.monotonic() - started, 6)}))


if __name__ == "__main__":
    main()
