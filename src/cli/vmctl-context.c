/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-context.c: the CLI's context: a session and the output mode. */
#include "vmctl-context.h"

/**
 * vmctl_context_new:
 * @host_root: (nullable): --host-root
 * @uri: (nullable): -c/--connect
 * @state_dir: (nullable): --state-dir
 * @json: --json
 * @error: as vmctl_session_new()
 *
 * Returns: (transfer full): the context, free with vmctl_context_free()
 */
VmctlContext *
vmctl_context_new (const gchar *host_root, const gchar *uri, const gchar *state_dir,
                   gboolean json, GError **error)
{
  g_autoptr(VmctlSession) session = vmctl_session_new (host_root, uri, state_dir, error);
  VmctlContext *context;

  if (session == NULL)
    return NULL;
  context = g_new0 (VmctlContext, 1);
  context->session = g_steal_pointer (&session);
  context->json = json;
  return context;
}

void
vmctl_context_free (VmctlContext *context)
{
  if (context == NULL)
    return;
  g_clear_pointer (&context->session, vmctl_session_unref);
  g_free (context);
}
