/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-hostcheck.c: is this host ready for GPU passthrough? Runs the
 * checks in their fixed order and holds the helpers they share; the CPU
 * and KVM checks are in vmctl-hostcheck-cpu.c. Every host file is read through VmctlHost, and
 * a missing or unreadable file is the check's finding, never a failure of
 * the run: on a half-configured host those are exactly the interesting
 * cases. */
#include "vmctl-hostcheck-private.h"

#include <stdarg.h>
#include <string.h>

void
vmctl_check_result_free (VmctlCheckResult *result)
{
  if (result == NULL)
    return;
  g_free (result->id);
  g_free (result->title);
  g_free (result->message);
  g_free (result->fix);
  g_free (result);
}

/**
 * vmctl_host_report_free:
 * @report: (nullable): a report from vmctl_host_check_run()
 */
void
vmctl_host_report_free (VmctlHostReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->results, g_ptr_array_unref);
  g_free (report);
}

/**
 * vmctl_check_status_to_string:
 *
 * Returns: (transfer none): "PASS", "WARN", "FAIL" or "UNKNOWN"
 */
const gchar *
vmctl_check_status_to_string (VmctlCheckStatus status)
{
  switch (status) {
  case VMCTL_CHECK_PASS:
    return "PASS";
  case VMCTL_CHECK_WARN:
    return "WARN";
  case VMCTL_CHECK_FAIL:
    return "FAIL";
  default:
    return "UNKNOWN";
  }
}

/* @fix is dropped on PASS: the header promises NULL there, and a check
 * that builds its fix before deciding should not have to care. */
void
vmctl_host_check_add (VmctlHostCheck *check, const gchar *id, const gchar *title,
                      VmctlCheckStatus status, const gchar *fix,
                      const gchar *format, ...)
{
  VmctlCheckResult *result = g_new0 (VmctlCheckResult, 1);
  va_list args;

  result->id = g_strdup (id);
  result->title = g_strdup (title);
  result->status = status;
  va_start (args, format);
  result->message = g_strdup_vprintf (format, args);
  va_end (args);
  result->fix = status == VMCTL_CHECK_PASS ? NULL : g_strdup (fix);
  g_ptr_array_add (check->results, result);
}

/* Finds the last "name=value" (or bare "name") on the kernel command line
 * that matches one of @candidates, each "name=item" with item one of the
 * comma-separated values, or a bare "name". The kernel handles parameters
 * in order, so of "intel_iommu=on ... intel_iommu=off" the later wins.
 * Returns: one of @candidates, or NULL when none occurs. */
static const gchar *
cmdline_last (VmctlHostCheck *check, const gchar * const *candidates)
{
  const gchar *found = NULL;

  for (guint i = 0; check->cmdline != NULL && check->cmdline[i] != NULL; i++) {
    const gchar *token = check->cmdline[i];
    const gchar *equals = strchr (token, '=');
    g_autofree gchar *name = NULL;
    g_auto(GStrv) items = NULL;

    if (equals == NULL) {
      for (guint c = 0; candidates[c] != NULL; c++) {
        if (strcmp (candidates[c], token) == 0)
          found = candidates[c];
      }
      continue;
    }
    name = g_strndup (token, (gsize) (equals - token));
    items = g_strsplit (equals + 1, ",", -1);
    for (guint j = 0; items[j] != NULL; j++) {
      g_autofree gchar *pair = g_strconcat (name, "=", items[j], NULL);

      for (guint c = 0; candidates[c] != NULL; c++) {
        if (strcmp (candidates[c], pair) == 0)
          found = candidates[c];
      }
    }
  }
  return found;
}

/**
 * vmctl_host_check_cmdline_value: (skip)
 * Returns: (transfer none) (nullable): the value of the last @name= on the
 * kernel command line, "" for a bare @name, NULL when absent
 */
const gchar *
vmctl_host_check_cmdline_value (VmctlHostCheck *check, const gchar *name)
{
  const gchar *value = NULL;
  gsize length = strlen (name);

  for (guint i = 0; check->cmdline != NULL && check->cmdline[i] != NULL; i++) {
    const gchar *token = check->cmdline[i];

    if (strncmp (token, name, length) != 0)
      continue;
    if (token[length] == '=')
      value = token + length + 1;
    else if (token[length] == '\0')
      value = "";
  }
  return value;
}

/**
 * vmctl_host_check_cmdline_has: (skip)
 * @name: a parameter such as "intel_iommu"
 * @item: one of its comma-separated values, such as "on"
 *
 * Returns: whether the last setting among @name=@item and the opposite
 * switch (on/off, pt/nopt) is @item; for other items, whether it occurs
 */
gboolean
vmctl_host_check_cmdline_has (VmctlHostCheck *check, const gchar *name, const gchar *item)
{
  static const gchar * const opposites[][2] = {
    { "on", "off" }, { "off", "on" }, { "pt", "nopt" }, { "nopt", "pt" },
  };
  g_autofree gchar *wanted = g_strconcat (name, "=", item, NULL);
  g_autofree gchar *opposite = NULL;
  const gchar *candidates[3] = { wanted, NULL, NULL };

  for (gsize i = 0; i < G_N_ELEMENTS (opposites); i++) {
    if (strcmp (item, opposites[i][0]) == 0)
      opposite = g_strconcat (name, "=", opposites[i][1], NULL);
  }
  candidates[1] = opposite;
  return cmdline_last (check, candidates) == wanted;
}

/**
 * vmctl_host_check_grub_fix: (skip)
 * @remove: (nullable): parameters to take off the kernel command line
 * @add: (nullable): parameters to put on it
 *
 * Returns: (transfer full): the edit of /etc/default/grub and the commands
 * that make it take effect, as one line
 */
gchar *
vmctl_host_check_grub_fix (const gchar *remove, const gchar *add)
{
  g_autoptr(GString) fix = g_string_new ("in /etc/default/grub ");

  if (remove != NULL)
    g_string_append_printf (fix, "remove %s from GRUB_CMDLINE_LINUX_DEFAULT and GRUB_CMDLINE_LINUX",
                            remove);
  if (remove != NULL && add != NULL)
    g_string_append (fix, " and ");
  /* "..." stands for what the line holds today: replacing it would drop
   * options such as "quiet" or a resume device */
  if (add != NULL)
    g_string_append_printf (fix, "set GRUB_CMDLINE_LINUX_DEFAULT=\"... %s\" "
                            "(keep the options already there in place of ...)", add);
  g_string_append (fix, ", then run 'update-grub' (Debian/Ubuntu) or "
                   "'grub2-mkconfig -o /boot/grub2/grub.cfg' (Fedora/RHEL) and reboot");
  return g_string_free (g_steal_pointer (&fix), FALSE);
}

/**
 * vmctl_host_check_count_entries: (skip)
 * @directory: a host directory
 * @prefix: (nullable): count only names starting with it
 * @out_names: (nullable): receives the matching names, sorted
 *
 * Returns: the number of entries, hidden ones aside; 0 when the directory
 * is missing or unreadable, which is what the checks mean by "none"
 * (libvirt's rule for /sys/kernel/iommu_groups: anything besides . and ..)
 */
guint
vmctl_host_check_count_entries (VmctlHost *host, const gchar *directory,
                                const gchar *prefix, GPtrArray *out_names)
{
  g_autofree gchar *path = vmctl_host_path (host, directory);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;
  guint count = 0;

  if (dir == NULL)
    return 0;
  while ((name = g_dir_read_name (dir)) != NULL) {
    /* sysfs has no hidden entries; a ".keep" is how a copied tree (git,
     * a fixture) holds an otherwise empty directory */
    if (name[0] == '.')
      continue;
    if (prefix != NULL && !g_str_has_prefix (name, prefix))
      continue;
    count++;
    if (out_names != NULL)
      g_ptr_array_add (out_names, g_strdup (name));
  }
  if (out_names != NULL)
    g_ptr_array_sort (out_names, (GCompareFunc) g_strcmp0);
  return count;
}

/* check->cmdline, which the IOMMU checks read, from /proc/cmdline's text */
void
vmctl_host_check_parse_cmdline (VmctlHostCheck *check, const gchar *contents)
{
  g_autofree gchar *stripped = g_strstrip (g_strdup (contents));

  g_strfreev (check->cmdline);
  check->cmdline = g_strsplit_set (stripped, " \t\n", -1);
  /* g_strsplit_set() leaves empty strings between repeated spaces; they
   * never match a parameter, so they can stay */
}

static void
read_cmdline (VmctlHostCheck *check)
{
  g_autofree gchar *contents = NULL;

  if (vmctl_host_read (check->host, "/proc/cmdline", &contents, NULL, NULL))
    vmctl_host_check_parse_cmdline (check, contents);
}

/**
 * vmctl_host_check_run:
 * @host: the host to examine (its root may be a fixture tree)
 * @uri: (nullable): the libvirt URI to probe read-only, or NULL to skip
 *   the libvirt.connection check
 *
 * Runs every check in a fixed order: cpu.virtualization, kvm.modules,
 * kvm.device, kvm.nested, iommu.acpi, iommu.groups, iommu.cmdline,
 * iommu.interrupt_remapping, vfio.modules, vfio.device, hugepages,
 * hugepages.mount, firmware.ovmf, firmware.tpm, devices.vhost_net, devices.tun and
 * libvirt.connection; then input.evdev, looking_glass and looking_glass.kvmfr
 * when a VM defined on @uri uses them (vmctl-hostcheck-desk.c). Never fails: what cannot be read is reported as the
 * finding of the check that needed it.
 *
 * Returns: (transfer full): the report; ready is TRUE when no check FAILed.
 * Free with vmctl_host_report_free().
 */
VmctlHostReport *
vmctl_host_check_run (VmctlHost *host, const gchar *uri)
{
  return vmctl_host_check_run_with_state (host, uri, NULL);
}

/**
 * vmctl_host_check_run_with_state:
 * @state_dir: (nullable): vmctl's state directory: with it, an applied
 *   `vmctl host setup` adds setup.applied (is it in effect?) before
 *   libvirt.connection
 *
 * vmctl_host_check_run() plus what vmctl itself set up on the host.
 */
VmctlHostReport *
vmctl_host_check_run_with_state (VmctlHost *host, const gchar *uri, const gchar *state_dir)
{
  g_autoptr(VmctlHostReport) report = g_new0 (VmctlHostReport, 1);
  VmctlHostCheck check = { 0 };

  g_return_val_if_fail (host != NULL, NULL);

  report->results = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_check_result_free);
  check.host = host;
  check.uri = uri;
  check.state_dir = state_dir;
  check.results = report->results;

  vmctl_host_check_cpu_virtualization (&check);
  vmctl_host_check_kvm_modules (&check);
  vmctl_host_check_kvm_device (&check);
  vmctl_host_check_kvm_nested (&check);
  read_cmdline (&check);
  vmctl_host_check_iommu_acpi (&check);
  vmctl_host_check_iommu_groups (&check);
  vmctl_host_check_iommu_cmdline (&check);
  vmctl_host_check_iommu_interrupt_remapping (&check);
  vmctl_host_check_vfio_modules (&check);
  vmctl_host_check_vfio_device (&check);
  vmctl_host_check_hugepages (&check);
  vmctl_host_check_hugepages_mount (&check);
  vmctl_host_check_firmware (&check);
  vmctl_host_check_tpm (&check);
  vmctl_host_check_devices (&check);
  vmctl_host_check_setup (&check);
  if (uri != NULL)
    vmctl_host_check_libvirt (&check);
  vmctl_host_check_desk (&check);
  g_strfreev (check.cmdline);
  vmctl_host_report_finish (report);
  return g_steal_pointer (&report);
}

/* ready: no check FAILed (WARN and UNKNOWN allow it) */
void
vmctl_host_report_finish (VmctlHostReport *report)
{
  report->ready = TRUE;
  for (guint i = 0; i < report->results->len; i++) {
    const VmctlCheckResult *result = g_ptr_array_index (report->results, i);

    if (result->status == VMCTL_CHECK_FAIL)
      report->ready = FALSE;
  }
}
