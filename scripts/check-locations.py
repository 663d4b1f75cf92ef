#!/usr/bin/env python3
"""Checks where etcd-audit's findings point, independently of its Swift code.

    scripts/check-locations.py [--tool PATH] INPUT...
    scripts/check-locations.py --same-store Samples/fixtures/*     # one store, several formats

For every finding and related location of `check --report json` on each input: the
record at `offset` is read again here with Python's json (markdown, etcdctl, jsonl,
etcdctl-json, etcd-v2), its key must be the one the finding names, the JSON `pointer` must
resolve in its value, and in text inputs the text at `line`:`column` must be the member the
pointer names ("name" for an object member, in escaped form inside a string; the first
character of an array element or of the whole value). With --same-store the inputs hold the
same store in different formats (snapshots too): each must give the same findings with the
same pointers. Prints one line per problem and a summary; exit 0 when none, 1 otherwise.
"""
import argparse
import base64
import json
import os
import subprocess
import sys

DECODER = json.JSONDecoder()


def tool_path(given):
    if given:
        return given
    for candidate in (os.environ.get("ETCD_AUDIT"), ".build/release/etcd-audit", ".build/debug/etcd-audit"):
        if candidate and os.path.exists(candidate):
            return candidate
    return "etcd-audit"


def report(tool, path):
    run = subprocess.run([tool, "check", "--fail-on", "never", "--report", "json", path], capture_output=True)
    if run.returncode not in (0, 1):
        raise SystemExit(f"{tool} check {path} exited with {run.returncode}: {run.stderr.decode(errors='replace')}")
    return json.loads(run.stdout)


def record_at(data, fmt, offset):
    """(key, value text, first line of the value) of the record whose key stands at offset."""
    line_end = data.find(b"\n", offset)
    line_end = len(data) if line_end < 0 else line_end
    if fmt in ("markdown", "etcdctl"):
        key = data[offset:line_end].rstrip(b"\r").decode("utf-8", "replace")
        rest = data[line_end + 1:].decode("utf-8", "replace")
        if fmt == "markdown":
            value = rest[:rest.find("```")] if "```" in rest else rest
        else:
            start = len(rest) - len(rest.lstrip())
            _, end = DECODER.raw_decode(rest, start)
            value = rest[:end]
        return key, value
    # A record's JSON object starts at its offset (a JSON-lines record: its line).
    obj, _ = DECODER.raw_decode(data[offset:line_end if fmt == "jsonl" else offset + (1 << 24)].decode("utf-8", "replace"))
    if fmt == "jsonl":
        value = obj["value"]
        return obj["key"], value if isinstance(value, str) else json.dumps(value)
    if fmt == "etcdctl-json":
        return base64.b64decode(obj["key"]).decode("utf-8", "replace"), base64.b64decode(obj.get("value", "")).decode()
    if fmt == "etcd-v2":
        return obj["key"], obj.get("value") or ""
    raise ValueError(fmt)


def resolve(value, pointer):
    """The value the pointer names, and the container it is in (None for the whole value)."""
    parent = None
    for token in pointer.split("/")[1:] if pointer else []:
        token = token.replace("~1", "/").replace("~0", "~")
        parent = value
        value = value[int(token)] if isinstance(value, list) else value[token]
    return value, parent, (pointer.split("/")[-1].replace("~1", "/").replace("~0", "~") if pointer else None)


def expected_starts(value, parent, token):
    if isinstance(parent, dict):
        name = json.dumps(token, ensure_ascii=False)
        return [name, json.dumps(name, ensure_ascii=False)[1:-1]]
    first = json.dumps(value, ensure_ascii=False)[0]
    return [first, "\\" + first, first.replace('"', '\\"')]


def check_location(problems, where, key, loc, lines, data, fmt):
    if "pointer" not in loc:
        return
    try:
        found_key, text = record_at(data, fmt, loc["offset"])
    except (ValueError, KeyError, UnicodeDecodeError) as error:
        problems.append(f"{where}: cannot read the record at offset {loc.get('offset')}: {error}")
        return
    if found_key != key:
        problems.append(f"{where}: the record at offset {loc['offset']} is {found_key}, not {key}")
        return
    try:
        target, parent, token = resolve(json.loads(text), loc["pointer"])
    except (ValueError, KeyError, IndexError, TypeError) as error:
        problems.append(f"{where}: pointer {loc['pointer']} does not resolve in {key}: {error!r}")
        return
    if fmt not in ("markdown", "etcdctl", "jsonl"):
        if "line" in loc or "column" in loc:
            problems.append(f"{where}: a line-less input gave a line or column")
        return
    if "column" not in loc:
        problems.append(f"{where}: no column in a text input")
        return
    if isinstance(target, str) and target.lstrip()[:1] in ("[", "{"):
        return  # a string holding JSON: the column may go on inside it
    at = lines[loc["line"] - 1][loc["column"] - 1:]
    if not any(at.startswith(s) for s in expected_starts(target, parent, token)):
        problems.append(f"{where}: {loc['pointer']} at {loc['line']}:{loc['column']} shows {at[:40]!r}")


def check_input(tool, path, problems):
    doc = report(tool, path)
    fmt = doc["inputs"][0]["format"]
    data = open(path, "rb").read() if fmt != "snapshot" else b""
    lines = data.decode("utf-8", "replace").split("\n") if fmt in ("markdown", "etcdctl", "jsonl") else []
    located = 0
    for finding in doc["findings"]:
        where = f"{path}: {finding['rule']} {finding['resource_id']}"
        places = [(finding["keys"][0], finding["location"])] + [(r["key"], r) for r in finding["related"]]
        for key, loc in places:
            if loc.get("path") != path or fmt == "snapshot":
                continue
            located += "pointer" in loc
            check_location(problems, where, key, loc, lines, data, fmt)
    return doc, located


def signature(doc):
    out = []
    for f in doc["findings"]:
        related = sorted((r["key"], r.get("pointer")) for r in f["related"])
        out.append((f["rule"], f["resource_id"], f["keys"][0], f["location"].get("pointer"), tuple(related)))
    return sorted(out, key=repr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("--tool")
    ap.add_argument("--same-store", action="store_true", help="the inputs hold one store: same findings and pointers")
    args = ap.parse_args()
    tool = tool_path(args.tool)
    problems, located, docs = [], 0, {}
    for path in args.inputs:
        doc, n = check_input(tool, path, problems)
        docs[path] = doc
        located += n
    if args.same_store:
        first = args.inputs[0]
        for path in args.inputs[1:]:
            if signature(docs[path]) != signature(docs[first]):
                problems.append(f"{path}: findings or pointers differ from {first}")
    for problem in problems:
        print(problem)
    print(f"locations: {len(args.inputs)} inputs, {located} pointers checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
