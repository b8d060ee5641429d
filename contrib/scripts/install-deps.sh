#!/bin/sh
# install-deps.sh: install what vmctl needs to build, test and run, on
# Debian/Ubuntu. Idempotent: packages already present are not reinstalled,
# and apt's lists are refreshed only when something is missing.
set -eu

packages="
  build-essential meson ninja-build pkg-config python3
  libglib2.0-dev libxml2-dev libjson-glib-dev libvirt-dev libpci-dev pci.ids pciutils
  libvirt-daemon libvirt-daemon-driver-qemu libvirt-daemon-system libvirt-clients
  qemu-system-x86 qemu-utils ovmf
  clang libclang-rt-14-dev valgrind
  scdoc zsh systemd debhelper dpkg-dev lintian
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
