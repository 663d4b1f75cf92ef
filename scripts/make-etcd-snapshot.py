#!/usr/bin/env python3
"""Start a throw-away etcd, give it a history, and save what etcd itself says about it.

    scripts/make-etcd-snapshot.py --keys 3000 --out DIR
    scripts/make-etcd-snapshot.py --load dump.jsonl --keys 0 --out DIR   (a benchmark store)
    scripts/make-etcd-snapshot.py --load dump.jsonl --keys 0 --writes 10000 --out DIR
                                                      (the store, then 10,000 writes: history)

Writes DIR/snapshot.db (the snapshot the v3 gateway streams, as `etcdctl snapshot save`
writes it) and DIR/range.json (the gateway's `/v3/kv/range` of every key: the newest
revision of each live key, in the format `etcd-audit` reads as `etcdctl-json`; asked a page
at a time and written as the one answer etcd would give). The
history has what a snapshot reader must get right: puts batched in transactions (sub
revisions), values larger than a 4 KiB page (overflow pages), keys overwritten, deleted
(tombstones), deleted and created again, a physical compaction in the middle, and enough
entries for branch pages. Deterministic for a given --seed, apart from etcd's own ids.
--load first puts every record of a JSON-lines dump (scripts/generate-dump.py --format
jsonl), in transactions of 100. --writes N then makes N writes after the compaction, one
revision each, to records of the loaded dump: a record put again unchanged, its `version`
moved (a fault planted), put back as loaded (repaired), or deleted, so that findings come
and go the way `history` replays them.

Only the `etcd` binary is needed (Python's standard library talks to the gateway). etcd
runs on 127.0.0.1 with free ports and a temporary data directory, which are stopped and
removed whatever happens.
"""
import argparse
import base64
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def b64(text):
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


class Gateway:
    def __init__(self, url):
        self.url = url

    # Loading a 1 GB store into etcd on a busy 2-core machine, a transaction now and then
    # waits on etcd's disk syncs and compactions for longer than a minute: wait longer, and
    # send it again when it timed out. Sending again is safe here: a put stores the same
    # value again (one more revision of it), a delete of a deleted key does nothing.
    attempts = 5
    timeout = 120

    def post(self, path, body):
        data = json.dumps(body).encode()
        for attempt in range(1, self.attempts + 1):
            request = urllib.request.Request(self.url + path, data=data, headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                    return answer.read()
            except (TimeoutError, ConnectionError, urllib.error.URLError) as error:
                if isinstance(error, urllib.error.HTTPError) or attempt == self.attempts:
                    raise
                print(f"make-etcd-snapshot: {path} failed ({error}); sending it again ({attempt + 1} of {self.attempts})",
                      file=sys.stderr)
                time.sleep(2 * attempt)

    def txn(self, ops):
        for start in range(0, len(ops), 100):  # etcd allows 128 operations per transaction
            self.post("/v3/kv/txn", {"success": ops[start:start + 100]})

    def put(self, key, value):
        return {"request_put": {"key": b64(key), "value": b64(value)}}

    def delete(self, key):
        return {"request_delete_range": {"key": b64(key)}}


def value_for(rng, key, generation, big):
    body = {"id": key.rsplit("/", 1)[-1], "generation": generation, "note": "x" * rng.randint(0, 200)}
    if big:
        body["padding"] = "p" * rng.randint(5000, 20000)
    return json.dumps(body)


def history(gateway, rng, count):
    kinds = ["/config/v2.0/ports/", "/state/v2.0/ports/", "/monitoring/v2.0/ports/", "/registry/pods/"]
    keys = [rng.choice(kinds) + "%08x-0000-4000-8000-%012x" % (rng.getrandbits(32), i) for i in range(count)]
    gateway.txn([gateway.put(k, value_for(rng, k, 0, rng.random() < 0.05)) for k in keys])
    overwritten = rng.sample(keys, count // 5)
    gateway.txn([gateway.put(k, value_for(rng, k, 1, rng.random() < 0.05)) for k in overwritten])
    deleted = rng.sample(keys, count // 10)
    gateway.txn([gateway.delete(k) for k in deleted])
    # Single writes: one revision each, some of them overwriting twice.
    for k in rng.sample(overwritten, min(20, len(overwritten))):
        gateway.post("/v3/kv/put", {"key": b64(k), "value": b64(value_for(rng, k, 2, False))})
    revision = json.loads(gateway.post("/v3/kv/range", {"key": b64("/"), "count_only": True}))["header"]["revision"]
    gateway.post("/v3/kv/compaction", {"revision": revision, "physical": True})
    recreated = deleted[: len(deleted) // 2]
    gateway.txn([gateway.put(k, value_for(rng, k, 3, rng.random() < 0.1)) for k in recreated])
    for k in rng.sample(keys, min(10, count)):
        gateway.post("/v3/kv/deleterange", {"key": b64(k)})
    gateway.post("/v3/kv/put", {"key": b64("/zz/last-write"), "value": b64("done")})


def load(gateway, path, keep):
    """Puts every record of the dump; returns them, (key, value text), for --writes when
    `keep` (a 4 GB store held as Python strings takes some 6 GB)."""
    batch, records = [], []
    with open(path) as dump:
        for line in dump:
            if line.strip():
                record = json.loads(line)
                value = record["value"]
                value = value if isinstance(value, str) else json.dumps(value)
                if keep:
                    records.append((record["key"], value))
                batch.append(gateway.put(record["key"], value))
            if len(batch) == 100:
                gateway.txn(batch)
                batch = []
    gateway.txn(batch)
    return records


def writes(gateway, rng, records, count):
    """count single writes (one revision each) to records of the loaded store."""
    for _ in range(count):
        key, value = rng.choice(records)
        roll = rng.random()
        if roll < 0.02:
            gateway.post("/v3/kv/deleterange", {"key": b64(key)})
            continue
        if roll < 0.4:
            try:
                document = json.loads(value)
            except ValueError:
                document = None
            if isinstance(document, dict) and isinstance(document.get("version"), int):
                document["version"] += 1
                value = json.dumps(document)
        gateway.post("/v3/kv/put", {"key": b64(key), "value": b64(value)})


def snapshot(gateway, path):
    request = urllib.request.Request(gateway.url + "/v3/maintenance/snapshot", data=b"{}")
    with urllib.request.urlopen(request, timeout=120) as answer, open(path, "wb") as out:
        for line in answer:
            if line.strip():
                out.write(base64.b64decode(json.loads(line)["result"].get("blob", "")))


def save_range(gateway, path, page=20000):
    """The gateway's /v3/kv/range of every key, as the one answer it gives for a store of
    any size, asked a page at a time at the first page's revision: etcd builds an answer
    whole, and one for a 4 GB store (5 GB of JSON) ran a 24 GiB machine out of memory."""
    ask = {"key": b64("\0"), "range_end": b64("\0"), "limit": page}
    answer = json.loads(gateway.post("/v3/kv/range", ask))
    ask["revision"] = answer["header"]["revision"]
    total = answer.get("count")  # every key of the range, whatever the limit
    compact = {"separators": (",", ":")}
    with open(path, "w") as out:
        out.write('{"header":' + json.dumps(answer["header"], **compact))
        first = True
        while answer.get("kvs"):
            out.write(',"kvs":[' if first else ",")
            out.write(",".join(json.dumps(kv, **compact) for kv in answer["kvs"]))
            first = False
            if not answer.get("more"):
                break
            ask["key"] = base64.b64encode(base64.b64decode(answer["kvs"][-1]["key"]) + b"\0").decode()
            answer = json.loads(gateway.post("/v3/kv/range", ask))
        out.write(("" if first else "]") + (',"count":"%s"' % total if total else "") + "}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keys", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--load", help="a JSON-lines dump to put first")
    ap.add_argument("--writes", type=int, default=0, help="with --load: single writes after the history")
    args = ap.parse_args()
    etcd = shutil.which("etcd")
    if not etcd:
        sys.exit("make-etcd-snapshot: no etcd binary on PATH")
    os.makedirs(args.out, exist_ok=True)
    # tmpfs when there is one: etcd syncs every write.
    scratch = tempfile.mkdtemp(prefix="etcd-audit-etcd-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    client, peer = free_port(), free_port()
    log = open(os.path.join(scratch, "etcd.log"), "wb")
    process = subprocess.Popen(
        [etcd, "--name", "audit", "--data-dir", os.path.join(scratch, "data"),
         "--listen-client-urls", f"http://127.0.0.1:{client}", "--advertise-client-urls", f"http://127.0.0.1:{client}",
         "--listen-peer-urls", f"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
         "--initial-cluster", f"audit=http://127.0.0.1:{peer}", "--quota-backend-bytes", str(8 << 30)],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        gateway = Gateway(f"http://127.0.0.1:{client}")
        deadline = time.time() + 30
        while True:
            try:
                if json.loads(urllib.request.urlopen(gateway.url + "/health", timeout=2).read())["health"] == "true":
                    break
            except (OSError, ValueError, KeyError):
                pass
            if process.poll() is not None or time.time() > deadline:
                log.flush()
                sys.exit("make-etcd-snapshot: etcd did not come up:\n"
                         + open(os.path.join(scratch, "etcd.log")).read()[-2000:])
            time.sleep(0.2)
        records = load(gateway, args.load, keep=args.writes > 0) if args.load else []
        history(gateway, random.Random(args.seed), args.keys)
        if args.writes and not records:
            sys.exit("make-etcd-snapshot: --writes needs --load")
        writes(gateway, random.Random(args.seed + 1), records, args.writes)
        snapshot(gateway, os.path.join(args.out, "snapshot.db"))
        save_range(gateway, os.path.join(args.out, "range.json"))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
