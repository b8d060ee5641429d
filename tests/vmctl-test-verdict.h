/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-verdict.h: hand-built inventories and what a verdict says,
 * shared by the verdict test programs (test-verdict.c,
 * test-verdict-host.c). */
#pragma once

#include "vmctl-verdict.h"
#include "vmctl-test-util.h"

G_BEGIN_DECLS

/* an NVIDIA-id function with a reset method, not the boot VGA device */
VmctlPciDevice *vmctl_test_add_device (VmctlInventory *inventory, const gchar *address,
                                       gint header, guint32 class_code, const gchar *driver,
                                       gint group);
/* "0000:01:00.1 0000:01:00.2", "" when empty */
gchar *vmctl_test_join_addresses (GArray *addresses);
void vmctl_test_assert_list (GArray *addresses, const gchar *expected);
gboolean vmctl_test_has_reason (const VmctlVerdict *verdict, const gchar *needle);
/* sorts @inventory, then the verdict for @text, which must exist */
VmctlVerdict *vmctl_test_verdict (VmctlInventory *inventory, const gchar *text,
                                  const VmctlQuirks *quirks);

G_END_DECLS
