/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-rom.c: ROM images laid out as the PCI Firmware spec says (a
 * 0x55AA header with the PCIR pointer at 0x18, the PCIR structure with
 * ids, class, length in 512-byte blocks, code type and the last-image
 * bit), so vmctl's checks meet what a real vBIOS file holds. */
#include "vmctl-test-rom.h"

#include <string.h>

static void
put16 (guint8 *data, gsize offset, guint16 value)
{
  data[offset] = value & 0xff;
  data[offset + 1] = value >> 8;
}

static void
put32 (guint8 *data, gsize offset, guint32 value)
{
  put16 (data, offset, value & 0xffff);
  put16 (data, offset + 2, value >> 16);
}

/* the PCIR structure at @offset for an image of @blocks 512-byte blocks */
static void
put_pcir (guint8 *data, gsize offset, guint16 vendor_id, guint16 device_id, guint16 blocks,
          guint8 code_type, gboolean last)
{
  memcpy (data + offset, "PCIR", 4);
  put16 (data, offset + 4, vendor_id);
  put16 (data, offset + 6, device_id);
  put16 (data, offset + 0x0a, 0x18);       /* structure length */
  data[offset + 0x0c] = 0;                 /* revision */
  data[offset + 0x0d] = 0x00;              /* class 0x030000: VGA */
  data[offset + 0x0e] = 0x00;
  data[offset + 0x0f] = 0x03;
  put16 (data, offset + 0x10, blocks);
  put16 (data, offset + 0x12, 0x0001);     /* code revision */
  data[offset + 0x14] = code_type;
  data[offset + 0x15] = last ? 0x80 : 0x00;
}

/**
 * vmctl_test_rom_build:
 *
 * Returns: (transfer full): a legacy x86 image ("VIDEO" signature, as an
 *   NVIDIA vBIOS starts) and an EFI x64 image, with the defects @flags ask
 */
GBytes *
vmctl_test_rom_build (guint16 vendor_id, guint16 device_id, VmctlTestRomFlags flags)
{
  gboolean efi = (flags & VMCTL_TEST_ROM_LEGACY_ONLY) == 0;
  gsize header = (flags & VMCTL_TEST_ROM_NVIDIA_HEADER) ? VMCTL_TEST_ROM_HEADER_LENGTH : 0;
  gsize length = header + VMCTL_TEST_ROM_IMAGE_LENGTH * (efi ? 2 : 1);
  g_autofree guint8 *data = g_malloc0 (length);
  guint8 *legacy = data + header;
  guint8 sum = 0;

  if (header > 0) {
    /* what a flash tool writes first: its own magic and fields, never a
     * 0x55AA image */
    memcpy (data, "NVGI", 4);
    for (gsize i = 4; i < header; i++)
      data[i] = (guint8) (i * 7 + 3) == 0x55 ? 0x56 : (guint8) (i * 7 + 3);
  }
  legacy[0] = 0x55;
  legacy[1] = 0xaa;
  legacy[2] = VMCTL_TEST_ROM_IMAGE_LENGTH / 512;
  legacy[3] = 0xeb;
  memcpy (legacy + 4, "K7400.L.w.VIDEO", 15);
  put16 (legacy, 0x18, 0x40);
  put_pcir (legacy, 0x40, vendor_id, device_id, VMCTL_TEST_ROM_IMAGE_LENGTH / 512, 0x00, !efi);
  for (gsize i = 0; i < VMCTL_TEST_ROM_IMAGE_LENGTH - 1; i++)
    sum += legacy[i];
  legacy[VMCTL_TEST_ROM_IMAGE_LENGTH - 1] = (guint8) (0x100 - sum);
  if (flags & VMCTL_TEST_ROM_BAD_CHECKSUM)
    legacy[VMCTL_TEST_ROM_IMAGE_LENGTH - 1] ^= 0x5a;
  if (efi) {
    guint8 *image = legacy + VMCTL_TEST_ROM_IMAGE_LENGTH;

    image[0] = 0x55;
    image[1] = 0xaa;
    put16 (image, 2, VMCTL_TEST_ROM_IMAGE_LENGTH / 512);
    put32 (image, 4, 0x0ef1);              /* EFI signature */
    put16 (image, 8, 0x0b);                /* EFI boot service driver */
    put16 (image, 0x0a, 0x8664);           /* x64 */
    put16 (image, 0x16, 0x60);             /* the PE image */
    put16 (image, 0x18, 0x1c);
    put_pcir (image, 0x1c, vendor_id, device_id, VMCTL_TEST_ROM_IMAGE_LENGTH / 512, 0x03, TRUE);
  }
  if (flags & VMCTL_TEST_ROM_TRUNCATED)
    length -= VMCTL_TEST_ROM_IMAGE_LENGTH / 2;
  return g_bytes_new (data, length);
}

/**
 * vmctl_test_rom_write:
 * Returns: (transfer full): the path of @name in @directory, holding the ROM
 */
gchar *
vmctl_test_rom_write (const gchar *directory, const gchar *name, guint16 vendor_id,
                      guint16 device_id, VmctlTestRomFlags flags)
{
  g_autoptr(GBytes) bytes = vmctl_test_rom_build (vendor_id, device_id, flags);
  g_autoptr(GError) error = NULL;
  gchar *path = g_build_filename (directory, name, NULL);
  g_autofree gchar *parent = g_path_get_dirname (path);
  gsize length = 0;
  gconstpointer data = g_bytes_get_data (bytes, &length);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, data, (gssize) length, &error);
  g_assert_no_error (error);
  return path;
}
