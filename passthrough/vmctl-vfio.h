/* vmctl-vfio.h: the passthrough engine. Moves PCI functions from their host
 * drivers to vfio-pci through sysfs and back to the exact driver each came
 * from: write-ahead journal (crash-safe), one lock per function (exclusive),
 * whole plans as transactions (any failure undoes the functions already
 * moved, in reverse). Bridges are never touched.
 *
 * One detach, per function:
 *   modprobe vfio-pci            only when /sys/bus/pci/drivers/vfio-pci is missing
 *   lock STATE/locks/ADDR.lock
 *   journal "override-written"   then write vfio-pci   > .../ADDR/driver_override
 *   journal "unbound"            then write ADDR       > .../drivers/ORIG/unbind
 *   journal "probed"             then write ADDR       > /sys/bus/pci/drivers_probe
 *   wait (bounded) until .../ADDR/driver -> vfio-pci
 *   journal "bound-vfio"
 * One reattach: unbind from vfio-pci, restore driver_override, write ADDR to
 * drivers/ORIG/bind (the recorded driver, not whatever probes first),
 * verify the driver link, remove the journal entry, release the lock. */
#pragma once

#include <glib.h>
#include "vmctl-host.h"
#include "vmctl-journal.h"
#include "vmctl-pci-address.h"

G_BEGIN_DECLS

#define VMCTL_VFIO_ERROR (vmctl_vfio_error_quark ())

typedef enum {
  VMCTL_VFIO_ERROR_NO_DEVICE,  /* no such function under the host root (exit 2) */
  VMCTL_VFIO_ERROR_BRIDGE,     /* a bridge was named: vfio-pci refuses them (exit 2) */
  VMCTL_VFIO_ERROR_NOT_HELD,   /* reattach of a function vmctl did not detach (exit 2) */
  VMCTL_VFIO_ERROR_HELD,       /* already detached by vmctl; the owner is named (exit 1) */
  VMCTL_VFIO_ERROR_IN_USE,     /* the host uses it (boot console, framebuffer,
                                * mounted disk); reasons listed; --force (exit 1) */
  VMCTL_VFIO_ERROR_MODULE,     /* vfio-pci missing and modprobe failed (exit 1) */
  VMCTL_VFIO_ERROR_WRITE,      /* a sysfs write failed; names function and step (exit 1) */
  VMCTL_VFIO_ERROR_TIMEOUT,    /* the driver link never showed the expected driver (exit 1) */
  VMCTL_VFIO_ERROR_VANISHED,   /* the function disappeared mid-way (exit 1) */
  VMCTL_VFIO_ERROR_UNDO,       /* undoing a failed detach failed too: the journal
                                * keeps those functions for `gpu recover` (exit 1) */
  VMCTL_VFIO_ERROR_REMOTE,     /* libvirt refused a node-device detach or reattach
                                * on a remote host; its reason follows (exit 1) */
} VmctlVfioError;

GQuark vmctl_vfio_error_quark (void);

typedef struct _VmctlVfio VmctlVfio;

/* Opens (creating if needed) the journal and lock directories under
 * @state_dir; VMCTL_JOURNAL_ERROR_STATE_DIR when it cannot be written. */
VmctlVfio *vmctl_vfio_new (VmctlHost *host, const gchar *state_dir, GError **error);
void vmctl_vfio_free (VmctlVfio *vfio);

/* Dry run: nothing is written, locked or journaled; the actions list says
 * what would be done. */
void vmctl_vfio_set_dry_run (VmctlVfio *vfio, gboolean dry_run);
/* Skip the host-in-use protection (boot VGA with a driver, framebuffer
 * overlap, mounted filesystems). */
void vmctl_vfio_set_force (VmctlVfio *vfio, gboolean force);
/* How long to wait for a driver link to change (default 10000 ms). */
void vmctl_vfio_set_bind_timeout (VmctlVfio *vfio, guint timeout_ms);
/* How long to wait for another vmctl's device lock (default 30000 ms). */
void vmctl_vfio_set_lock_timeout (VmctlVfio *vfio, guint timeout_ms);

/* Called with one line per step while it runs ("0000:01:00.0: waiting for
 * vfio-pci"), e.g. for a terminal's progress. */
typedef void (*VmctlVfioProgressFunc) (const gchar *line, gpointer user_data);
void vmctl_vfio_set_progress (VmctlVfio *vfio, VmctlVfioProgressFunc func, gpointer user_data);

/* Every host change made so far (or, in a dry run, that would be made), in
 * order, as "write /sys/... VALUE" or "run modprobe vfio-pci"; paths are
 * host paths (without the host root). */
GPtrArray *vmctl_vfio_get_actions (VmctlVfio *vfio);

/* Detaches @addresses (a whole plan) to vfio-pci for @owner ("" for a
 * manual detach) as one transaction. Functions already on vfio-pci or
 * pci-stub without a journal entry are left alone. On failure every
 * function already moved is reattached in reverse order and the error
 * names the function and the step. */
gboolean vmctl_vfio_detach (VmctlVfio *vfio, const VmctlPciAddress *addresses, guint n,
                            const gchar *owner, GError **error);

/* Gives each of @addresses back to its journaled driver. Tries all of them;
 * the error lists every one that failed (their entries stay). */
gboolean vmctl_vfio_reattach (VmctlVfio *vfio, const VmctlPciAddress *addresses, guint n,
                              GError **error);
/* Every function journaled for @owner; no entries is success. */
gboolean vmctl_vfio_reattach_owner (VmctlVfio *vfio, const gchar *owner, GError **error);

/* The journal: VmctlJournalEntry*, sorted by address; @out_problems gets
 * VmctlJournalProblem* for entry files that could not be read. */
GPtrArray *vmctl_vfio_status (VmctlVfio *vfio, GPtrArray **out_problems, GError **error);
VmctlJournal *vmctl_vfio_get_journal (VmctlVfio *vfio);

/* Which running VM uses the function of @entry: its owner VM while that
 * runs, or any running VM that has it as a hostdev (a function detached by
 * hand and given to a VM). Returns that VM's name (newly allocated), NULL
 * when none does; the entry is then given back. */
typedef gchar *(*VmctlVfioUserFunc) (const VmctlJournalEntry *entry, gpointer user_data);

typedef struct {
  GPtrArray *reattached;  /* gchar*: "0000:01:00.0 -> nvidia" */
  GPtrArray *kept;        /* gchar*: "0000:01:00.0 in use by running VM 'x'" */
  GPtrArray *dropped;     /* gchar*: stale entries from an earlier boot */
  GPtrArray *failed;      /* gchar*: "0000:01:00.0: why" */
} VmctlVfioRecovery;

void vmctl_vfio_recovery_free (VmctlVfioRecovery *recovery);

/* Reattaches every journaled function no running VM uses (see
 * VmctlVfioUserFunc; NULL @user counts none in use), manual detaches
 * included; half-done entries from a crash are rolled back from the step
 * they recorded. Entries from an earlier boot are dropped (the reboot
 * already undid them). NULL with @error only when the journal cannot be
 * read; per-function failures are in the report's failed list. */
VmctlVfioRecovery *vmctl_vfio_recover (VmctlVfio *vfio, VmctlVfioUserFunc user,
                                       gpointer user_data, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlVfio, vmctl_vfio_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlVfioRecovery, vmctl_vfio_recovery_free)

G_END_DECLS
