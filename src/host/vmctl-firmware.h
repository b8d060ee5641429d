/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-firmware.h: QEMU firmware descriptors (docs/interop/firmware.json)
 * under the host root: which UEFI builds exist and what they offer. */
#pragma once

#include <glib.h>
#include "vmctl-host.h"

G_BEGIN_DECLS

#define VMCTL_FIRMWARE_ERROR (vmctl_firmware_error_quark ())

typedef enum {
  VMCTL_FIRMWARE_ERROR_PARSE,     /* a descriptor is not valid JSON / lacks fields */
  VMCTL_FIRMWARE_ERROR_NONE,      /* no descriptor satisfies the request */
} VmctlFirmwareError;

GQuark vmctl_firmware_error_quark (void);

typedef struct {
  gchar *descriptor_path;   /* host path, as on the host (not root-prefixed) */
  gchar *description;
  gchar **interface_types;  /* "uefi", "bios" */
  gchar *mapping_device;    /* "flash", "memory", "kernel" */
  gchar *executable;        /* host path of the code image */
  gchar *nvram_template;    /* host path or NULL */
  gchar *format;            /* "raw", "qcow2" */
  gchar **machines;         /* "pc-q35-*", ... per target */
  gchar **architectures;
  gchar **features;
  gboolean executable_present; /* the code image exists under the host root */
} VmctlFirmware;

GPtrArray *vmctl_firmware_list (VmctlHost *host, GPtrArray **out_warnings, GError **error);
gboolean vmctl_firmware_has_feature (const VmctlFirmware *firmware, const gchar *feature);
gboolean vmctl_firmware_is_uefi (const VmctlFirmware *firmware);
gboolean vmctl_firmware_supports (const VmctlFirmware *firmware,
                                  const gchar *architecture, const gchar *machine);
VmctlFirmware *vmctl_firmware_choose (VmctlHost *host, gboolean secure_boot,
                                      const gchar *machine, const gchar *architecture,
                                      GError **error);
VmctlFirmware *vmctl_firmware_choose_from (GPtrArray *firmwares, GPtrArray *warnings,
                                           const gchar * const *loader_paths,
                                           gboolean secure_boot, const gchar *machine,
                                           const gchar *architecture, GError **error);
gchar *vmctl_firmware_machine_pattern (const gchar *machine);
void vmctl_firmware_free (VmctlFirmware *firmware);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlFirmware, vmctl_firmware_free)

G_END_DECLS
