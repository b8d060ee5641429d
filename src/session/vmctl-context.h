/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-context.h: what the global options chose (host root, state dir,
 * URI) and the things derived from them that several commands need. */
#pragma once

#include <glib.h>
#include "vmctl-data-dir.h"
#include "vmctl-host.h"
#include "vmctl-pci-device.h"
#include "vmctl-quirks.h"

G_BEGIN_DECLS

typedef struct {
  VmctlHost *host;
  gchar *uri;              /* as given with -c, NULL when not given */
  gboolean host_root_given;/* --host-root or VMCTL_HOST_ROOT */
  gchar *state_dir;
  gboolean json;
} VmctlContext;

VmctlContext *vmctl_context_new (const gchar *host_root, const gchar *uri,
                                 const gchar *state_dir, gboolean json,
                                 GError **error);
void vmctl_context_free (VmctlContext *context);
const gchar *vmctl_context_get_uri (VmctlContext *context);
gboolean vmctl_context_uses_nodedev (VmctlContext *context);
VmctlInventory *vmctl_context_load_inventory (VmctlContext *context, GError **error);
VmctlInventory *vmctl_context_load_inventory_full (VmctlContext *context,
                                                   VmctlInventoryFlags flags, GError **error);
gboolean vmctl_context_mark_host_critical (VmctlContext *context, VmctlInventory *inventory,
                                           GError **error);
void vmctl_context_load_host_use (VmctlContext *context, VmctlInventory *inventory,
                                  const VmctlPciAddress *addresses, guint n);
VmctlQuirks *vmctl_context_load_quirks (VmctlContext *context, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlContext, vmctl_context_free)

G_END_DECLS
