/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-spec-media.c: the install and boot options of `vmctl create`
 * (issue 11), from the text the user typed to the spec: --cdrom
 * (repeatable, in order), a disk's bus= and cache=, --boot, --kernel,
 * --initrd and --cmdline, --drivers. Like vmctl-spec-parse.c, every error
 * names the option and the value; what depends on the host waits for
 * vmctl_spec_settle_media(). The guest OS (--os) is vmctl-spec-os.c. */
#include "vmctl-spec-media-private.h"
#include "vmctl-spec-private.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "vmctl-os.h"

static const gchar * const disk_buses[] = { "virtio", "sata", "scsi", NULL };
/* QEMU's cache modes as libvirt spells them */
static const gchar * const cache_modes[] = {
  "none", "writethrough", "writeback", "directsync", "unsafe", NULL,
};

void
vmctl_spec_cdrom_free (VmctlSpecCdrom *cdrom)
{
  if (cdrom == NULL)
    return;
  g_free (cdrom->path);
  g_free (cdrom);
}

void
vmctl_spec_media_options_clear (VmctlSpecMediaOptions *options)
{
  g_clear_pointer (&options->cdroms, g_strfreev);
  g_clear_pointer (&options->boot, g_free);
  g_clear_pointer (&options->kernel, g_free);
  g_clear_pointer (&options->initrd, g_free);
  g_clear_pointer (&options->cmdline, g_free);
  g_clear_pointer (&options->os, g_free);
  g_clear_pointer (&options->drivers, g_free);
}

/* (skip) what vmctl_spec_free() calls for the fields of issue 11 */
void
vmctl_spec_media_clear (VmctlSpec *spec)
{
  g_clear_pointer (&spec->cdroms, g_ptr_array_unref);
  g_clear_pointer (&spec->boot, g_array_unref);
  g_clear_pointer (&spec->kernel, g_free);
  g_clear_pointer (&spec->initrd, g_free);
  g_clear_pointer (&spec->cmdline, g_free);
  g_clear_pointer (&spec->os, vmctl_os_free);
}

static gboolean
invalid (GError **error, const gchar *message)
{
  g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID, message);
  return FALSE;
}

/* ---- disks: bus= and cache= ----------------------------------------------- */

static gboolean
take_one (const gchar *item, gchar **out_bus, gchar **out_cache, GError **error)
{
  gboolean is_bus = g_str_has_prefix (item, "bus=");
  const gchar *value = strchr (item, '=') + 1;
  gchar **slot = is_bus ? out_bus : out_cache;
  const gchar * const *allowed = is_bus ? disk_buses : cache_modes;

  if (*slot != NULL) {
    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID, "%s= is given twice",
                 is_bus ? "bus" : "cache");
    return FALSE;
  }
  if (!g_strv_contains (allowed, value)) {
    g_autofree gchar *quoted = vmctl_spec_quote (value);

    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID, is_bus
                 ? "unknown bus '%s' (want virtio, sata or scsi)"
                 : "unknown cache mode '%s' (want none, writethrough, writeback, directsync "
                   "or unsafe)", quoted);
    return FALSE;
  }
  *slot = g_strdup (value);
  return TRUE;
}

static gboolean
is_media_option (const gchar *item)
{
  return g_str_has_prefix (item, "bus=") || g_str_has_prefix (item, "cache=");
}

/**
 * vmctl_spec_disk_take_options: (skip)
 * @text: a --disk value
 * @out_rest: (out): @text without bus= and cache=, for the disk parser
 * @out_bus: (out): the bus, or NULL when not given
 * @out_cache: (out): the cache mode, or NULL
 *
 * In a new volume (size=...) the options may come in any order. After a
 * PATH they come last: a path may hold commas, so only trailing
 * ",bus=..." and ",cache=..." are options.
 */
gboolean
vmctl_spec_disk_take_options (const gchar *text, gchar **out_rest, gchar **out_bus,
                              gchar **out_cache, GError **error)
{
  g_autofree gchar *bus = NULL;
  g_autofree gchar *cache = NULL;
  g_autofree gchar *rest = NULL;

  if (g_str_has_prefix (text, "size=") || g_str_has_prefix (text, "pool=")
      || is_media_option (text)) {
    g_auto(GStrv) items = g_strsplit (text, ",", -1);
    g_autoptr(GPtrArray) kept = g_ptr_array_new ();

    for (guint i = 0; items[i] != NULL; i++) {
      if (!is_media_option (items[i]))
        g_ptr_array_add (kept, items[i]);
      else if (!take_one (items[i], &bus, &cache, error))
        return FALSE;
    }
    g_ptr_array_add (kept, NULL);
    rest = g_strjoinv (",", (gchar **) kept->pdata);
  } else {
    gchar *comma;

    rest = g_strdup (text);
    while ((comma = strrchr (rest, ',')) != NULL && is_media_option (comma + 1)) {
      if (!take_one (comma + 1, &bus, &cache, error))
        return FALSE;
      *comma = '\0';
    }
  }
  *out_rest = g_steal_pointer (&rest);
  *out_bus = g_steal_pointer (&bus);
  *out_cache = g_steal_pointer (&cache);
  return TRUE;
}

/**
 * vmctl_spec_disk_bus:
 *
 * Returns: (transfer none): the bus disk @disk of @spec is on: its own
 *   (bus=), else the spec's default (the profile's, or the OS's)
 */
const gchar *
vmctl_spec_disk_bus (const VmctlSpec *spec, const VmctlSpecDisk *disk)
{
  if (disk->bus != NULL)
    return disk->bus;
  return spec->disk_bus != NULL ? spec->disk_bus : "virtio";
}

/* ---- cdroms --------------------------------------------------------------- */

/* The ISO 9660 volume ID (32 bytes at offset 40 of the primary volume
 * descriptor, sector 16), or NULL for anything that is not such an image. */
static gchar *
iso_volume_id (const gchar *path)
{
  gchar sector[2048];
  gint fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  gssize length;

  if (fd < 0)
    return NULL;
  length = pread (fd, sector, sizeof sector, 16 * 2048);
  close (fd);
  /* type 1, "CD001", version 1 */
  if (length != sizeof sector || sector[0] != 1 || memcmp (sector + 1, "CD001", 5) != 0)
    return NULL;
  return g_strstrip (g_strndup (sector + 40, 32));
}

/* A virtio-win driver ISO, by its name or its volume ID
 * ("virtio-win-0.1.240"): attached for the installer's "Load driver",
 * never a boot device. */
static gboolean
is_driver_iso (const gchar *path)
{
  g_autofree gchar *base = g_ascii_strdown (path, -1);
  g_autofree gchar *volume = iso_volume_id (path);
  g_autofree gchar *volume_lower = volume != NULL ? g_ascii_strdown (volume, -1) : NULL;
  const gchar *name = strrchr (base, '/') != NULL ? strrchr (base, '/') + 1 : base;

  return strstr (name, "virtio-win") != NULL
         || (volume_lower != NULL && g_str_has_prefix (volume_lower, "virtio-win"));
}

/**
 * vmctl_spec_add_cdrom:
 * @path: an ISO image or a block device (/dev/sr0), on this machine
 * @error: VMCTL_SPEC_ERROR_MISSING_FILE, VMCTL_SPEC_ERROR_INVALID, or
 *   VMCTL_SPEC_ERROR_CONFLICT when the same image is given twice
 *
 * Appends a cdrom: the VM gets them in the order given, each on a bus
 * its machine type has (SATA on q35, IDE on pc).
 */
gboolean
vmctl_spec_add_cdrom (VmctlSpec *spec, const gchar *path, GError **error)
{
  g_autoptr(VmctlSpecCdrom) cdrom = g_new0 (VmctlSpecCdrom, 1);
  g_autoptr(GPtrArray) existing = NULL;

  g_return_val_if_fail (spec != NULL && path != NULL, FALSE);
  if (!vmctl_spec_check_path (path, VMCTL_SPEC_FILE_OR_BLOCK, &cdrom->path, NULL, error))
    return vmctl_spec_prefix_option (error, "--cdrom", path);
  existing = vmctl_spec_list_cdroms (spec);
  for (guint i = 0; i < existing->len; i++) {
    if (g_strcmp0 (((VmctlSpecCdrom *) g_ptr_array_index (existing, i))->path, cdrom->path) == 0) {
      g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT,
                   "%s is already given with --cdrom", cdrom->path);
      return vmctl_spec_prefix_option (error, "--cdrom", path);
    }
  }
  cdrom->drivers = is_driver_iso (cdrom->path);
  if (spec->cdroms == NULL)
    spec->cdroms = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_spec_cdrom_free);
  g_ptr_array_add (spec->cdroms, g_steal_pointer (&cdrom));
  return TRUE;
}

/**
 * vmctl_spec_list_cdroms:
 *
 * Returns: (transfer full) (element-type VmctlSpecCdrom): copies of every
 *   cdrom in order: spec->cdrom (the field of the single-cdrom API) first,
 *   then spec->cdroms
 */
GPtrArray *
vmctl_spec_list_cdroms (const VmctlSpec *spec)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_spec_cdrom_free);

  if (spec->cdrom != NULL) {
    VmctlSpecCdrom *first = g_new0 (VmctlSpecCdrom, 1);

    first->path = g_strdup (spec->cdrom);
    first->drivers = is_driver_iso (spec->cdrom);
    g_ptr_array_add (list, first);
  }
  for (guint i = 0; spec->cdroms != NULL && i < spec->cdroms->len; i++) {
    const VmctlSpecCdrom *cdrom = g_ptr_array_index (spec->cdroms, i);
    VmctlSpecCdrom *copy = g_new0 (VmctlSpecCdrom, 1);

    copy->path = g_strdup (cdrom->path);
    copy->drivers = cdrom->drivers;
    g_ptr_array_add (list, copy);
  }
  return list;
}

/* ---- boot order ----------------------------------------------------------- */

const gchar *
vmctl_boot_device_to_string (VmctlBootDevice device)
{
  switch (device) {
  case VMCTL_BOOT_CDROM:
    return "cdrom";
  case VMCTL_BOOT_DISK:
    return "disk";
  case VMCTL_BOOT_NETWORK:
  default:
    return "network";
  }
}

/* "cdrom,disk": --boot's spelling, also in the metadata */
gchar *
vmctl_spec_format_boot (GArray *boot)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; boot != NULL && i < boot->len; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? "," : "",
                            vmctl_boot_device_to_string (g_array_index (boot, VmctlBootDevice, i)));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean
parse_boot (const gchar *text, GArray **out_boot, GError **error)
{
  static const VmctlBootDevice devices[] = { VMCTL_BOOT_CDROM, VMCTL_BOOT_DISK, VMCTL_BOOT_NETWORK };
  g_auto(GStrv) words = g_strsplit (text, ",", -1);
  g_autoptr(GArray) boot = g_array_new (FALSE, FALSE, sizeof (VmctlBootDevice));

  if (text[0] == '\0')
    return invalid (error, "an empty boot list (want cdrom, disk and network, in boot order, "
                           "comma-separated)");
  for (guint i = 0; words[i] != NULL; i++) {
    gboolean known = FALSE;

    for (gsize d = 0; d < G_N_ELEMENTS (devices) && !known; d++) {
      if (g_strcmp0 (words[i], vmctl_boot_device_to_string (devices[d])) != 0)
        continue;
      known = TRUE;
      for (guint j = 0; j < boot->len; j++) {
        if (g_array_index (boot, VmctlBootDevice, j) == devices[d]) {
          g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID, "%s is listed twice",
                       words[i]);
          return FALSE;
        }
      }
      g_array_append_val (boot, devices[d]);
    }
    if (!known) {
      g_autofree gchar *quoted = vmctl_spec_quote (words[i]);

      g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                   "unknown boot device '%s' (want cdrom, disk or network)", quoted);
      return FALSE;
    }
  }
  *out_boot = g_steal_pointer (&boot);
  return TRUE;
}

/**
 * vmctl_spec_set_boot:
 * @text: "cdrom,disk,network", any order, any subset: the firmware tries
 *   the devices in this order (each cdrom, then each disk, in the order
 *   given), and never those left out
 * @error: VMCTL_SPEC_ERROR_INVALID for an empty list, an unknown or a
 *   repeated word
 */
gboolean
vmctl_spec_set_boot (VmctlSpec *spec, const gchar *text, GError **error)
{
  GArray *boot = NULL;

  g_return_val_if_fail (spec != NULL && text != NULL, FALSE);
  if (!parse_boot (text, &boot, error))
    return vmctl_spec_prefix_option (error, "--boot", text);
  g_clear_pointer (&spec->boot, g_array_unref);
  spec->boot = boot;
  return TRUE;
}

/**
 * vmctl_spec_boot_order:
 *
 * Returns: (transfer full) (element-type VmctlBootDevice): --boot, or the
 *   default: the cdroms first when there are any (a blank disk boots
 *   nothing and an installed one is booted once the installer ejects
 *   its medium or the user drops it), then the disks
 */
GArray *
vmctl_spec_boot_order (const VmctlSpec *spec)
{
  GArray *boot;
  VmctlBootDevice device;
  g_autoptr(GPtrArray) cdroms = NULL;

  if (spec->boot != NULL)
    return g_array_ref (spec->boot);
  boot = g_array_new (FALSE, FALSE, sizeof (VmctlBootDevice));
  cdroms = vmctl_spec_list_cdroms (spec);
  if (cdroms->len > 0) {
    device = VMCTL_BOOT_CDROM;
    g_array_append_val (boot, device);
  }
  device = VMCTL_BOOT_DISK;
  g_array_append_val (boot, device);
  return boot;
}

/* ---- direct kernel boot ----------------------------------------------------- */

/* A path on the VM's host: checked there later (vmctl_spec_settle_media()),
 * here only what XML and messages need. */
static gboolean
parse_host_path (const gchar *text, gchar **out_path, GError **error)
{
  if (text[0] == '\0')
    return invalid (error, "empty path");
  if (!g_utf8_validate (text, -1, NULL))
    return invalid (error, "the path is not valid UTF-8, which libvirt's XML cannot hold");
  for (const gchar *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return invalid (error, "control characters (newline, tab, ...) are not allowed in paths");
  *out_path = g_canonicalize_filename (text, NULL);
  return TRUE;
}

/**
 * vmctl_spec_set_kernel_boot:
 * @kernel: (nullable): the kernel image on the VM's host
 * @initrd: (nullable): its initramfs; needs @kernel
 * @cmdline: (nullable): the kernel command line; needs @kernel
 * @error: VMCTL_SPEC_ERROR_INVALID or VMCTL_SPEC_ERROR_CONFLICT
 *
 * Direct kernel boot: QEMU loads the kernel itself and the firmware's
 * boot order is not used. Whether the files exist is checked on the host
 * that runs the VM, when vmctl can read its files.
 */
gboolean
vmctl_spec_set_kernel_boot (VmctlSpec *spec, const gchar *kernel, const gchar *initrd,
                            const gchar *cmdline, GError **error)
{
  g_autofree gchar *kernel_path = NULL;
  g_autofree gchar *initrd_path = NULL;

  g_return_val_if_fail (spec != NULL, FALSE);
  if (kernel == NULL && (initrd != NULL || cmdline != NULL)) {
    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT,
                 "%s needs --kernel: they are given to the kernel QEMU boots directly",
                 initrd != NULL ? "--initrd" : "--cmdline");
    return FALSE;
  }
  if (kernel != NULL && !parse_host_path (kernel, &kernel_path, error))
    return vmctl_spec_prefix_option (error, "--kernel", kernel);
  if (initrd != NULL && !parse_host_path (initrd, &initrd_path, error))
    return vmctl_spec_prefix_option (error, "--initrd", initrd);
  if (cmdline != NULL) {
    if (!g_utf8_validate (cmdline, -1, NULL)) {
      invalid (error, "not valid UTF-8");
      return vmctl_spec_prefix_option (error, "--cmdline", cmdline);
    }
    for (const gchar *p = cmdline; *p != '\0'; p++) {
      if ((guchar) *p < 0x20 || *p == 0x7f) {
        invalid (error, "control characters (newline, tab, ...) cannot be on a kernel command "
                        "line in libvirt's XML");
        return vmctl_spec_prefix_option (error, "--cmdline", cmdline);
      }
    }
  }
  g_free (spec->kernel);
  spec->kernel = g_steal_pointer (&kernel_path);
  g_free (spec->initrd);
  spec->initrd = g_steal_pointer (&initrd_path);
  g_free (spec->cmdline);
  spec->cmdline = g_strdup (cmdline);
  return TRUE;
}

/* ---- driver ISO ------------------------------------------------------------- */

/**
 * vmctl_spec_set_drivers:
 * @text: "auto": attach the virtio-win ISO installed at
 *   VMCTL_VIRTIO_WIN_ISO on the VM's host, when there is one; "none"
 * @error: VMCTL_SPEC_ERROR_INVALID
 */
gboolean
vmctl_spec_set_drivers (VmctlSpec *spec, const gchar *text, GError **error)
{
  g_return_val_if_fail (spec != NULL && text != NULL, FALSE);
  if (g_strcmp0 (text, "auto") != 0 && g_strcmp0 (text, "none") != 0) {
    invalid (error, "want auto (the virtio-win ISO at " VMCTL_VIRTIO_WIN_ISO ") or none");
    return vmctl_spec_prefix_option (error, "--drivers", text);
  }
  spec->drivers_auto = g_strcmp0 (text, "auto") == 0;
  return TRUE;
}

/**
 * vmctl_spec_apply_media_options:
 * @options: what the user gave; NULL fields were not given
 * @error: as the setters
 *
 * Applies the options of issue 11, cdroms first (in the order given), so
 * that the guest OS's defaults (--os) can see whether a driver ISO is
 * among them. Call it before the options that override a default (--memory,
 * --firmware): the OS's choices are defaults too.
 */
gboolean
vmctl_spec_apply_media_options (VmctlSpec *spec, const VmctlSpecMediaOptions *options,
                                GError **error)
{
  for (guint i = 0; options->cdroms != NULL && options->cdroms[i] != NULL; i++)
    if (!vmctl_spec_add_cdrom (spec, options->cdroms[i], error))
      return FALSE;
  if (options->boot != NULL && !vmctl_spec_set_boot (spec, options->boot, error))
    return FALSE;
  if ((options->kernel != NULL || options->initrd != NULL || options->cmdline != NULL)
      && !vmctl_spec_set_kernel_boot (spec, options->kernel, options->initrd, options->cmdline,
                                      error))
    return FALSE;
  if (options->drivers != NULL && !vmctl_spec_set_drivers (spec, options->drivers, error))
    return FALSE;
  return options->os == NULL || vmctl_spec_set_os (spec, options->os, error);
}
