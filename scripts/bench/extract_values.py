#!/usr/bin/env python3
"""Extract the values of an etcdctl-json dump into a length-prefixed binary file.

    extract_values.py DUMP.json VALUES.bin

etcdctl's `-w json` shape (and scripts/generate-dump.py's) holds one kv object per
`{"key": ...}`, each with a base64 "value" string. This scanner streams the file in 16 MiB
chunks (memory stays small at any size), base64-decodes every value and writes it as a
4-byte little-endian length followed by the bytes: the input of jansson_floor. Prints one
JSON object on stdout (values, value bytes, seconds).
"""
import base64
import json
import re
import struct
import sys
import time

VALUE = re.compile(rb'"value"\s*:\s*"([A-Za-z0-9+/=]*)"')


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    started = time.monotonic()
    count = total = 0
    with open(sys.argv[1], "rb") as src, open(sys.argv[2], "wb") as out:
        pending = b""
        while True:
            chunk = src.read(1 << 24)
            buf = pending + chunk
            done = 0
            for m in VALUE.finditer(buf):
                value = base64.b64decode(m.group(1))
                out.write(struct.pack("<I", len(value)))
                out.write(value)
                count += 1
                total += len(value)
                done = m.end()
            if not chunk:
                break
            # An unmatched tail may be a value cut by the chunk end: keep it for the next.
            pending = buf[done:]
    print(json.dumps({"values": count, "value_bytes": total, "seconds": round(time.monotonic() - started, 6)}))


if __name__ == "__main__":
    main()
