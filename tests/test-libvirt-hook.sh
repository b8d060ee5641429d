#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-libvirt-hook.sh SOURCE_ROOT: runs contrib/libvirt-hook/qemu the way
# libvirt does (arguments, domain XML on stdin) against a fake vmctl and a
# fake logger that record their arguments. TAP output. The hook with the
# real vmctl under the simulated kernel is tests/test-hook.c.

# the helpers below are called through check, which shellcheck cannot see
# shellcheck disable=SC2317
root=${1:?usage: test-libvirt-hook.sh SOURCE_ROOT}
hook=$root/contrib/libvirt-hook/qemu
work=$(mktemp -d "${TMPDIR:-/tmp}/vmctl-hook-XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
count=0
failed=0

ok () {
  count=$((count + 1))
  printf 'ok %d - %s\n' "$count" "$1"
}

not_ok () {
  count=$((count + 1))
  failed=1
  printf 'not ok %d - %s\n' "$count" "$1"
  shift
  for line in "$@"; do
    printf '#   %s\n' "$line"
  done
}

check () {
  description=$1
  shift
  if "$@"; then ok "$description"; else not_ok "$description" "failed: $*"; fi
}

# the fakes live in bin/ and write to files named by environment variables,
# which the hook passes on to what it runs
mkdir "$work/bin"
cat > "$work/bin/vmctl" <<'EOF'
#!/bin/sh
printf '%s\n' "$@" > "$FAKE_VMCTL_RECORD"
cat > "$FAKE_VMCTL_RECORD.stdin"
[ -z "${FAKE_VMCTL_SLEEP-}" ] || sleep "$FAKE_VMCTL_SLEEP"
echo "fake vmctl says hello"
exit "${FAKE_VMCTL_STATUS:-0}"
EOF
cat > "$work/bin/logger" <<'EOF'
#!/bin/sh
printf '%s\n' "$*" >> "$FAKE_LOGGER_RECORD"
EOF
chmod +x "$work/bin/vmctl" "$work/bin/logger"
# a timeout(1) that records its limit, then runs the command
mkdir "$work/timeout-bin"
cat > "$work/timeout-bin/timeout" <<'EOF'
#!/bin/sh
printf '%s\n' "$1" > "$FAKE_TIMEOUT_RECORD"
shift
exec "$@"
EOF
chmod +x "$work/timeout-bin/timeout"

cat > "$work/vmctl.xml" <<'EOF'
<domain type='kvm'>
  <name>gamer</name>
  <metadata>
    <vmctl:vmctl xmlns:vmctl="http://vmctl.dev/xmlns/domain/1" version="0.1.0"/>
  </metadata>
</domain>
EOF
cat > "$work/other.xml" <<'EOF'
<domain type='kvm'>
  <name>gamer</name>
  <metadata>
    <app:thing xmlns:app="http://example.org/other"/>
  </metadata>
</domain>
EOF

FAKE_VMCTL_RECORD=$work/vmctl.args
FAKE_LOGGER_RECORD=$work/logger.args
FAKE_TIMEOUT_RECORD=$work/timeout.args
export FAKE_VMCTL_RECORD FAKE_LOGGER_RECORD FAKE_TIMEOUT_RECORD
unset FAKE_VMCTL_STATUS FAKE_VMCTL_SLEEP VMCTL_HOOK_TIMEOUT
base_path=$work/bin:$PATH

# run_hook XML ARGS...: the hook with the fakes, as libvirt would; sets
# $status, and $work/out and $work/err hold its stdout and stderr
run_hook () {
  xml=$1
  shift
  rm -f "$FAKE_VMCTL_RECORD" "$FAKE_VMCTL_RECORD.stdin" "$FAKE_LOGGER_RECORD"
  PATH=${hook_path:-$base_path} VMCTL_HOOK_BIN=${hook_bin-$work/bin/vmctl} \
    "$hook" "$@" < "$xml" > "$work/out" 2> "$work/err"
  status=$?
}

called_with () {
  [ -f "$FAKE_VMCTL_RECORD" ] && [ "$(cat "$FAKE_VMCTL_RECORD")" = "$1" ]
}

not_called () {
  [ ! -e "$FAKE_VMCTL_RECORD" ]
}

logged () {
  [ -f "$FAKE_LOGGER_RECORD" ] && grep -q -e "$1" "$FAKE_LOGGER_RECORD"
}

check "the hook is executable" test -x "$hook"

run_hook "$work/vmctl.xml" gamer release end shutdown
check "release of a vmctl domain exits 0" test "$status" -eq 0
check "release of a vmctl domain runs 'vmctl gpu reattach --vm gamer --hook'" \
  called_with "gpu
reattach
--vm
gamer
--hook"
check "nothing is written to stdout (libvirt reads it as domain XML)" test ! -s "$work/out"
check "success is logged with tag vmctl-hook" logged "^-t vmctl-hook -p daemon.info"

run_hook "$work/other.xml" gamer release end shutdown
check "release of a domain without the vmctl namespace exits 0" test "$status" -eq 0
check "release of a domain without the vmctl namespace does not run vmctl" not_called

for operation in start started stopped migrate restore reconnect; do
  run_hook "$work/vmctl.xml" gamer "$operation" begin -
  if [ "$status" -eq 0 ] && not_called && [ ! -s "$work/out" ]; then
    ok "'$operation' does not run vmctl"
  else
    not_ok "'$operation' does not run vmctl" "status $status"
  fi
done

# prepare: the start's detach, from the domain XML on stdin
run_hook "$work/vmctl.xml" gamer prepare begin -
check "prepare of a vmctl domain exits 0 when vmctl does" test "$status" -eq 0
check "prepare runs 'vmctl gpu detach --vm gamer --hook'" called_with "gpu
detach
--vm
gamer
--hook"
check "prepare hands vmctl the domain XML on stdin" \
  grep -q "http://vmctl.dev/xmlns/domain/1" "$FAKE_VMCTL_RECORD.stdin"
check "prepare writes nothing to stdout" test ! -s "$work/out"
run_hook "$work/vmctl.xml" gamer prepare end -
check "only 'prepare begin' runs vmctl" not_called
run_hook "$work/other.xml" gamer prepare begin -
check "prepare of a domain without the vmctl namespace does not run vmctl" not_called
FAKE_VMCTL_STATUS=1
export FAKE_VMCTL_STATUS
run_hook "$work/vmctl.xml" gamer prepare begin -
unset FAKE_VMCTL_STATUS
check "a failed prepare exits non-zero, so libvirt refuses the start" test "$status" -ne 0
check "a failed prepare shows vmctl's message on stderr (libvirt reports it)" \
  grep -q "fake vmctl says hello" "$work/err"
check "a failed prepare is logged" logged "daemon.err .*not started"
hook_bin=$work/missing/vmctl
run_hook "$work/vmctl.xml" gamer prepare begin -
unset hook_bin
check "prepare without a vmctl that runs fails the start" test "$status" -ne 0

# the default limit: what a 4-function reattach needs plus margin
hook_path=$work/timeout-bin:$base_path
rm -f "$FAKE_TIMEOUT_RECORD"
run_hook "$work/vmctl.xml" gamer release end shutdown
unset hook_path
check "vmctl is run under timeout(1) with the default limit of 30 s" \
  test "$(cat "$FAKE_TIMEOUT_RECORD" 2>/dev/null)" = 30

FAKE_VMCTL_STATUS=3
export FAKE_VMCTL_STATUS
run_hook "$work/vmctl.xml" gamer release end destroyed
check "a failing vmctl still lets the hook exit 0" test "$status" -eq 0
check "the failure goes to syslog with tag vmctl-hook" logged "^-t vmctl-hook -p daemon.err .*exit 3"
check "the failure log carries vmctl's output" logged "fake vmctl says hello"

# no logger on PATH (and no timeout): stderr instead
mkdir "$work/bare"
ln -s "$(command -v cat)" "$work/bare/cat"
hook_path=$work/bare
run_hook "$work/vmctl.xml" gamer release end destroyed
unset hook_path
check "without logger the hook still exits 0" test "$status" -eq 0
check "without logger the failure goes to stderr" grep -q "^vmctl-hook: .*exit 3" "$work/err"
unset FAKE_VMCTL_STATUS

# libvirt passes guest names through untouched: one argument, never a shell word
run_hook "$work/vmctl.xml" 'my vm; touch pwned' release end shutdown
check "a guest name with spaces and ';' reaches vmctl as one argument" \
  called_with "gpu
reattach
--vm
my vm; touch pwned
--hook"
check "a guest name is never run by a shell" test ! -e "$work/pwned"

# without VMCTL_HOOK_BIN the vmctl on PATH is used
hook_bin=
run_hook "$work/vmctl.xml" gamer release end shutdown
check "without VMCTL_HOOK_BIN vmctl is found on PATH" called_with "gpu
reattach
--vm
gamer
--hook"
unset hook_bin

hook_bin=$work/missing/vmctl
run_hook "$work/vmctl.xml" gamer release end shutdown
unset hook_bin
check "a vmctl that cannot run still lets the hook exit 0" test "$status" -eq 0
check "a vmctl that cannot run is logged" logged "daemon.err .*failed"

FAKE_VMCTL_SLEEP=10
VMCTL_HOOK_TIMEOUT=1
export FAKE_VMCTL_SLEEP VMCTL_HOOK_TIMEOUT
started=$(date +%s)
run_hook "$work/vmctl.xml" gamer release end shutdown
elapsed=$(($(date +%s) - started))
unset FAKE_VMCTL_SLEEP VMCTL_HOOK_TIMEOUT
if command -v timeout >/dev/null 2>&1; then
  check "a stuck vmctl is stopped after VMCTL_HOOK_TIMEOUT" test "$status" -eq 0 -a "$elapsed" -lt 8
  check "a stuck vmctl is logged" logged "did not finish within 1s"
  # a release cut short may leave host changes (CPU isolation, the
  # single-GPU hand-off, the sleep inhibitor) as well as devices: only
  # 'host recover' gives back both
  check "a stuck release names vmctl host recover" logged "did not finish within 1s.*run 'vmctl host recover'"
else
  ok "# SKIP no timeout(1) on this host"
  ok "# SKIP no timeout(1) on this host"
  ok "# SKIP no timeout(1) on this host"
fi

printf '1..%d\n' "$count"
exit "$failed"
