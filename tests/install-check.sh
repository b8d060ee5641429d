#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# install-check.sh BUILD_DIR: install into a scratch DESTDIR, then build and
# run a program against the installed libvmctl through pkg-config only, and
# run the installed vmctl on the installed demo host; check that what is
# installed for programs is libvmctl's public API and nothing else
# (src/vmctl.h, src/libvmctl.map). Prints TAP.
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
check "a program including only <vmctl/vmctl.h> builds with pkg-config alone" build_consumer
# src/vmctl.h: the umbrella and the headers it includes, nothing else (no
# -private.h, no libvirt loader, no autoptrs for other libraries' types)
include_dir=$(find "$root/dest" -type d -path '*/include/vmctl' | head -n 1)
public_headers() {
  expected=$( (echo vmctl.h; sed -n 's/^#include "\(vmctl-[a-z-]*\.h\)"$/\1/p' \
    "$source_root/src/vmctl.h") | sort)
  found=$(ls "$include_dir" | sort)
  [ "$found" = "$expected" ] || { echo "installed:"; echo "$found"; echo "expected:"; echo "$expected"; return 1; }
}
check "only the public headers are installed" public_headers
# a public header on its own is refused: what it declares may move
alone() {
  printf '#include <vmctl/vmctl-session.h>\n' > "$root/alone.c"
  ! PKG_CONFIG_PATH=$root/pc sh -c 'cc -c -o "$1/alone.o" "$1/alone.c" $(pkg-config --cflags libvmctl)' sh "$root" \
    > "$root/alone.log" 2>&1 && grep -q 'Only <vmctl/vmctl.h>' "$root/alone.log"
}
check "a public header included on its own is an #error" alone
# libvirt is dlopen()ed, so a consumer needs neither its headers nor its
# library; the public headers need GLib's
pc_requires() {
  requires=$(PKG_CONFIG_PATH=$root/pc pkg-config --print-requires libvmctl | awk '{print $1}' | sort | tr '\n' ' ')
  private=$(PKG_CONFIG_PATH=$root/pc pkg-config --print-requires-private libvmctl | tr '\n' ' ')
  echo "Requires: $requires; Requires.private: $private"
  [ "$requires" = "gio-2.0 glib-2.0 " ] && ! echo "$private" | grep -q libvirt
}
check "libvmctl.pc requires glib-2.0 and gio-2.0, and libvirt nowhere" pc_requires
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
# the same data as the installed vmctl below gets (the prefix's is not there)
check "the program runs gpu check through a VmctlSession on the installed demo host" \
  env LD_LIBRARY_PATH="$libdir" VMCTL_DATA_DIR="$root/dest$prefix/share/vmctl" \
  "$root/consumer" "$demo"
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
# modules share helpers across files; only the hand-kept map's functions
# (which test-public-api holds to the installed headers) are ABI
exports_map() {
  nm -D --defined-only "$libdir/libvmctl.so" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' \
    | sort > "$root/exports"
  sed -n 's/^ *\(vmctl_[a-z0-9_]*\);$/\1/p' "$source_root/src/libvmctl.map" | sort > "$root/map"
  diff "$root/map" "$root/exports" && ! nm -D --defined-only "$libdir/libvmctl.so" | grep -q ' sym_vir'
}
check "libvmctl exports exactly the functions of src/libvmctl.map, no sym_vir*" exports_map
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
