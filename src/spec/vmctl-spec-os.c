/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-spec-os.c: the guest OS (--os ID) and the finalize rule for the
 * options of issue 11. The OS's needs come from libosinfo (vmctl-os.c):
 * whether it drives virtio disks and NICs by itself, UEFI, Secure Boot and
 * a TPM, and its minimum memory, vCPUs and disk. They set defaults (a
 * profile's disk bus gives way to SATA for an OS without virtio drivers);
 * what the user gave explicitly stays, with a note when it falls short of
 * what the OS needs. */
#include "vmctl-spec-media-private.h"
#include "vmctl-spec-private.h"

#include <string.h>
#include <sys/stat.h>

#include "vmctl-os.h"
#include "vmctl-size.h"

/**
 * vmctl_spec_set_os:
 * @id: a short ID of libosinfo's database ("win11", "debian11"; `vmctl os
 *   list` shows them)
 * @error: VMCTL_SPEC_ERROR_INVALID for an unknown ID (with close ones
 *   named), VMCTL_OS_ERROR_UNAVAILABLE when libosinfo or its database is
 *   missing
 *
 * Sets the defaults the OS needs: UEFI (with Secure Boot where it
 * requires it), a TPM, and for Windows the local-time clock with the
 * Hyper-V enlightenments. Options applied afterwards override them; disk
 * bus, NIC model and sizes are settled by vmctl_spec_finalize().
 */
gboolean
vmctl_spec_set_os (VmctlSpec *spec, const gchar *id, GError **error)
{
  g_autoptr(VmctlOsDb) db = NULL;
  g_autoptr(VmctlOs) os = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (spec != NULL && id != NULL, FALSE);
  db = vmctl_os_db_load (error);
  if (db == NULL)
    return vmctl_spec_prefix_option (error, "--os", id);
  os = vmctl_os_db_lookup (db, id, &local_error);
  if (os == NULL) {
    g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID, local_error->message);
    return vmctl_spec_prefix_option (error, "--os", id);
  }
  if (os->needs_secure_boot)
    spec->firmware = VMCTL_FIRMWARE_KIND_EFI_SECURE;
  else if (os->needs_efi && spec->firmware == VMCTL_FIRMWARE_KIND_BIOS)
    spec->firmware = VMCTL_FIRMWARE_KIND_EFI;
  if (os->needs_tpm)
    spec->tpm = TRUE;
  /* Windows keeps the hardware clock in local time, and runs best with
   * the Hyper-V enlightenments (what virt-install gives it too) */
  if (vmctl_os_is_windows (os)) {
    spec->clock = VMCTL_CLOCK_WINDOWS;
    spec->hyperv = TRUE;
  }
  g_clear_pointer (&spec->os, vmctl_os_free);
  spec->os = g_steal_pointer (&os);
  return TRUE;
}

/* ---- finalize ------------------------------------------------------------- */

/* A spec filled in by hand gets the checks of the options. */
static gboolean
check_cdroms (VmctlSpec *spec, GError **error)
{
  for (guint i = 0; spec->cdroms != NULL && i < spec->cdroms->len; i++) {
    VmctlSpecCdrom *cdrom = g_ptr_array_index (spec->cdroms, i);
    gchar *absolute = NULL;

    if (!vmctl_spec_check_path (cdrom->path, VMCTL_SPEC_FILE_OR_BLOCK, &absolute, NULL, error)) {
      g_autofree gchar *quoted = vmctl_spec_quote (cdrom->path);

      g_prefix_error (error, "--cdrom '%s': ", quoted);
      return FALSE;
    }
    g_free (cdrom->path);
    cdrom->path = absolute;
  }
  return TRUE;
}

static gboolean
has_driver_iso (const VmctlSpec *spec)
{
  g_autoptr(GPtrArray) cdroms = vmctl_spec_list_cdroms (spec);

  for (guint i = 0; i < cdroms->len; i++)
    if (((VmctlSpecCdrom *) g_ptr_array_index (cdroms, i))->drivers)
      return TRUE;
  return FALSE;
}

/* --drivers auto: the virtio-win ISO where its packages install it, on
 * the host that runs the VM. A remote host's files are not vmctl's to
 * read: the path is attached as it is, and libvirt checks it at start. */
static void
attach_drivers (VmctlSpec *spec, VmctlHostFacts *facts)
{
  VmctlSpecCdrom *cdrom;

  if (!spec->drivers_auto || has_driver_iso (spec))
    return;
  if (facts->host != NULL && !vmctl_host_exists (facts->host, VMCTL_VIRTIO_WIN_ISO)) {
    vmctl_spec_add_note (spec, "--drivers auto: no virtio-win ISO at " VMCTL_VIRTIO_WIN_ISO
                         " %s (Fedora/RHEL: dnf install virtio-win; elsewhere download "
                         "virtio-win.iso from fedorapeople.org and give it with --cdrom)",
                         facts->where);
    return;
  }
  if (facts->host == NULL)
    vmctl_spec_add_note (spec, "--drivers auto: " VMCTL_VIRTIO_WIN_ISO " is attached unchecked: "
                         "vmctl cannot read the files of the host %s", facts->where);
  cdrom = g_new0 (VmctlSpecCdrom, 1);
  cdrom->path = g_strdup (VMCTL_VIRTIO_WIN_ISO);
  cdrom->drivers = TRUE;
  if (spec->cdroms == NULL)
    spec->cdroms = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_spec_cdrom_free);
  g_ptr_array_add (spec->cdroms, cdrom);
}

/* Disk bus and NIC model: virtio where the OS drives it, by itself or
 * with the drivers on a cdrom; else SATA and e1000e, which every OS has
 * drivers for. A bus the user chose stays, with the fix when the OS
 * cannot see it. */
static void
settle_os_devices (VmctlSpec *spec, const VmctlOs *os)
{
  gboolean drivers = has_driver_iso (spec);
  gboolean fix_told = FALSE;

  if (!os->virtio_block && !drivers && g_strcmp0 (spec->disk_bus, "virtio") == 0) {
    gboolean defaulted = FALSE;

    g_free (spec->disk_bus);
    spec->disk_bus = g_strdup ("sata");
    for (guint i = 0; i < spec->disks->len; i++)
      defaulted |= ((VmctlSpecDisk *) g_ptr_array_index (spec->disks, i))->bus == NULL;
    if (defaulted)
      vmctl_spec_add_note (spec, "--os %s: disks on SATA, as %s has no virtio disk driver of "
                           "its own (--drivers auto or --cdrom virtio-win.iso makes virtio, "
                           "the faster bus, possible)", os->id, os->name);
  }
  for (guint i = 0; i < spec->disks->len && !fix_told; i++) {
    const VmctlSpecDisk *disk = g_ptr_array_index (spec->disks, i);

    if (!os->virtio_block && !drivers && g_strcmp0 (disk->bus, "virtio") == 0) {
      vmctl_spec_add_note (spec, "--os %s: %s has no driver for a virtio disk, so its installer "
                           "will see no disk: add --cdrom virtio-win.iso (or --drivers auto) "
                           "and load the viostor driver from it, or use bus=sata", os->id,
                           os->name);
      fix_told = TRUE;
    }
  }
  if (!os->virtio_net && !drivers && g_strcmp0 (spec->nic_model, "virtio") == 0) {
    g_free (spec->nic_model);
    spec->nic_model = g_strdup ("e1000e");
  }
}

/* The OS's minimum: defaults are raised to it, values the user gave are
 * kept with a note. */
static void
settle_os_sizes (VmctlSpec *spec, const VmctlOs *os)
{
  guint64 min_kib = os->min_memory_bytes / 1024;

  if (min_kib > 0 && spec->memory_kib < min_kib) {
    g_autofree gchar *have = vmctl_size_format (spec->memory_kib * 1024);
    g_autofree gchar *want = vmctl_size_format (os->min_memory_bytes);

    if (spec->memory_given) {
      vmctl_spec_add_note (spec, "--memory %s is below the %s %s needs (osinfo minimum)", have,
                           want, os->name);
    } else {
      vmctl_spec_add_note (spec, "memory raised from %s (the %s) to %s, the minimum of %s "
                           "(osinfo)", have, spec->profile != NULL ? "profile's default"
                                                                   : "default", want, os->name);
      spec->memory_kib = min_kib;
    }
  }
  if (os->min_vcpus > 0 && spec->vcpus < os->min_vcpus) {
    if (spec->vcpus_given || spec->cpu_pin == VMCTL_CPU_PIN_LIST) {
      vmctl_spec_add_note (spec, "--vcpus %u is below the %u %s needs (osinfo minimum)",
                           spec->vcpus, os->min_vcpus, os->name);
    } else {
      vmctl_spec_add_note (spec, "vcpus raised from %u to %u, the minimum of %s (osinfo)",
                           spec->vcpus, os->min_vcpus, os->name);
      spec->vcpus = os->min_vcpus;
    }
  }
  for (guint i = 0; os->min_storage_bytes > 0 && i < spec->disks->len; i++) {
    const VmctlSpecDisk *disk = g_ptr_array_index (spec->disks, i);

    if (disk->path == NULL && disk->size_bytes < os->min_storage_bytes) {
      g_autofree gchar *have = vmctl_size_format (disk->size_bytes);
      g_autofree gchar *want = vmctl_size_format (os->min_storage_bytes);

      vmctl_spec_add_note (spec, "--disk size=%s is below the %s %s needs (osinfo minimum): "
                           "its installer may refuse the disk", have, want, os->name);
    }
  }
}

static void
settle_os_platform (VmctlSpec *spec, const VmctlOs *os)
{
  if (os->needs_efi && spec->firmware == VMCTL_FIRMWARE_KIND_BIOS)
    vmctl_spec_add_note (spec, "--firmware bios: %s does not boot with BIOS firmware (osinfo); "
                         "use --firmware efi", os->name);
  else if (os->needs_secure_boot && spec->firmware != VMCTL_FIRMWARE_KIND_EFI_SECURE)
    vmctl_spec_add_note (spec, "--firmware %s: %s requires Secure Boot; its installer refuses "
                         "the machine without it (use --firmware efi-secure)",
                         vmctl_firmware_kind_to_string (spec->firmware), os->name);
  /* settle_devices() has said why a TPM was dropped (no swtpm) */
  if (os->needs_tpm && !spec->tpm) {
    gboolean told = FALSE;

    for (guint i = 0; i < spec->notes->len && !told; i++)
      told = strstr (g_ptr_array_index (spec->notes, i), "swtpm") != NULL;
    if (!told)
      vmctl_spec_add_note (spec, "%s requires a TPM 2.0 and this VM has none", os->name);
  }
}

/* The kernel and initrd are files of the host that runs the VM: looked
 * at under the host root when vmctl can read that host's files. */
static gboolean
check_kernel_file (VmctlSpec *spec, VmctlHostFacts *facts, const gchar *option,
                   const gchar *path, GError **error)
{
  g_autofree gchar *on_host = NULL;
  struct stat info;

  if (path == NULL)
    return TRUE;
  if (facts->host == NULL) {
    vmctl_spec_add_note (spec, "%s %s: not checked, vmctl cannot read the files of the host %s "
                         "(libvirt checks it when the VM starts)", option, path, facts->where);
    return TRUE;
  }
  on_host = vmctl_host_path (facts->host, path);
  if (stat (on_host, &info) != 0) {
    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_MISSING_FILE,
                 "%s '%s': no such file %s", option, path, facts->where);
    return FALSE;
  }
  if (!S_ISREG (info.st_mode)) {
    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                 "%s '%s': not a regular file %s", option, path, facts->where);
    return FALSE;
  }
  return TRUE;
}

/* Each device class --boot names must exist: booting from nothing is a
 * mistake, not a preference. */
static gboolean
check_boot (VmctlSpec *spec, GError **error)
{
  g_autoptr(GPtrArray) cdroms = vmctl_spec_list_cdroms (spec);
  guint bootable_cdroms = 0;

  for (guint i = 0; i < cdroms->len; i++)
    bootable_cdroms += !((VmctlSpecCdrom *) g_ptr_array_index (cdroms, i))->drivers;
  for (guint i = 0; spec->boot != NULL && i < spec->boot->len; i++) {
    VmctlBootDevice device = g_array_index (spec->boot, VmctlBootDevice, i);
    const gchar *missing = NULL;

    if (device == VMCTL_BOOT_CDROM && bootable_cdroms == 0)
      missing = cdroms->len > 0 ? "only driver ISOs, which are never booted" : "no --cdrom";
    else if (device == VMCTL_BOOT_DISK && spec->disks->len == 0)
      missing = "no --disk";
    else if (device == VMCTL_BOOT_NETWORK && spec->network == VMCTL_NETWORK_NONE)
      missing = "--network none";
    if (missing != NULL) {
      g_autofree gchar *text = vmctl_spec_format_boot (spec->boot);

      g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT,
                   "--boot '%s': %s, but the VM has %s", text,
                   vmctl_boot_device_to_string (device), missing);
      return FALSE;
    }
  }
  return TRUE;
}

/**
 * vmctl_spec_settle_media: (skip)
 * @facts: the VM's host
 * @error: VMCTL_SPEC_ERROR_MISSING_FILE for a cdrom that went away or a
 *   kernel or initrd the VM's host lacks, VMCTL_SPEC_ERROR_CONFLICT for a
 *   --boot device the VM does not have
 *
 * The finalize rule of issue 11, after the TPM and the virt type are
 * settled and before vCPUs and memory are checked against the host (the
 * OS's minimum may raise their defaults).
 */
gboolean
vmctl_spec_settle_media (VmctlSpec *spec, VmctlHostFacts *facts, GError **error)
{
  if (!check_cdroms (spec, error))
    return FALSE;
  attach_drivers (spec, facts);
  if (spec->os != NULL) {
    settle_os_devices (spec, spec->os);
    settle_os_sizes (spec, spec->os);
    settle_os_platform (spec, spec->os);
  }
  if (!check_kernel_file (spec, facts, "--kernel", spec->kernel, error)
      || !check_kernel_file (spec, facts, "--initrd", spec->initrd, error))
    return FALSE;
  /* OVMF verifies a directly booted kernel against its enrolled keys
   * (Microsoft's); distribution kernels are signed for shim, which a
   * direct boot skips */
  if (spec->kernel != NULL && spec->firmware == VMCTL_FIRMWARE_KIND_EFI_SECURE)
    vmctl_spec_add_note (spec, "--kernel with Secure Boot: the firmware boots only a kernel "
                         "signed with its enrolled keys (use --firmware efi or bios otherwise)");
  return check_boot (spec, error);
}
