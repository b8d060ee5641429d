#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# setup-libvirt.sh: make sure a libvirt daemon with the QEMU driver answers
# on qemu:///system. With systemd it uses the service; in a container
# without a service manager it prepares what the packages' units would
# (directories, QEMU running as root, hugetlbfs) and starts libvirtd itself.
# Then it makes sure libvirt's NAT network 'default' is active and marked
# autostart: 'vmctl create NAME' puts the VM on it, and libvirt refuses to
# start a domain on an inactive network ("network 'default' is not
# active"). Idempotent: a daemon that already answers is left alone.
set -eu

uri=qemu:///system
timeout=${VMCTL_LIBVIRT_TIMEOUT:-60}

if [ "$(id -u)" -ne 0 ]; then
  exec sudo "$0" "$@"
fi

answers() {
  virsh -q -c "$uri" version >/dev/null 2>&1
}

# QEMU's output goes through virtlogd (qemu.conf stdio_handler "logd"):
# without it every guest start fails, even when libvirtd answers. Under
# systemd its socket starts it; elsewhere start it the way libvirtd is.
daemon_alive() {
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

# A socket file alone proves nothing: a restored or rebooted machine keeps
# /run/libvirt/virtlogd-sock with nobody listening, and every guest start
# then fails with "Connection refused". Trust the pid file's process.
ensure_virtlogd() {
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    systemctl enable --now virtlogd.socket 2>/dev/null || true
    return 0
  fi
  command -v virtlogd >/dev/null 2>&1 || return 0
  daemon_alive /var/run/virtlogd.pid && return 0
  mkdir -p /var/run/libvirt /var/log/libvirt
  rm -f /var/run/virtlogd.pid /var/run/libvirt/virtlogd-sock /var/run/libvirt/virtlogd-admin-sock
  virtlogd -d
  waited=0
  until [ -S /var/run/libvirt/virtlogd-sock ]; do
    if [ "$waited" -ge "$timeout" ]; then
      echo "setup-libvirt.sh: virtlogd did not create its socket within ${timeout}s" >&2
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
}
ensure_virtlogd

# libvirt runs swtpm_setup as qemu.conf's swtpm_user (default "tss" once
# that user exists, read when libvirtd starts), and swtpm_localca then
# needs to write /var/lib/swtpm-localca and its lock file. A libvirtd
# started before swtpm-tools created tss ran it as root, which left
# root-owned files there; every TPM VM then fails to start with "Need
# read/write rights on /var/lib/swtpm-localca/.lock.swtpm-localca for user
# tss". Give the directory back to the user the package made it for.
ensure_swtpm_localca() {
  dir=/var/lib/swtpm-localca
  [ -d "$dir" ] || return 0
  swtpm_user=$(sed -n -E 's/^[[:space:]]*swtpm_user[[:space:]]*=[[:space:]]*"([^"]+)".*/\1/p' \
                 /etc/libvirt/qemu.conf 2>/dev/null | tail -n 1)
  [ -n "$swtpm_user" ] || swtpm_user=tss
  getent passwd "$swtpm_user" >/dev/null 2>&1 || return 0
  if [ -n "$(find "$dir" ! -user "$swtpm_user" -print -quit)" ]; then
    chown -R "$swtpm_user:root" "$dir"
    echo "setup-libvirt.sh: $dir given back to $swtpm_user (swtpm_setup runs as that user)"
  fi
}
ensure_swtpm_localca

# Debian's libvirt-daemon-config-network defines 'default' on install;
# define it from the packaged template where that did not happen. Starting
# it needs dnsmasq-base (install-deps.sh); autostart makes the next
# libvirtd start it again. A VM on a bridge or without a network works
# without it, so failing here is reported and not fatal.
ensure_network() {
  template=/usr/share/libvirt/networks/default.xml
  if ! virsh -q -c "$uri" net-info default >/dev/null 2>&1; then
    if [ -f "$template" ]; then
      virsh -q -c "$uri" net-define "$template" >/dev/null
    else
      echo "setup-libvirt.sh: no network 'default' and no $template to define it from" >&2
      return 0
    fi
  fi
  if ! virsh -q -c "$uri" net-info default | grep -Eq '^Active:[[:space:]]+yes'; then
    if ! virsh -q -c "$uri" net-start default >/dev/null; then
      echo "setup-libvirt.sh: network 'default' did not start (is dnsmasq-base installed?)" >&2
      return 0
    fi
  fi
  virsh -q -c "$uri" net-autostart default >/dev/null
  echo "setup-libvirt.sh: network 'default' is active and starts with libvirtd"
}

if answers; then
  echo "setup-libvirt.sh: libvirt already answers on $uri"
  ensure_network
  exit 0
fi

if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  systemctl enable --now libvirtd.service 2>/dev/null \
    || systemctl enable --now virtqemud.socket virtnodedevd.socket
else
  mkdir -p /var/log/libvirt /var/run/libvirt /var/lib/libvirt/qemu /var/cache/libvirt \
           /var/lib/libvirt/images /etc/libvirt
  # No libvirt-qemu user in a bare container: run QEMU as root, as the
  # DESIGN notes for CI. Only the two keys are touched.
  conf=/etc/libvirt/qemu.conf
  touch "$conf"
  for key in user group; do
    if grep -Eq "^[[:space:]]*$key[[:space:]]*=" "$conf"; then
      sed -i -E "s|^[[:space:]]*$key[[:space:]]*=.*|$key = \"root\"|" "$conf"
    else
      printf '%s = "root"\n' "$key" >> "$conf"
    fi
  done
  # hugetlbfs where libvirt looks for it; failing here only costs hugepage VMs
  if ! grep -q ' /dev/hugepages hugetlbfs ' /proc/mounts; then
    mkdir -p /dev/hugepages
    mount -t hugetlbfs hugetlbfs /dev/hugepages 2>/dev/null \
      || echo "setup-libvirt.sh: could not mount hugetlbfs on /dev/hugepages (continuing)" >&2
  fi
  # a stale pid file from a killed daemon makes libvirtd refuse to start
  if ! daemon_alive /var/run/libvirtd.pid; then
    rm -f /var/run/libvirtd.pid
  fi
  libvirtd -d
fi

waited=0
until answers; do
  if [ "$waited" -ge "$timeout" ]; then
    echo "setup-libvirt.sh: libvirt did not answer on $uri within ${timeout}s" >&2
    tail -n 20 /var/log/libvirt/libvirtd.log 2>/dev/null >&2 || true
    exit 1
  fi
  sleep 1
  waited=$((waited + 1))
done
echo "setup-libvirt.sh: libvirt answers on $uri ($(virsh -q -c "$uri" version 2>/dev/null | head -n 1))"
ensure_network
