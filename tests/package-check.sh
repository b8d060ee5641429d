#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# package-check.sh: the Debian packages, the way a user gets them. Builds
# vmctl, libvmctl0 and libvmctl-dev with dpkg-buildpackage in a scratch
# copy of the checkout (it writes ../*.deb and debian/ build trees, which
# must not land in the checkout), runs lintian (errors fail), installs the
# packages with apt, smoke-tests what was installed (vmctl --version, gpu
# check on the installed demo host, the pkg-config consumer through
# <vmctl/vmctl.h>, the public headers only, the unit, the hook conffile),
# then purges them and whatever apt pulled in for them, leaving the
# machine as it was. Needs root (apt) and prints TAP. With LOG_DIR, the
# build log and lintian's output are kept there, and the packages.

# the helpers below are called through tap_check, which shellcheck cannot see
# shellcheck disable=SC2317
set -u
log_dir=${1-}
source_root=$(cd "$(dirname "$0")/.." && pwd -P)
. "$source_root/tests/tap.sh"
tap_dir=$(mktemp -d "${TMPDIR:-/tmp}/vmctl-package.XXXXXX") || exit 1
packages="vmctl libvmctl0 libvmctl-dev"
installed_before=$tap_dir/installed-before
apt_get() {
  # other jobs may hold the dpkg lock for a while (install-deps.sh)
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -q "$@"
}
package_list() {
  dpkg-query -W -f '${db:Status-Abbrev} ${binary:Package}\n' | awk '$1 ~ /^.i/ { print $2 }' | sort
}
cleanup() {
  if [ -f "$tap_dir/installed-by-us" ]; then
    # our packages and what apt installed for them, nothing else
    package_list > "$tap_dir/installed-after"
    extra=$(comm -13 "$installed_before" "$tap_dir/installed-after" | tr '\n' ' ')
    # shellcheck disable=SC2086 # a list of package names
    [ -z "$extra" ] || apt_get purge $extra > "$tap_dir/purge.log" 2>&1 \
      || sed 's/^/# cleanup: /' "$tap_dir/purge.log"
  fi
  if [ -n "$log_dir" ]; then
    mkdir -p "$log_dir"
    rm -f "$log_dir"/*.deb "$log_dir"/*.changes "$log_dir"/*.buildinfo
    cp "$tap_dir"/*.log "$tap_dir"/*.deb "$tap_dir"/*.changes "$tap_dir"/*.buildinfo \
      "$log_dir/" 2>/dev/null
  fi
  rm -rf "$tap_dir"
}
trap cleanup EXIT

if [ "$(id -u)" -ne 0 ]; then
  tap_skip "Debian packages" "needs root to install them"
  tap_done
fi
for package in $packages; do
  if dpkg-query -W -f '${db:Status-Abbrev}' "$package" 2>/dev/null | grep -q '^.i'; then
    # installing over it and purging afterwards would take the user's copy
    tap_skip "Debian packages" "$package is already installed on this machine"
    tap_done
  fi
done
package_list > "$installed_before"

# ---- build: a copy of what the checkout tracks (and new files not yet
# added), without build trees
mkdir "$tap_dir/vmctl"
copy_source() {
  if git -C "$source_root" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$source_root" ls-files -z -c -o --exclude-standard \
      | (cd "$source_root" && tar --null -T - -cf -) | tar -C "$tap_dir/vmctl" -xf -
  else
    (cd "$source_root" && tar --exclude='./build*' -cf - .) | tar -C "$tap_dir/vmctl" -xf -
  fi
}
tap_check "copy the source tree" copy_source
tap_check "build dependencies are installed" sh -c "cd '$tap_dir/vmctl' && dpkg-checkbuilddeps"
build_packages() {
  start=$(date +%s)
  (cd "$tap_dir/vmctl" && dpkg-buildpackage -us -uc -b) > "$tap_dir/build.log" 2>&1
  status=$?
  echo "dpkg-buildpackage: exit $status after $(($(date +%s) - start)) s"
  [ "$status" -eq 0 ] || tail -n 60 "$tap_dir/build.log"
  return "$status"
}
tap_check "dpkg-buildpackage -us -uc -b" build_packages
sed -n 's/^dpkg-buildpackage: exit .*/# &/p' "$tap_dir/tap.out"
all_built() {
  for package in $packages; do
    ls "$tap_dir/${package}_"*.deb || return 1
  done
}
tap_check "it builds vmctl, libvmctl0 and libvmctl-dev" all_built
if command -v lintian >/dev/null 2>&1; then
  run_lintian() {
    start=$(date +%s)
    lintian --fail-on error "$tap_dir"/*.changes > "$tap_dir/lintian.log" 2>&1
    status=$?
    cat "$tap_dir/lintian.log"
    echo "lintian: exit $status after $(($(date +%s) - start)) s"
    return "$status"
  }
  tap_check "lintian finds no error" run_lintian
  # warnings and the rest are for reading, not for failing the run
  grep -E '^([WIP]:|lintian: exit)' "$tap_dir/tap.out" | sed 's/^/# /'
else
  tap_skip "lintian" "lintian is not installed"
fi

# ---- install
install_packages() {
  : > "$tap_dir/installed-by-us"
  # recommends (a local libvirtd, QEMU, OVMF) are the user's choice
  apt_get install --no-install-recommends "$tap_dir"/*.deb
}
tap_check "apt-get installs the packages" install_packages

tap_expect "the installed vmctl --version is the package's" \
  "$(/usr/bin/vmctl --version 2>&1 | head -n 1)" \
  "vmctl $(dpkg-query -W -f '${Version}' vmctl)"
demo=/usr/share/vmctl/demo-host
gpu_check() {
  /usr/bin/vmctl --host-root "$demo" gpu check 01:00.0 --json > "$tap_dir/check.json"
  status=$?
  cat "$tap_dir/check.json"
  [ "$status" -eq 0 ] && grep -q '"passable" : true' "$tap_dir/check.json"
}
tap_check "vmctl --host-root $demo gpu check 01:00.0 --json: passable, exit 0" gpu_check
create_xml() {
  /usr/bin/vmctl --host-root "$demo" create gamer --gpu 01:00.0 --profile gaming --print-xml \
    | grep -q '<hostdev'
}
tap_check "the installed vmctl finds its profiles and templates" create_xml
consumer() {
  cp "$source_root/tests/pkgconfig-consumer.c" "$tap_dir/consumer.c"
  # shellcheck disable=SC2046 # pkg-config prints several words
  cc -o "$tap_dir/consumer" "$tap_dir/consumer.c" $(pkg-config --cflags --libs libvmctl) \
    && "$tap_dir/consumer" "$demo"
}
tap_check "a program including only <vmctl/vmctl.h> builds with pkg-config, and runs a verdict" consumer
# libvmctl-dev ships the umbrella and the headers it includes, nothing else
dev_headers() {
  expected=$( (echo vmctl.h; sed -n 's/^#include "\(vmctl-[a-z-]*\.h\)"$/\1/p' \
    "$source_root/src/vmctl.h") | sed 's|^|/usr/include/vmctl/|' | sort)
  found=$(dpkg -L libvmctl-dev | grep '^/usr/include/vmctl/.' | sort)
  [ "$found" = "$expected" ] || { echo "shipped:"; echo "$found"; echo "expected:"; echo "$expected"; return 1; }
}
tap_check "libvmctl-dev ships only the public headers" dev_headers
no_build_path() {
  ! grep -a -l -F "$tap_dir" /usr/bin/vmctl /usr/lib/*/libvmctl.so.0*
}
tap_check "the installed binaries name no build path" no_build_path
tap_check "the hook runner is a conffile" \
  sh -c "dpkg-query -W -f '\${Conffiles}' vmctl | grep -q '/etc/libvirt/hooks/qemu.d/vmctl '"
tap_check "vmctl-recover.service is installed and enabled" \
  test -f /lib/systemd/system/vmctl-recover.service \
  -a -L /etc/systemd/system/multi-user.target.wants/vmctl-recover.service
verify_unit() {
  manual=--man=no
  command -v man >/dev/null 2>&1 && manual=--man=yes
  out=$(systemd-analyze verify "$manual" /lib/systemd/system/vmctl-recover.service 2>&1)
  status=$?
  echo "$out"
  [ "$status" -eq 0 ] && [ -z "$out" ]
}
if command -v systemd-analyze >/dev/null 2>&1; then
  tap_check "systemd-analyze verify: the installed unit and its ExecStart" verify_unit
else
  tap_skip "systemd-analyze verify" "systemd-analyze is not installed"
fi
tap_check "the man page and completions are installed" test -f /usr/share/man/man1/vmctl.1.gz \
  -a -f /usr/share/bash-completion/completions/vmctl -a -f /usr/share/zsh/vendor-completions/_vmctl

# ---- remove
purge() {
  # shellcheck disable=SC2086 # a list of package names
  apt_get purge $packages
}
tap_check "apt-get purges the packages" purge
nothing_left() {
  ! ls -d /etc/libvirt/hooks/qemu.d/vmctl /usr/share/vmctl /usr/bin/vmctl \
    /etc/systemd/system/multi-user.target.wants/vmctl-recover.service 2>/dev/null
}
tap_check "nothing of them is left" nothing_left
tap_done
