/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-pci-rom.h: PCI expansion ROM images (a GPU's vBIOS): what a ROM
 * file holds, whether QEMU can use it for a given GPU, and reading one
 * from a card through sysfs `rom`. */
#pragma once

#include <glib.h>
#include "vmctl-host.h"
#include "vmctl-pci-address.h"

G_BEGIN_DECLS

#define VMCTL_ROM_ERROR (vmctl_rom_error_quark ())

typedef enum {
  VMCTL_ROM_ERROR_NOT_ROM,   /* no 0x55AA image with a PCIR structure at all (exit 2) */
  VMCTL_ROM_ERROR_TOO_LARGE, /* larger than any expansion ROM can be (exit 2) */
  VMCTL_ROM_ERROR_EMPTY,     /* the card gave nothing usable through sysfs `rom` (exit 1) */
  VMCTL_ROM_ERROR_NO_FILE,   /* the ROM file does not exist or cannot be read (exit 2) */
} VmctlRomError;

GQuark vmctl_rom_error_quark (void);

/* PCI Firmware spec, PCIR code type */
#define VMCTL_ROM_CODE_X86  0x00   /* legacy PC-AT BIOS image */
#define VMCTL_ROM_CODE_EFI  0x03   /* UEFI driver (the GOP OVMF shows its screen with) */

/* an expansion ROM BAR decodes at most 16 MiB */
#define VMCTL_ROM_MAX_SIZE (16 * 1024 * 1024)

typedef struct {
  gsize offset;              /* from the first byte of the file */
  gsize length;              /* PCIR image length, bytes */
  guint8 code_type;
  guint16 vendor_id;
  guint16 device_id;
  guint32 class_code;
  gboolean last;             /* indicator bit 7 */
  gboolean checksum_ok;      /* x86 images: the initialization area sums to 0 mod
                              * 256; TRUE for other types, which have no checksum */
  guint16 efi_machine;       /* EFI images: 0x8664 x64, 0x014c IA32, 0xaa64 ARM64 */
} VmctlRomImage;

typedef struct {
  gsize length;              /* the file's */
  gsize header_length;       /* bytes before the first image: 0, or a flash
                              * tool's header */
  gboolean nvidia_header;    /* that header is NVIDIA's flash tool's */
  gsize end;                 /* where the image chain ends */
  GArray *images;            /* VmctlRomImage, in chain order */
  GPtrArray *problems;       /* gchar*: what makes the file unusable as it is */
  GPtrArray *warnings;       /* gchar*: what works but may surprise */
} VmctlRom;

VmctlRom *vmctl_rom_parse (const guint8 *data, gsize length, GError **error);
void vmctl_rom_check_device (VmctlRom *rom, guint16 vendor_id, guint16 device_id,
                             const gchar *what);
gboolean vmctl_rom_has_type (const VmctlRom *rom, guint8 code_type);
const gchar *vmctl_rom_code_type_name (guint8 code_type);
void vmctl_rom_free (VmctlRom *rom);

gboolean vmctl_rom_read_file (const gchar *path, GBytes **out_bytes, GError **error);
gboolean vmctl_rom_read_device (VmctlHost *host, const VmctlPciAddress *address,
                                GBytes **out_bytes, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlRom, vmctl_rom_free)

G_END_DECLS
