/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-setup-status.c: whether the setup vmctl applied is in effect
 * on the running host: what the record says was set, compared with
 * /proc/cmdline, the functions' drivers, the module parameters and the
 * hugepage pool. Boot configuration counts only after a reboot, and a
 * user should not have to guess whether that reboot happened. */
#include "vmctl-host-setup-private.h"

#include "vmctl-host-journal.h"
#include "vmctl-pci-address.h"

#include <string.h>

void
vmctl_host_setup_status_free (VmctlHostSetupStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->time);
  g_clear_pointer (&status->effective, g_ptr_array_unref);
  g_clear_pointer (&status->pending, g_ptr_array_unref);
  g_free (status);
}

/* the kernel takes the last of a repeated parameter */
static gboolean
cmdline_has (const gchar *cmdline, const gchar *wanted)
{
  g_auto(GStrv) tokens = g_strsplit_set (cmdline, " \t\n", -1);
  const gchar *equals = strchr (wanted, '=');
  gsize name_length = equals != NULL ? (gsize) (equals - wanted) : strlen (wanted);
  gboolean found = FALSE;

  for (guint i = 0; tokens[i] != NULL; i++) {
    g_auto(GStrv) values = NULL;

    if (strncmp (tokens[i], wanted, name_length) != 0
        || (tokens[i][name_length] != '=' && tokens[i][name_length] != '\0'))
      continue;
    if (equals == NULL) {
      found = TRUE;
      continue;
    }
    if (tokens[i][name_length] != '=')
      continue;
    values = g_strsplit (tokens[i] + name_length + 1, ",", -1);
    /* rd.driver.pre may be given several times: any of them counts */
    found = g_strv_contains ((const gchar * const *) values, equals + 1)
            || (found && g_str_has_prefix (wanted, "rd."));
  }
  return found;
}

static gboolean
setting_effective (VmctlHost *host, const gchar *cmdline, const gchar *key, const gchar *value)
{
  if (g_strcmp0 (key, "cmdline") == 0)
    return cmdline != NULL && cmdline_has (cmdline, value);
  if (g_strcmp0 (key, "vfio-address") == 0) {
    VmctlPciAddress address;
    gchar name[VMCTL_PCI_ADDRESS_STRLEN];
    g_autofree gchar *link = NULL;
    g_autofree gchar *driver = NULL;

    if (!vmctl_pci_address_parse (value, &address, NULL))
      return FALSE;
    vmctl_pci_address_format (&address, name);
    link = g_build_filename ("/sys/bus/pci/devices", name, "driver", NULL);
    driver = vmctl_host_read_link_name (host, link);
    return g_strcmp0 (driver, "vfio-pci") == 0;
  }
  if (g_strcmp0 (key, "nested") == 0) {
    g_autofree gchar *path = g_build_filename ("/sys/module", value, "parameters/nested", NULL);
    g_autofree gchar *nested = vmctl_host_read_line (host, path, NULL);

    return g_strcmp0 (nested, "Y") == 0 || g_strcmp0 (nested, "1") == 0;
  }
  if (g_strcmp0 (key, "hugepages") == 0) {
    g_autofree gchar *count = vmctl_host_read_line (host, "/proc/sys/vm/nr_hugepages", NULL);

    return count != NULL
           && g_ascii_strtoull (count, NULL, 10) >= g_ascii_strtoull (value, NULL, 10);
  }
  if (g_strcmp0 (key, "module") == 0) {
    g_autofree gchar *path = g_build_filename ("/sys/module", value, NULL);

    return vmctl_host_exists (host, path);
  }
  return FALSE;
}

/**
 * vmctl_host_setup_status:
 * @error: a VMCTL_HOST_JOURNAL_ERROR when the state directory cannot be
 *   trusted or the record is corrupt; no record is no error
 *
 * Returns: (transfer full): whether a setup is applied, and which of its
 * settings the running host has
 */
VmctlHostSetupStatus *
vmctl_host_setup_status (VmctlHost *host, const gchar *state_dir, GError **error)
{
  g_autoptr(VmctlHostSetupStatus) status = g_new0 (VmctlHostSetupStatus, 1);
  g_autoptr(VmctlHostJournal) journal = NULL;
  g_autoptr(VmctlHostRecord) record = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *cmdline = NULL;

  status->effective = g_ptr_array_new_with_free_func (g_free);
  status->pending = g_ptr_array_new_with_free_func (g_free);
  journal = vmctl_host_journal_open (state_dir, host, FALSE, &local_error);
  if (journal != NULL)
    record = vmctl_host_journal_load (journal, VMCTL_HOST_RECORD_SETUP, NULL, &local_error);
  if (record == NULL) {
    if (g_error_matches (local_error, VMCTL_HOST_JOURNAL_ERROR, VMCTL_HOST_JOURNAL_ERROR_NOT_FOUND))
      return g_steal_pointer (&status);
    g_propagate_error (error, g_steal_pointer (&local_error));
    return NULL;
  }
  status->applied = record->complete;
  status->interrupted = !record->complete;
  status->time = g_strdup (record->time);
  (void) vmctl_host_read (host, "/proc/cmdline", &cmdline, NULL, NULL);
  for (guint i = 0; i < record->changes->len; i++) {
    const VmctlHostChange *change = g_ptr_array_index (record->changes, i);
    gchar *description;

    if (change->type != VMCTL_HOST_CHANGE_SETTING)
      continue;
    description = vmctl_host_setup_describe_setting (change->name, change->original);
    g_ptr_array_add (setting_effective (host, cmdline, change->name, change->original)
                     ? status->effective : status->pending, description);
  }
  return g_steal_pointer (&status);
}
