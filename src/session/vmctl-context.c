/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-context.c: the choices the global options made (host root, URI,
 * state directory, output mode) and what several commands derive from them:
 * the PCI inventory, the quirk list, the data directory. */
#include "vmctl-context.h"

#include "vmctl-config.h"
#include "vmctl-autocleanups.h"
#include "vmctl-connect.h"
#include "vmctl-host-critical.h"
#include "vmctl-host-use.h"
#include "vmctl-inventory-nodedev.h"
#include "vmctl-inventory-sysfs.h"
#include "vmctl-uninstalled.h"

#define VMCTL_DEFAULT_STATE_DIR "/var/lib/vmctl"

/* An empty variable counts as unset: "VMCTL_HOST_ROOT= vmctl ..." is how a
 * shell user clears an exported value for one command. */
static const gchar *
getenv_nonempty (const gchar *name)
{
  const gchar *value = g_getenv (name);

  return value != NULL && value[0] != '\0' ? value : NULL;
}

/**
 * vmctl_context_new:
 * @host_root: (nullable): --host-root; NULL falls back to $VMCTL_HOST_ROOT,
 *   then "/"
 * @uri: (nullable): -c/--connect; NULL lets vmctl_connect_resolve_uri()
 *   choose
 * @state_dir: (nullable): --state-dir; NULL falls back to $VMCTL_STATE_DIR,
 *   then /var/lib/vmctl (not created here: read-only commands never need it)
 * @json: whether the command prints JSON
 * @error: VMCTL_HOST_ERROR_BAD_ROOT when the host root is not a directory
 *
 * Returns: (transfer full): a context, free with vmctl_context_free()
 */
VmctlContext *
vmctl_context_new (const gchar *host_root, const gchar *uri,
                   const gchar *state_dir, gboolean json, GError **error)
{
  g_autoptr(VmctlContext) context = g_new0 (VmctlContext, 1);
  const gchar *root = host_root;

  if (root == NULL)
    root = getenv_nonempty ("VMCTL_HOST_ROOT");
  context->host_root_given = root != NULL;
  context->host = vmctl_host_new (root != NULL ? root : "/", error);
  if (context->host == NULL)
    return NULL;

  context->uri = g_strdup (uri);
  if (state_dir == NULL)
    state_dir = getenv_nonempty ("VMCTL_STATE_DIR");
  context->state_dir = g_strdup (state_dir != NULL ? state_dir : VMCTL_DEFAULT_STATE_DIR);
  context->json = json;
  return g_steal_pointer (&context);
}

void
vmctl_context_free (VmctlContext *context)
{
  if (context == NULL)
    return;
  g_clear_pointer (&context->host, vmctl_host_unref);
  g_free (context->uri);
  g_free (context->state_dir);
  g_free (context);
}

/**
 * vmctl_context_get_uri:
 *
 * Returns: (transfer none): the libvirt URI to use: -c, else the
 * environment's choice, else qemu:///system
 */
const gchar *
vmctl_context_get_uri (VmctlContext *context)
{
  g_return_val_if_fail (context != NULL, NULL);
  return vmctl_connect_resolve_uri (context->uri);
}

/**
 * vmctl_context_uses_nodedev:
 *
 * Whether the PCI inventory has to come from libvirt's node devices: only
 * when nobody pointed vmctl at a host root and the URI names another
 * machine (qemu+ssh://...) or a simulated one (test:///...), whose sysfs is
 * not the one under "/". A given host root always wins, so fixtures and the
 * demo host can be combined with any URI.
 */
gboolean
vmctl_context_uses_nodedev (VmctlContext *context)
{
  g_return_val_if_fail (context != NULL, FALSE);
  if (context->host_root_given)
    return FALSE;
  return !vmctl_connect_uri_is_local (vmctl_context_get_uri (context));
}

/**
 * vmctl_context_load_inventory:
 * @error: the inventory source's error, or a VMCTL_VIRT_ERROR when the URI
 *   cannot be opened
 *
 * Returns: (transfer full): the host's PCI functions, from sysfs under the
 * host root or from libvirt's node devices (see
 * vmctl_context_uses_nodedev())
 */
VmctlInventory *
vmctl_context_load_inventory (VmctlContext *context, GError **error)
{
  return vmctl_context_load_inventory_full (context, VMCTL_INVENTORY_NAMES, error);
}

/**
 * vmctl_context_load_inventory_full:
 * @flags: VMCTL_INVENTORY_NAMES when the command prints device names
 *
 * Returns: (transfer full): as vmctl_context_load_inventory(), its
 * host-critical functions marked (vmctl_context_mark_host_critical())
 */
VmctlInventory *
vmctl_context_load_inventory_full (VmctlContext *context, VmctlInventoryFlags flags,
                                   GError **error)
{
  g_autoptr(VmctlConnect) connection = NULL;
  g_autoptr(VmctlInventory) inventory = NULL;

  g_return_val_if_fail (context != NULL, NULL);
  if (!vmctl_context_uses_nodedev (context)) {
    inventory = vmctl_inventory_from_sysfs_full (context->host, flags, error);
  } else {
    /* listing node devices needs no write access, and a read-only
     * connection works for unprivileged users on the system daemon */
    connection = vmctl_connect_open (vmctl_context_get_uri (context), TRUE, error);
    if (connection == NULL)
      return NULL;
    inventory = vmctl_inventory_from_nodedev_full (connection, flags, error);
  }
  if (inventory == NULL || !vmctl_context_mark_host_critical (context, inventory, error))
    return NULL;
  return g_steal_pointer (&inventory);
}

/**
 * vmctl_context_mark_host_critical:
 * @error: the list's load error: missing or broken, it stops the command
 *   rather than let a judgement run without it
 *
 * Marks the functions of @inventory that data/host-critical.conf lists.
 */
gboolean
vmctl_context_mark_host_critical (VmctlContext *context, VmctlInventory *inventory,
                                  GError **error)
{
  g_autoptr(VmctlHostCritical) list = vmctl_host_critical_load_default (error);

  g_return_val_if_fail (context != NULL, FALSE);
  if (list == NULL)
    return FALSE;
  vmctl_host_critical_mark (list, inventory);
  return TRUE;
}

/**
 * vmctl_context_load_host_use:
 * @addresses: (array length=n): the functions a command may move
 *
 * Fills host_use of every function in the slots of @addresses: all that a
 * plan for them can move (they, their companions and siblings share their
 * slot). Only those: vmctl_host_use_reasons() reads /proc/PID/fd of every
 * process for a device with device nodes. Functions already on vfio-pci
 * are not the host's (the engine skips them the same way). A node-device
 * inventory is left as it is: this machine's files say nothing about
 * another host.
 */
void
vmctl_context_load_host_use (VmctlContext *context, VmctlInventory *inventory,
                             const VmctlPciAddress *addresses, guint n)
{
  g_return_if_fail (context != NULL);
  if (inventory->source != VMCTL_INVENTORY_SOURCE_SYSFS)
    return;
  for (guint i = 0; i < inventory->devices->len; i++) {
    VmctlPciDevice *device = g_ptr_array_index (inventory->devices, i);
    gboolean wanted = FALSE;

    for (guint j = 0; j < n && !wanted; j++)
      wanted = vmctl_pci_address_same_slot (&device->address, &addresses[j]);
    if (!wanted || device->host_use != NULL)
      continue;
    if (g_strcmp0 (device->driver, "vfio-pci") == 0)
      device->host_use = g_ptr_array_new_with_free_func (g_free);
    else
      device->host_use = vmctl_host_use_reasons (context->host, &device->address);
  }
}

/**
 * vmctl_context_load_quirks:
 * @error: VMCTL_QUIRKS_ERROR_PARSE when the list exists but is broken
 *
 * A missing list gives empty quirks rather than an error: the list only
 * adds warnings, and an odd install without it should still work.
 *
 * Returns: (transfer full): the known reset-bug devices
 */
VmctlQuirks *
vmctl_context_load_quirks (VmctlContext *context, GError **error)
{
  g_autofree gchar *path = vmctl_data_path ("quirks/reset-bug.conf");

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return vmctl_quirks_new_empty ();
  return vmctl_quirks_load (path, error);
}
