/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-setup-private.h: what the host setup files share: the plan
 * (every file's new contents and the commands that make them count), the
 * text edits of the boot loaders' files, and the diff. Not installed. */
#pragma once

#include "vmctl-host-setup.h"
#include "vmctl-host-file.h"

G_BEGIN_DECLS

typedef struct {
  gchar *path;
  VmctlHostFile *before;      /* as read when planned */
  gchar *after;
  guint new_mode;             /* for a file that does not exist yet */
} VmctlHostSetupEdit;

typedef struct {
  gchar *name;                /* a regeneration command ("update-grub") */
  gchar *parameter;           /* its one parameter, "" when none */
} VmctlHostSetupCommand;

typedef struct {
  GPtrArray *edits;           /* VmctlHostSetupEdit*, only files that change */
  GPtrArray *commands;        /* VmctlHostSetupCommand*, in the order to run */
  GPtrArray *settings;        /* gchar* "key=value" pairs for the record */
  GPtrArray *notes;           /* gchar* */
} VmctlHostSetupPlan;

void vmctl_host_setup_plan_free (VmctlHostSetupPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlHostSetupPlan, vmctl_host_setup_plan_free)

/* VMCTL_HOST_SETUP_ERROR_UNSUPPORTED with the message; FALSE
 * (vmctl-host-setup-edit.c) */
gboolean vmctl_host_setup_unsupported (GError **error, const gchar *format, ...) G_GNUC_PRINTF (2, 3);

/* vmctl-host-setup-plan.c */
VmctlHostSetupPlan *vmctl_host_setup_plan (VmctlHost *host, const VmctlHostSetupRequest *request,
                                           GError **error);
gchar *vmctl_host_setup_describe_setting (const gchar *key, const gchar *value);

/* vmctl-host-setup-edit.c: each returns the new text, or NULL with
 * VMCTL_HOST_SETUP_ERROR_UNSUPPORTED when the file is too unusual to edit
 * safely; @params are "name=value" or bare words to have on the line,
 * replacing a different value of the same name */
gchar *vmctl_host_setup_edit_grub (const gchar *text, const gchar * const *params,
                                   GError **error);
gchar *vmctl_host_setup_edit_cmdline (const gchar *text, const gchar * const *params);
gchar *vmctl_host_setup_edit_loader_entry (const gchar *text, const gchar * const *params);
gchar *vmctl_host_setup_edit_kernelstub (const gchar *text, const gchar * const *params,
                                         GError **error);
gchar *vmctl_host_setup_edit_mkinitcpio (const gchar *text, const gchar * const *modules,
                                         const gchar * const *files, GError **error);
gchar *vmctl_host_setup_edit_lines (const gchar *text, const gchar * const *lines,
                                    const gchar *replace_prefix);

/* vmctl-host-setup-diff.c */
gchar *vmctl_host_setup_diff (const gchar *path, const gchar *before, gboolean before_exists,
                              const gchar *after, gboolean after_exists);

G_END_DECLS
