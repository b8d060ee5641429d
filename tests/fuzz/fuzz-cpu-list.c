/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-cpu-list.c: the kernel's CPU lists (sysfs cpu/present, online,
 * thread_siblings_list: "0-3,8,10-11") and --cpu-pin auto|none|LIST. */
#include "vmctl-fuzz.h"
#include "vmctl-cpu-topology.h"
#include "vmctl-spec-private.h"

/* a sysfs attribute is at most one page */
#define HARNESS_MAX_INPUT 4096

/* A list vmctl writes (a cpuset) reads back as the same set. */
static void
check_sysfs_list (const gchar *text)
{
  g_autoptr(GArray) cpus = NULL;
  g_autoptr(GArray) again = NULL;
  g_autofree gchar *formatted = NULL;
  g_autofree gchar *reformatted = NULL;

  if (!vmctl_cpu_list_parse (text, &cpus, NULL))
    return;
  formatted = vmctl_cpu_list_format ((const guint *) (gconstpointer) cpus->data, cpus->len);
  g_assert_true (vmctl_cpu_list_parse (formatted, &again, NULL));
  reformatted = vmctl_cpu_list_format ((const guint *) (gconstpointer) again->data, again->len);
  g_assert_cmpstr (formatted, ==, reformatted);
}

/* A --cpu-pin list vmctl prints (in its metadata, in messages) reads back
 * as the same list, in the same order. */
static void
check_cpu_pin (const gchar *text)
{
  g_autoptr(GArray) list = NULL;
  g_autoptr(GArray) again = NULL;
  g_autofree gchar *formatted = NULL;
  VmctlCpuPinMode mode;

  if (!vmctl_spec_parse_cpu_pin (text, &mode, &list, NULL) || mode != VMCTL_CPU_PIN_LIST)
    return;
  g_assert_nonnull (list);
  g_assert_cmpuint (list->len, >, 0);
  formatted = vmctl_spec_format_cpu_list (list);
  g_assert_true (vmctl_spec_parse_cpu_list (formatted, &again, NULL));
  g_assert_cmpuint (again->len, ==, list->len);
  for (guint i = 0; i < list->len; i++)
    g_assert_cmpuint (g_array_index (again, guint, i), ==, g_array_index (list, guint, i));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree gchar *text = vmctl_fuzz_text (data, size, HARNESS_MAX_INPUT);

  if (text == NULL)
    return 0;
  check_sysfs_list (text);
  check_cpu_pin (text);
  return 0;
}
