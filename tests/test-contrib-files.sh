#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-contrib-files.sh SOURCE_ROOT VMCTL UNIT HOOK_RUNNER BINDIR HOOK: the
# files vmctl installs into other programs' directories, as meson
# configured them: vmctl-recover.service (systemd-analyze verify, when
# there is one, and its ordering around libvirt) and the runner of the
# libvirt hook (it runs the hook with stdin, arguments and VMCTL_HOOK_BIN,
# and does nothing, quietly, once vmctl is gone). TAP output.

# the helpers below are called through tap_check, which shellcheck cannot see
# shellcheck disable=SC2317
usage="usage: test-contrib-files.sh SOURCE_ROOT VMCTL UNIT HOOK_RUNNER BINDIR HOOK"
root=${1:?$usage}
vmctl=${2:?$usage}
unit=${3:?$usage}
runner=${4:?$usage}
bindir=${5:?$usage}
hook=${6:?$usage}
. "$root/tests/tap.sh"
tap_dir=$(mktemp -d "${TMPDIR:-/tmp}/vmctl-contrib-XXXXXX") || exit 1
trap 'rm -rf "$tap_dir"' EXIT

# ---- vmctl-recover.service
unit_has() {
  grep -qx "$1" "$unit" || { echo "no line '$1' in $unit:"; cat "$unit"; return 1; }
}
tap_check "the unit runs the installed vmctl gpu recover" \
  unit_has "ExecStart=$bindir/vmctl gpu recover"
tap_check "the unit runs once" unit_has "Type=oneshot"
tap_check "the unit runs after libvirt's daemons (to ask which VMs run)" \
  unit_has "After=libvirtd.service virtqemud.service"
tap_check "the unit runs before libvirt-guests starts guests" \
  unit_has "Before=libvirt-guests.service"
tap_check "the unit is enabled for boot" unit_has "WantedBy=multi-user.target"
# verify checks that ExecStart exists: point it at the vmctl just built
verify_unit() {
  sed "s|^ExecStart=$bindir/vmctl |ExecStart=$vmctl |" "$unit" > "$tap_dir/vmctl-recover.service"
  # --man=no: the page is vmctl(1), built (not installed) in this tree
  systemd-analyze verify --man=no "$tap_dir/vmctl-recover.service" > "$tap_dir/verify" 2>&1
  status=$?
  cat "$tap_dir/verify"
  # warnings (an unknown key, a bad value) exit 0 too: any output fails
  [ "$status" -eq 0 ] && [ ! -s "$tap_dir/verify" ]
}
if command -v systemd-analyze >/dev/null 2>&1; then
  tap_check "systemd-analyze verify finds nothing to say" verify_unit
else
  tap_skip "systemd-analyze verify" "systemd-analyze is not installed"
fi

# ---- the hook runner
tap_check "the runner names the installed hook" grep -q "exec '$hook' \"\$@\"" "$runner"
# the runner with the hook replaced by one that records what it got
mkdir "$tap_dir/hooks"
cat > "$tap_dir/fake-hook" <<HOOK
#!/bin/sh
printf '%s\n' "\$*" > "$tap_dir/hook.args"
printf '%s\n' "\$VMCTL_HOOK_BIN" > "$tap_dir/hook.bin"
cat > "$tap_dir/hook.stdin"
HOOK
chmod +x "$tap_dir/fake-hook"
sed "s|$hook|$tap_dir/fake-hook|g" "$runner" > "$tap_dir/hooks/vmctl"
chmod +x "$tap_dir/hooks/vmctl"
runs_hook() {
  echo '<domain/>' | env -u VMCTL_HOOK_BIN "$tap_dir/hooks/vmctl" gamer release end - > "$tap_dir/stdout" \
    && [ "$(cat "$tap_dir/hook.args")" = "gamer release end -" ] \
    && [ "$(cat "$tap_dir/hook.stdin")" = "<domain/>" ] \
    && [ "$(cat "$tap_dir/hook.bin")" = "$bindir/vmctl" ] \
    && [ ! -s "$tap_dir/stdout" ]
}
tap_check "the runner runs the hook with libvirt's arguments, stdin and the installed vmctl" runs_hook
keeps_bin() {
  echo '<domain/>' | VMCTL_HOOK_BIN=/opt/vmctl "$tap_dir/hooks/vmctl" gamer release end - \
    && [ "$(cat "$tap_dir/hook.bin")" = /opt/vmctl ]
}
tap_check "a VMCTL_HOOK_BIN set for the runner wins" keeps_bin
# vmctl removed, the runner (a conffile) kept
gone() {
  rm -f "$tap_dir/fake-hook"
  # more than a pipe holds: the writer (libvirt) finishes only when the
  # runner reads it all, and gets EPIPE when it does not
  out=$( { head -c 200000 /dev/zero && touch "$tap_dir/written"; } \
    | "$tap_dir/hooks/vmctl" gamer prepare begin -)
  status=$?
  echo "exit $status, stdout '$out'"
  [ "$status" -eq 0 ] && [ -z "$out" ] && [ -f "$tap_dir/written" ]
}
tap_check "with vmctl gone the runner reads stdin, says nothing and exits 0" gone
tap_done
