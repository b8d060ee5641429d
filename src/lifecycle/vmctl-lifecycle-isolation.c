/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-lifecycle-isolation.c: CPU isolation while VMs run (issue 13).
 * The host's own work (init.scope, system.slice, user.slice) may use only
 * the CPUs no isolating VM runs on: through systemd's AllowedCPUs as a
 * runtime property, or, without systemd, the cpuset.cpus of every
 * top-level cgroup but the VMs' own (machine.slice, machine). IRQs move
 * off the VMs' CPUs where the kernel lets them, and the VMs' CPUs run the
 * performance governor.
 *
 * One record for all VMs, reference-counted by holder: what is set is
 * always computed from the holders' CPUs and the originals recorded when
 * each setting was first changed, so the second VM's stop gives back
 * exactly what only it needed and never what the first still does; the
 * last stop restores every original. A lock in STATE/host serialises
 * VMs starting and stopping at once. */
#include "vmctl-lifecycle-host.h"

#include "vmctl-system-bus.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>

#define LOCK_TIMEOUT_MS 30000
#define CGROUP_ROOT "/sys/fs/cgroup"

static const gchar * const host_units[] = { "init.scope", "system.slice", "user.slice", NULL };
/* where libvirt puts VMs with systemd (machine.slice) and without (machine) */
static const gchar * const vm_cgroups[] = { "machine.slice", "machine", NULL };

static gboolean
set_has (GArray *set, guint cpu)
{
  for (guint i = 0; i < set->len; i++)
    if (g_array_index (set, guint, i) == cpu)
      return TRUE;
  return FALSE;
}

/* @a without @b, both ascending sets */
static GArray *
set_minus (GArray *a, GArray *b)
{
  GArray *result = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < a->len; i++) {
    guint cpu = g_array_index (a, guint, i);

    if (!set_has (b, cpu))
      g_array_append_val (result, cpu);
  }
  return result;
}

/* every holder's CPUs together */
static GArray *
holders_cpus (VmctlHostRecord *record)
{
  g_autoptr(GString) all = g_string_new (NULL);

  for (guint i = 0; i < record->holders->len; i++) {
    const VmctlHostHolder *holder = g_ptr_array_index (record->holders, i);

    g_string_append_printf (all, "%s%s", all->len > 0 ? "," : "", holder->cpus);
  }
  return vmctl_cpu_set_parse (all->str);
}

static VmctlHostChange *
find_or_add (VmctlHostRecord *record, VmctlHostChangeType type, const gchar *key,
             const gchar *original)
{
  VmctlHostChange *change = vmctl_host_record_find (record, type, key);

  if (change != NULL)
    return change;
  change = vmctl_host_record_add (record, type);
  if (type == VMCTL_HOST_CHANGE_WRITE)
    change->path = g_strdup (key);
  else
    change->name = g_strdup (key);
  change->original = g_strdup (original);
  return change;
}

/* the host's work on @host_cpus: systemd's units, or the cgroups */
static gboolean
restrict_host (VmctlHostChanges *changes, VmctlHostRecord *record, const gchar *host_cpus,
               GError **error)
{
  g_autofree gchar *root = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;
  gint made = 0;

  if (changes->systemd) {
    for (guint i = 0; host_units[i] != NULL; i++) {
      g_autofree gchar *original = NULL;
      g_autoptr(GError) local_error = NULL;
      VmctlHostChange *change = vmctl_host_record_find (record, VMCTL_HOST_CHANGE_UNIT_CPUS,
                                                        host_units[i]);

      if (change == NULL
          && !vmctl_systemd_get_allowed_cpus (changes->bus, host_units[i], &original,
                                              &local_error)) {
        /* a unit systemd does not have (no user logged in yet) holds no work */
        if (g_error_matches (local_error, VMCTL_SYSTEM_BUS_ERROR, VMCTL_SYSTEM_BUS_ERROR_NO_UNIT))
          continue;
        g_propagate_error (error, g_steal_pointer (&local_error));
        return FALSE;
      }
      change = find_or_add (record, VMCTL_HOST_CHANGE_UNIT_CPUS, host_units[i], original);
      g_free (change->value);
      change->value = g_strdup (host_cpus);
      if (!vmctl_host_changes_make (changes, record, change, error))
        return FALSE;
    }
    return TRUE;
  }
  root = vmctl_host_path (changes->host, CGROUP_ROOT);
  dir = g_dir_open (root, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (!g_strv_contains (vm_cgroups, name))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < names->len; i++) {
    g_autofree gchar *path = g_build_filename (CGROUP_ROOT, g_ptr_array_index (names, i),
                                               "cpuset.cpus", NULL);
    g_autofree gchar *original = NULL;
    VmctlHostChange *change;

    if (!vmctl_host_record_is_write_path (path) || !vmctl_host_exists (changes->host, path))
      continue;
    original = vmctl_host_changes_read_attribute (changes->host, path);
    change = find_or_add (record, VMCTL_HOST_CHANGE_WRITE, path, original);
    g_free (change->value);
    change->value = g_strdup (host_cpus);
    if (!vmctl_host_changes_make (changes, record, change, error))
      return FALSE;
    made++;
  }
  if (made == 0) {
    g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE,
                 "CPU isolation needs systemd on the system bus or cgroup v2 with the cpuset "
                 "controller for the top-level cgroups (%s/cgroup.subtree_control)", CGROUP_ROOT);
    return FALSE;
  }
  return TRUE;
}

/* drops @change from @record after putting it back */
static gboolean
give_back (VmctlHostChanges *changes, VmctlHostRecord *record, VmctlHostChange *change,
           GError **error)
{
  if (!vmctl_host_changes_undo (changes, change, error))
    return FALSE;
  g_ptr_array_remove (record->changes, change);
  return vmctl_host_journal_write (changes->journal, record, error);
}

static gboolean
is_governor (const VmctlHostChange *change)
{
  return change->type == VMCTL_HOST_CHANGE_WRITE
         && g_str_has_suffix (change->path, "/scaling_governor");
}

static guint
governor_cpu (const VmctlHostChange *change)
{
  return (guint) g_ascii_strtoull (change->path + strlen ("/sys/devices/system/cpu/cpu"), NULL, 10);
}

/* the VMs' CPUs on the performance governor, the others back */
static gboolean
set_governors (VmctlHostChanges *changes, VmctlHostRecord *record, GArray *vm_cpus,
               GError **error)
{
  for (guint i = record->changes->len; i > 0; i--) {
    VmctlHostChange *change = g_ptr_array_index (record->changes, i - 1);

    if (is_governor (change) && !set_has (vm_cpus, governor_cpu (change))
        && !give_back (changes, record, change, error))
      return FALSE;
  }
  for (guint i = 0; i < vm_cpus->len; i++) {
    guint cpu = g_array_index (vm_cpus, guint, i);
    g_autofree gchar *path = g_strdup_printf ("/sys/devices/system/cpu/cpu%u/cpufreq/scaling_governor", cpu);
    g_autofree gchar *available_path = g_strdup_printf ("/sys/devices/system/cpu/cpu%u/cpufreq/scaling_available_governors", cpu);
    g_autofree gchar *available = vmctl_host_changes_read_attribute (changes->host, available_path);
    g_autofree gchar *original = NULL;
    g_auto(GStrv) governors = available != NULL ? g_strsplit (available, " ", -1) : NULL;
    VmctlHostChange *change;

    /* no cpufreq (a VM, some servers) or no performance governor: leave it */
    if (governors == NULL || !g_strv_contains ((const gchar * const *) governors, "performance"))
      continue;
    original = vmctl_host_changes_read_attribute (changes->host, path);
    if (original == NULL || !vmctl_host_record_is_write_value (path, original))
      continue;
    change = find_or_add (record, VMCTL_HOST_CHANGE_WRITE, path, original);
    if (change->done)
      continue;
    change->value = g_strdup ("performance");
    if (!vmctl_host_changes_make (changes, record, change, error))
      return FALSE;
  }
  return TRUE;
}

/* a refused IRQ write (EIO: pinned by its driver, or per-CPU) changed
 * nothing: the change leaves the record; anything else is a failure */
static gboolean
keep_unmovable (VmctlHostChanges *changes, VmctlHostRecord *record, VmctlHostChange *change,
                GError **write_error, GError **error)
{
  g_autofree gchar *now = vmctl_host_changes_read_attribute (changes->host, change->path);
  g_autoptr(GArray) now_set = now != NULL ? vmctl_cpu_set_parse (now) : NULL;
  g_autoptr(GArray) original_set = vmctl_cpu_set_parse (change->original);

  if (g_error_matches (*write_error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE)
      && now_set != NULL && original_set != NULL && now_set->len == original_set->len
      && memcmp (now_set->data, original_set->data, now_set->len * sizeof (guint)) == 0) {
    g_ptr_array_remove (record->changes, change);
    return vmctl_host_journal_write (changes->journal, record, error);
  }
  g_propagate_error (error, g_steal_pointer (write_error));
  return FALSE;
}

/* IRQs off the VMs' CPUs where the kernel lets them move: an IRQ pinned
 * by its driver (or per-CPU) refuses the write, and stays as it was */
static gboolean
move_irqs (VmctlHostChanges *changes, VmctlHostRecord *record, GArray *vm_cpus, GError **error)
{
  g_autofree gchar *root = vmctl_host_path (changes->host, "/proc/irq");
  g_autoptr(GDir) dir = g_dir_open (root, 0, NULL);
  g_autoptr(GPtrArray) irqs = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_ascii_isdigit (name[0]))
      g_ptr_array_add (irqs, g_strdup_printf ("/proc/irq/%s/smp_affinity_list", name));
  g_ptr_array_sort (irqs, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < irqs->len; i++) {
    const gchar *path = g_ptr_array_index (irqs, i);
    VmctlHostChange *change = vmctl_host_record_find (record, VMCTL_HOST_CHANGE_WRITE, path);
    g_autofree gchar *current = vmctl_host_changes_read_attribute (changes->host, path);
    g_autofree gchar *original = g_strdup (change != NULL ? change->original : current);
    g_autoptr(GArray) original_set = original != NULL ? vmctl_cpu_set_parse (original) : NULL;
    g_autoptr(GArray) target = NULL;
    g_autoptr(GError) local_error = NULL;
    g_autofree gchar *text = NULL;

    if (!vmctl_host_record_is_write_path (path) || original_set == NULL)
      continue;
    target = set_minus (original_set, vm_cpus);
    text = vmctl_cpu_set_format (target);
    if (target->len == 0 || g_strcmp0 (text, original) == 0) {
      /* only VM CPUs to go to, or none of them: as it was */
      if (change != NULL && !give_back (changes, record, change, error))
        return FALSE;
      continue;
    }
    change = find_or_add (record, VMCTL_HOST_CHANGE_WRITE, path, original);
    g_free (change->value);
    change->value = g_strdup (text);
    if (!vmctl_host_changes_make (changes, record, change, &local_error)
        && !keep_unmovable (changes, record, change, &local_error, error))
      return FALSE;
  }
  return TRUE;
}

/* the host as the holders need it; no holder: everything back, no record */
static gboolean
apply_holders (VmctlHostChanges *changes, VmctlHostRecord *record, GError **error)
{
  g_autoptr(GArray) vm_cpus = holders_cpus (record);
  g_autoptr(GArray) online = NULL;
  g_autoptr(GArray) host_cpus = NULL;
  g_autofree gchar *online_text = NULL;
  g_autofree gchar *host_text = NULL;

  if (record->holders->len == 0)
    return vmctl_host_changes_undo_record (changes, record, error);
  online_text = vmctl_host_read_line (changes->host, "/sys/devices/system/cpu/online", error);
  if (online_text == NULL || vm_cpus == NULL || (online = vmctl_cpu_set_parse (online_text)) == NULL) {
    if (error != NULL && *error == NULL)
      g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_READ,
                   "cannot tell which CPUs are online");
    return FALSE;
  }
  host_cpus = set_minus (online, vm_cpus);
  if (host_cpus->len == 0) {
    g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE,
                 "the isolating VMs use every online CPU (%s): the host would have none left",
                 online_text);
    return FALSE;
  }
  host_text = vmctl_cpu_set_format (host_cpus);
  record->complete = FALSE;
  if (!restrict_host (changes, record, host_text, error)
      || !move_irqs (changes, record, vm_cpus, error)
      || !set_governors (changes, record, vm_cpus, error))
    return FALSE;
  record->complete = TRUE;
  return vmctl_host_journal_write (changes->journal, record, error);
}

/* the isolation record, locked; a record of an earlier boot is gone with
 * that boot's settings, and starts afresh */
static VmctlHostRecord *
load_locked (VmctlHostChanges *changes, int *out_lock, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  VmctlHostRecord *record;

  *out_lock = vmctl_host_journal_lock (changes->journal, "isolation", LOCK_TIMEOUT_MS, error);
  if (*out_lock < 0)
    return NULL;
  record = vmctl_host_journal_load (changes->journal, VMCTL_HOST_RECORD_ISOLATION, NULL,
                                    &local_error);
  if (record != NULL && vmctl_host_journal_is_stale (changes->journal, record)) {
    (void) vmctl_host_journal_remove (changes->journal, record, NULL);
    g_clear_pointer (&record, vmctl_host_record_free);
  }
  if (record == NULL && g_error_matches (local_error, VMCTL_HOST_JOURNAL_ERROR,
                                         VMCTL_HOST_JOURNAL_ERROR_MALFORMED)) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    vmctl_host_journal_unlock (*out_lock);
    return NULL;
  }
  return record != NULL ? record : vmctl_host_record_new (VMCTL_HOST_RECORD_ISOLATION, NULL);
}

/**
 * vmctl_isolation_available:
 * @out_why: (out) (transfer full): why not, when not
 *
 * Returns: whether the host's work can be restricted here: systemd on the
 * bus, or cgroup v2 with the cpuset controller enabled for the top-level
 * cgroups (cgroup v1's cpuset hierarchy is not what vmctl writes)
 */
gboolean
vmctl_isolation_available (VmctlHostChanges *changes, gchar **out_why)
{
  g_autofree gchar *control = NULL;
  g_auto(GStrv) controllers = NULL;

  if (changes->systemd)
    return TRUE;
  if (vmctl_host_read (changes->host, CGROUP_ROOT "/cgroup.subtree_control", &control, NULL, NULL)) {
    controllers = g_strsplit_set (g_strstrip (control), " \n", -1);
    if (g_strv_contains ((const gchar * const *) controllers, "cpuset"))
      return TRUE;
  }
  *out_why = g_strdup_printf ("no CPU isolation: it needs systemd on the system bus (%s) or "
                              "cgroup v2 with the cpuset controller in "
                              CGROUP_ROOT "/cgroup.subtree_control",
                              changes->bus_note != NULL ? changes->bus_note : "systemd does not answer");
  return FALSE;
}

/**
 * vmctl_isolation_acquire:
 * @vm_cpus: the host CPUs @vm's vCPUs are pinned to
 *
 * Adds @vm as a holder and sets the host up for all holders. On failure
 * the host is as the other holders need it (or as it was).
 */
gboolean
vmctl_isolation_acquire (VmctlHostChanges *changes, const gchar *vm, GArray *vm_cpus,
                         GError **error)
{
  g_autoptr(VmctlHostRecord) record = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) undo_error = NULL;
  g_autofree gchar *cpus = vmctl_cpu_set_format (vm_cpus);
  int lock = -1;
  gboolean ok;

  record = load_locked (changes, &lock, error);
  if (record == NULL)
    return FALSE;
  vmctl_host_record_add_holder (record, vm, cpus);
  ok = vmctl_host_journal_write (changes->journal, record, &local_error)
       && apply_holders (changes, record, &local_error);
  if (!ok) {
    vmctl_host_record_remove_holder (record, vm);
    if (!apply_holders (changes, record, &undo_error))
      g_set_error (error, VMCTL_HOST_ERROR, VMCTL_HOST_ERROR_WRITE,
                   "cannot isolate CPUs %s for VM '%s': %s; undoing it failed too: %s; 'vmctl "
                   "host recover' retries", cpus, vm, local_error->message, undo_error->message);
    else
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "cannot isolate CPUs %s for VM '%s': ", cpus, vm);
  }
  vmctl_host_journal_unlock (lock);
  return ok;
}

/**
 * vmctl_isolation_release:
 *
 * Drops @vm as a holder: what only it needed goes back; the last holder's
 * release restores every original.
 */
gboolean
vmctl_isolation_release (VmctlHostChanges *changes, const gchar *vm, GError **error)
{
  g_autoptr(VmctlHostRecord) record = NULL;
  int lock = -1;
  gboolean ok = TRUE;

  record = load_locked (changes, &lock, error);
  if (record == NULL)
    return FALSE;
  /* not a holder while others are: nothing here is @vm's */
  if (vmctl_host_record_remove_holder (record, vm) || record->holders->len == 0)
    ok = apply_holders (changes, record, error);
  vmctl_host_journal_unlock (lock);
  return ok;
}

/**
 * vmctl_isolation_recover:
 *
 * Holders that no longer run (a VM that died, a vmctl killed mid-start)
 * are dropped, and the host set up for the others, or restored.
 */
void
vmctl_isolation_recover (VmctlHostChanges *changes, VmctlHostRunningFunc running,
                         gpointer user_data, VmctlHostRecovery *recovery)
{
  g_autoptr(VmctlHostRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  gboolean dropped = FALSE;
  int lock = -1;

  record = load_locked (changes, &lock, &error);
  if (record == NULL) {
    g_ptr_array_add (recovery->failed, g_strdup_printf ("CPU isolation: %s", error->message));
    return;
  }
  for (guint i = record->holders->len; i > 0; i--) {
    const VmctlHostHolder *holder = g_ptr_array_index (record->holders, i - 1);
    g_autofree gchar *vm = g_strdup (holder->vm);

    if (running (vm, user_data)) {
      g_ptr_array_add (recovery->kept, g_strdup_printf ("CPU isolation for running VM '%s'", vm));
      continue;
    }
    vmctl_host_record_remove_holder (record, vm);
    g_ptr_array_add (recovery->given_back, g_strdup_printf ("CPU isolation of VM '%s'", vm));
    dropped = TRUE;
  }
  if ((dropped || !record->complete || record->holders->len == 0)
      && !apply_holders (changes, record, &error))
    g_ptr_array_add (recovery->failed, g_strdup_printf ("CPU isolation: %s", error->message));
  vmctl_host_journal_unlock (lock);
}

/**
 * vmctl_isolation_domain_cpus:
 *
 * Returns: (transfer full): the host CPUs the domain's vCPUs are pinned to
 * (<cputune><vcpupin cpuset>); NULL with an error when none are
 */
GArray *
vmctl_isolation_domain_cpus (virDomainPtr domain, GError **error)
{
  char *xml = sym_virDomainGetXMLDesc (domain, VIR_DOMAIN_XML_INACTIVE);
  g_autoptr(xmlDoc) document = NULL;
  g_autoptr(xmlXPathObject) pins = NULL;
  g_autoptr(GString) all = g_string_new (NULL);

  if (xml != NULL) {
    document = xmlReadMemory (xml, (int) strlen (xml), "domain.xml", NULL,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    free (xml);
  } else {
    sym_virResetLastError ();
  }
  if (document != NULL)
    pins = vmctl_lifecycle_select_nodes (document, "/domain/cputune/vcpupin[@cpuset]");
  for (gint i = 0; i < vmctl_lifecycle_node_count (pins); i++) {
    xmlChar *cpuset = xmlGetProp (pins->nodesetval->nodeTab[i], (const xmlChar *) "cpuset");

    g_string_append_printf (all, "%s%s", all->len > 0 ? "," : "", (const gchar *) cpuset);
    xmlFree (cpuset);
  }
  if (all->len == 0) {
    g_set_error (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_METADATA,
                 "VM '%s' isolates CPUs but pins no vCPU: no CPU isolation (recreate it with "
                 "--cpu-pin auto or a CPU list)", sym_virDomainGetName (domain));
    return NULL;
  }
  return vmctl_cpu_set_parse (all->str);
}
