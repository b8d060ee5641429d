/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-session-host.c: is the session's host ready for GPU passthrough?
 * The local host is read under the host root (and its libvirt probed);
 * a remote one is asked through its libvirt only. */
#include "vmctl-session-host.h"

#include "vmctl-session-private.h"

/**
 * vmctl_session_host_check:
 *
 * `vmctl host check` for the session's host. A remote host
 * (vmctl_session_uses_nodedev()) is asked through its libvirt, from the
 * session's host facts, and never through this machine's files (what
 * libvirt cannot tell is VMCTL_CHECK_UNKNOWN); an unreachable libvirt is
 * a failed check there. The local host is read under the host root, and
 * its libvirt is always probed: a host without a working daemon is not
 * ready, and what `vmctl host setup` applied is checked for being in
 * effect. Never fails: every problem is a check's result.
 *
 * Returns: (transfer full): the report
 */
VmctlHostReport *
vmctl_session_host_check (VmctlSession *session)
{
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GError) connect_error = NULL;
  VmctlHostFacts *facts;

  g_return_val_if_fail (session != NULL, NULL);
  if (!vmctl_session_uses_nodedev (session))
    /* the state directory: an applied `vmctl host setup` is checked too
     * (issue 13) */
    return vmctl_host_check_run_with_state (vmctl_session_get_host (session),
                                            vmctl_session_get_uri (session),
                                            vmctl_session_get_state_dir (session));
  /* the report says where the facts came from itself: their notes are
   * not the user's business here */
  notes = g_ptr_array_new_with_free_func (g_free);
  facts = vmctl_session_get_facts_noting (session, notes, &connect_error);
  return vmctl_host_check_run_remote (facts, vmctl_session_get_uri (session), connect_error);
}
