/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-facts-files.c: the readers of the host root's files that
 * tell a host fact, one per fact: /proc/cpuinfo (CPU vendor and flags),
 * /proc/meminfo (MemTotal, the default hugepage size and pool), which
 * module serves KVM, and swtpm. The FILES source of the host facts, the
 * CPU topology, the hugepage code and the host checks all read through
 * these, so no two of them can read one file differently. */
#include "vmctl-host-facts-private.h"

#include <string.h>

/* ---- /proc/cpuinfo ----------------------------------------------------------- */

/**
 * vmctl_cpuinfo_free:
 * @cpuinfo: (nullable)
 */
void
vmctl_cpuinfo_free (VmctlCpuinfo *cpuinfo)
{
  if (cpuinfo == NULL)
    return;
  g_free (cpuinfo->vendor);
  g_strfreev (cpuinfo->flags);
  g_free (cpuinfo);
}

/* the words of a flags line, without the empty strings that runs of
 * blanks would leave */
static GStrv
split_words (const gchar *text)
{
  g_auto(GStrv) parts = g_strsplit_set (text, " \t", -1);
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_ptr_array_add (words, g_strdup (parts[i]));
  g_ptr_array_add (words, NULL);
  return (GStrv) g_ptr_array_steal (words, NULL);
}

/**
 * vmctl_cpuinfo_parse:
 * @text: the contents of /proc/cpuinfo
 *
 * Reads "key : value" lines (the kernel pads the key with tabs); of a key
 * that every processor block repeats, the first block's value counts.
 *
 * Returns: (transfer full): what @text says; fields it lacks are NULL
 */
VmctlCpuinfo *
vmctl_cpuinfo_parse (const gchar *text)
{
  VmctlCpuinfo *cpuinfo = g_new0 (VmctlCpuinfo, 1);
  g_auto(GStrv) lines = NULL;

  g_return_val_if_fail (text != NULL, cpuinfo);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    const gchar *colon = strchr (lines[i], ':');
    g_autofree gchar *key = NULL;

    if (colon == NULL)
      continue;
    key = g_strstrip (g_strndup (lines[i], (gsize) (colon - lines[i])));
    if (cpuinfo->vendor == NULL && strcmp (key, "vendor_id") == 0)
      cpuinfo->vendor = g_strstrip (g_strdup (colon + 1));
    else if (cpuinfo->flags == NULL && strcmp (key, "flags") == 0)
      cpuinfo->flags = split_words (colon + 1);
  }
  return cpuinfo;
}

/**
 * vmctl_cpuinfo_read:
 * @host: the host whose /proc/cpuinfo to read
 * @error: a VMCTL_HOST_ERROR when the file cannot be read
 *
 * Returns: (transfer full): vmctl_cpuinfo_parse() of the file, or NULL
 *   with @error set
 */
VmctlCpuinfo *
vmctl_cpuinfo_read (VmctlHost *host, GError **error)
{
  g_autofree gchar *text = NULL;

  g_return_val_if_fail (host != NULL, NULL);
  if (!vmctl_host_read (host, "/proc/cpuinfo", &text, NULL, error))
    return NULL;
  return vmctl_cpuinfo_parse (text);
}

/**
 * vmctl_cpuinfo_has_flag:
 * @flag: a flag such as "vmx", "svm", "hypervisor"
 *
 * Returns: whether the flags line lists @flag
 */
gboolean
vmctl_cpuinfo_has_flag (const VmctlCpuinfo *cpuinfo, const gchar *flag)
{
  g_return_val_if_fail (cpuinfo != NULL && flag != NULL, FALSE);
  return cpuinfo->flags != NULL && g_strv_contains ((const gchar * const *) cpuinfo->flags, flag);
}

/**
 * vmctl_cpu_vendor_is_amd:
 * @vendor: (nullable): a vendor_id, as /proc/cpuinfo spells it (the host
 *   facts spell libvirt's vendors the same way)
 *
 * The one rule for "an AMD host", which picks kvm_amd over kvm_intel,
 * the AMD IOMMU's kernel parameters, topoext for SMT guests and AVIC:
 * AuthenticAMD, or HygonGenuine (Hygon's Dhyana is a licensed Zen, with
 * svm, kvm_amd and an AMD IOMMU).
 *
 * Returns: whether @vendor is one of those
 */
gboolean
vmctl_cpu_vendor_is_amd (const gchar *vendor)
{
  return g_strcmp0 (vendor, "AuthenticAMD") == 0 || g_strcmp0 (vendor, "HygonGenuine") == 0;
}

/* ---- /proc/meminfo ----------------------------------------------------------- */

/* "MemTotal:  16338052 kB"; @key without the colon, at the start of a line */
static gboolean
meminfo_value (const gchar *text, const gchar *key, guint64 *out_value)
{
  g_autofree gchar *needle = g_strconcat (key, ":", NULL);
  const gchar *found = strstr (text, needle);

  /* the key starts a line: the file's first, or after a newline
   * ("HugePages_Total:" must not be found inside another key) */
  while (found != NULL && found != text && found[-1] != '\n')
    found = strstr (found + 1, needle);
  if (found == NULL)
    return FALSE;
  *out_value = g_ascii_strtoull (found + strlen (needle), NULL, 10);
  return TRUE;
}

/**
 * vmctl_meminfo_parse:
 * @text: the contents of /proc/meminfo
 * @out_meminfo: (out caller-allocates): the values; 0 for lines @text lacks
 */
void
vmctl_meminfo_parse (const gchar *text, VmctlMeminfo *out_meminfo)
{
  VmctlMeminfo meminfo = { 0 };

  g_return_if_fail (out_meminfo != NULL);
  if (text != NULL) {
    meminfo_value (text, "MemTotal", &meminfo.total_kib);
    meminfo_value (text, "Hugepagesize", &meminfo.hugepage_kib);
    meminfo.hugepage_counts = meminfo_value (text, "HugePages_Total", &meminfo.hugepages_total)
                              && meminfo_value (text, "HugePages_Free", &meminfo.hugepages_free);
    if (!meminfo.hugepage_counts)
      meminfo.hugepages_total = meminfo.hugepages_free = 0;
  }
  *out_meminfo = meminfo;
}

/**
 * vmctl_meminfo_read:
 * @host: the host whose /proc/meminfo to read
 * @out_meminfo: (out caller-allocates): the values; all 0 when the file
 *   cannot be read
 *
 * Returns: whether the file could be read
 */
gboolean
vmctl_meminfo_read (VmctlHost *host, VmctlMeminfo *out_meminfo)
{
  g_autofree gchar *text = NULL;
  gboolean found;

  g_return_val_if_fail (host != NULL && out_meminfo != NULL, FALSE);
  found = vmctl_host_read (host, "/proc/meminfo", &text, NULL, NULL);
  vmctl_meminfo_parse (text, out_meminfo);
  return found;
}

/* ---- KVM and swtpm ------------------------------------------------------------- */

/**
 * vmctl_host_kvm_is_software:
 * @host: the host whose loaded modules to look at
 *
 * The one rule for "KVM here is kvm_pvm": software-assisted KVM inside a
 * cloud VM, without VT-x/AMD-V. The kernel lets one KVM vendor module
 * load at a time ("kvm: already loaded the other module"), so a loaded
 * kvm_pvm serves /dev/kvm. libvirt lists it as KVM, but QEMU's host CPU
 * setup aborts on it and guest firmware does not run: the spec defaults
 * to TCG there, and the host check says passthrough and nested guests
 * are out of reach.
 *
 * Returns: whether /sys/module/kvm_pvm exists
 */
gboolean
vmctl_host_kvm_is_software (VmctlHost *host)
{
  g_return_val_if_fail (host != NULL, FALSE);
  return vmctl_host_exists (host, "/sys/module/kvm_pvm");
}

/**
 * vmctl_host_has_swtpm:
 * @host: a host root
 *
 * What a host root tells of an emulated TPM without libvirt: libvirt
 * offers backendModel 'emulator' exactly where swtpm is installed.
 *
 * Returns: whether /usr/bin/swtpm exists
 */
gboolean
vmctl_host_has_swtpm (VmctlHost *host)
{
  g_return_val_if_fail (host != NULL, FALSE);
  return vmctl_host_exists (host, "/usr/bin/swtpm");
}

/**
 * vmctl_host_facts_has_tpm2:
 * @type: the virt type of the domain
 *
 * The one rule for "a VM of @type can have an emulated TPM 2.0", which
 * the spec (the TPM Windows 11 requires, else a note) and the host check
 * (firmware.tpm) both apply: libvirt lists backendModel 'emulator' (swtpm
 * is installed) and, where it lists backend versions at all, 2.0 among
 * them; libvirt refuses TPM 2.0 otherwise ("TPM version '2.0' is not
 * supported").
 *
 * Returns: whether the TPM can be had
 */
gboolean
vmctl_host_facts_has_tpm2 (const VmctlHostFacts *facts, VmctlVirtType type)
{
  const VmctlDomainCaps *caps;

  g_return_val_if_fail (facts != NULL, FALSE);
  caps = vmctl_host_facts_domain_caps (facts, type);
  return caps->tpm_emulator == VMCTL_FACT_YES
         && (caps->tpm_versions == NULL
             || g_strv_contains ((const gchar * const *) caps->tpm_versions, "2.0"));
}
