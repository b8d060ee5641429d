#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# quickstart.sh: from a fresh Debian/Ubuntu machine to vmctl's answer.
#   1. install the build and runtime dependencies (apt),
#   2. make sure libvirtd answers (so the libvirt check is real),
#   3. build vmctl and install it (meson install, /usr/local), so that
#      'vmctl' works by name afterwards,
#   4. ask this host whether it is ready and which GPUs can be passed through,
#   5. if this host has no IOMMU (a laptop with VT-d off, a cloud VM),
#      ask the same of the bundled demo host in data/demo-host/,
#   6. take a VM with vmctl's defaults (what 'vmctl create NAME' makes, on
#      libvirt's 'default' network, plus a 64 MiB disk) through its life:
#      create, start, list, destroy, undefine (with its disk).
# A negative verdict is an answer, not an error: this script exits 0 when
# everything ran, whatever the host is like.
set -eu
cd "$(dirname "$0")/../.."

contrib/scripts/install-deps.sh
contrib/scripts/setup-libvirt.sh

if [ ! -f build/build.ninja ]; then
  meson setup build >/dev/null
fi
ninja -C build >/dev/null
# installed with the data and templates it reads, the libvirt hook and
# libvmctl; meson runs ldconfig for a prefix outside DESTDIR
meson install -C build --quiet
vmctl=$(command -v vmctl || true)
if [ -z "$vmctl" ]; then
  prefix=$(meson introspect build --buildoptions \
           | python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])')
  echo "quickstart.sh: vmctl was installed to $prefix/bin, which is not on PATH" >&2
  vmctl=$prefix/bin/vmctl
fi

run() {
  printf '\n$ vmctl %s\n' "$*"
  "$vmctl" "$@" || true
}

run host check
run gpu list

groups=$(find /sys/kernel/iommu_groups -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
if [ "$groups" -eq 0 ]; then
  demo=data/demo-host
  printf '\nThis host has no IOMMU groups, so nothing here can be passed through.\n'
  printf 'The same commands against the bundled demo host (%s), a typical\n' "$demo"
  printf 'gaming workstation with an Intel iGPU and an RTX 4080:\n'
  run --host-root "$demo" host check
  run --host-root "$demo" gpu list
  run --host-root "$demo" gpu check 01:00.0
  # what a detach would write there (a dry run writes and creates nothing)
  run --host-root "$demo" --state-dir "${TMPDIR:-/tmp}/vmctl-quickstart-state" \
    gpu detach 01:00.0 --dry-run
fi
# A VM's life on this machine's libvirtd, with the defaults a user gets
# from 'vmctl create NAME' (profile, firmware, CPU and virtualization type
# chosen for this host), on libvirt's 'default' network (setup-libvirt.sh
# started it), with a 64 MiB disk; removed afterwards.
vm=vmctl-quickstart-$$
cleanup() {
  "$vmctl" destroy "$vm" >/dev/null 2>&1 || true
  "$vmctl" undefine "$vm" --remove-storage >/dev/null 2>&1 || true
}
trap cleanup EXIT
printf '\nA VM on this machine, from definition to removal:\n'
run create "$vm" --disk size=64M
run start "$vm"
run list
run destroy "$vm"
run undefine "$vm" --remove-storage
trap - EXIT

printf '\nvmctl is installed as %s; run "vmctl --help" for more.\n' "$vmctl"
