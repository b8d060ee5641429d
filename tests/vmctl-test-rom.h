/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-rom.h: PCI expansion ROM images built in the tests, each
 * with one defect or none. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  VMCTL_TEST_ROM_VALID = 0,          /* legacy x86 + EFI x64, checksum right */
  VMCTL_TEST_ROM_NVIDIA_HEADER = 1 << 0, /* a flash tool's 0x600-byte header before it */
  VMCTL_TEST_ROM_BAD_CHECKSUM = 1 << 1,  /* the legacy image's sum is not 0 */
  VMCTL_TEST_ROM_TRUNCATED = 1 << 2,     /* the file ends inside the EFI image */
  VMCTL_TEST_ROM_LEGACY_ONLY = 1 << 3,   /* no EFI image */
} VmctlTestRomFlags;

/* the header length VMCTL_TEST_ROM_NVIDIA_HEADER puts before the image */
#define VMCTL_TEST_ROM_HEADER_LENGTH 0x600
/* each image's length */
#define VMCTL_TEST_ROM_IMAGE_LENGTH 1024

GBytes *vmctl_test_rom_build (guint16 vendor_id, guint16 device_id, VmctlTestRomFlags flags);
gchar *vmctl_test_rom_write (const gchar *directory, const gchar *name, guint16 vendor_id,
                             guint16 device_id, VmctlTestRomFlags flags);

G_END_DECLS
