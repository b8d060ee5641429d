#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# build-guest.sh: build (once) the tiny guest the real-guest suite boots,
# and print the directory that holds it:
#   guest.iso     boots under SeaBIOS (GRUB for i386-pc, El Torito) and
#                 under OVMF, with or without Secure Boot (Debian's signed
#                 chain: shim -> GRUB -> kernel, as Debian's own ISOs do)
#   vmlinuz       Debian's signed cloud kernel (downloaded, never installed)
#   initrd.gz     busybox, tests/guest/init, guest-probe and the few modules
#   versions      what it was built from
#
# The cache lives outside the source tree: $VMCTL_GUEST_CACHE, else
# /var/cache/vmctl-test-guest for root, else $XDG_CACHE_HOME (~/.cache).
# It is keyed by the versions of every package that goes into the guest
# and by the hash of this script, init and guest-probe.c, so an updated
# kernel or an edited init rebuilds it and nothing else does. Concurrent
# runs (the suite's two shards) wait on a lock; the build happens in a
# scratch directory renamed into place, so a killed build leaves no half
# guest behind.
#
# Needs (install-deps.sh): busybox-static, grub-common, grub-pc-bin,
# grub-efi-amd64-bin, grub-efi-amd64-signed, shim-signed, xorriso, mtools,
# a C compiler with the static libc, apt (to download the kernel).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
flavour=cloud-amd64
meta=linux-image-$flavour

die() {
  echo "build-guest.sh: $*" >&2
  exit 1
}

if [ -n "${VMCTL_GUEST_CACHE:-}" ]; then
  cache=$VMCTL_GUEST_CACHE
elif [ "$(id -u)" -eq 0 ]; then
  cache=/var/cache/vmctl-test-guest
else
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/vmctl-test-guest
fi
mkdir -p "$cache"

installed_version() {
  dpkg-query -W -f='${Version}' "$1" 2>/dev/null || die "package $1 is not installed (run contrib/scripts/install-deps.sh)"
}

# The kernel package the meta package points at today, and its version.
kernel_package() {
  apt-cache depends "$meta" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n 1
}
package=$(kernel_package)
if [ -z "$package" ]; then
  # a machine whose apt lists were cleaned: refresh them once
  apt-get update -qq >/dev/null 2>&1 || true
  package=$(kernel_package)
fi
[ -n "$package" ] || die "apt knows no $meta (is deb.debian.org in the apt sources?)"
kernel_version=$(apt-cache show --no-all-versions "$package" | sed -n 's/^Version: //p' | head -n 1)

busybox=$(dpkg -L busybox-static 2>/dev/null | grep '/busybox$' | head -n 1)
[ -n "$busybox" ] && [ -x "$busybox" ] || die "no busybox-static (run contrib/scripts/install-deps.sh)"

versions=$(cat <<EOF
$package $kernel_version
busybox-static $(installed_version busybox-static)
grub-pc-bin $(installed_version grub-pc-bin)
grub-efi-amd64-signed $(installed_version grub-efi-amd64-signed)
shim-signed $(installed_version shim-signed)
xorriso $(installed_version xorriso)
build-guest.sh $(sha256sum "$here/build-guest.sh" | cut -d' ' -f1)
init $(sha256sum "$here/init" | cut -d' ' -f1)
guest-probe.c $(sha256sum "$here/guest-probe.c" | cut -d' ' -f1)
EOF
)
key=$(printf '%s\n' "$versions" | sha256sum | cut -c1-16)
out=$cache/$key

exec 9>"$cache/.lock"
flock 9
if [ -f "$out/complete" ]; then
  echo "$out"
  exit 0
fi

echo "build-guest.sh: building the test guest in $out" >&2
work=$(mktemp -d "$cache/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# --- kernel and modules, from the package, unpacked here only
(
  cd "$work"
  # apt's download sandbox user cannot write to a root-only directory
  apt-get download -q -o APT::Sandbox::User=root "$package=$kernel_version" >/dev/null
) || die "could not download $package $kernel_version"
dpkg-deb -x "$work"/linux-image-*.deb "$work/kernel"
release=${package#linux-image-}
modules=$work/kernel/lib/modules/$release
[ -f "$work/kernel/boot/vmlinuz-$release" ] || die "no vmlinuz in $package"
# the package ships no modules.dep (its postinst runs depmod): make one
# for the unpacked tree only, with busybox's depmod (kmod may be absent)
"$busybox" depmod -b "$work/kernel" "$release" || die "depmod failed for $package"

# --- initramfs
root=$work/initramfs
mkdir -p "$root/bin" "$root/etc" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" \
         "$root/lib/modules"
cp "$busybox" "$root/bin/busybox"
install -m 0755 "$here/init" "$root/init"
cc -static -Os -Wall -o "$root/bin/guest-probe" "$here/guest-probe.c"
# the nodes the kernel opens before init runs; init mounts devtmpfs on top
mknod -m 600 "$root/dev/console" c 5 1
mknod -m 666 "$root/dev/null" c 1 3

# Wanted modules with their dependencies, each after what it needs
# (busybox's insmod resolves nothing). modules.dep: "path: dep dep...".
wanted="virtio_pci virtio_blk button evdev efivarfs"
: > "$root/etc/modules.order"
add_path() {
  local path dep
  path=$1
  grep -qx "${path##*/}" "$root/etc/modules.order" && return 0
  for dep in $(grep -E "^$path:" "$modules/modules.dep" | cut -d: -f2); do
    add_path "$dep"
  done
  cp "$modules/$path" "$root/lib/modules/${path##*/}"
  echo "${path##*/}" >> "$root/etc/modules.order"
}
for module in $wanted; do
  path=$(grep -E "(^|/)$module\.ko:" "$modules/modules.dep" | head -n 1 | cut -d: -f1)
  [ -n "$path" ] || die "module $module is not in $package (built in? then drop it from the list)"
  add_path "$path"
done
(cd "$root" && find . | sort | "$busybox" cpio -o -H newc 2>/dev/null) | gzip -9 > "$work/initrd.gz"

# --- ISO
iso=$work/iso
mkdir -p "$iso/boot/grub" "$iso/.disk"
cp "$work/kernel/boot/vmlinuz-$release" "$iso/boot/vmlinuz"
cp "$work/initrd.gz" "$iso/boot/initrd.gz"
# no_timer_check: under TCG on a busy host the kernel's IO-APIC timer
# check can miss its ticks and panic ("IO-APIC + timer doesn't work!");
# KVM guests skip the check for the same reason. panic=0: a panicked guest
# stays put (a reboot would loop), and the test reports "no report".
# Debian's signed GRUB (gcdx64, the one its installer ISOs use) has a
# built-in config: search for the filesystem holding /.disk/info, then
# source /boot/grub/grub.cfg there. The BIOS GRUB below uses the same file.
echo "vmctl test guest" > "$iso/.disk/info"
cat > "$iso/boot/grub/grub.cfg" <<'EOF'
serial --unit=0 --speed=115200
terminal_input console serial
terminal_output console serial
echo "vmctl-guest: grub"
linux /boot/vmlinuz console=tty0 console=ttyS0,115200 panic=0 no_timer_check
initrd /boot/initrd.gz
boot
EOF
# BIOS: an El Torito no-emulation image with every module the config uses
# built in (nothing is loaded from the ISO later)
grub-mkimage -O i386-pc-eltorito -p /boot/grub -o "$iso/boot/grub/bios.img" \
  biosdisk iso9660 normal configfile linux echo test search serial terminal boot
# UEFI: a FAT image for the El Torito EFI entry. shim is what firmware
# with Microsoft's keys accepts; it loads grubx64.efi from its own
# directory and verifies it with Debian's key, which GRUB then uses to
# verify the kernel. Without Secure Boot the same chain just runs.
efi=$iso/boot/efi.img
# shim (1 MiB) and GRUB (4 MiB) do not fit a floppy-sized image
truncate -s 8M "$efi"
mformat -i "$efi" -N 0 ::
mmd -i "$efi" ::/EFI ::/EFI/BOOT
mcopy -i "$efi" /usr/lib/shim/shimx64.efi.signed ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$efi" /usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed ::/EFI/BOOT/grubx64.efi
xorriso -as mkisofs -quiet -o "$work/guest.iso" -R -J -V VMCTL_GUEST \
  -b boot/grub/bios.img -no-emul-boot -boot-load-size 4 -boot-info-table \
  -eltorito-alt-boot -e boot/efi.img -no-emul-boot \
  "$iso" || die "xorriso failed"

cp "$work/kernel/boot/vmlinuz-$release" "$work/vmlinuz"
printf '%s\n' "$versions" > "$work/versions"
rm -rf "$work/kernel" "$work/initramfs" "$work/iso" "$work"/*.deb
chmod 0755 "$work"
chmod 0644 "$work"/guest.iso "$work"/vmlinuz "$work"/initrd.gz "$work"/versions
touch "$work/complete"
rm -rf "$out"
mv "$work" "$out"
trap - EXIT INT TERM
# older builds (another kernel, an edited init) are of no further use
for old in "$cache"/*; do
  [ "$old" = "$out" ] || [ ! -f "$old/complete" ] || rm -rf "$old"
done
echo "$out"
