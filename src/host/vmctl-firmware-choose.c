/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-firmware-choose.c: which of the descriptors vmctl_firmware_list()
 * read a domain gets: the rule for a build vmctl can use
 * (vmctl_firmware_can_choose(), which the host check counts by too), then
 * libvirt's priority order and vmctl's preferences among those. */
#include "vmctl-firmware-private.h"

/* QEMU's short machine names are aliases of the newest versioned type;
 * descriptors list versioned globs such as "pc-q35-*" */
static const gchar *
canonical_machine (const gchar *machine)
{
  if (g_strcmp0 (machine, "q35") == 0)
    return "pc-q35-0";
  if (g_strcmp0 (machine, "pc") == 0)
    return "pc-i440fx-0";
  return machine;
}

/**
 * vmctl_firmware_supports:
 * @architecture: (nullable): a QEMU target such as "x86_64"; NULL for any
 * @machine: (nullable): a machine type ("pc-q35-7.2", or the aliases "q35"
 *   and "pc"); NULL for any
 *
 * The targets of a descriptor are flattened into two lists, so for a
 * descriptor with several targets this answers whether some target has
 * the architecture and some target the machine. QEMU's own descriptors
 * have one target each.
 *
 * Returns: whether the descriptor lists @architecture and a machine glob
 * matching @machine
 */
gboolean
vmctl_firmware_supports (const VmctlFirmware *firmware,
                         const gchar *architecture, const gchar *machine)
{
  const gchar *wanted;
  gboolean matched = FALSE;

  g_return_val_if_fail (firmware != NULL, FALSE);
  if (architecture != NULL
      && (firmware->architectures == NULL
          || !g_strv_contains ((const gchar * const *) firmware->architectures, architecture)))
    return FALSE;
  if (machine == NULL)
    return TRUE;
  wanted = canonical_machine (machine);
  for (guint i = 0; firmware->machines != NULL && firmware->machines[i] != NULL && !matched; i++)
    matched = g_pattern_match_simple (firmware->machines[i], wanted);
  return matched;
}

/**
 * vmctl_firmware_machine_pattern:
 * @machine: "q35", "pc" or a versioned machine type
 *
 * Returns: (transfer full): how descriptors spell the machine family,
 *   "pc-q35-*" for q35 and "pc-i440fx-*" for pc; other names unchanged
 */
gchar *
vmctl_firmware_machine_pattern (const gchar *machine)
{
  g_return_val_if_fail (machine != NULL, NULL);
  if (g_strcmp0 (machine, "q35") == 0)
    return g_strdup ("pc-q35-*");
  if (g_strcmp0 (machine, "pc") == 0)
    return g_strdup ("pc-i440fx-*");
  return g_strdup (machine);
}

static gchar **
strv_copy_or_null (gchar **strv)
{
  return strv != NULL ? g_strdupv (strv) : NULL;
}

/* a deep copy: the chosen build outlives the list it came from */
static VmctlFirmware *
firmware_copy (const VmctlFirmware *firmware)
{
  VmctlFirmware *copy = g_new0 (VmctlFirmware, 1);

  copy->descriptor_path = g_strdup (firmware->descriptor_path);
  copy->description = g_strdup (firmware->description);
  copy->interface_types = strv_copy_or_null (firmware->interface_types);
  copy->mapping_device = g_strdup (firmware->mapping_device);
  copy->executable = g_strdup (firmware->executable);
  copy->nvram_template = g_strdup (firmware->nvram_template);
  copy->format = g_strdup (firmware->format);
  copy->machines = strv_copy_or_null (firmware->machines);
  copy->architectures = strv_copy_or_null (firmware->architectures);
  copy->features = strv_copy_or_null (firmware->features);
  copy->executable_present = firmware->executable_present;
  return copy;
}

/* A build vmctl can write as <loader type='pflash'> plus <nvram template>:
 * split flash (code and a variable store template), raw, because libvirt
 * before 9.2 knows no other pflash format. */
static gboolean
usable_as_pflash (const VmctlFirmware *firmware)
{
  return vmctl_firmware_is_uefi (firmware)
         && g_strcmp0 (firmware->mapping_device, "flash") == 0
         && g_strcmp0 (firmware->format, "raw") == 0
         && firmware->nvram_template != NULL;
}

static gboolean
satisfies (const VmctlFirmware *firmware, gboolean secure_boot)
{
  if (secure_boot)
    /* firmware.json: a secure-boot build without requires-smm lets the
     * guest OS write the variable store, so its Secure Boot is not secure */
    return vmctl_firmware_has_feature (firmware, "secure-boot")
           && vmctl_firmware_has_feature (firmware, "requires-smm");
  /* Debian ranks the MS-enrolled Secure Boot build first, which is what
   * libvirt's plain firmware='efi' then picks (FACTS.md, Firmware) */
  return !vmctl_firmware_has_feature (firmware, "secure-boot");
}

/**
 * vmctl_firmware_can_choose:
 * @secure_boot: for --firmware efi-secure (TRUE) or efi (FALSE)
 * @machine: "q35", "pc" or a versioned machine type
 * @architecture: a QEMU target, "x86_64"
 *
 * The one rule for "vmctl can use this build", which
 * vmctl_firmware_choose_from() applies before its preferences and the
 * host check (firmware.ovmf) counts by: a UEFI split-flash raw build
 * with a variable store template (what vmctl writes as <loader
 * type='pflash'> and <nvram template>), for @architecture and @machine,
 * with Secure Boot and SMM exactly when @secure_boot. Whether its code
 * image exists is the caller's to ask (executable_present).
 *
 * Returns: whether the build qualifies
 */
gboolean
vmctl_firmware_can_choose (const VmctlFirmware *firmware, gboolean secure_boot,
                           const gchar *machine, const gchar *architecture)
{
  g_return_val_if_fail (firmware != NULL, FALSE);
  return usable_as_pflash (firmware) && satisfies (firmware, secure_boot)
         && vmctl_firmware_supports (firmware, architecture, machine);
}

/* Secure Boot: with Microsoft's keys enrolled a Windows guest boots with
 * Secure Boot on at once. Without: prefer builds that need no SMM. */
static gboolean
preferred (const VmctlFirmware *firmware, gboolean secure_boot)
{
  if (secure_boot)
    return vmctl_firmware_has_feature (firmware, "enrolled-keys");
  return !vmctl_firmware_has_feature (firmware, "requires-smm");
}

/**
 * vmctl_firmware_choose_from:
 * @firmwares: (element-type VmctlFirmware): descriptors in libvirt's
 *   priority order (vmctl_firmware_list())
 * @warnings: (nullable) (element-type utf8): the descriptors that did not
 *   parse, for the message when nothing fits
 * @loader_paths: (nullable): the code images libvirt offers for the
 *   domain (domcapabilities' <loader> values); NULL when libvirt was not
 *   asked. A build libvirt does not offer is not chosen.
 * @secure_boot: TRUE for a build with secure-boot and requires-smm
 *   (preferring enrolled-keys); FALSE for a build without secure-boot
 * @machine: "q35", "pc" or a versioned machine type
 * @architecture: a QEMU target, "x86_64"
 * @error: VMCTL_FIRMWARE_ERROR_NONE when no UEFI split-flash build
 *   satisfies the request, naming what is missing
 *
 * Descriptors are tried in libvirt's priority order (file name), so among
 * equally good builds vmctl picks the one libvirt would. A build whose
 * code image is missing under the host root is never chosen.
 *
 * Returns: (transfer full): a copy of the chosen descriptor, with host
 *   paths as on the host (not prefixed with the host root)
 */
VmctlFirmware *
vmctl_firmware_choose_from (GPtrArray *firmwares, GPtrArray *warnings,
                            const gchar * const *loader_paths, gboolean secure_boot,
                            const gchar *machine, const gchar *architecture, GError **error)
{
  g_autofree gchar *pattern = NULL;
  g_autofree gchar *skipped = NULL;
  const VmctlFirmware *missing_image = NULL;
  const VmctlFirmware *chosen = NULL;

  g_return_val_if_fail (firmwares != NULL, NULL);
  g_return_val_if_fail (machine != NULL && architecture != NULL, NULL);

  for (guint pass = 0; pass < 2 && chosen == NULL; pass++) {
    for (guint i = 0; i < firmwares->len && chosen == NULL; i++) {
      const VmctlFirmware *firmware = g_ptr_array_index (firmwares, i);

      if (!vmctl_firmware_can_choose (firmware, secure_boot, machine, architecture))
        continue;
      if (!firmware->executable_present
          || (loader_paths != NULL && !g_strv_contains (loader_paths, firmware->executable))) {
        if (missing_image == NULL)
          missing_image = firmware;
        continue;
      }
      if (pass == 1 || preferred (firmware, secure_boot))
        chosen = firmware;
    }
  }
  if (chosen != NULL)
    return firmware_copy (chosen);

  pattern = vmctl_firmware_machine_pattern (machine);
  if (missing_image != NULL) {
    g_set_error (error, VMCTL_FIRMWARE_ERROR, VMCTL_FIRMWARE_ERROR_NONE,
                 "UEFI firmware %s secure-boot for %s on %s: %s names %s, which %s; "
                 "reinstall ovmf",
                 secure_boot ? "with" : "without", pattern, architecture,
                 missing_image->descriptor_path, missing_image->executable,
                 missing_image->executable_present ? "libvirt does not offer"
                                                   : "does not exist");
    return NULL;
  }
  /* a descriptor that does not parse may be the very build asked for */
  skipped = warnings != NULL && warnings->len > 0
            ? g_strdup_printf (" (skipped %s)", (const gchar *) g_ptr_array_index (warnings, 0))
            : g_strdup ("");
  g_set_error (error, VMCTL_FIRMWARE_ERROR, VMCTL_FIRMWARE_ERROR_NONE,
               "no UEFI firmware %s for %s on %s in /usr/share/qemu/firmware; install ovmf%s",
               secure_boot ? "with secure-boot and requires-smm" : "without secure-boot",
               pattern, architecture, skipped);
  return NULL;
}

/**
 * vmctl_firmware_choose:
 * @host: the host whose descriptors to read (vmctl_firmware_list())
 *
 * vmctl_firmware_choose_from() over the descriptors under @host's root,
 * without libvirt's list.
 *
 * Returns: (transfer full): a copy of the chosen descriptor
 */
VmctlFirmware *
vmctl_firmware_choose (VmctlHost *host, gboolean secure_boot, const gchar *machine,
                       const gchar *architecture, GError **error)
{
  g_autoptr(GPtrArray) firmwares = NULL;
  g_autoptr(GPtrArray) warnings = NULL;

  g_return_val_if_fail (host != NULL, NULL);
  firmwares = vmctl_firmware_list (host, &warnings, error);
  if (firmwares == NULL)
    return NULL;
  return vmctl_firmware_choose_from (firmwares, warnings, NULL, secure_boot, machine,
                                     architecture, error);
}
