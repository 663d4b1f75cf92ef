#!/usr/bin/env bash
# Writes Samples/broken/<rule>.md: each rule's first "fires" example from Rules/, as a
# document like the seeds, so a newcomer can audit a store that shows the rule firing
# (<rule>.jsonl where the example needs revisions, which markdown cannot carry).
# Run after changing an example, then regenerate the golden reports:
#   UPDATE_GOLDENS=1 swift test --filter GoldenReportTests
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product etcd-audit >/dev/null
bin=.build/debug/etcd-audit
mkdir -p Samples/broken
rm -f Samples/broken/*.md Samples/broken/*.jsonl
for rule in $("$bin" rules | awk '{print $1}'); do
  sample=$("$bin" rules --sample "$rule")
  case "$sample" in
    "{"*) printf '%s\n' "$sample" > "Samples/broken/$rule.jsonl" ;;
    *) printf '%s\n' "$sample" > "Samples/broken/$rule.md" ;;
  esac
done
# More samples of one rule, where one example cannot show what a reader should see:
# "rule|example name|file name".
extra=(
  "schema.invalid|a stack output element that is not an object|schema.invalid.output-list"
)
for entry in "${extra[@]}"; do
  IFS='|' read -r rule example file <<<"$entry"
  "$bin" rules --sample "$rule" --example "$example" > "Samples/broken/$file.md"
done
ls Samples/broken | wc -l | xargs echo "broken samples:"
