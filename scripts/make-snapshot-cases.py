#!/usr/bin/env python3
"""Write the snapshots of Tests/Cases/ from Samples/fixtures/seeds.snapshot.db.

    scripts/make-snapshot-cases.py

Each case is a copy of the real snapshot with one fault: cut short, a page's flags
broken, a branch element pointing past the last page, both meta checksums wrong; or the
real snapshot unchanged, read at a revision (expected.json's "revision"). Page 2 is the
root (a branch page) of the `key` bucket in this file.
"""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
PAGE = 4096


def write(case, data):
    path = os.path.join(ROOT, "Tests", "Cases", case, "input.db")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


with open(os.path.join(ROOT, "Samples", "fixtures", "seeds.snapshot.db"), "rb") as f:
    snapshot = f.read()

write("snapshot-truncated", snapshot[:30000])

bad_flags = bytearray(snapshot)
struct.pack_into("<H", bad_flags, 2 * PAGE + 8, 0x0040)
write("snapshot-bad-page-flags", bytes(bad_flags))

# Element 0 of page 2 is visited last (the walk goes newest first): the records of the
# other elements are read and audited before the fault.
bad_child = bytearray(snapshot)
struct.pack_into("<Q", bad_child, 2 * PAGE + 16 + 8, 9999)
write("snapshot-page-out-of-range", bytes(bad_child))

bad_meta = bytearray(snapshot)
for meta in (0, PAGE):
    bad_meta[meta + 16 + 48] ^= 0x01  # a bit of the txid, under the checksum
write("snapshot-bad-meta-checksum", bytes(bad_meta))

# Read at an older revision (11: before the monitoring record), and past the newest (13).
write("snapshot-at-an-older-revision", snapshot)
write("snapshot-revision-after-newest", snapshot)
