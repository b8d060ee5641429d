#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh BUILD_DIR [SECONDS]: run every libFuzzer harness built in
# BUILD_DIR (configured with -Dfuzzing=true, see meson_options.txt) for
# SECONDS each (default 30), one after the other, and print TAP: one
# "ok"/"not ok" per harness. A harness fails on any crash, sanitizer
# report, leak, GLib warning or critical, timeout (10 s for one input) or
# RSS above 2 GiB; the reproducer's path and the input in base64 follow
# its "not ok" line.
#
# Each harness starts from its committed seeds in tests/fuzz/corpus/NAME/
# (NAME is the harness without "fuzz-"), copied to a temporary directory:
# libFuzzer adds every input that finds new coverage to its corpus, and
# that must never be the source tree. Reproducers are kept in
# BUILD_DIR/fuzz-artifacts/. Exit status 0 only when every harness passed.
set -u
build=${1:?usage: run.sh BUILD_DIR [SECONDS]}
seconds=${2:-30}
source_dir=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/vmctl-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"
artifacts=$(cd "$artifacts" && pwd)

harnesses=$(find "$build/tests/fuzz" -maxdepth 1 -type f -name 'fuzz-*' -perm -u+x 2>/dev/null | sort)
if [ -z "$harnesses" ]; then
  echo "1..0 # SKIP no harness in $build/tests/fuzz (configure it with -Dfuzzing=true)"
  exit 1
fi
echo "1..$(echo "$harnesses" | wc -l)"

# abort_on_error: a report ends the process the way libFuzzer expects.
# The fast unwinder records only the frames that keep frame pointers, which
# Debian's GLib and libxml2 do not: a reproducer is therefore run once more
# with the slow one (fast_unwind_on_malloc=0), which names every frame of a
# leak but costs 30 times the inputs per second in the run itself.
asan_options=detect_leaks=1:abort_on_error=1:strict_string_checks=1
ASAN_OPTIONS=$asan_options
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS UBSAN_OPTIONS

n=0
status=0
for harness in $harnesses; do
  n=$((n + 1))
  name=$(basename "$harness")
  corpus="$work/$name.corpus"
  log="$work/$name.log"
  mkdir -p "$corpus" "$artifacts/$name" "$work/tmp"
  if [ -d "$source_dir/corpus/${name#fuzz-}" ]; then
    cp "$source_dir/corpus/${name#fuzz-}"/* "$corpus"/ 2>/dev/null
  fi
  seeds=$(find "$corpus" -type f | wc -l)
  # TMPDIR: the harnesses' scratch host root goes with $work even when a
  # crash skips their own clean-up
  TMPDIR="$work/tmp" "$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/$name/" "$corpus" >"$log" 2>&1
  result=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  grown=$(($(find "$corpus" -type f | wc -l) - seeds))
  if [ "$result" -eq 0 ]; then
    echo "ok $n - $name: ${runs:-?} inputs in ${seconds} s, $seeds seeds, $grown new"
    continue
  fi
  status=1
  echo "not ok $n - $name: exit status $result after ${runs:-?} inputs"
  # the reproducer libFuzzer wrote (crash-*, leak-*, timeout-*, oom-*)
  reproducer=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
  if [ -n "$reproducer" ] && [ -f "$reproducer" ]; then
    echo "# reproducer: $reproducer"
    echo "# run it again: $harness $reproducer"
    echo "# input (base64): $(base64 -w 0 "$reproducer")"
    TMPDIR="$work/tmp" ASAN_OPTIONS=$asan_options:fast_unwind_on_malloc=0 \
      "$harness" "$reproducer" >"$log.again" 2>&1 \
      && echo "# (the reproducer alone does not fail: the state of earlier inputs matters)"
    log="$log.again"
  fi
  # the report itself, without libFuzzer's progress lines
  grep -v -e '^#[0-9]' -e '^INFO:' -e '^stat::' -e '^Running:' -e '^Executed' "$log" \
    | tail -n 60 | sed 's/^/# /'
done
exit $status
