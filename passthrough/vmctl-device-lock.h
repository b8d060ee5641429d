/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-device-lock.h: one advisory lock per PCI function in STATE/locks/,
 * so two vmctl processes never move the same device at once. */
#pragma once

#include <glib.h>
#include "vmctl-pci-address.h"

G_BEGIN_DECLS

#define VMCTL_DEVICE_LOCK_ERROR (vmctl_device_lock_error_quark ())

typedef enum {
  VMCTL_DEVICE_LOCK_ERROR_STATE_DIR, /* the lock directory cannot be created or
                                      * written: pick another with --state-dir */
  VMCTL_DEVICE_LOCK_ERROR_BUSY,      /* another vmctl holds the function (its PID
                                      * is in the message) and the timeout ran out */
  VMCTL_DEVICE_LOCK_ERROR_IO,        /* opening or locking the lock file failed */
} VmctlDeviceLockError;

GQuark vmctl_device_lock_error_quark (void);

typedef struct _VmctlDeviceLock VmctlDeviceLock;

VmctlDeviceLock *vmctl_device_lock_acquire (const gchar *state_dir,
                                            const VmctlPciAddress *address,
                                            guint timeout_ms, GError **error);
GPtrArray *vmctl_device_lock_acquire_all (const gchar *state_dir,
                                          const VmctlPciAddress *addresses, gsize n,
                                          guint timeout_ms, GError **error);
VmctlDeviceLock *vmctl_owner_lock_acquire (const gchar *state_dir, const gchar *owner,
                                           guint timeout_ms, GError **error);
gboolean vmctl_owner_lock_is_held (const gchar *state_dir, const gchar *owner);
void vmctl_device_lock_release (VmctlDeviceLock *lock);
const VmctlPciAddress *vmctl_device_lock_get_address (VmctlDeviceLock *lock);
const gchar *vmctl_device_lock_get_path (VmctlDeviceLock *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlDeviceLock, vmctl_device_lock_release)

G_END_DECLS
