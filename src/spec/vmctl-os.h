/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-os.h: what a guest operating system needs, from libosinfo's
 * database (osinfo-db, the one virt-install uses): its IDs and names,
 * whether it drives virtio disks and NICs by itself, which firmware it
 * boots with, and its minimum memory, vCPUs and disk. libosinfo is loaded
 * on first use (like libvirt: vmctl-libvirt.h), so only `--os` and
 * `vmctl os list` pay for it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VMCTL_OS_ERROR (vmctl_os_error_quark ())

typedef enum {
  VMCTL_OS_ERROR_UNKNOWN,      /* no OS of that ID; the message names close ones (exit 2) */
  VMCTL_OS_ERROR_UNAVAILABLE,  /* libosinfo or its database is missing or broken (exit 1) */
} VmctlOsError;

GQuark vmctl_os_error_quark (void);

typedef struct _VmctlOs {
  gchar *id;                  /* the first short ID: "win11", "debian11" */
  GStrv aliases;              /* the other short IDs ("ubuntujammy"); never NULL */
  gchar *name;                /* "Microsoft Windows 11" */
  gchar *vendor;              /* may be NULL */
  gchar *version;             /* may be NULL */
  gchar *family;              /* "winnt", "linux", ...; may be NULL */
  gchar *release_date;        /* "2021-10-05"; may be NULL */

  /* the rest only from vmctl_os_db_lookup() */
  gboolean virtio_block;      /* the OS drives virtio disks without extra drivers */
  gboolean virtio_net;        /* ... and virtio NICs */
  gboolean needs_efi;         /* the database marks BIOS firmware unsupported */
  gboolean needs_secure_boot; /* vmctl's table: requirements the database lacks */
  gboolean needs_tpm;
  guint64 min_memory_bytes;   /* 0: the database does not say */
  guint min_vcpus;
  guint64 min_storage_bytes;
} VmctlOs;

typedef struct _VmctlOsDb VmctlOsDb;

VmctlOsDb *vmctl_os_db_load (GError **error);
void vmctl_os_db_free (VmctlOsDb *db);
VmctlOs *vmctl_os_db_lookup (VmctlOsDb *db, const gchar *id, GError **error);
GPtrArray *vmctl_os_db_list (VmctlOsDb *db);
gboolean vmctl_os_is_windows (const VmctlOs *os);
VmctlOs *vmctl_os_copy (const VmctlOs *os);
void vmctl_os_free (VmctlOs *os);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlOsDb, vmctl_os_db_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlOs, vmctl_os_free)

G_END_DECLS
