/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-pci-rom.c: PCI expansion ROM images.
 *
 * Layout (PCI Local Bus spec 3.0, 6.3.1; PCI Firmware spec 3.x, 5.1): a
 * ROM is a chain of images. Each starts with the signature 0x55 0xAA; the
 * 16-bit word at offset 0x18 points to its PCI Data Structure, which
 * starts with "PCIR" and holds the vendor id (+4), device id (+6), class
 * code (+0x0d, 3 bytes), the image length in 512-byte units (+0x10), the
 * code type (+0x14: 0 x86 PC-AT BIOS, 3 EFI) and the indicator (+0x15,
 * bit 7 set on the last image). An x86 image's byte 2 is its
 * initialization size in 512-byte units, and those bytes sum to zero
 * modulo 256 (the BIOS refuses the image otherwise). An EFI image holds
 * the signature 0x0EF1 at +4 and its machine type at +0x0a (UEFI spec,
 * PCI option ROMs).
 *
 * NVIDIA vBIOS files saved by some flash tools (and many downloads of
 * them) carry the tool's own header before the first 0x55AA image; QEMU
 * gives the guest the file from its first byte, so such a file must be
 * cut where the image starts (the VFIO guides: look for the "U.....VIDEO"
 * signature and delete what comes before it). */
#include "vmctl-pci-rom.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

G_DEFINE_QUARK (vmctl-rom-error-quark, vmctl_rom_error)

#define PCIR_POINTER 0x18
#define PCIR_MIN_LENGTH 0x18
#define EFI_SIGNATURE 0x0ef1
/* how far a flash tool's header may reach before the image: the ones
 * seen are a few KiB; the limit only bounds the search */
#define HEADER_SEARCH_LIMIT (64 * 1024)
#define IMAGE_LIMIT 16
#define NVIDIA_VENDOR 0x10de

void
vmctl_rom_free (VmctlRom *rom)
{
  if (rom == NULL)
    return;
  g_clear_pointer (&rom->images, g_array_unref);
  g_clear_pointer (&rom->problems, g_ptr_array_unref);
  g_clear_pointer (&rom->warnings, g_ptr_array_unref);
  g_free (rom);
}

static guint16
read16 (const guint8 *data, gsize offset)
{
  return (guint16) (data[offset] | data[offset + 1] << 8);
}

static guint32
read32 (const guint8 *data, gsize offset)
{
  return (guint32) read16 (data, offset) | (guint32) read16 (data, offset + 2) << 16;
}

/**
 * vmctl_rom_code_type_name:
 * Returns: (transfer none): "legacy x86", "EFI", ... for messages
 */
const gchar *
vmctl_rom_code_type_name (guint8 code_type)
{
  switch (code_type) {
  case VMCTL_ROM_CODE_X86:
    return "legacy x86";
  case 0x01:
    return "Open Firmware";
  case 0x02:
    return "HP PA-RISC";
  case VMCTL_ROM_CODE_EFI:
    return "EFI";
  default:
    return "vendor-specific";
  }
}

/* The image header at @offset, or NULL with the reason it is not one. */
static gchar *
read_image (const guint8 *data, gsize length, gsize offset, VmctlRomImage *out_image)
{
  VmctlRomImage image = { 0 };
  gsize pcir;

  if (offset + PCIR_POINTER + 2 > length)
    return g_strdup_printf ("the image header at 0x%zx is cut short", offset);
  if (data[offset] != 0x55 || data[offset + 1] != 0xaa)
    return g_strdup_printf ("no 0x55AA signature at 0x%zx", offset);
  pcir = offset + read16 (data, offset + PCIR_POINTER);
  if (pcir + PCIR_MIN_LENGTH > length)
    return g_strdup_printf ("the PCI data structure of the image at 0x%zx lies beyond the end "
                            "of the file (truncated?)", offset);
  if (memcmp (data + pcir, "PCIR", 4) != 0)
    return g_strdup_printf ("the image at 0x%zx has no PCIR structure", offset);
  image.offset = offset;
  image.vendor_id = read16 (data, pcir + 4);
  image.device_id = read16 (data, pcir + 6);
  image.class_code = (guint32) data[pcir + 0x0d] | (guint32) data[pcir + 0x0e] << 8
                     | (guint32) data[pcir + 0x0f] << 16;
  image.length = (gsize) read16 (data, pcir + 0x10) * 512;
  image.code_type = data[pcir + 0x14];
  image.last = (data[pcir + 0x15] & 0x80) != 0;
  image.checksum_ok = TRUE;
  if (image.length == 0)
    return g_strdup_printf ("the image at 0x%zx gives its length as 0", offset);
  *out_image = image;
  return NULL;
}

static void
add_line (GPtrArray *lines, const gchar *format, ...) G_GNUC_PRINTF (2, 3);

static void
add_line (GPtrArray *lines, const gchar *format, ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (lines, g_strdup_vprintf (format, args));
  va_end (args);
}

/* what makes the file unusable, and what only may surprise */
#define add_problem(rom, ...) add_line ((rom)->problems, __VA_ARGS__)
#define add_warning(rom, ...) add_line ((rom)->warnings, __VA_ARGS__)

/* what the image type needs beyond the PCIR: the x86 checksum, the EFI
 * signature and machine type */
static void
check_image (VmctlRom *rom, const guint8 *data, VmctlRomImage *image, guint number)
{
  if (image->code_type == VMCTL_ROM_CODE_X86) {
    gsize initialization = (gsize) data[image->offset + 2] * 512;
    guint8 sum = 0;

    if (initialization == 0 || initialization > image->length)
      initialization = image->length;
    for (gsize i = 0; i < initialization; i++)
      sum += data[image->offset + i];
    image->checksum_ok = sum == 0;
    if (!image->checksum_ok)
      add_problem (rom, "image %u (legacy x86, at 0x%zx): bad checksum (its %zu bytes sum to "
                   "0x%02x, not 0): the file is damaged or was edited without fixing it",
                   number, image->offset, initialization, sum);
  } else if (image->code_type == VMCTL_ROM_CODE_EFI) {
    if (read32 (data, image->offset + 4) != EFI_SIGNATURE)
      add_problem (rom, "image %u (EFI, at 0x%zx) lacks the EFI signature 0x0EF1", number,
                   image->offset);
    else
      image->efi_machine = read16 (data, image->offset + 0x0a);
  }
}

/* Where the first image starts: 0 for a clean file, later after a flash
 * tool's header; G_MAXSIZE when there is no image at all. */
static gsize
find_first_image (const guint8 *data, gsize length)
{
  VmctlRomImage image;
  gsize limit = MIN (length, HEADER_SEARCH_LIMIT);

  for (gsize offset = 0; offset + 1 < limit; offset++) {
    g_autofree gchar *why = NULL;

    if (data[offset] != 0x55 || data[offset + 1] != 0xaa)
      continue;
    why = read_image (data, length, offset, &image);
    if (why == NULL)
      return offset;
  }
  return G_MAXSIZE;
}

static void
walk_chain (VmctlRom *rom, const guint8 *data, gsize length)
{
  gsize offset = rom->header_length;

  for (guint number = 1; number <= IMAGE_LIMIT; number++) {
    VmctlRomImage image = { 0 };
    g_autofree gchar *why = read_image (data, length, offset, &image);

    if (why != NULL) {
      add_problem (rom, "image %u: %s", number, why);
      return;
    }
    if (offset + image.length > length) {
      add_problem (rom, "truncated: image %u (%s, at 0x%zx) is %zu bytes long, but the file "
                   "ends %zu bytes into it", number, vmctl_rom_code_type_name (image.code_type),
                   offset, image.length, length - offset);
      g_array_append_val (rom->images, image);
      return;
    }
    check_image (rom, data, &image, number);
    g_array_append_val (rom->images, image);
    offset += image.length;
    rom->end = offset;
    if (image.last)
      return;
  }
  add_problem (rom, "no image is marked as the last one after %d images", IMAGE_LIMIT);
}

/**
 * vmctl_rom_parse:
 * @data: the file's bytes
 * @error: VMCTL_ROM_ERROR_NOT_ROM when no PCI expansion ROM image is in
 *   it at all, VMCTL_ROM_ERROR_TOO_LARGE above 16 MiB
 *
 * Reads the image chain and says what is wrong with it (problems: a
 * header before the first image, a truncated image, a bad checksum) and
 * what may surprise (warnings: no EFI image, bytes after the last image).
 *
 * Returns: (transfer full): the ROM
 */
VmctlRom *
vmctl_rom_parse (const guint8 *data, gsize length, GError **error)
{
  g_autoptr(VmctlRom) rom = g_new0 (VmctlRom, 1);
  gsize first;

  if (length > VMCTL_ROM_MAX_SIZE) {
    g_set_error (error, VMCTL_ROM_ERROR, VMCTL_ROM_ERROR_TOO_LARGE,
                 "%zu bytes: larger than the 16 MiB an expansion ROM can have", length);
    return NULL;
  }
  first = find_first_image (data, length);
  if (first == G_MAXSIZE) {
    g_set_error_literal (error, VMCTL_ROM_ERROR, VMCTL_ROM_ERROR_NOT_ROM,
                         length >= 2 && data[0] == 0x55 && data[1] == 0xaa
                         ? "not a usable PCI expansion ROM: the 0x55AA image has no valid "
                           "PCIR structure (truncated or damaged)"
                         : "not a PCI expansion ROM: no 0x55AA image with a PCIR structure");
    return NULL;
  }
  rom->length = length;
  rom->header_length = first;
  rom->images = g_array_new (FALSE, FALSE, sizeof (VmctlRomImage));
  rom->problems = g_ptr_array_new_with_free_func (g_free);
  rom->warnings = g_ptr_array_new_with_free_func (g_free);
  walk_chain (rom, data, length);
  if (first > 0) {
    const VmctlRomImage *image = &g_array_index (rom->images, VmctlRomImage, 0);

    rom->nvidia_header = image->vendor_id == NVIDIA_VENDOR;
    add_problem (rom, "%zu bytes of %s precede the ROM image: QEMU would give the guest a ROM "
                 "without its 0x55AA signature; write it without them with --strip OUT",
                 first, rom->nvidia_header ? "an NVIDIA flash tool's header" : "something else");
  }
  if (!vmctl_rom_has_type (rom, VMCTL_ROM_CODE_EFI))
    add_warning (rom, "no EFI image: with UEFI firmware (OVMF) the GPU shows nothing until the "
                 "guest's driver loads");
  if (rom->end > 0 && rom->end < length && rom->problems->len == 0)
    add_warning (rom, "%zu bytes follow the last image (padding or a vendor footer); the guest "
                 "ignores them", length - rom->end);
  return g_steal_pointer (&rom);
}

/**
 * vmctl_rom_has_type:
 * Returns: whether an image of @code_type is in the chain
 */
gboolean
vmctl_rom_has_type (const VmctlRom *rom, guint8 code_type)
{
  for (guint i = 0; i < rom->images->len; i++)
    if (g_array_index (rom->images, VmctlRomImage, i).code_type == code_type)
      return TRUE;
  return FALSE;
}

/**
 * vmctl_rom_check_device:
 * @what: the GPU, for the message ("the GPU at 0000:01:00.0")
 *
 * Adds a problem when the first image is for another vendor or device: a
 * guest driver refuses a vBIOS for another card, or worse, runs it.
 */
void
vmctl_rom_check_device (VmctlRom *rom, guint16 vendor_id, guint16 device_id, const gchar *what)
{
  const VmctlRomImage *image;

  if (rom->images->len == 0)
    return;
  image = &g_array_index (rom->images, VmctlRomImage, 0);
  if (image->vendor_id != vendor_id || image->device_id != device_id)
    add_problem (rom, "the ROM is for PCI device %04x:%04x, %s is %04x:%04x: use the vBIOS "
                 "of this card (vmctl gpu rom dump, or the exact model's file)",
                 image->vendor_id, image->device_id, what, vendor_id, device_id);
}

/**
 * vmctl_rom_read_file:
 * @error: VMCTL_ROM_ERROR_NO_FILE, VMCTL_ROM_ERROR_TOO_LARGE
 *
 * Reads a ROM file the user names, refusing what no ROM can be (a device
 * node, a directory, more than 16 MiB) before reading it all.
 */
gboolean
vmctl_rom_read_file (const gchar *path, GBytes **out_bytes, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *contents = NULL;
  gsize length = 0;
  GStatBuf info;

  if (g_stat (path, &info) != 0) {
    g_set_error (error, VMCTL_ROM_ERROR, VMCTL_ROM_ERROR_NO_FILE, "'%s': no such file", path);
    return FALSE;
  }
  if (!S_ISREG (info.st_mode)) {
    g_set_error (error, VMCTL_ROM_ERROR, VMCTL_ROM_ERROR_NO_FILE, "'%s': not a regular file",
                 path);
    return FALSE;
  }
  if (info.st_size > VMCTL_ROM_MAX_SIZE) {
    g_set_error (error, VMCTL_ROM_ERROR, VMCTL_ROM_ERROR_TOO_LARGE,
                 "'%s': %" G_GINT64_FORMAT " bytes, larger than the 16 MiB an expansion ROM "
                 "can have", path, (gint64) info.st_size);
    return FALSE;
  }
  if (!g_file_get_contents (path, &contents, &length, &local_error)) {
    g_set_error (error, VMCTL_ROM_ERROR, VMCTL_ROM_ERROR_NO_FILE, "'%s': %s", path,
                 local_error->message);
    return FALSE;
  }
  *out_bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
  return TRUE;
}

/**
 * vmctl_rom_read_device:
 * @error: a VMCTL_HOST_ERROR when sysfs refuses, VMCTL_ROM_ERROR_EMPTY
 *   when the card gives nothing
 *
 * Reads the card's ROM the way the sysfs ABI asks (sysfs-bus-pci, `rom`):
 * write "1" to enable reading, read, write "0". The "0" is written
 * whatever the read did, so the ROM BAR is never left enabled. For the
 * boot VGA device the kernel returns the shadow copy at 0xC0000, which
 * the firmware may have changed while it ran the card.
 */
gboolean
vmctl_rom_read_device (VmctlHost *host, const VmctlPciAddress *address, GBytes **out_bytes,
                       GError **error)
{
  gchar text[VMCTL_PCI_ADDRESS_STRLEN];
  g_autofree gchar *path = NULL;
  g_autofree gchar *contents = NULL;
  g_autoptr(GError) read_error = NULL;
  g_autoptr(GError) disable_error = NULL;
  gsize length = 0;
  gboolean read_ok;

  vmctl_pci_address_format (address, text);
  path = g_strdup_printf ("/sys/bus/pci/devices/%s/rom", text);
  if (!vmctl_host_write (host, path, "1", error))
    return FALSE;
  read_ok = vmctl_host_read (host, path, &contents, &length, &read_error);
  if (!vmctl_host_write (host, path, "0", &disable_error) && read_ok) {
    g_propagate_error (error, g_steal_pointer (&disable_error));
    return FALSE;
  }
  if (!read_ok) {
    g_propagate_error (error, g_steal_pointer (&read_error));
    return FALSE;
  }
  if (length == 0) {
    g_set_error (error, VMCTL_ROM_ERROR, VMCTL_ROM_ERROR_EMPTY, "%s: the card gave an empty ROM",
                 text);
    return FALSE;
  }
  *out_bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
  return TRUE;
}
