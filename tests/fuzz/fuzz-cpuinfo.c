/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-cpuinfo.c: /proc/cpuinfo through its one reader,
 * vmctl_cpuinfo_parse() (vendor_id and flags, for the host facts, the CPU
 * topology and the host check), and as the host check judges it to decide
 * on VT-x/AMD-V and the vendor every later IOMMU advice depends on. */
#include "vmctl-fuzz.h"
#include "vmctl-host-facts-private.h"
#include "vmctl-hostcheck-private.h"

#include <string.h>

/* what the reader gives back is trimmed and has no empty flag */
static void
check_reader (const gchar *text)
{
  g_autoptr(VmctlCpuinfo) cpuinfo = vmctl_cpuinfo_parse (text);

  if (cpuinfo->vendor != NULL) {
    g_autofree gchar *trimmed = g_strstrip (g_strdup (cpuinfo->vendor));

    g_assert_cmpstr (trimmed, ==, cpuinfo->vendor);
    g_assert_null (strchr (cpuinfo->vendor, '\n'));
  }
  for (guint i = 0; cpuinfo->flags != NULL && cpuinfo->flags[i] != NULL; i++) {
    g_assert_cmpstr (cpuinfo->flags[i], !=, "");
    g_assert_null (strpbrk (cpuinfo->flags[i], " \t\n"));
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree gchar *text = vmctl_fuzz_text (data, size, VMCTL_FUZZ_MAX_INPUT);
  g_autoptr(GPtrArray) results =
    g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_check_result_free);
  VmctlHostCheck check = { 0 };
  const VmctlCheckResult *result;

  if (text == NULL)
    return 0;
  check_reader (text);
  check.host = vmctl_fuzz_host ();
  check.results = results;
  vmctl_host_check_cpuinfo (&check, text);
  g_assert_cmpuint (results->len, ==, 1);
  result = g_ptr_array_index (results, 0);
  g_assert_cmpstr (result->id, ==, "cpu.virtualization");
  /* the report's promise: a fix for everything that is not a PASS */
  g_assert_true ((result->status == VMCTL_CHECK_PASS) == (result->fix == NULL));
  return 0;
}
