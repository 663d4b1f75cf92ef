#!/usr/bin/env python3
"""What an operator would otherwise write: a plain json-module script doing four of
etcd-audit's checks on an etcdctl-json dump (`etcdctl get --prefix "" -w json`).

    python_audit.py DUMP.json [--summary RESULT.json]

It loads the dump whole, base64-decodes keys and values, groups the records by resource
and checks:
  version      state / monitoring version vs config version (an operation in flight, a job
               for config.version with the state older or absent, is not a mismatch),
               and no job newer than config
  status       stack_status, job_state orchestration_state and the state's
               orchestration_state all equal
  heat-outputs the state's heat_outputs string decodes to a list of outputs; the
               output_key -> output_value maps of stack, job_state and state agree
  refs         no job param's resources list names one (resource_type, resource_id) twice
Values that are not JSON are counted as findings too. Prints the finding count per check.
"""
import base64
import collections
import json
import sys

KINDS = [("/config/", "config"), ("/esi-worker/heat_stacks/", "stack"),
         ("/esi-worker/job_state/", "job_state"), ("/state/", "state"), ("/monitoring/", "monitoring")]


def classify(key):
    """(kind, resource type, resource id, job version) of a key, or None."""
    if key.startswith("/jobs/all/"):
        parts = key[len("/jobs/all/"):].split(":")
        if len(parts) != 6:
            return None
        action, handler, singular, rid, version, nonce = parts
        return "job", singular, rid, int(version) if version.isdigit() else None
    for prefix, kind in KINDS:
        if key.startswith(prefix):
            parts = key.split("/")
            plural, rid = parts[-2], parts[-1]
            return kind, plural[:-1] if plural.endswith("s") else plural, rid, None
    return None


def output_map(outputs):
    if not isinstance(outputs, list) or not all(isinstance(o, dict) and isinstance(o.get("output_key"), str)
                                                for o in outputs):
        return None
    return {o["output_key"]: o.get("output_value") for o in outputs}


def main():
    args = sys.argv[1:]
    summary_path = None
    if "--summary" in args:
        i = args.index("--summary")
        summary_path = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1:
        sys.exit(__doc__)
    with open(args[0]) as f:
        dump = json.load(f)

    findings = collections.Counter()
    resources = collections.defaultdict(lambda: {"jobs": []})
    for kv in dump.get("kvs", []):
        key = base64.b64decode(kv["key"]).decode("utf-8", "replace")
        where = classify(key)
        if where is None:
            continue
        kind, rtype, rid, job_version = where
        resource = resources[(rtype, rid)]
        try:
            value = json.loads(base64.b64decode(kv.get("value", "")))
        except ValueError:
            findings["invalid-json"] += 1
            value = None
        if kind == "job":
            resource["jobs"].append((job_version, value))
        else:
            resource[kind] = value
    del dump

    for (rtype, rid), r in resources.items():
        config, state, monitoring = r.get("config"), r.get("state"), r.get("monitoring")
        stack, job_state = r.get("stack"), r.get("job_state")
        inner = state.get("state") if isinstance(state, dict) else None
        inner = inner if isinstance(inner, dict) else {}

        # version
        if isinstance(config, dict) and isinstance(config.get("version"), int):
            cv = config["version"]
            sv = state.get("version") if isinstance(state, dict) else None
            in_flight = any(v == cv for v, _ in r["jobs"]) and (sv is None or (isinstance(sv, int) and sv < cv))
            if not in_flight:
                if isinstance(state, dict) and sv != cv:
                    findings["version"] += 1
                if isinstance(monitoring, dict) and monitoring.get("version") != cv:
                    findings["version"] += 1
            findings["version"] += sum(1 for v, _ in r["jobs"] if v is not None and v > cv)

        # status
        statuses = {s for s in (stack.get("stack_status") if isinstance(stack, dict) else None,
                                job_state.get("orchestration_state") if isinstance(job_state, dict) else None,
                                inner.get("orchestration_state")) if s is not None}
        if len(statuses) > 1:
            findings["status"] += 1

        # heat outputs
        maps = []
        if isinstance(stack, dict) and "output" in stack:
            maps.append(output_map(stack["output"]))
        if isinstance(job_state, dict) and "heat_outputs" in job_state:
            maps.append(output_map(job_state["heat_outputs"]))
        if "heat_outputs" in inner:
            encoded = inner["heat_outputs"]
            try:
                decoded = json.loads(encoded) if isinstance(encoded, str) else encoded
            except ValueError:
                decoded = None
            state_map = output_map(decoded)
            if state_map is None:
                findings["heat-outputs-undecodable"] += 1
            maps.append(state_map)
        maps = [m for m in maps if m is not None]
        if len(maps) >= 2 and any(m != maps[0] for m in maps[1:]):
            findings["heat-outputs"] += 1

        # duplicate refs
        for _, job in r["jobs"]:
            body = job[1] if isinstance(job, list) and len(job) == 3 and isinstance(job[1], dict) else {}
            for param in body.get("params") or []:
                seen = set()
                for ref in (param.get("resources") or []) if isinstance(param, dict) else []:
                    ref_id = (ref.get("resource_type"), ref.get("resource_id")) if isinstance(ref, dict) else None
                    if ref_id in seen:
                        findings["refs"] += 1
                        break
                    seen.add(ref_id)

    total = sum(findings.values())
    print("resources %d" % len(resources))
    for check in sorted(findings):
        print("%-26s %d" % (check, findings[check]))
    print("findings %d" % total)
    if summary_path:
        with open(summary_path, "w") as out:
            json.dump({"resources": len(resources), "findings": total, "by_check": dict(findings)}, out)


if __name__ == "__main__":
    main()
