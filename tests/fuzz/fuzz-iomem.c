/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-iomem.c: /proc/iomem and a function's sysfs `resource` file, which
 * together say whether a BAR holds the firmware framebuffer (the host's
 * console). Each input is read once as /proc/iomem against a function
 * whose BARs cover all of memory, so every framebuffer it names is
 * reported, and once as `resource` against a /proc/iomem with
 * framebuffers, so every BAR it names is compared. */
#include "vmctl-fuzz.h"
#include "vmctl-host-use-private.h"

/* BAR 0 spans the whole address space; flags 0x40200: memory, 64-bit */
static const gchar wide_resource[] =
  "0x0000000000000000 0xffffffffffffffff 0x0000000000040200\n"
  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
  "0x00000000e0000000 0x00000000efffffff 0x000000000014220c\n"
  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
  "0x000000000000e000 0x000000000000e07f 0x0000000000040101\n"
  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
  "0x00000000fc000000 0x00000000fc07ffff 0x0000000000046200\n";

static const gchar framebuffer_iomem[] =
  "00000000-00000fff : Reserved\n"
  "e0000000-efffffff : PCI Bus 0000:01\n"
  "  e0000000-efffffff : 0000:01:00.0\n"
  "    e0000000-e07e8fff : efifb\n"
  "4000000000-400fffffff : 0000:02:00.0\n"
  "  4000000000-40007fffff : BOOTFB\n"
  "fd000000-fdffffff : simple-framebuffer.0\n";

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree gchar *text = vmctl_fuzz_text (data, size, VMCTL_FUZZ_MAX_INPUT);
  g_autoptr(GPtrArray) reasons = g_ptr_array_new_with_free_func (g_free);

  if (text == NULL)
    return 0;
  vmctl_host_use_framebuffer_reasons (wide_resource, text, reasons);
  vmctl_host_use_framebuffer_reasons (text, framebuffer_iomem, reasons);
  for (guint i = 0; i < reasons->len; i++)
    g_assert_true (g_str_has_prefix (g_ptr_array_index (reasons, i), "BAR "));
  return 0;
}
