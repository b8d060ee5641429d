/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-session-rom.c: vmctl gpu rom check FILE [--gpu ADDR] [--strip
 * OUT] and vmctl gpu rom dump ADDR OUT. */
#include "vmctl-session-desk.h"

#include "vmctl-error.h"

#include <glib/gstdio.h>
#include <string.h>

void
vmctl_rom_report_free (VmctlRomReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->rom, vmctl_rom_free);
  g_clear_pointer (&report->stripped, vmctl_rom_free);
  g_free (report->stripped_path);
  g_free (report);
}

void
vmctl_rom_dump_free (VmctlRomDump *dump)
{
  if (dump == NULL)
    return;
  g_clear_pointer (&dump->rom, vmctl_rom_free);
  g_clear_pointer (&dump->warnings, g_ptr_array_unref);
  g_free (dump);
}

/* A file vmctl writes for the user: never over an existing one (the ROM
 * being read, or another card's dump), never through a symlink. */
static gboolean
write_new_file (const gchar *path, const guint8 *data, gsize length, GError **error)
{
  GStatBuf info;

  if (g_lstat (path, &info) == 0) {
    g_set_error (error, VMCTL_ERROR, VMCTL_ERROR_INVALID_INPUT,
                 "'%s' exists: vmctl writes a new file only (remove it, or name another)", path);
    return FALSE;
  }
  if (!g_file_set_contents (path, (const gchar *) data, (gssize) length, error)) {
    g_prefix_error (error, "cannot write '%s': ", path);
    g_set_error_literal (error, VMCTL_ERROR, VMCTL_ERROR_FAILED, (*error)->message);
    return FALSE;
  }
  return TRUE;
}

static const VmctlPciDevice *
find_device (VmctlSession *session, const VmctlPciAddress *address, VmctlInventory **out_inventory,
             GError **error)
{
  g_autoptr(VmctlInventory) inventory = vmctl_session_load_inventory (session,
                                                                      VMCTL_INVENTORY_FLAGS_NONE,
                                                                      error);
  const VmctlPciDevice *device = inventory != NULL ? vmctl_inventory_find (inventory, address,
                                                                           error) : NULL;

  if (device == NULL)
    return NULL;
  *out_inventory = g_steal_pointer (&inventory);
  return device;
}

/**
 * vmctl_session_gpu_rom_check:
 * @gpu: (nullable): compare the ROM's ids with this device's (from the
 *   inventory: sysfs, or a remote host's node devices)
 * @strip_out: (nullable): write the image chain without what precedes or
 *   follows it (an NVIDIA flash tool's header) to this new file
 * @error: VMCTL_ERROR_NOT_FOUND (no file, no such device),
 *   VMCTL_ERROR_INVALID_INPUT (not a ROM at all, an existing OUT)
 *
 * A file with problems is no error here: the report says them and the
 * caller's exit status does.
 */
VmctlRomReport *
vmctl_session_gpu_rom_check (VmctlSession *session, const gchar *path,
                             const VmctlPciAddress *gpu, const gchar *strip_out, GError **error)
{
  g_autoptr(VmctlRomReport) report = g_new0 (VmctlRomReport, 1);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(VmctlInventory) inventory = NULL;
  const guint8 *data;
  gsize length;

  g_return_val_if_fail (session != NULL && path != NULL, NULL);
  if (!vmctl_rom_read_file (path, &bytes, error)) {
    vmctl_error_convert (error);
    return NULL;
  }
  data = g_bytes_get_data (bytes, &length);
  report->rom = vmctl_rom_parse (data, length, error);
  if (report->rom == NULL) {
    vmctl_error_convert (error);
    return NULL;
  }
  if (gpu != NULL) {
    const VmctlPciDevice *device = find_device (session, gpu, &inventory, error);
    gchar text[VMCTL_PCI_ADDRESS_STRLEN];
    g_autofree gchar *what = NULL;

    if (device == NULL) {
      vmctl_error_convert (error);
      return NULL;
    }
    vmctl_pci_address_format (gpu, text);
    what = g_strdup_printf ("the GPU at %s", text);
    vmctl_rom_check_device (report->rom, device->vendor_id, device->device_id, what);
    report->device_checked = TRUE;
    report->gpu = *gpu;
  }
  if (strip_out != NULL) {
    gsize start = report->rom->header_length;
    gsize end = report->rom->end > start ? report->rom->end : length;

    if (!write_new_file (strip_out, data + start, end - start, error))
      return NULL;
    report->stripped_path = g_strdup (strip_out);
    report->stripped = vmctl_rom_parse (data + start, end - start, NULL);
    if (report->stripped != NULL && report->device_checked) {
      const VmctlPciDevice *device = vmctl_inventory_lookup (inventory, gpu);

      vmctl_rom_check_device (report->stripped, device->vendor_id, device->device_id, "the GPU");
    }
  }
  return g_steal_pointer (&report);
}

/* Why a dump may not be the card's flash, from what the host does with
 * the card: the kernel hands out the boot GPU's shadow copy at 0xC0000,
 * which the firmware changed when it ran it, and a driver that ran the
 * card may have left its ROM BAR unreadable. */
static void
add_dump_warnings (VmctlRomDump *dump, const VmctlPciDevice *device)
{
  if (device->boot_vga == VMCTL_TRISTATE_YES)
    g_ptr_array_add (dump->warnings,
                     g_strdup ("this is the boot GPU: the kernel gives the shadow copy the "
                               "firmware left at 0xC0000, which it may have changed while "
                               "running the card; a guest may not start from it (prefer a "
                               "dump of this model from a card that did not boot a host, or "
                               "the vendor's file)"));
  if (device->driver != NULL && !vmctl_pci_driver_is_vfio_safe (device->driver))
    g_ptr_array_add (dump->warnings,
                     g_strdup_printf ("%s drives the card: its ROM is read from a running card, "
                                      "which may give it changed or not at all (a dump with "
                                      "the card on vfio-pci, before any guest ran it, is the "
                                      "safe one: vmctl gpu detach first)", device->driver));
}

/**
 * vmctl_session_gpu_rom_dump:
 * @out_path: a new file
 * @error: VMCTL_ERROR_INVALID_INPUT (a remote host, an existing file),
 *   VMCTL_ERROR_NOT_FOUND (no such device), VMCTL_ERROR_HOST_IN_USE (the
 *   host's console, a framebuffer, a process holding it: reading the ROM
 *   BAR of a card in use can hang it), VMCTL_ERROR_FAILED (the card gave
 *   no ROM image), VMCTL_ERROR_HOST (sysfs refused)
 *
 * Reads the card's ROM through sysfs `rom` (enable, read, disable) and
 * writes it to @out_path; the dump's warnings say when it is likely the
 * shadow copy or a running card's.
 */
VmctlRomDump *
vmctl_session_gpu_rom_dump (VmctlSession *session, const VmctlPciAddress *address,
                            const gchar *out_path, GError **error)
{
  g_autoptr(VmctlRomDump) dump = g_new0 (VmctlRomDump, 1);
  g_autoptr(VmctlInventory) inventory = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) parse_error = NULL;
  gchar text[VMCTL_PCI_ADDRESS_STRLEN];
  const VmctlPciDevice *device;
  const guint8 *data;
  gsize length;

  g_return_val_if_fail (session != NULL && address != NULL && out_path != NULL, NULL);
  dump->warnings = g_ptr_array_new_with_free_func (g_free);
  vmctl_pci_address_format (address, text);
  if (vmctl_session_uses_nodedev (session)) {
    g_set_error (error, VMCTL_ERROR, VMCTL_ERROR_INVALID_INPUT,
                 "gpu rom dump reads the card through this host's sysfs; %s is another host",
                 vmctl_session_get_uri (session));
    return NULL;
  }
  if (g_file_test (out_path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK)) {
    g_set_error (error, VMCTL_ERROR, VMCTL_ERROR_INVALID_INPUT,
                 "'%s' exists: vmctl writes a new file only (remove it, or name another)",
                 out_path);
    return NULL;
  }
  device = find_device (session, address, &inventory, error);
  if (device == NULL) {
    vmctl_error_convert (error);
    return NULL;
  }
  vmctl_session_load_host_use (session, inventory, address, 1);
  if (device->host_use != NULL && device->host_use->len > 0) {
    g_autoptr(GPtrArray) uses = g_ptr_array_new_with_free_func (g_free);
    g_autofree gchar *joined = NULL;

    vmctl_verdict_add_host_use (device, uses);
    g_ptr_array_add (uses, NULL);
    joined = g_strjoinv ("; ", (gchar **) uses->pdata);
    g_set_error (error, VMCTL_ERROR, VMCTL_ERROR_HOST_IN_USE,
                 "%s; its ROM is not read while the host uses the card (dump it from another "
                 "boot where the card is idle, or on vfio-pci)", joined);
    return NULL;
  }
  if (!vmctl_rom_read_device (vmctl_session_get_host (session), address, &bytes, error)) {
    vmctl_error_convert (error);
    return NULL;
  }
  data = g_bytes_get_data (bytes, &length);
  dump->rom = vmctl_rom_parse (data, length, &parse_error);
  if (dump->rom == NULL) {
    g_set_error (error, VMCTL_ERROR, VMCTL_ERROR_FAILED,
                 "%s gave %zu bytes without a ROM image (%s): a card whose driver has run "
                 "often hides its ROM; dump it with the card on vfio-pci before any guest "
                 "used it, or use the vendor's file", text, length, parse_error->message);
    return NULL;
  }
  add_dump_warnings (dump, device);
  if (!write_new_file (out_path, data, length, error))
    return NULL;
  dump->length = length;
  return g_steal_pointer (&dump);
}
