/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-firmware-private.h: one descriptor from its text, as
 * vmctl_firmware_list() parses each file it reads, for the fuzzing harness
 * (tests/fuzz); and the rule for a build vmctl can use, which the host
 * check shares with the choice. Not installed. */
#pragma once

#include "vmctl-firmware.h"

G_BEGIN_DECLS

VmctlFirmware *vmctl_firmware_parse_descriptor (VmctlHost *host, const gchar *descriptor_path,
                                                const gchar *contents, gsize length,
                                                GError **error);
gboolean vmctl_firmware_can_choose (const VmctlFirmware *firmware, gboolean secure_boot,
                                    const gchar *machine, const gchar *architecture);

G_END_DECLS
