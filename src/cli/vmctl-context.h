/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-context.h: what one run of the vmctl command works with: the
 * library session the global options describe, and how to print. Private
 * to the CLI (never installed): a library caller makes its own
 * VmctlSession. */
#pragma once

#include <glib.h>
#include "vmctl-session.h"

G_BEGIN_DECLS

typedef struct {
  VmctlSession *session;
  gboolean json;           /* --json: JSON on stdout, nothing else there */
} VmctlContext;

VmctlContext *vmctl_context_new (const gchar *host_root, const gchar *uri,
                                 const gchar *state_dir, gboolean json,
                                 GError **error);
void vmctl_context_free (VmctlContext *context);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlContext, vmctl_context_free)

G_END_DECLS
