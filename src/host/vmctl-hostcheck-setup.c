/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-hostcheck-setup.c: setup.applied (issue 13): when `vmctl host
 * setup --apply` wrote the boot configuration, whether the running host
 * has it yet. Boot configuration only counts after a reboot, and whether
 * that reboot happened (or took: a grub.cfg not regenerated, an initramfs
 * not rebuilt) shows in /proc/cmdline, the drivers and the module
 * parameters, which this compares with what was set. No row at all when
 * vmctl set nothing up, or the state directory is not ours to read. */
#include "vmctl-hostcheck-private.h"

#include "vmctl-host-journal.h"
#include "vmctl-host-setup.h"
#include "vmctl-glib-util.h"

static const gchar id[] = "setup.applied";
static const gchar title[] = "vmctl host setup";

void
vmctl_host_check_setup (VmctlHostCheck *check)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlHostSetupStatus) status = NULL;
  g_autofree gchar *pending = NULL;

  if (check->state_dir == NULL)
    return;
  status = vmctl_host_setup_status (check->host, check->state_dir, &error);
  if (status == NULL) {
    /* a state directory another user owns (a user's host check against
     * root's /var/lib/vmctl) says nothing about this host */
    if (g_error_matches (error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_MALFORMED))
      vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN,
                            "look at the record; 'vmctl host setup --undo' will not act on it",
                            "%s", error->message);
    return;
  }
  if (status->interrupted) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN,
                          "vmctl host setup --undo (puts every file back), then --apply again",
                          "an apply was cut short (started %s): the boot files may be half set "
                          "up", status->time);
    return;
  }
  if (!status->applied)
    return;
  if (status->pending->len == 0) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_PASS, NULL,
                          "setup applied (%s), effective after reboot: yes (%u settings in "
                          "effect)", status->time, status->effective->len);
    return;
  }
  pending = vmctl_ptr_array_join (status->pending, "; ");
  vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN,
                        "reboot; if these are still missing after it, the boot loader or "
                        "initramfs was not regenerated: run 'vmctl host setup --undo' and "
                        "--apply again",
                        "setup applied (%s), effective after reboot: no: not in effect yet: %s",
                        status->time, pending);
}
