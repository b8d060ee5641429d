#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-uninstalled.sh SOURCE_ROOT VMCTL: a vmctl run from its build tree
# finds the source tree's profiles, quirks and templates with no variable
# set, through the vmctl-uninstalled.ini meson writes beside it (nothing of
# the tree is compiled in: tests/install-check.sh checks the installed
# files); a copy of the binary beside another such file uses what that
# names, and ignores a file naming no usable directory. TAP output.

# the helpers below are called through tap_check, which shellcheck cannot see
# shellcheck disable=SC2317
root=${1:?usage: test-uninstalled.sh SOURCE_ROOT VMCTL}
vmctl=${2:?usage: test-uninstalled.sh SOURCE_ROOT VMCTL}
. "$root/tests/tap.sh"
tap_dir=$(mktemp -d "${TMPDIR:-/tmp}/vmctl-uninstalled-XXXXXX") || exit 1
trap 'rm -rf "$tap_dir"' EXIT
unset VMCTL_DATA_DIR VMCTL_TEMPLATE_DIR
demo=$root/data/demo-host
cd "$tap_dir" || exit 1

build_tree_works() {
  "$vmctl" --host-root "$demo" create gamer --gpu 01:00.0 --profile gaming --print-xml \
    > "$tap_dir/gamer.xml" || return 1
  grep -q '<hyperv' "$tap_dir/gamer.xml"
}
tap_check "the build tree's vmctl builds a gaming VM from the source tree, no variable set" \
  build_tree_works
tap_check "... beside the file meson wrote" test -f "$(dirname "$vmctl")/vmctl-uninstalled.ini"

# a copy beside a file naming a data directory with one profile of its own
mkdir -p "$tap_dir/bin" "$tap_dir/data/profiles"
cp "$vmctl" "$tap_dir/bin/vmctl"
cp "$root/data/profiles/minimal.conf" "$tap_dir/data/profiles/only-here.conf"
# without the host-critical list no device is judged at all
cp "$root/data/host-critical.conf" "$tap_dir/data/"
cat > "$tap_dir/bin/vmctl-uninstalled.ini" <<INI
[uninstalled]
data-dir=$tap_dir/data
template-dir=$root/xml-templates
INI
tap_check "the copy uses the data the file names" \
  "$tap_dir/bin/vmctl" --host-root "$demo" create t --profile only-here --print-xml
names_only_its_own() {
  ! "$tap_dir/bin/vmctl" --host-root "$demo" create t --profile gaming --print-xml >/dev/null \
    2> "$tap_dir/stderr"
  cat "$tap_dir/stderr"
  grep -q 'available: only-here)' "$tap_dir/stderr"
}
tap_check "... and only that" names_only_its_own
cat > "$tap_dir/bin/vmctl-uninstalled.ini" <<INI
[uninstalled]
data-dir=relative/data
template-dir=$tap_dir/nowhere
INI
ignores_unusable() {
  ! "$tap_dir/bin/vmctl" --host-root "$demo" create t --profile only-here --print-xml >/dev/null \
    2> "$tap_dir/stderr"
  cat "$tap_dir/stderr"
  ! grep -q -e relative/data -e "$tap_dir" "$tap_dir/stderr"
}
tap_check "a relative or missing directory in the file is ignored" ignores_unusable
tap_done
