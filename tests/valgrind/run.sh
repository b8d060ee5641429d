#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh BUILD_DIR: the vmctl binary of BUILD_DIR (an ordinary build, not
# a sanitizer one) under valgrind's memcheck, for a representative list of
# commands on every fixture host (tests/data/sysfs/*) and the demo host,
# and list/info on a libvirt test-driver scenario. Prints TAP, one line per
# command. ASan sees only the code it compiled; valgrind also sees what
# vmctl does with memory inside libxml2, GLib, json-glib and libvirt.
#
# A command fails on any memcheck error (invalid read or write, use of
# uninitialised memory, bad free) or definitely lost block, or when vmctl
# dies of a signal; its exit status otherwise (0, 1, 2) is the command's
# business. tests/valgrind/vmctl.supp names the libraries whose one-time
# allocations are not vmctl's; a leak of vmctl's own still fails.
#
# Commands per host: host check, iommu list, gpu list, gpu check --json of
# every display device, gpu detach --dry-run of the first, gpu status with
# an empty state directory, and create --print-xml without and with --gpu.
# create under valgrind costs seconds (libvirt's 57 libraries load), so
# every host runs one profile, in turn, and the demo host and
# clean-gpu-audio run all three. VALGRIND_JOBS (default 2) commands run at
# once.
set -u
build=${1:?usage: run.sh BUILD_DIR}
jobs=${VALGRIND_JOBS:-2}

if [ "${2:-}" = "--job" ]; then
  # one command: $3 is the job file (description, then one argument a line)
  job=$3
  set --
  description=
  while IFS= read -r line; do
    if [ -z "$description" ]; then
      description=$line
    else
      set -- "$@" "$line"
    fi
  done < "$job"
  started=$(date +%s)
  valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite --track-fds=no --num-callers=40 \
    --suppressions="$(dirname "$0")/vmctl.supp" --log-file="$job.valgrind" \
    "$@" >"$job.out" 2>"$job.err"
  echo $? >"$job.status"
  echo $(($(date +%s) - started)) >"$job.seconds"
  exit 0
fi

source_root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$build" && pwd)
vmctl="$build/src/cli/vmctl"
work=$(mktemp -d "${TMPDIR:-/tmp}/vmctl-valgrind.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/jobs" "$work/state"
if ! command -v valgrind >/dev/null 2>&1 || [ ! -x "$vmctl" ]; then
  echo "1..0 # SKIP valgrind or $vmctl missing"
  exit 1
fi

# the tests' environment: no daemon a developer's shell points at
export LIBVIRT_DEFAULT_URI=test:///nonexistent-by-design
export VMCTL_DEFAULT_URI=
export VMCTL_HOST_ROOT=
export VMCTL_DATA_DIR="$source_root/data"
export VMCTL_TEMPLATE_DIR="$source_root/xml-templates"
export G_DEBUG=fatal-criticals

n=0
add() {
  n=$((n + 1))
  file="$work/jobs/$(printf '%04d' "$n")"
  printf '%s\n' "$@" >"$file"
}

profiles="gaming workstation minimal"
i=0
for root in "$source_root"/tests/data/sysfs/* "$source_root/data/demo-host"; do
  host=$(basename "$root")
  if [ "$host" = demo-host ]; then
    uri="test://$source_root/data/demo-host.xml"
  else
    uri="test://$source_root/tests/data/libvirt/$host.xml"
  fi
  # the display devices, from an ordinary run
  gpus=$("$vmctl" --host-root "$root" --json gpu list 2>/dev/null | python3 -c '
import json, sys
try:
    print(" ".join(g["address"] for g in json.load(sys.stdin).get("gpus", [])))
except ValueError:
    pass')
  first=${gpus%% *}
  add "$host: host check" "$vmctl" --host-root "$root" -c "$uri" host check
  add "$host: iommu list" "$vmctl" --host-root "$root" iommu list
  add "$host: gpu list" "$vmctl" --host-root "$root" gpu list
  for gpu in $gpus; do
    add "$host: gpu check $gpu --json" "$vmctl" --host-root "$root" gpu check "$gpu" --json
  done
  if [ -n "$first" ]; then
    add "$host: gpu detach $first --dry-run" "$vmctl" --host-root "$root" \
      --state-dir "$work/state" gpu detach "$first" --dry-run
  fi
  add "$host: gpu status" "$vmctl" --host-root "$root" --state-dir "$work/state" gpu status
  case $host in
    demo-host|clean-gpu-audio) chosen=$profiles ;;
    *) chosen=$(echo "$profiles" | cut -d ' ' -f $((i % 3 + 1))) ;;
  esac
  i=$((i + 1))
  for profile in $chosen; do
    add "$host: create --profile $profile --print-xml" "$vmctl" --host-root "$root" -c "$uri" \
      create vg --profile "$profile" --print-xml
    if [ -n "$first" ]; then
      add "$host: create --gpu $first --profile $profile --print-xml" "$vmctl" \
        --host-root "$root" -c "$uri" create vg --gpu "$first" --profile "$profile" --print-xml
    fi
  done
done
vms="test://$source_root/tests/data/libvirt/vms.xml"
add "vms: list --all" "$vmctl" -c "$vms" list --all
add "vms: list --all --json" "$vmctl" -c "$vms" --json list --all
add "vms: info gamer" "$vmctl" -c "$vms" info gamer
add "vms: info web --json" "$vmctl" -c "$vms" --json info web

echo "1..$n"
find "$work/jobs" -type f -name "[0-9]*[0-9]" | sort | xargs -P "$jobs" -n 1 sh "$0" "$build" --job

status=0
for job in "$work"/jobs/[0-9]*; do
  case $(basename "$job") in *.*) continue ;; esac
  number=$(basename "$job" | sed 's/^0*//')
  description="$(head -n 1 "$job") ($(cat "$job.seconds" 2>/dev/null || echo ?) s)"
  result=$(cat "$job.status" 2>/dev/null || echo missing)
  case $result in
    0|1|2)
      echo "ok $number - $description"
      continue ;;
  esac
  status=1
  echo "not ok $number - $description: exit status $result"
  echo "# $(sed -n '2,$p' "$job" | tr '\n' ' ')"
  # each error's kind and the first frame in vmctl's own code
  awk '
    /are definitely lost in loss record/ { kind = "definitely lost"; want = 1; next }
    /^==[0-9]+== [A-Z]/ && !/^==[0-9]+== (HEAP|LEAK|ERROR|For|Memcheck|Copyright|Using|Command|Parent)/ {
      kind = $0; sub(/^==[0-9]+== /, "", kind); want = 1; next }
    want && /(at|by) 0x[0-9A-F]+: vmctl_/ {
      frame = $0; sub(/^==[0-9]+== +(at|by) 0x[0-9A-F]+: /, "", frame)
      print kind " in " frame; want = 0 }' "$job.valgrind" | sort | uniq -c \
    | sed 's/^ *\([0-9]*\) /# \1x /'
  sed -n 's/^==[0-9]*== \(ERROR SUMMARY.*\)/# \1/p' "$job.valgrind"
  grep -v '^==' "$job.err" | tail -n 3 | sed 's/^/# stderr: /'
done
exit $status
