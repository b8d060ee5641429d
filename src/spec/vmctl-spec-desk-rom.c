/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-spec-desk-rom.c: create --gpu ADDR,rom=FILE runs the checks of
 * `vmctl gpu rom check`: a ROM file QEMU would hand the guest must be an
 * expansion ROM from its first byte, whole, with valid checksums, and for
 * this very card. A wrong one shows as a black screen or a driver error
 * long after create said yes. */
#include "vmctl-spec-desk.h"

#include "vmctl-host-facts.h"
#include "vmctl-pci-bars.h"
#include "vmctl-pci-rom.h"

static gboolean
rom_failed (GError **error, gint code, const VmctlSpecGpu *gpu, const gchar *message)
{
  gchar address[VMCTL_PCI_ADDRESS_STRLEN];

  vmctl_pci_address_format (&gpu->address, address);
  g_set_error (error, VMCTL_SPEC_ERROR, code, "--gpu '%s,rom=%s': %s", address, gpu->rom_path,
               message);
  return FALSE;
}

static gboolean
check_rom (VmctlSpec *spec, const VmctlSpecGpu *gpu, VmctlHostFacts *facts, GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(VmctlRom) rom = NULL;
  g_autoptr(GError) local_error = NULL;
  gchar address[VMCTL_PCI_ADDRESS_STRLEN];
  g_autofree gchar *what = NULL;
  guint16 vendor = 0, device = 0;

  vmctl_pci_address_format (&gpu->address, address);
  if (!vmctl_rom_read_file (gpu->rom_path, &bytes, &local_error))
    return rom_failed (error, VMCTL_SPEC_ERROR_MISSING_FILE, gpu, local_error->message);
  rom = vmctl_rom_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &local_error);
  if (rom == NULL)
    return rom_failed (error, VMCTL_SPEC_ERROR_INVALID, gpu, local_error->message);
  what = g_strdup_printf ("the GPU at %s", address);
  if (facts->host != NULL && vmctl_pci_read_ids (facts->host, &gpu->address, &vendor, &device))
    vmctl_rom_check_device (rom, vendor, device, what);
  else
    vmctl_spec_add_note (spec, "--gpu %s,rom=%s: the ROM's ids are not checked against the "
                         "card, whose ids vmctl cannot read %s", address, gpu->rom_path,
                         facts->where);
  if (rom->problems->len > 0) {
    g_autofree gchar *message =
      g_strdup_printf ("%s%s (vmctl gpu rom check %s --gpu %s lists everything)",
                       (const gchar *) g_ptr_array_index (rom->problems, 0),
                       rom->problems->len > 1 ? "; and more" : "", gpu->rom_path, address);

    return rom_failed (error, VMCTL_SPEC_ERROR_INVALID, gpu, message);
  }
  for (guint i = 0; i < rom->warnings->len; i++)
    vmctl_spec_add_note (spec, "--gpu %s,rom=%s: %s", address, gpu->rom_path,
                         (const gchar *) g_ptr_array_index (rom->warnings, i));
  return TRUE;
}

/**
 * vmctl_spec_check_roms:
 * @facts: the host; the GPU's ids are read from its sysfs (FILES, LOCAL)
 * @error: VMCTL_SPEC_ERROR_MISSING_FILE (unreadable),
 *   VMCTL_SPEC_ERROR_INVALID (no ROM, or a problem vmctl_rom_parse() or
 *   vmctl_rom_check_device() found: a flash tool's header, truncation, a
 *   bad checksum, another card's ROM), with the fix
 *
 * Warnings (no EFI image) become notes.
 */
gboolean
vmctl_spec_check_roms (VmctlSpec *spec, VmctlHostFacts *facts, GError **error)
{
  for (guint i = 0; i < spec->gpus->len; i++) {
    const VmctlSpecGpu *gpu = &g_array_index (spec->gpus, VmctlSpecGpu, i);

    if (gpu->rom_path != NULL && !check_rom (spec, gpu, facts, error))
      return FALSE;
  }
  return TRUE;
}
