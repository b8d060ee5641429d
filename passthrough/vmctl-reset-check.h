/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-reset-check.h: cards that do not come back from a guest (the
 * reset-bug list, data/quirks): is the vendor-reset module there to reset
 * them, and does a card answer after its VM stopped? */
#pragma once

#include <glib.h>
#include "vmctl-host.h"
#include "vmctl-pci-device.h"
#include "vmctl-quirks.h"

G_BEGIN_DECLS

typedef struct {
  const gchar *problem;       /* the list's sentence; NULL when not on the list */
  VmctlTristate vendor_reset; /* the vendor_reset module is loaded */
  VmctlTristate device_specific; /* reset_method offers device_specific first;
                                  * UNKNOWN without reset_method (kernel < 5.15) */
  gchar *reset_method;        /* NULL when the kernel has no reset_method */
} VmctlResetState;

void vmctl_reset_state_clear (VmctlResetState *state);
gboolean vmctl_reset_state_read (VmctlHost *host, const VmctlPciDevice *device,
                                 const VmctlQuirks *quirks, VmctlResetState *out_state);
gchar *vmctl_reset_state_describe (const VmctlResetState *state, const VmctlPciAddress *address,
                                   guint16 vendor_id, guint16 device_id);
VmctlTristate vmctl_reset_check_answers (VmctlHost *host, const VmctlPciAddress *address);
gchar *vmctl_reset_dead_advice (const VmctlPciAddress *address);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VmctlResetState, vmctl_reset_state_clear)

G_END_DECLS
