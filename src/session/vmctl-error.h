/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-error.h: the one error domain libvmctl's public functions report.
 * Modules keep private domains for their own callers (VMCTL_PCI_ERROR,
 * VMCTL_VFIO_ERROR...); every session function translates them at the
 * library boundary with vmctl_error_convert(), keeping the message. */
#pragma once

#if !defined (VMCTL_H_INSIDE) && !defined (VMCTL_COMPILATION)
#error "Only <vmctl/vmctl.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * vmctl_error_quark:
 *
 * The domain of every error a vmctl_session_*() call reports (VMCTL_ERROR);
 * the codes are #VmctlError.
 *
 * Returns: the quark
 */
#define VMCTL_ERROR (vmctl_error_quark ())

/**
 * VmctlError:
 * @VMCTL_ERROR_FAILED: anything else; the message says what (exit 1)
 * @VMCTL_ERROR_INVALID_INPUT: a malformed argument, option, address, size,
 *   name or spec, or options that cannot go together: fix the command
 *   (exit 2)
 * @VMCTL_ERROR_NOT_FOUND: no such device, VM, profile or file (exit 2)
 * @VMCTL_ERROR_EXISTS: a VM of that name is already defined (exit 2)
 * @VMCTL_ERROR_NOT_PASSABLE: the isolation verdict says no: a shared IOMMU
 *   group, no group, a bridge (exit 1)
 * @VMCTL_ERROR_HOST_CRITICAL: a chipset function (host bridge, LPC, SMBus,
 *   SPI flash...) would move; never overridden (exit 1)
 * @VMCTL_ERROR_HOST_IN_USE: the host uses it (console, framebuffer, mounted
 *   disk, a process holding it); --force may override (exit 1)
 * @VMCTL_ERROR_BUSY: another vmctl or a running VM holds it: wait, or stop
 *   that VM (exit 1)
 * @VMCTL_ERROR_STATE: the state directory cannot be trusted or used, or the
 *   journal holds something vmctl will not act on (exit 1)
 * @VMCTL_ERROR_HYPERVISOR: libvirt cannot be reached or refused the
 *   operation; its reason follows (exit 1)
 * @VMCTL_ERROR_HOST: a change to the host failed: a sysfs write, a module
 *   load, a driver that never bound, a device that vanished (exit 1)
 * @VMCTL_ERROR_DATA: a data file vmctl ships or was given is broken: a
 *   profile, a quirk or host-critical list, a firmware descriptor, a
 *   template (exit 1)
 * @VMCTL_ERROR_INCOMPLETE: the operation failed and undoing it failed
 *   too; the journal keeps what is left for `vmctl gpu recover` (exit 1)
 * @VMCTL_ERROR_TIMEOUT: a guest did not shut down in time (exit 1)
 * @VMCTL_ERROR_RUNNING: the operation needs the VM shut off (exit 1)
 *
 * The codes are stable: new ones are added at the end.
 */
typedef enum {
  VMCTL_ERROR_FAILED = 0,
  VMCTL_ERROR_INVALID_INPUT = 1,
  VMCTL_ERROR_NOT_FOUND = 2,
  VMCTL_ERROR_EXISTS = 3,
  VMCTL_ERROR_NOT_PASSABLE = 4,
  VMCTL_ERROR_HOST_CRITICAL = 5,
  VMCTL_ERROR_HOST_IN_USE = 6,
  VMCTL_ERROR_BUSY = 7,
  VMCTL_ERROR_STATE = 8,
  VMCTL_ERROR_HYPERVISOR = 9,
  VMCTL_ERROR_HOST = 10,
  VMCTL_ERROR_DATA = 11,
  VMCTL_ERROR_INCOMPLETE = 12,
  VMCTL_ERROR_TIMEOUT = 13,
  VMCTL_ERROR_RUNNING = 14,
} VmctlError;

GQuark vmctl_error_quark (void);
const gchar *vmctl_error_code_to_string (VmctlError code);

G_END_DECLS

/* inside the build, the library's own declarations too */
#ifdef VMCTL_COMPILATION
#include "vmctl-error-private.h"
#endif
