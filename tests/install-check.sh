#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# install-check.sh BUILD_DIR: install into a scratch DESTDIR, then build and
# run a program against the installed libvmctl through pkg-config only, and
# run the installed vmctl on the installed demo host. Prints TAP.
set -u
build=${1:-build}
source_root=$(cd "$(dirname "$0")/.." && pwd -P)
root=$(mktemp -d "${TMPDIR:-/tmp}/vmctl-install.XXXXXX")
trap 'rm -rf "$root"' EXIT
n=0
failed=0
check() {
  n=$((n + 1))
  description=$1
  shift
  if "$@" >"$root/out.$n" 2>&1; then
    echo "ok $n - $description"
  else
    echo "not ok $n - $description"
    sed 's/^/# /' "$root/out.$n"
    failed=1
  fi
}

check "meson install into DESTDIR" meson install -C "$build" --destdir "$root/dest" --quiet
prefix=$(meson introspect "$build" --buildoptions | python3 -c \
  'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"))')
pc=$(find "$root/dest" -name libvmctl.pc | head -n 1)
libdir=$(dirname "$(dirname "$pc")")

cp "$source_root/tests/pkgconfig-consumer.c" "$root/consumer.c"
# the .pc names the final prefix; point a copy at DESTDIR (a sysroot would
# also move glib's and libvirt's paths, which live in the real /usr)
mkdir -p "$root/pc"
sed "s|^prefix=.*|prefix=$root/dest$prefix|" "$pc" > "$root/pc/libvmctl.pc"
build_consumer() {
  PKG_CONFIG_PATH=$root/pc \
    sh -c 'cc -o "$1/consumer" "$1/consumer.c" $(pkg-config --cflags --libs libvmctl)' sh "$root"
}
check "a program builds against libvmctl with pkg-config alone" build_consumer
demo=$root/dest$prefix/share/vmctl/demo-host
check "the libvirt hook is installed, executable" \
  test -x "$root/dest$prefix/share/vmctl/libvirt-hook/qemu"
# what vmctl adds to other programs' directories (contrib/meson.build)
installed() {
  found=$(find "$root/dest" -path "$1" \( -type f -o -type l \) | head -n 1)
  [ -n "$found" ] || { echo "nothing installed matches $1"; return 1; }
  [ -z "${2-}" ] || [ -x "$found" ] || { echo "$found is not executable"; return 1; }
}
check "the man page is installed" installed "*/man/man1/vmctl.1"
check "bash completion is installed" installed "*/bash-completion/completions/vmctl"
check "zsh completion is installed" installed "*/zsh/*/_vmctl"
check "vmctl-recover.service is installed" installed "*/systemd/system/vmctl-recover.service"
check "the libvirt hook runner is installed, executable" installed "*/hooks/qemu.d/vmctl" x
check "installed demo host keeps its sysfs symlinks" test -L "$demo/sys/bus/pci/devices/0000:01:00.0/driver"
check "the program runs on the installed demo host" env LD_LIBRARY_PATH="$libdir" "$root/consumer" "$demo"
# a DESTDIR install is not where the binary looks (its prefix): point it at
# the installed data, or it would judge with whatever the machine has there
check "installed vmctl judges the installed demo host" env LD_LIBRARY_PATH="$libdir" \
  VMCTL_DATA_DIR="$root/dest$prefix/share/vmctl" \
  VMCTL_TEMPLATE_DIR="$root/dest$prefix/share/vmctl/xml-templates" \
  "$root/dest$prefix/bin/vmctl" --host-root "$demo" gpu check 01:00.0
# libvirt is dlopen()ed on first use (passthrough/vmctl-libvirt.h): linking
# it would cost every command ~10 ms and ~12 MiB before main()
not_linked() {
  ! readelf -d "$1" | grep -q 'NEEDED.*libvirt'
}
check "installed vmctl does not link libvirt (loaded on demand)" not_linked "$root/dest$prefix/bin/vmctl"
check "installed libvmctl does not link libvirt" not_linked "$libdir/libvmctl.so"
# modules share helpers across files; only the installed headers' functions
# are ABI (contrib/scripts/gen-version-script.py)
exports_only_api() {
  nm -D --defined-only "$libdir/libvmctl.so" > "$root/exports"
  grep -qE ' vmctl_host_check_run(@|$)' "$root/exports" \
    && ! grep -qE ' (vmctl_host_check_add|vmctl_domain_builder_[a-z_]+|vmctl_pci_names_[a-z_]+)(@|$)' "$root/exports"
}
check "libvmctl exports its API and not its internal helpers" exports_only_api
# Nothing installed may name the source or build tree: a package is built in
# a directory that is gone when it is installed, and a path into it is a
# path anyone may create later. Debug info names the build directory by
# design (DW_AT_comp_dir; distributions split it into -dbgsym packages), so
# ELF files are looked at without it.
build_root=$(cd "$build" && pwd -P)
no_tree_paths() {
  found=0
  find "$root/dest" -type f > "$root/installed"
  while IFS= read -r file; do
    case $(head -c 4 "$file" | od -An -c | tr -d ' ') in
      177ELF) objcopy --strip-debug "$file" "$root/stripped" && text=$root/stripped ;;
      *) text=$file ;;
    esac
    if LC_ALL=C grep -a -q -F -e "$source_root" -e "$build_root" "$text"; then
      echo "${file#"$root/dest"}:"
      strings -a "$text" | grep -F -e "$source_root" -e "$build_root" | sed 's/^/  /'
      found=1
    fi
  done < "$root/installed"
  return "$found"
}
check "nothing installed names the source or build tree" no_tree_paths
echo "1..$n"
exit $failed
