#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# install-deps.sh: install what vmctl needs to build, test and run, on
# Debian/Ubuntu. Idempotent: packages already present are not reinstalled,
# and apt's lists are refreshed only when something is missing.
set -eu

# Every package a README command, the build or a test uses is listed here:
# CI runs on a fresh machine, and a test that passes only because someone
# installed a package by hand is a test that fails there.
#   build:            build-essential (also the static libc the guest's
#                     probe links), meson, ninja, pkg-config, the -dev packages
#   guest OSes:       libosinfo-1.0-dev (vmctl compiles against it and loads
#                     libosinfo for --os and 'vmctl os list') and osinfo-db,
#                     the database virt-install uses
#   daemon and VMs:   libvirt, QEMU, OVMF, libxml2-utils (xmllint, which
#                     virt-xml-validate runs); swtpm + swtpm-tools (libvirt lists
#                     the TPM emulator backend, and accepts a TPM 2.0 device,
#                     only when swtpm is installed); dnsmasq-base (libvirt's
#                     NAT network 'default' cannot start without it)
#   remote URIs:      openssh-server/-client (the real-guest suite runs an
#                     sshd on 127.0.0.1 for qemu+ssh://), netcat-openbsd
#                     (libvirt's fallback proxy when virt-ssh-helper is absent)
#   the test guest:   busybox-static (its initramfs), grub-pc-bin and
#                     grub-efi-amd64-bin + grub-common + xorriso + mtools (an
#                     ISO that boots under SeaBIOS and OVMF), shim-signed and
#                     grub-efi-amd64-signed (the Secure Boot chain Debian's own
#                     ISOs use); its kernel is downloaded, never installed
#   packaging:        scdoc (the man page), zsh (its completion is tested),
#                     bash-completion (its pkg-config file names the
#                     directory the bash completion installs to, as on a
#                     user's machine), debhelper, dpkg-dev, lintian
#   systemd, logind:  dbus (the private bus the tests start) and
#                     python3-dbusmock (its systemd and logind templates stand in
#                     for the system bus: CPU isolation, single-GPU hand-off,
#                     sleep inhibitor)
packages="
  build-essential meson ninja-build pkg-config python3
  libglib2.0-dev libxml2-dev libjson-glib-dev libvirt-dev libpci-dev pci.ids pciutils
  libosinfo-1.0-dev osinfo-db
  libvirt-daemon libvirt-daemon-driver-qemu libvirt-daemon-system libvirt-clients
  qemu-system-x86 qemu-utils ovmf
  clang libclang-rt-14-dev valgrind
  scdoc zsh bash-completion systemd debhelper dpkg-dev lintian
  swtpm swtpm-tools dnsmasq-base libxml2-utils
  openssh-server openssh-client netcat-openbsd
  busybox-static grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools
  shim-signed grub-efi-amd64-signed
  dbus python3-dbusmock
"

if [ "$(id -u)" -ne 0 ]; then
  exec sudo "$0" "$@"
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps.sh: this script knows apt only; install the equivalents of:" >&2
  echo "$packages" >&2
  exit 1
fi

missing=""
for package in $packages; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $package" ;;
  esac
done

if [ -z "$missing" ]; then
  echo "install-deps.sh: all packages present"
  exit 0
fi
echo "install-deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
