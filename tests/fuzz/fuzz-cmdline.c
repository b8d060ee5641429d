/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-cmdline.c: the kernel command line (/proc/cmdline) as the IOMMU
 * checks read it: which of intel_iommu=, amd_iommu=, iommu=, intremap=
 * wins, and the GRUB edit vmctl then proposes. Each input is judged for
 * an Intel, an AMD and an unknown CPU. */
#include "vmctl-fuzz.h"
#include "vmctl-hostcheck-private.h"

static void
check_vendor (const gchar *text, VmctlCpuVendor vendor)
{
  g_autoptr(GPtrArray) results =
    g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_check_result_free);
  VmctlHostCheck check = { 0 };

  check.host = vmctl_fuzz_host ();
  check.results = results;
  check.vendor = vendor;
  vmctl_host_check_parse_cmdline (&check, text);
  g_assert_nonnull (check.cmdline);
  /* the empty host root has no IOMMU group, which is when iommu.groups
   * proposes command-line edits; the other two checks get further with
   * an IOMMU that is there */
  vmctl_host_check_iommu_groups (&check);
  check.iommu_table = TRUE;
  check.iommu_groups = 1;
  vmctl_host_check_iommu_cmdline (&check);
  vmctl_host_check_iommu_interrupt_remapping (&check);
  vmctl_host_check_cmdline_value (&check, "iommu.passthrough");
  vmctl_host_check_cmdline_has (&check, "vfio-pci.ids", "10de:2184");
  g_strfreev (check.cmdline);

  g_assert_cmpuint (results->len, ==, 3);
  /* the report's promise: a fix for everything that is not a PASS */
  for (guint i = 0; i < results->len; i++) {
    const VmctlCheckResult *result = g_ptr_array_index (results, i);

    g_assert_true ((result->status == VMCTL_CHECK_PASS) == (result->fix == NULL));
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* the kernel's COMMAND_LINE_SIZE is 2048 on x86; 4 KiB elsewhere */
  g_autofree gchar *text = vmctl_fuzz_text (data, size, 4096);

  if (text == NULL)
    return 0;
  check_vendor (text, VMCTL_CPU_VENDOR_INTEL);
  check_vendor (text, VMCTL_CPU_VENDOR_AMD);
  check_vendor (text, VMCTL_CPU_VENDOR_UNKNOWN);
  return 0;
}
