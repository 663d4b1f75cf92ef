#!/usr/bin/env python3
"""Validate a GitLab Code Quality report (etcd-audit --report gitlab) against
codeclimate-issues.schema.json beside this script, with python jsonschema.

    python3 scripts/conformance/check_codequality_schema.py REPORT.json

The schema is written from the Code Climate analyzer spec and GitLab's Code Quality
documentation (neither publishes one); what GitLab itself checks (unique fingerprints,
relative paths, one issue per finding) is ../shared/conformance/check_gitlab_codequality.py's.
Exit 0 valid, 1 invalid, 2 usage or jsonschema missing.
"""
import json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv):
    if len(argv) != 1:
        print(__doc__)
        return 2
    try:
        import jsonschema
    except ImportError:
        print("python jsonschema missing: pip install jsonschema")
        return 2
    schema = json.load(open(os.path.join(HERE, "codeclimate-issues.schema.json")))
    try:
        report = json.load(open(argv[0], encoding="utf-8"))
    except ValueError as e:
        print("PROBLEM: not JSON: %s" % e)
        print("RESULT: FAIL")
        return 1
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(report), key=lambda e: list(e.absolute_path))
    for e in errors[:10]:
        print("PROBLEM: at /%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message[:200]))
    print("issues: %d, schema errors: %d" % (len(report) if isinstance(report, list) else 0, len(errors)))
    print("RESULT:", "FAIL" if errors else "OK")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
