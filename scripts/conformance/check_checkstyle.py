#!/usr/bin/env python3
"""Check a Checkstyle XML report (etcd-audit --report checkstyle) as its consumers read it.

    python3 scripts/conformance/check_checkstyle.py REPORT.xml [--against REPORT.json]

1. xmllint (Debian libxml2-utils) validates it against checkstyle.xsd beside this script
   (written from Checkstyle's XMLLogger and warnings-ng's parser: Checkstyle publishes
   no schema for its report);
2. diff-cover (PyPI diff-cover), which reads Checkstyle reports for `diff-quality
   --violations=checkstyle`, parses it: every <error> must come back as a violation of
   its file, with its line;
3. with --against, the JSON report of the same run: one <error> per finding, each with
   the source `etcd-audit.<rule>`, per rule.
Exit 0 when all is well, 1 on a problem, 2 on usage or a missing tool.
"""
import collections, json, os, shutil, subprocess, sys
import xml.etree.ElementTree as ElementTree

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv):
    against = None
    if "--against" in argv:
        i = argv.index("--against")
        against = argv[i + 1]
        del argv[i:i + 2]
    if len(argv) != 1:
        print(__doc__)
        return 2
    path = argv[0]
    if not shutil.which("xmllint"):
        print("xmllint missing: apt-get install libxml2-utils")
        return 2
    try:
        from diff_cover.violationsreporters.java_violations_reporter import CheckstyleXmlDriver
    except ImportError:
        print("diff-cover missing: pip install diff-cover")
        return 2
    problems = []
    schema = subprocess.run(["xmllint", "--noout", "--schema", os.path.join(HERE, "checkstyle.xsd"), path],
                            capture_output=True, text=True)
    if schema.returncode != 0:
        problems.append("not valid against checkstyle.xsd: " + " | ".join(schema.stderr.strip().splitlines()[:5]))
        print_result(problems)
        return 1
    print("schema:      valid (checkstyle.xsd, xmllint)")

    text = open(path, encoding="utf-8").read()
    errors = [(f.get("name"), e) for f in ElementTree.fromstring(text).iter("file") for e in f.iter("error")]
    violations = CheckstyleXmlDriver().parse_reports([text])
    read = collections.Counter({name: len(found) for name, found in violations.items()})
    written = collections.Counter(name for name, _ in errors)
    if read != written:
        problems.append("diff-cover read %s, the report holds %s" % (dict(read), dict(written)))
    lines = collections.Counter((name, int(e.get("line"))) for name, e in errors)
    lines_read = collections.Counter((name, v.line) for name, found in violations.items() for v in found)
    if lines != lines_read:
        problems.append("diff-cover read other lines than the report holds")
    print("diff-cover:  %d violations in %d files" % (sum(read.values()), len(read)))
    for name in written:
        if name.startswith("/"):
            print("warning: absolute file name %r (CI hosts map paths relative to the repository)" % name)

    if against:
        findings = json.load(open(against, encoding="utf-8")).get("findings", [])
        want = collections.Counter("etcd-audit." + f["rule"] for f in findings)
        have = collections.Counter(e.get("source") for _, e in errors)
        if want != have:
            for source in sorted(set(want) | set(have)):
                if want[source] != have[source]:
                    problems.append("against %s: %s: %d findings, %d errors" % (against, source, want[source], have[source]))
        else:
            print("against:     the JSON report's %d findings match the errors by rule" % len(findings))
    print_result(problems)
    return 1 if problems else 0


def print_result(problems):
    for p in problems:
        print("PROBLEM:", p)
    print("RESULT:", "FAIL" if problems else "OK")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
