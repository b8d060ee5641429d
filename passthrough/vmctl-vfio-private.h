/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-vfio-private.h: what the engine's files share. */
#pragma once

#include "vmctl-vfio.h"
#include "vmctl-host.h"
#include "vmctl-journal.h"

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
  VMCTL_VFIO_ERROR_BAD_DRIVER, /* a driver name (journaled or from a sysfs link) is
                                * not one, or has no directory under
                                * /sys/bus/pci/drivers: nothing was written (exit 1) */
  VMCTL_VFIO_ERROR_RUNNING,    /* a running VM uses the function; it is named, and
                                * --force takes it anyway (exit 1) */
  VMCTL_VFIO_ERROR_CORRUPT,    /* a journal entry of the plan is corrupt (not a
                                * regular file, malformed, invalid): the plan is
                                * left alone (exit 1) */
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
void vmctl_vfio_set_progress_full (VmctlVfio *vfio, VmctlVfioProgressFunc func,
                                   gpointer user_data, GDestroyNotify destroy);

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

/* Gives back the whole plan each of @addresses was detached with (every
 * function journaled with it), without waiting for another vmctl's locks.
 * Tries all of them; the error lists every one that failed (their entries
 * stay). @out_given (optional) gets the VmctlJournalEntry of each function
 * given back, in the order given back. */
gboolean vmctl_vfio_reattach (VmctlVfio *vfio, const VmctlPciAddress *addresses, guint n,
                              GPtrArray **out_given, GError **error);
/* Every plan journaled for @owner, waiting for locks as a detach does; no
 * entries is success. */
gboolean vmctl_vfio_reattach_owner (VmctlVfio *vfio, const gchar *owner, GPtrArray **out_given,
                                    GError **error);

/* The journal: VmctlJournalEntry*, sorted by address; @out_problems gets
 * VmctlJournalProblem* for entry files that could not be read. */
GPtrArray *vmctl_vfio_status (VmctlVfio *vfio, GPtrArray **out_problems, GError **error);
VmctlJournal *vmctl_vfio_get_journal (VmctlVfio *vfio);

/* Which running VM uses the function of @entry: its owner VM while that
 * runs, or any running VM that has it as a hostdev (a function detached by
 * hand and given to a VM). Returns that VM's name (newly allocated), NULL
 * when none does; the entry is then given back. */
typedef gchar *(*VmctlVfioUserFunc) (const VmctlJournalEntry *entry, gpointer user_data);

/* Asked by reattach for each function of the plans it would give back; a
 * function a running VM uses refuses the reattach with
 * VMCTL_VFIO_ERROR_RUNNING. NULL (the default) asks nobody: for the
 * libvirt hook, which runs when the VM's QEMU is gone, and for --force. */
void vmctl_vfio_set_user (VmctlVfio *vfio, VmctlVfioUserFunc func, gpointer user_data);

/* Reattaches every journaled function no running VM uses (see
 * VmctlVfioUserFunc; NULL @user counts none in use), manual detaches
 * included; half-done entries from a crash are rolled back from the step
 * they recorded. Entries from an earlier boot are dropped (the reboot
 * already undid them). NULL with @error only when the journal cannot be
 * read; per-function failures are in the report's failed list. */
VmctlVfioRecovery *vmctl_vfio_recover (VmctlVfio *vfio, VmctlVfioUserFunc user,
                                       gpointer user_data, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlVfio, vmctl_vfio_free)

struct _VmctlVfio {
  VmctlHost *host;
  gchar *state_dir;
  VmctlJournal *journal;        /* opened on first use */
  gboolean dry_run;
  gboolean force;
  guint bind_timeout_ms;
  guint lock_timeout_ms;
  VmctlVfioProgressFunc progress;
  gpointer progress_data;
  GDestroyNotify progress_destroy;
  VmctlVfioUserFunc user;       /* NULL: reattach asks nobody */
  gpointer user_data;
  GPtrArray *actions;           /* gchar*: host changes made or planned */
};

VmctlJournal *vmctl_vfio_journal (VmctlVfio *vfio, GError **error);
void vmctl_vfio_progress (VmctlVfio *vfio, const gchar *format, ...) G_GNUC_PRINTF (2, 3);
/* vmctl-vfio-function.c */
gchar *vmctl_vfio_device_path (const gchar *name, const gchar *attribute);
gboolean vmctl_vfio_device_exists (VmctlVfio *vfio, const gchar *name);
gchar *vmctl_vfio_current_driver (VmctlVfio *vfio, const gchar *name);
gboolean vmctl_vfio_restore_one (VmctlVfio *vfio, const VmctlJournalEntry *entry, GError **error);
gboolean vmctl_vfio_detach_one (VmctlVfio *vfio, const VmctlPciAddress *address,
                                const gchar *owner, const VmctlPciAddress *plan,
                                guint plan_length, VmctlJournalEntry **out_entry,
                                GError **error);

/* vmctl-vfio.c */
GArray *vmctl_vfio_unique (const VmctlPciAddress *addresses, guint n);
GPtrArray *vmctl_vfio_lock (VmctlVfio *vfio, const VmctlPciAddress *addresses, guint n,
                            guint timeout_ms, GError **error);

/* vmctl-vfio-plans.c: journal entries grouped into the plans they were
 * detached with, and a plan given back whole */
typedef struct {
  gchar *owner;
  GArray *members;      /* VmctlPciAddress: the functions to lock, in detach order */
  gboolean recorded;    /* the entries carry this plan; FALSE: entries of an
                         * older vmctl, grouped by owner and slot */
  GPtrArray *entries;   /* VmctlJournalEntry (owned copies) as listed */
} VmctlVfioPlan;

void vmctl_vfio_plan_free (VmctlVfioPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlVfioPlan, vmctl_vfio_plan_free)

GPtrArray *vmctl_vfio_plans_group (GPtrArray *entries);
gchar *vmctl_vfio_plan_describe (const VmctlVfioPlan *plan);
gchar *vmctl_vfio_plan_user (VmctlVfioPlan *plan, VmctlVfioUserFunc user, gpointer user_data);
gboolean vmctl_vfio_plan_give_back (VmctlVfio *vfio, VmctlVfioPlan *plan, gboolean wait,
                                    GPtrArray *given, GPtrArray *dropped, GPtrArray *failed,
                                    GError **error);
GPtrArray *vmctl_vfio_list_entries (VmctlVfio *vfio, GPtrArray **out_problems, GError **error);

G_END_DECLS
