#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# sim-modprobe.sh: modprobe for the simulated kernel ($VMCTL_SIM_ROOT), as
# VMCTL_MODPROBE in tests. What the kernel does, on the fixture tree:
#   modprobe -r MOD  refused while another module uses MOD (a link in
#                    sys/module/MOD/holders); otherwise the PCI drivers MOD
#                    registers let their devices go (driver links removed),
#                    and sys/module/MOD and those drivers' directories leave
#                    the tree (kept in .sim/unloaded/ to come back as they
#                    were); the modules MOD used lose their holder link and
#                    one refcnt
#   modprobe MOD     the reverse, then each unbound device whose
#                    .sim-native-driver is one of MOD's drivers is probed
#                    (through drivers_probe, which the simulator handles)
# Every call is logged to .sim/modprobe.log. .sim/modprobe-fail lines
# ("-r nvidia_drm" or "nvidia") make that call fail once; .sim/modprobe-kill
# lines kill the caller (SIGKILL) once that call is done.
set -u
root=${VMCTL_SIM_ROOT:?}
sim=$root/.sim
mkdir -p "$sim/unloaded"
echo "$*" >> "$sim/modprobe.log"

once() {  # once FILE "LINE": TRUE (and the line removed) when FILE has it
  [ -f "$1" ] || return 1
  grep -qxF -e "$2" "$1" || return 1
  grep -vxF -e "$2" "$1" > "$1.new"; mv "$1.new" "$1"
  return 0
}

if once "$sim/modprobe-fail" "$*"; then
  echo "modprobe: FATAL: injected failure for '$*'" >&2
  exit 1
fi

remove=0
if [ "$1" = "-r" ]; then remove=1; shift; fi
mod=$1
dir=$root/sys/module/$mod
kept=$sim/unloaded/$mod

if [ $remove = 1 ]; then
  [ -e "$dir/initstate" ] || { echo "modprobe: FATAL: Module $mod is not loaded" >&2; exit 1; }
  if [ -n "$(ls -A "$dir/holders" 2>/dev/null)" ]; then
    echo "modprobe: FATAL: Module $mod is in use by: $(ls "$dir/holders" | tr '\n' ' ')" >&2
    exit 1
  fi
  mkdir -p "$kept/drivers"
  for link in "$dir"/drivers/pci:*; do
    [ -L "$link" ] || continue
    drv=${link##*/pci:}
    for dev in "$root/sys/bus/pci/drivers/$drv"/0000:*; do
      [ -L "$dev" ] || continue
      rm -f "$root/sys/bus/pci/devices/${dev##*/}/driver" "$dev"
    done
    mv "$root/sys/bus/pci/drivers/$drv" "$kept/drivers/$drv"
  done
  : > "$kept/uses"
  for used in "$root"/sys/module/*/holders/"$mod"; do
    [ -L "$used" ] || continue
    user=${used%/holders/*}; user=${user##*/}
    echo "$user" >> "$kept/uses"
    rm -f "$used"
    count=$(cat "$root/sys/module/$user/refcnt")
    echo $((count - 1)) > "$root/sys/module/$user/refcnt"
  done
  mv "$dir" "$kept/module"
else
  [ -e "$dir/initstate" ] && exit 0
  [ -d "$kept/module" ] || { echo "modprobe: FATAL: Module $mod not found" >&2; exit 1; }
  mv "$kept/module" "$dir"
  while read -r user; do
    ln -s "../../$mod" "$root/sys/module/$user/holders/$mod"
    count=$(cat "$root/sys/module/$user/refcnt")
    echo $((count + 1)) > "$root/sys/module/$user/refcnt"
  done < "$kept/uses"
  for saved in "$kept"/drivers/*; do
    [ -d "$saved" ] || continue
    drv=${saved##*/}
    mv "$saved" "$root/sys/bus/pci/drivers/$drv"
    for native in "$root"/sys/bus/pci/devices/*/.sim-native-driver; do
      [ -f "$native" ] || continue
      [ "$(cat "$native")" = "$drv" ] || continue
      dev=${native%/.sim-native-driver}; dev=${dev##*/}
      [ -L "$root/sys/bus/pci/devices/$dev/driver" ] && continue
      printf '%s' "$dev" > "$root/sys/bus/pci/drivers_probe"
    done
  done
  rm -rf "$kept"
fi

if once "$sim/modprobe-kill" "$([ $remove = 1 ] && echo "-r ")$mod"; then
  kill -9 "$PPID"
fi
exit 0
