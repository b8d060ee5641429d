/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-hostcheck-iommu.c: the IOMMU checks. The signals follow libvirt's
 * virt-host-validate and the kernel: the ACPI table firmware publishes
 * (DMAR for Intel VT-d, IVRS for AMD-Vi), the units and groups the kernel
 * registered in sysfs, the kernel command line that switches it, and
 * interrupt remapping, without which vfio_iommu_type1 refuses devices. */
#include "vmctl-hostcheck-private.h"

#include <string.h>

/* ACPI DMAR: 36-byte header, then Host Address Width (1 byte) and Flags
 * (1 byte) whose bit 0 is INTR_REMAP (VT-d spec, 8.1) */
#define DMAR_FLAGS_OFFSET 37
#define DMAR_FLAG_INTR_REMAP 0x01
/* VT-d extended capability register: bit 3 is IR (interrupt remapping) */
#define ECAP_IR (G_GUINT64_CONSTANT (1) << 3)

typedef enum {
  TRISTATE_UNKNOWN,
  TRISTATE_NO,
  TRISTATE_YES,
} Tristate;

static gboolean
is_intel (VmctlHostCheck *check)
{
  return check->vendor != VMCTL_CPU_VENDOR_AMD;
}

static gboolean
is_amd (VmctlHostCheck *check)
{
  return check->vendor != VMCTL_CPU_VENDOR_INTEL;
}

/* iommu=pt, or its generic spelling iommu.passthrough=1 (Linux 4.x+);
 * the later setting wins */
static gboolean
cmdline_has_passthrough (VmctlHostCheck *check)
{
  const gchar *pt = vmctl_host_check_cmdline_value (check, "iommu.passthrough");

  if (pt != NULL && g_strv_contains ((const gchar * const[]) { "1", "y", "Y", "on", NULL }, pt))
    return !vmctl_host_check_cmdline_has (check, "iommu", "nopt");
  return vmctl_host_check_cmdline_has (check, "iommu", "pt");
}

/* The command-line edits that enable the IOMMU for this vendor:
 * parameters to remove (the ones that switch it off) and to add. */
static void
iommu_cmdline_edits (VmctlHostCheck *check, GPtrArray *remove, GPtrArray *add)
{
  if (is_intel (check) && vmctl_host_check_cmdline_has (check, "intel_iommu", "off"))
    g_ptr_array_add (remove, (gpointer) "intel_iommu=off");
  if (is_amd (check) && vmctl_host_check_cmdline_has (check, "amd_iommu", "off"))
    g_ptr_array_add (remove, (gpointer) "amd_iommu=off");
  /* x86's iommu=off sets no_iommu, which both VT-d and AMD-Vi obey */
  if (vmctl_host_check_cmdline_has (check, "iommu", "off"))
    g_ptr_array_add (remove, (gpointer) "iommu=off");
  /* AMD's IOMMU is on whenever firmware enables it; only Intel kernels
   * without CONFIG_INTEL_IOMMU_DEFAULT_ON need asking */
  if (check->vendor == VMCTL_CPU_VENDOR_INTEL
      && !vmctl_host_check_cmdline_has (check, "intel_iommu", "on"))
    g_ptr_array_add (add, (gpointer) "intel_iommu=on");
  if (!cmdline_has_passthrough (check))
    g_ptr_array_add (add, (gpointer) "iommu=pt");
}

/* "a b c", or NULL for no words */
static gchar *
join (GPtrArray *words)
{
  g_autofree const gchar **vector = NULL;

  if (words->len == 0)
    return NULL;
  vector = g_new0 (const gchar *, words->len + 1);
  for (guint i = 0; i < words->len; i++)
    vector[i] = g_ptr_array_index (words, i);
  return g_strjoinv (" ", (gchar **) vector);
}

static gchar *
grub_fix_for (GPtrArray *remove, GPtrArray *add)
{
  g_autofree gchar *removed = join (remove);
  g_autofree gchar *added = join (add);

  if (removed == NULL && added == NULL)
    return NULL;
  return vmctl_host_check_grub_fix (removed, added);
}

static const gchar *
firmware_iommu_fix (VmctlHostCheck *check)
{
  switch (check->vendor) {
  case VMCTL_CPU_VENDOR_INTEL:
    return "enable VT-d (\"Intel Virtualization Technology for Directed I/O\") in the "
           "firmware (BIOS/UEFI) setup";
  case VMCTL_CPU_VENDOR_AMD:
    return "enable AMD-Vi (\"IOMMU\") in the firmware (BIOS/UEFI) setup";
  case VMCTL_CPU_VENDOR_UNKNOWN:
  default:
    return "enable VT-d (Intel) or AMD-Vi (IOMMU, AMD) in the firmware (BIOS/UEFI) setup";
  }
}

void
vmctl_host_check_iommu_acpi (VmctlHostCheck *check)
{
  static const gchar id[] = "iommu.acpi";
  static const gchar title[] = "IOMMU in firmware (ACPI)";
  gboolean dmar = vmctl_host_exists (check->host, "/sys/firmware/acpi/tables/DMAR");
  gboolean ivrs = vmctl_host_exists (check->host, "/sys/firmware/acpi/tables/IVRS");

  check->iommu_table = dmar || ivrs;
  if (dmar || ivrs) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_PASS, NULL,
                          "ACPI %s table present: firmware has %s enabled",
                          dmar ? "DMAR" : "IVRS", dmar ? "Intel VT-d" : "AMD-Vi");
    return;
  }
  vmctl_host_check_add (check, id, title, VMCTL_CHECK_FAIL, firmware_iommu_fix (check),
                        "no ACPI %s table: the IOMMU is disabled in firmware or the board "
                        "has none",
                        check->vendor == VMCTL_CPU_VENDOR_INTEL ? "DMAR"
                        : check->vendor == VMCTL_CPU_VENDOR_AMD ? "IVRS" : "DMAR or IVRS");
}

void
vmctl_host_check_iommu_groups (VmctlHostCheck *check)
{
  static const gchar id[] = "iommu.groups";
  static const gchar title[] = "IOMMU groups";
  g_autoptr(GPtrArray) units = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) remove = g_ptr_array_new ();
  g_autoptr(GPtrArray) add = g_ptr_array_new ();
  g_autofree gchar *unit_list = NULL;
  g_autofree gchar *grub = NULL;
  g_autofree gchar *fix = NULL;

  check->iommu_groups = vmctl_host_check_count_entries (check->host, "/sys/kernel/iommu_groups",
                                                        NULL, NULL);
  check->iommu_units = vmctl_host_check_count_entries (check->host, "/sys/class/iommu",
                                                       NULL, units);
  g_ptr_array_add (units, NULL);
  unit_list = g_strjoinv (", ", (gchar **) units->pdata);

  if (check->iommu_groups > 0 && check->iommu_units > 0) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_PASS, NULL,
                          "%u IOMMU group%s, %u IOMMU unit%s (%s)",
                          check->iommu_groups, check->iommu_groups == 1 ? "" : "s",
                          check->iommu_units, check->iommu_units == 1 ? "" : "s", unit_list);
    return;
  }
  if (check->iommu_groups > 0) {
    /* groups without a registered unit: a virtual or paravirtual IOMMU
     * (virtio-iommu in a VM), usable but not what this report expects */
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN,
                          "check why no hardware IOMMU registered: "
                          "dmesg | grep -i -e DMAR -e AMD-Vi -e IOMMU",
                          "%u IOMMU group%s but no IOMMU unit in /sys/class/iommu",
                          check->iommu_groups, check->iommu_groups == 1 ? "" : "s");
    return;
  }

  iommu_cmdline_edits (check, remove, add);
  grub = grub_fix_for (remove, add);
  if (!check->iommu_table)
    fix = grub != NULL ? g_strdup_printf ("%s; then %s", firmware_iommu_fix (check), grub)
                       : g_strdup (firmware_iommu_fix (check));
  else if (check->vendor == VMCTL_CPU_VENDOR_AMD)
    /* IVRS is there and amd_iommu is on by default: only the command line
     * or a firmware option half-enabled can be in the way */
    fix = grub != NULL ? g_strdup_printf ("%s (amd_iommu is on by default); %s",
                                          firmware_iommu_fix (check), grub)
                       : g_strdup_printf ("%s (amd_iommu is on by default), then check "
                                          "dmesg | grep -i AMD-Vi", firmware_iommu_fix (check));
  else
    fix = grub != NULL ? g_steal_pointer (&grub)
                       : g_strdup ("the kernel was asked for the IOMMU but did not enable it: "
                                   "dmesg | grep -i -e DMAR -e IOMMU says why");
  vmctl_host_check_add (check, id, title, VMCTL_CHECK_FAIL, fix,
                        "no IOMMU groups in /sys/kernel/iommu_groups (%u IOMMU unit%s "
                        "registered): devices cannot be isolated",
                        check->iommu_units, check->iommu_units == 1 ? "" : "s");
}

void
vmctl_host_check_iommu_cmdline (VmctlHostCheck *check)
{
  static const gchar id[] = "iommu.cmdline";
  static const gchar title[] = "Kernel command line";
  g_autoptr(GPtrArray) remove = g_ptr_array_new ();
  g_autoptr(GPtrArray) add = g_ptr_array_new ();
  g_autoptr(GPtrArray) findings = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *fix = NULL;
  g_autofree gchar *message = NULL;
  VmctlCheckStatus status = VMCTL_CHECK_PASS;

  if (check->cmdline == NULL) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN,
                          "check that /proc is mounted: mount -t proc proc /proc",
                          "cannot read /proc/cmdline");
    return;
  }
  iommu_cmdline_edits (check, remove, add);

  for (guint i = 0; i < remove->len; i++) {
    g_ptr_array_add (findings, g_strdup_printf ("%s switches the IOMMU off: remove it",
                                                (const gchar *) g_ptr_array_index (remove, i)));
    status = VMCTL_CHECK_FAIL;
  }
  if (g_ptr_array_find_with_equal_func (add, "intel_iommu=on", g_str_equal, NULL)) {
    /* some kernels (CONFIG_INTEL_IOMMU_DEFAULT_ON) enable VT-d unasked;
     * groups prove it, but the parameter keeps it on across kernels */
    if (check->iommu_groups > 0 && remove->len == 0) {
      g_ptr_array_add (findings, g_strdup ("no intel_iommu=on, but this kernel enables "
                                           "VT-d by default (CONFIG_INTEL_IOMMU_DEFAULT_ON)"));
      status = MAX (status, VMCTL_CHECK_WARN);
    } else {
      g_ptr_array_add (findings, g_strdup ("no intel_iommu=on: this kernel leaves VT-d off"));
      status = VMCTL_CHECK_FAIL;
    }
  }
  if (g_ptr_array_find_with_equal_func (add, "iommu=pt", g_str_equal, NULL)) {
    g_ptr_array_add (findings, g_strdup ("no iommu=pt: host devices also go through DMA "
                                         "translation; pass-through mode leaves them "
                                         "untranslated and faster"));
    status = MAX (status, VMCTL_CHECK_WARN);
  }

  if (status == VMCTL_CHECK_PASS) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_PASS, NULL, "%s",
                          check->vendor == VMCTL_CPU_VENDOR_INTEL
                          ? "intel_iommu=on and iommu=pt are set"
                          : "iommu=pt is set and nothing switches the IOMMU off");
    return;
  }
  g_ptr_array_add (findings, NULL);
  message = g_strjoinv ("; ", (gchar **) findings->pdata);
  fix = grub_fix_for (remove, add);
  vmctl_host_check_add (check, id, title, status, fix, "%s", message);
}

/* Intel: the DMAR table's INTR_REMAP flag. A table vmctl cannot read
 * (it is root-only) or that is cut short tells nothing. */
static Tristate
dmar_flag (VmctlHostCheck *check, GString *evidence)
{
  g_autofree gchar *table = NULL;
  gsize length = 0;

  if (!vmctl_host_read (check->host, "/sys/firmware/acpi/tables/DMAR", &table, &length, NULL))
    return TRISTATE_UNKNOWN;
  if (length <= DMAR_FLAGS_OFFSET || memcmp (table, "DMAR", 4) != 0) {
    g_string_append_printf (evidence, "%sDMAR table malformed (%" G_GSIZE_FORMAT " bytes)",
                            evidence->len > 0 ? ", " : "", length);
    return TRISTATE_UNKNOWN;
  }
  if ((guchar) table[DMAR_FLAGS_OFFSET] & DMAR_FLAG_INTR_REMAP) {
    g_string_append_printf (evidence, "%sDMAR flags INTR_REMAP set", evidence->len > 0 ? ", " : "");
    return TRISTATE_YES;
  }
  g_string_append_printf (evidence, "%sDMAR flags INTR_REMAP clear", evidence->len > 0 ? ", " : "");
  return TRISTATE_NO;
}

/* Intel: the kernel enables remapping only when every DMA remapping unit
 * has the IR capability, so one unit without it is a "no". */
static Tristate
dmar_units_ecap (VmctlHostCheck *check, GString *evidence)
{
  g_autoptr(GPtrArray) units = g_ptr_array_new_with_free_func (g_free);
  guint with = 0;
  guint without = 0;

  vmctl_host_check_count_entries (check->host, "/sys/class/iommu", "dmar", units);
  for (guint i = 0; i < units->len; i++) {
    const gchar *unit = g_ptr_array_index (units, i);
    g_autofree gchar *path = g_strconcat ("/sys/class/iommu/", unit, "/intel-iommu/ecap", NULL);
    guint64 ecap = 0;

    if (!vmctl_host_read_hex (check->host, path, &ecap, NULL))
      continue;
    if (ecap & ECAP_IR) {
      with++;
    } else {
      without++;
      g_string_append_printf (evidence, "%s%s lacks IR in ecap", evidence->len > 0 ? ", " : "",
                              unit);
    }
  }
  if (without > 0)
    return TRISTATE_NO;
  if (with > 0) {
    g_string_append_printf (evidence, "%sIR in ecap of %u unit%s", evidence->len > 0 ? ", " : "",
                            with, with == 1 ? "" : "s");
    return TRISTATE_YES;
  }
  return TRISTATE_UNKNOWN;
}

static Tristate
intel_remapping (VmctlHostCheck *check, GString *evidence)
{
  Tristate table = dmar_flag (check, evidence);
  Tristate units = dmar_units_ecap (check, evidence);

  if (table == TRISTATE_NO || units == TRISTATE_NO)
    return TRISTATE_NO;
  if (table == TRISTATE_YES || units == TRISTATE_YES)
    return TRISTATE_YES;
  return TRISTATE_UNKNOWN;
}

/* AMD: every AMD IOMMU implements interrupt remapping, so a working
 * AMD-Vi unit (ivhd in sysfs) or its IVRS table is enough. */
static Tristate
amd_remapping (VmctlHostCheck *check, GString *evidence)
{
  guint ivhd = vmctl_host_check_count_entries (check->host, "/sys/class/iommu", "ivhd", NULL);

  if (ivhd > 0) {
    g_string_append_printf (evidence, "%s%u AMD-Vi unit%s (ivhd), which always remap interrupts",
                            evidence->len > 0 ? ", " : "", ivhd, ivhd == 1 ? "" : "s");
    return TRISTATE_YES;
  }
  if (vmctl_host_exists (check->host, "/sys/firmware/acpi/tables/IVRS")) {
    g_string_append_printf (evidence, "%sIVRS table present (AMD-Vi always remaps interrupts)",
                            evidence->len > 0 ? ", " : "");
    return TRISTATE_YES;
  }
  return TRISTATE_UNKNOWN;
}

void
vmctl_host_check_iommu_interrupt_remapping (VmctlHostCheck *check)
{
  static const gchar id[] = "iommu.interrupt_remapping";
  static const gchar title[] = "Interrupt remapping";
  static const gchar unsafe_option[] = "options vfio_iommu_type1 allow_unsafe_interrupts=1";
  g_autoptr(GString) evidence = g_string_new (NULL);
  g_autofree gchar *unsafe = NULL;
  g_autofree gchar *platform_fix = NULL;
  g_autofree gchar *grub_fix = NULL;
  g_autofree gchar *disabling = NULL;
  g_autofree gchar *fix = NULL;
  Tristate available = TRISTATE_UNKNOWN;

  if (!check->iommu_table && check->iommu_groups == 0) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN,
                          "enable the IOMMU first (see iommu.acpi and iommu.groups), then "
                          "check again",
                          "cannot tell without an IOMMU (see iommu.groups)");
    return;
  }

  if (check->vendor == VMCTL_CPU_VENDOR_AMD)
    available = amd_remapping (check, evidence);
  else if (check->vendor == VMCTL_CPU_VENDOR_INTEL)
    available = intel_remapping (check, evidence);
  else if ((available = intel_remapping (check, evidence)) == TRISTATE_UNKNOWN)
    available = amd_remapping (check, evidence);

  /* the kernel honours intremap=off (and the old nointremap) whatever the
   * hardware offers; "no" is a common misspelling that people still mean */
  if (vmctl_host_check_cmdline_has (check, "intremap", "off"))
    disabling = g_strdup ("intremap=off");
  else if (vmctl_host_check_cmdline_has (check, "intremap", "no")
           && !vmctl_host_check_cmdline_has (check, "intremap", "on"))
    disabling = g_strdup ("intremap=no");
  else if (vmctl_host_check_cmdline_value (check, "nointremap") != NULL)
    disabling = g_strdup ("nointremap");

  if (available == TRISTATE_YES && disabling == NULL) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_PASS, NULL, "available: %s",
                          evidence->str);
    return;
  }
  if (available == TRISTATE_UNKNOWN && disabling == NULL) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN,
                          "run the check as root (the DMAR table is root-only), or look for "
                          "'Enabled IRQ remapping' in: dmesg | grep -i remapping",
                          "cannot tell whether interrupt remapping is available%s%s",
                          evidence->len > 0 ? ": " : "", evidence->str);
    return;
  }

  /* what stands in the way: the command line, the platform, or both */
  if (disabling != NULL)
    g_string_append_printf (evidence, "%s%s on the kernel command line turns it off",
                            evidence->len > 0 ? ", " : "", disabling);
  if (disabling != NULL)
    grub_fix = vmctl_host_check_grub_fix (disabling, NULL);
  if (disabling != NULL && available == TRISTATE_NO)
    platform_fix = g_strdup_printf ("%s; the hardware lacks it too: %s with all its sub-options "
                                    "(and x2APIC where offered), or update the firmware",
                                    grub_fix, firmware_iommu_fix (check));
  else if (disabling != NULL)
    platform_fix = g_steal_pointer (&grub_fix);
  else
    platform_fix = g_strdup_printf ("interrupt remapping is a platform feature: %s with all its "
                                    "sub-options (and x2APIC where offered), or update the "
                                    "firmware", firmware_iommu_fix (check));
  unsafe = vmctl_host_read_line (check->host,
                                 "/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts",
                                 NULL);
  if (g_strcmp0 (unsafe, "Y") == 0 || g_strcmp0 (unsafe, "1") == 0) {
    fix = g_strdup_printf ("%s; then remove '%s' from /etc/modprobe.d/", platform_fix,
                           unsafe_option);
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN, fix,
                          "not available (%s), allowed unsafely: a guest can fire arbitrary "
                          "MSIs at the host", evidence->str);
    return;
  }
  /* the escape hatch is named, with its price: without remapping, a guest
   * that owns a device can forge MSI writes that the host takes as its own
   * interrupts */
  fix = g_strdup_printf ("%s; as a last resort, only for guests you fully trust: echo '%s' > "
                         "/etc/modprobe.d/vfio-unsafe-interrupts.conf and reload "
                         "vfio_iommu_type1; the risk: a guest can fire arbitrary MSIs at "
                         "the host", platform_fix, unsafe_option);
  vmctl_host_check_add (check, id, title, VMCTL_CHECK_FAIL, fix,
                        "not available (%s): vfio_iommu_type1 refuses to assign devices",
                        evidence->str);
}
