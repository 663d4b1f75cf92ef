#!/usr/bin/env python3
"""Print the table and ratios of scripts/benchmark from the files of one run.

    report.py RUN_DIR

RUN_DIR holds what scripts/benchmark wrote: info.json (dump bytes, resources, records,
variants of the tool run), a-*.json (measure.py results of etcd-audit), b-parse.json and
bp-parse.json (the C program's own output: the fair floor, the plain parse), b-measure.json,
bp-measure.json, b-frame.json, extract.json, c-measure.json, c-summary.json, report.json
(the tool's JSON report of the counting run) and, when the snapshot rows ran, s-*.json
(measure.py results on etcd/snapshot.db and etcd/range.json), s-report.json and
s-snapshot-report.json (the warm-up runs' reports of the range and the snapshot), s-load.json,
and with --instructions i-counts.json (callgrind's instruction counts of a, b and b').
The targets are issue 16's; c/a is issue 6's.
"""
import json
import os
import sys

MB = 1e6
MIB = 1 << 20


def load(run, name):
    """A JSON file of the run, or None; a file of output lines gives its last line's object."""
    path = os.path.join(run, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        text = f.read().strip()
    try:
        return json.loads(text)
    except ValueError:
        return json.loads(text.splitlines()[-1])


def main():
    run = sys.argv[1]
    info = load(run, "info.json")
    size, resources, records = info["dump_bytes"], info["resources"], info["records"]
    rows = []  # (label, seconds, cpu seconds, peak RSS KiB, note)

    tool_rows = []
    for variant in info["variants"]:
        m = load(run, "a-%s.json" % variant["name"])
        label = "(a) etcd-audit check" + (" " + variant["args"] if variant["args"] else "")
        tool_rows.append((label, m))
        rows.append((label, m["wall_s"], m["user_s"] + m["sys_s"], m["maxrss_kib"], "wall time of the process"))

    parse, bm = load(run, "b-parse.json"), load(run, "b-measure.json")
    rows.append(("(b) jansson, fair floor, 1 thread", parse["parse_s"], parse["parse_cpu_s"], bm["maxrss_kib"],
                 "parse loop only: %d values with REJECT_DUPLICATES, %d heat_outputs again" % (
                     parse["values"], parse["heat_outputs"])))
    plain, pm = load(run, "bp-parse.json"), load(run, "bp-measure.json")
    rows.append(("(b') jansson, plain parse, 1 thread", plain["parse_s"], plain["parse_cpu_s"], pm["maxrss_kib"],
                 "parse loop only (json_loadb + json_decref)"))
    frame = load(run, "b-frame.json")
    if frame:
        rows.append(("    framing alone, C", frame["frame_s"], None, None,
                     "find + base64-decode %d keys and values" % (frame["keys"] + frame["values"])))
    extract = load(run, "extract.json")
    if extract:
        rows.append(("    framing alone, Python", extract["seconds"], None, None,
                     "extract_values.py, streaming (not in any ratio)"))
    cm, cs = load(run, "c-measure.json"), load(run, "c-summary.json")
    rows.append(("(c) python json script", cm["wall_s"], cm["user_s"] + cm["sys_s"], cm["maxrss_kib"],
                 "wall time; %d findings" % cs["findings"]))

    print("dump: %s, %.1f MB (%.1f MiB), %d resources, %d records, %.1f MB of values" % (
        info["dump"], size / MB, size / MIB, resources, records, parse["value_bytes"] / MB))
    print("host: %d cores; MB = 10^6 bytes; MB/s = dump bytes / time; B/res = peak RSS / resources" % os.cpu_count())
    if info.get("rounds", 1) > 1:
        print("(a) --jobs 1 and the default jobs, (b) and (b'): the least of %d rounds run one after another "
              "(CPU; wall for the default jobs)" % info["rounds"])
    print()
    head = ("measurement", "time s", "CPU s", "MB/s", "peak RSS MiB", "B/res", "")
    fmt = "%-36s %8s %8s %8s %13s %8s  %s"
    print(fmt % head)
    print(fmt % tuple("-" * len(h) if h else "" for h in head))
    for label, seconds, cpu, rss, note in rows:
        print(fmt % (label, "%.3f" % seconds, "%.3f" % cpu if cpu is not None else "",
                     "%.1f" % (size / MB / seconds) if seconds > 0 else "-",
                     "%.1f" % (rss / 1024) if rss is not None else "",
                     "%d" % (rss * 1024 / resources) if rss is not None and resources else "", note))
    print()

    def verdict(ok):
        return "met" if ok else "MISSED"

    # Issue 16's targets are against the fair floor (b); the plain parse (b') is shown beside.
    variants = dict((label[4:], m) for label, m in tool_rows)
    jobs1 = variants.get("etcd-audit check --jobs 1")
    default = tool_rows[0][1]
    for name, floor in (("b", parse), ("b'", plain)):
        target = "target <= %.2f   %s" if name == "b" else "(the plain parse: no target)"
        if jobs1:
            cpu = jobs1["user_s"] + jobs1["sys_s"]
            ratio = cpu / floor["parse_cpu_s"] if floor["parse_cpu_s"] > 0 else float("inf")
            print("a/%-2s %-34s %6.2f   %s" % (name, "CPU: check --jobs 1 / (%s)" % name, ratio,
                                             target % (1.5, verdict(ratio <= 1.5)) if name == "b" else target))
        ratio = default["wall_s"] / floor["parse_s"] if floor["parse_s"] > 0 else float("inf")
        print("a/%-2s %-34s %6.2f   %s" % (name, "wall: check (default jobs) / (%s)" % name, ratio,
                                         target % (0.8, verdict(ratio <= 0.8)) if name == "b" else target))
    counts = load(run, "i-counts.json")
    if counts:
        print("a/b  %-34s %6.2f   target <= 1.50   %s   (%.0f M against %.0f M; a/b' %.2f)" % (
            "instructions: --jobs 1 / (b)", counts["a"] / counts["b"], verdict(counts["a"] <= 1.5 * counts["b"]),
            counts["a"] / 1e6, counts["b"] / 1e6, counts["a"] / counts["bp"]))
    a = tool_rows[0][1]
    ratio = cm["wall_s"] / a["wall_s"]
    print("c/a  %-34s %6.2f   target >= 4      %s" % ("python script / " + tool_rows[0][0][4:], ratio,
                                                      verdict(ratio >= 4)))
    for label, m in tool_rows:
        rss = m["maxrss_kib"] * 1024
        limit = 64 * MIB + 1024 * resources
        print("RSS  %-34s %6.1f MiB <= %.1f MiB (64 MiB + 1 KiB x %d resources)   %s; %d B/resource" % (
            label[4:], rss / MIB, limit / MIB, resources, verdict(rss <= limit), rss / resources))
    snapshot_rows(run)
    tool_findings = load(run, "report.json")["summary"]["by_rule"]
    same = sum(tool_findings.get(r, 0) for r in (
        "version.mismatch", "status.mismatch", "heat-outputs.mismatch", "heat-outputs.undecodable",
        "refs.duplicate", "input.invalid-json"))
    print()
    print("check: the python script found %d; etcd-audit found %d for the same rules "
          "(version, status, heat-outputs, refs, invalid-json) and %d in all" % (
              cs["findings"], same, sum(tool_findings.values())))


def snapshot_rows(run):
    """The snapshot of the same store against its etcdctl-json range, when they ran."""
    summary = load(run, "s-report.json")
    if not summary:
        return
    resources = summary["summary"]["resources"]
    files = {name: os.path.getsize(os.path.join(run, "etcd", name)) for name in ("range.json", "snapshot.db")}
    print()
    print("snapshot: the same store loaded into etcd (%d s), %d resources; snapshot.db %.1f MB, range.json "
          "(etcdctl-json) %.1f MB" % (load(run, "s-load.json")["load_s"], resources, files["snapshot.db"] / MB,
                                      files["range.json"] / MB))
    fmt = "%-36s %8s %8s %13s %8s"
    print(fmt % ("measurement", "time s", "CPU s", "peak RSS MiB", "B/res"))
    measured = {}
    for input in ("range", "snapshot"):
        for name, args in (("jobs1", " --jobs 1"), ("default", "")):
            m = load(run, "s-%s-%s.json" % (input, name))
            measured[input, name] = m
            label = "(s) check %s%s" % ("snapshot.db" if input == "snapshot" else "range.json", args)
            print(fmt % (label, "%.3f" % m["wall_s"], "%.3f" % (m["user_s"] + m["sys_s"]),
                         "%.1f" % (m["maxrss_kib"] / 1024), "%d" % (m["maxrss_kib"] * 1024 / max(resources, 1))))
    print()
    limit = 64 * MIB + 1024 * resources
    for name, args in (("jobs1", "--jobs 1"), ("default", "default jobs")):
        snap, dump = measured["snapshot", name], measured["range", name]
        ratio = snap["wall_s"] / dump["wall_s"] if dump["wall_s"] > 0 else float("inf")
        print("s/r  %-34s %6.2f   target <= 1.20   %s" % (
            "time: snapshot/range, " + args, ratio, "met" if ratio <= 1.2 else "MISSED"))
    # Fingerprints name the rule, resource and values, not the file: the two reports of one
    # store must hold the same ones.
    snapshot_report = load(run, "s-snapshot-report.json")
    if snapshot_report:
        prints = lambda report: sorted(f["fingerprint"] for f in report["findings"])
        same = prints(snapshot_report) == prints(summary)
        print("same findings: snapshot %d, range %d   %s" % (
            len(snapshot_report["findings"]), len(summary["findings"]), "met" if same else "MISSED"))
    for name, args in (("jobs1", "--jobs 1"), ("default", "default jobs")):
        rss = measured["snapshot", name]["maxrss_kib"] * 1024
        print("RSS  %-34s %6.1f MiB <= %.1f MiB (64 MiB + 1 KiB x %d resources)   %s" % (
            "snapshot, " + args, rss / MIB, limit / MIB, resources, "met" if rss <= limit else "MISSED"))


if __name__ == "__main__":
    main()
