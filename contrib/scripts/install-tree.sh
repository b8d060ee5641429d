#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# install-tree.sh SOURCE TARGET: meson install step for fake host roots.
# meson's install_subdir follows symlinks, which turns sysfs links such as
# driver -> ../../bus/pci/drivers/nvidia into copies of directories and the
# tree stops being a faithful sysfs. cp -a keeps them as they are.
set -eu
source=$1
target=${DESTDIR:-}$2
rm -rf "$target"
mkdir -p "$(dirname "$target")"
cp -a "$source" "$target"
