/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-journal.h: the journal's second kind of entry (issue 13):
 * host changes beyond drivers. Each is a record in STATE/host/ naming what
 * vmctl changed on the host and what was there before: the boot
 * configuration files `vmctl host setup` wrote (with a backup of each
 * original), the CPUs kept from the host while VMs run, the consoles,
 * framebuffer, display manager and modules a single-GPU hand-off took, the
 * sleep inhibitor held for a VM. A change is recorded before it is made
 * (write-ahead), so after a crash the record says how far the host may
 * have been changed, and `--undo` or `vmctl host recover` put it back.
 *
 * The records live in the trusted state directory (vmctl-state-dir.h), and
 * every field read back is validated before it can become a path, a write
 * or a command: a file's path must be one of the configuration files
 * setup knows, a kernel attribute one of the few patterns vmctl writes, a
 * value what that attribute takes, a command one of the regeneration
 * commands by name. */
#pragma once

#include <glib.h>
#include "vmctl-host.h"

G_BEGIN_DECLS

#define VMCTL_HOST_JOURNAL_ERROR (vmctl_host_journal_error_quark ())

typedef enum {
  VMCTL_HOST_JOURNAL_ERROR_STATE_DIR, /* the state directory cannot be created,
                                       * written or trusted */
  VMCTL_HOST_JOURNAL_ERROR_NOT_FOUND, /* no such record */
  VMCTL_HOST_JOURNAL_ERROR_MALFORMED, /* a record or backup is not what vmctl
                                       * wrote: it is left alone, never acted on */
  VMCTL_HOST_JOURNAL_ERROR_IO,        /* writing, syncing or removing failed */
  VMCTL_HOST_JOURNAL_ERROR_BUSY,      /* another vmctl holds the record's lock */
} VmctlHostJournalError;

GQuark vmctl_host_journal_error_quark (void);

typedef enum {
  VMCTL_HOST_RECORD_SETUP,       /* "setup": vmctl host setup --apply */
  VMCTL_HOST_RECORD_ISOLATION,   /* "isolation": CPUs kept from the host while VMs run */
  VMCTL_HOST_RECORD_SINGLE_GPU,  /* "single-gpu": the hand-off of the host's display */
  VMCTL_HOST_RECORD_INHIBIT,     /* "inhibit": a logind sleep inhibitor held for a VM */
} VmctlHostRecordKind;

typedef enum {
  VMCTL_HOST_CHANGE_FILE,      /* "file": a configuration file replaced or created */
  VMCTL_HOST_CHANGE_COMMAND,   /* "command": a regeneration command, run again on undo */
  VMCTL_HOST_CHANGE_WRITE,     /* "write": a kernel attribute written */
  VMCTL_HOST_CHANGE_UNIT_STOP, /* "unit-stop": a systemd unit stopped */
  VMCTL_HOST_CHANGE_UNIT_CPUS, /* "unit-cpus": a systemd unit's AllowedCPUs set */
  VMCTL_HOST_CHANGE_UNBIND,    /* "unbind": a platform device (framebuffer) unbound */
  VMCTL_HOST_CHANGE_MODULE,    /* "module": a kernel module unloaded */
  VMCTL_HOST_CHANGE_INHIBITOR, /* "inhibitor": a process holding a logind inhibitor */
  VMCTL_HOST_CHANGE_SETTING,   /* "setting": what setup set, for `host check` */
} VmctlHostChangeType;

typedef struct {
  VmctlHostChangeType type;
  gboolean done;              /* FALSE: recorded, about to be made (or made, and
                               * the process died before saying so) */
  gchar *path;                /* FILE, WRITE: the host path */
  gchar *name;                /* UNIT_*: the unit; UNBIND: the device; MODULE: the
                               * module; COMMAND: the command; SETTING: the key */
  gchar *driver;              /* UNBIND: the platform driver */
  gchar *original;            /* WRITE, UNIT_CPUS: the value before; COMMAND: its
                               * parameter ("" none); SETTING: the value set */
  gchar *value;               /* WRITE, UNIT_CPUS: the value vmctl set */
  /* FILE */
  gboolean existed;           /* FALSE: created; undo removes it */
  gchar *backup;              /* the state file with the original bytes */
  gchar *original_digest;     /* SHA-256 of the original ("" when !existed) */
  gchar *new_digest;          /* SHA-256 of what vmctl wrote */
  guint mode;
  guint uid;
  guint gid;
  GPtrArray *made_directories;/* gchar*: directories created for it, outermost first */
  /* INHIBITOR */
  gint pid;
  guint64 start_time;         /* /proc/PID/stat field 22: the PID is that process */
} VmctlHostChange;

typedef struct {
  gchar *vm;
  gchar *cpus;                /* the host CPUs the VM's vCPUs run on, a CPU list */
} VmctlHostHolder;

typedef struct {
  VmctlHostRecordKind kind;
  gchar *owner;               /* the VM for single-gpu and inhibit; "" otherwise */
  gchar *boot_id;             /* stamped when written */
  gchar *time;                /* ISO 8601 UTC, stamped at the first write */
  gboolean complete;          /* every change made and verified */
  GPtrArray *changes;         /* VmctlHostChange*, in the order made */
  GPtrArray *holders;         /* VmctlHostHolder*: ISOLATION, the VMs it is for */
} VmctlHostRecord;

const gchar *vmctl_host_record_kind_to_string (VmctlHostRecordKind kind);
const gchar *vmctl_host_change_type_to_string (VmctlHostChangeType type);

VmctlHostRecord *vmctl_host_record_new (VmctlHostRecordKind kind, const gchar *owner);
void vmctl_host_record_free (VmctlHostRecord *record);
VmctlHostChange *vmctl_host_change_new (VmctlHostChangeType type);
void vmctl_host_change_free (VmctlHostChange *change);
VmctlHostChange *vmctl_host_record_add (VmctlHostRecord *record, VmctlHostChangeType type);
VmctlHostChange *vmctl_host_record_find (VmctlHostRecord *record, VmctlHostChangeType type,
                                         const gchar *path_or_name);
void vmctl_host_record_add_holder (VmctlHostRecord *record, const gchar *vm, const gchar *cpus);
gboolean vmctl_host_record_remove_holder (VmctlHostRecord *record, const gchar *vm);
gchar *vmctl_host_record_file_name (VmctlHostRecordKind kind, const gchar *owner);

gboolean vmctl_host_record_validate (const VmctlHostRecord *record, GError **error);
VmctlHostRecord *vmctl_host_record_parse (const gchar *data, gsize length, GError **error);
gchar *vmctl_host_record_to_data (const VmctlHostRecord *record, gsize *out_length);

/* validators shared with the code that makes the changes */
gboolean vmctl_host_record_is_setup_file (const gchar *path);
gboolean vmctl_host_record_is_write_path (const gchar *path);
gboolean vmctl_host_record_is_write_value (const gchar *path, const gchar *value);
gboolean vmctl_host_record_is_cpu_list (const gchar *text);
gboolean vmctl_host_record_is_module (const gchar *text);
gboolean vmctl_host_record_is_unit (const gchar *text);
gboolean vmctl_host_record_is_framebuffer_driver (const gchar *text);

/* ---- the records on disk: STATE/host/ ---- */

typedef struct _VmctlHostJournal VmctlHostJournal;

VmctlHostJournal *vmctl_host_journal_open (const gchar *state_dir, VmctlHost *host,
                                           gboolean create, GError **error);
void vmctl_host_journal_free (VmctlHostJournal *journal);
const gchar *vmctl_host_journal_get_boot_id (VmctlHostJournal *journal);
const gchar *vmctl_host_journal_get_directory (VmctlHostJournal *journal);

gboolean vmctl_host_journal_write (VmctlHostJournal *journal, VmctlHostRecord *record,
                                   GError **error);
VmctlHostRecord *vmctl_host_journal_load (VmctlHostJournal *journal, VmctlHostRecordKind kind,
                                          const gchar *owner, GError **error);
GPtrArray *vmctl_host_journal_list (VmctlHostJournal *journal, GPtrArray **out_problems,
                                    GError **error);
gboolean vmctl_host_journal_remove (VmctlHostJournal *journal, const VmctlHostRecord *record,
                                    GError **error);
gboolean vmctl_host_journal_is_stale (VmctlHostJournal *journal,
                                      const VmctlHostRecord *record);
gboolean vmctl_host_journal_save_backup (VmctlHostJournal *journal, const gchar *name,
                                         const gchar *data, gsize length, GError **error);
gboolean vmctl_host_journal_load_backup (VmctlHostJournal *journal, const gchar *name,
                                         const gchar *digest, gchar **out_data,
                                         gsize *out_length, GError **error);
gboolean vmctl_host_journal_remove_backup (VmctlHostJournal *journal, const gchar *name,
                                           GError **error);
int vmctl_host_journal_lock (VmctlHostJournal *journal, const gchar *name, guint timeout_ms,
                             GError **error);
void vmctl_host_journal_unlock (int fd);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlHostRecord, vmctl_host_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlHostChange, vmctl_host_change_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlHostJournal, vmctl_host_journal_free)

G_END_DECLS
