/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-hostcheck.c: is this host ready for GPU passthrough? Runs the
 * checks in their fixed order and holds the CPU and KVM checks plus the
 * helpers the others share. Every host file is read through VmctlHost, and
 * a missing or unreadable file is the check's finding, never a failure of
 * the run: on a half-configured host those are exactly the interesting
 * cases. */
#include "vmctl-hostcheck-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

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

/**
 * vmctl_host_check_kvm_module: (skip)
 * Returns: (transfer none): "kvm_intel" or "kvm_amd" for this CPU; when the
 * vendor is unknown, whichever is loaded, else "kvm_intel"
 */
const gchar *
vmctl_host_check_kvm_module (VmctlHostCheck *check)
{
  switch (check->vendor) {
  case VMCTL_CPU_VENDOR_INTEL:
    return "kvm_intel";
  case VMCTL_CPU_VENDOR_AMD:
    return "kvm_amd";
  case VMCTL_CPU_VENDOR_UNKNOWN:
  default:
    return vmctl_host_exists (check->host, "/sys/module/kvm_amd") ? "kvm_amd" : "kvm_intel";
  }
}

/**
 * vmctl_host_check_uses_pvm: (skip)
 * Returns: TRUE when KVM is provided by kvm_pvm rather than kvm_intel or
 * kvm_amd (a cloud VM without nested VT-x)
 */
gboolean
vmctl_host_check_uses_pvm (VmctlHostCheck *check)
{
  return vmctl_host_exists (check->host, "/sys/module/kvm_pvm")
         && !vmctl_host_exists (check->host, "/sys/module/kvm_intel")
         && !vmctl_host_exists (check->host, "/sys/module/kvm_amd");
}

/* Reads "key : value" from the first processor block of /proc/cpuinfo. */
static gchar *
cpuinfo_field (const gchar *cpuinfo, const gchar *key)
{
  g_auto(GStrv) lines = g_strsplit (cpuinfo, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    const gchar *colon = strchr (lines[i], ':');
    g_autofree gchar *name = NULL;

    if (colon == NULL)
      continue;
    name = g_strstrip (g_strndup (lines[i], (gsize) (colon - lines[i])));
    if (strcmp (name, key) == 0)
      return g_strstrip (g_strdup (colon + 1));
  }
  return NULL;
}

static guint
cpuinfo_count_processors (const gchar *cpuinfo)
{
  g_auto(GStrv) lines = g_strsplit (cpuinfo, "\n", -1);
  guint count = 0;

  for (guint i = 0; lines[i] != NULL; i++) {
    if (g_str_has_prefix (lines[i], "processor") && strchr (lines[i], ':') != NULL)
      count++;
  }
  return count;
}

static gboolean
word_in (const gchar *words, const gchar *word)
{
  g_auto(GStrv) list = NULL;

  if (words == NULL)
    return FALSE;
  list = g_strsplit_set (words, " \t", -1);
  return g_strv_contains ((const gchar * const *) list, word);
}

/* Without a readable cpuinfo vendor_id, the loaded KVM module or the ACPI
 * table still tell the vendor, and later fixes depend on it. */
static VmctlCpuVendor
guess_vendor (VmctlHostCheck *check)
{
  if (vmctl_host_exists (check->host, "/sys/module/kvm_intel")
      || vmctl_host_exists (check->host, "/sys/firmware/acpi/tables/DMAR"))
    return VMCTL_CPU_VENDOR_INTEL;
  if (vmctl_host_exists (check->host, "/sys/module/kvm_amd")
      || vmctl_host_exists (check->host, "/sys/firmware/acpi/tables/IVRS"))
    return VMCTL_CPU_VENDOR_AMD;
  return VMCTL_CPU_VENDOR_UNKNOWN;
}

static const gchar cpu_id[] = "cpu.virtualization";
static const gchar cpu_title[] = "CPU virtualization (VT-x/AMD-V)";

static void
check_cpu_virtualization (VmctlHostCheck *check)
{
  g_autofree gchar *cpuinfo = NULL;
  g_autoptr(GError) error = NULL;

  if (!vmctl_host_read (check->host, "/proc/cpuinfo", &cpuinfo, NULL, &error)) {
    check->vendor = guess_vendor (check);
    vmctl_host_check_add (check, cpu_id, cpu_title, VMCTL_CHECK_WARN,
                          "check that /proc is mounted: mount -t proc proc /proc",
                          "cannot tell whether the CPU has VT-x or AMD-V: %s", error->message);
    return;
  }
  vmctl_host_check_cpuinfo (check, cpuinfo);
}

/* cpu.virtualization from the text of /proc/cpuinfo; sets check->vendor */
void
vmctl_host_check_cpuinfo (VmctlHostCheck *check, const gchar *cpuinfo)
{
  g_autofree gchar *vendor_id = NULL;
  g_autofree gchar *flags = NULL;
  const gchar *fix;
  gboolean vmx;
  gboolean svm;
  guint processors;

  vendor_id = cpuinfo_field (cpuinfo, "vendor_id");
  flags = cpuinfo_field (cpuinfo, "flags");
  processors = cpuinfo_count_processors (cpuinfo);
  vmx = word_in (flags, "vmx");
  svm = word_in (flags, "svm");

  /* Hygon's Dhyana is a licensed Zen: svm, kvm_amd and an AMD IOMMU */
  if (g_strcmp0 (vendor_id, "GenuineIntel") == 0)
    check->vendor = VMCTL_CPU_VENDOR_INTEL;
  else if (g_strcmp0 (vendor_id, "AuthenticAMD") == 0 || g_strcmp0 (vendor_id, "HygonGenuine") == 0)
    check->vendor = VMCTL_CPU_VENDOR_AMD;
  else if (vmx)
    check->vendor = VMCTL_CPU_VENDOR_INTEL;
  else if (svm)
    check->vendor = VMCTL_CPU_VENDOR_AMD;
  else
    check->vendor = guess_vendor (check);

  if (flags == NULL) {
    vmctl_host_check_add (check, cpu_id, cpu_title, VMCTL_CHECK_WARN,
                          "check that /proc is mounted: mount -t proc proc /proc",
                          "cannot tell whether the CPU has VT-x or AMD-V: /proc/cpuinfo "
                          "has no flags line");
    return;
  }
  if (vmx || svm) {
    vmctl_host_check_add (check, cpu_id, cpu_title, VMCTL_CHECK_PASS, NULL,
                          "%s, %u logical CPU%s, %s present",
                          vendor_id != NULL ? vendor_id : "unknown vendor",
                          processors, processors == 1 ? "" : "s",
                          vmx ? "vmx (Intel VT-x)" : "svm (AMD-V)");
    return;
  }
  /* Inside a cloud VM, KVM can still work through kvm_pvm (pagetable-based
   * virtualization, no VT-x needed): VMs run, but there is no IOMMU to give
   * them a GPU, so this is a warning about passthrough, not a broken KVM. */
  if (vmctl_host_check_uses_pvm (check)) {
    vmctl_host_check_add (check, cpu_id, cpu_title, VMCTL_CHECK_WARN,
                          "nothing to fix for ordinary VMs; for GPU passthrough run vmctl on the "
                          "physical host (or one whose hypervisor exposes VT-x/AMD-V and a vIOMMU)",
                          "%s CPU without vmx or svm%s: KVM runs through kvm_pvm (software "
                          "virtualization), which cannot pass devices through",
                          vendor_id != NULL ? vendor_id : "unknown",
                          word_in (flags, "hypervisor") ? ", inside a virtual machine" : "");
    return;
  }
  if (word_in (flags, "hypervisor")) {
    vmctl_host_check_add (check, cpu_id, cpu_title, VMCTL_CHECK_FAIL,
                          "this is a virtual machine: expose VT-x/AMD-V from the outer host "
                          "(libvirt: <cpu mode='host-passthrough'/> with nested=1 in the outer "
                          "kvm module), or run vmctl on the physical host",
                          "%s CPU without the vmx or svm flag, inside a virtual machine "
                          "(hypervisor flag)", vendor_id != NULL ? vendor_id : "unknown");
    return;
  }
  /* Since Linux 5.6 the kernel also clears the flag when firmware locked
   * VMX off, so a missing flag usually means a firmware setting. */
  switch (check->vendor) {
  case VMCTL_CPU_VENDOR_INTEL:
    fix = "enable Intel VT-x (\"Intel Virtualization Technology\") in the firmware (BIOS/UEFI) "
          "setup, then power the machine off and on";
    break;
  case VMCTL_CPU_VENDOR_AMD:
    fix = "enable AMD-V (\"SVM Mode\") in the firmware (BIOS/UEFI) setup, then power the "
          "machine off and on";
    break;
  case VMCTL_CPU_VENDOR_UNKNOWN:
  default:
    fix = "enable VT-x (Intel) or AMD-V (SVM, AMD) in the firmware (BIOS/UEFI) setup";
    break;
  }
  vmctl_host_check_add (check, cpu_id, cpu_title, VMCTL_CHECK_FAIL, fix,
                        "%s CPU without the vmx or svm flag: hardware virtualization is "
                        "missing or disabled in firmware",
                        vendor_id != NULL ? vendor_id : "unknown");
}

static void
check_kvm_modules (VmctlHostCheck *check)
{
  static const gchar id[] = "kvm.modules";
  static const gchar title[] = "KVM kernel modules";
  const gchar *module = vmctl_host_check_kvm_module (check);
  g_autofree gchar *module_dir = g_strconcat ("/sys/module/", module, NULL);
  g_autofree gchar *fix = NULL;
  gboolean have_kvm = vmctl_host_exists (check->host, "/sys/module/kvm");
  gboolean have_vendor = vmctl_host_exists (check->host, module_dir);

  if (have_kvm && have_vendor) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_PASS, NULL,
                          "kvm and %s loaded", module);
    return;
  }
  if (have_kvm && vmctl_host_check_uses_pvm (check)) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_PASS, NULL,
                          "kvm and kvm_pvm loaded (KVM without hardware virtualization)");
    return;
  }
  if (check->vendor == VMCTL_CPU_VENDOR_UNKNOWN)
    fix = g_strdup ("modprobe kvm_intel (Intel) or modprobe kvm_amd (AMD), which loads kvm too; "
                    "to load it at boot: echo kvm_intel > /etc/modules-load.d/kvm.conf "
                    "(kvm_amd on AMD)");
  else
    /* modprobe's dependency on kvm pulls it in; a refusal with "Operation
     * not supported" means virtualization is off in firmware (dmesg says) */
    fix = g_strdup_printf ("modprobe %s (loads kvm too; if it fails, dmesg tells whether "
                           "virtualization is disabled in firmware); to load it at boot: "
                           "echo %s > /etc/modules-load.d/kvm.conf", module, module);
  if (!have_kvm && !have_vendor)
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_FAIL, fix,
                          "neither kvm nor %s is loaded", module);
  else if (!have_kvm)
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_FAIL, fix,
                          "%s is loaded but kvm is not", module);
  else
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_FAIL, fix,
                          "kvm is loaded but %s is not", module);
}

static void
check_kvm_device (VmctlHostCheck *check)
{
  static const gchar id[] = "kvm.device";
  static const gchar title[] = "/dev/kvm";
  const gchar *module = vmctl_host_check_kvm_module (check);
  g_autofree gchar *path = vmctl_host_path (check->host, "/dev/kvm");
  g_autofree gchar *fix = NULL;
  gint fd;

  if (!vmctl_host_exists (check->host, "/dev/kvm")) {
    fix = g_strdup_printf ("modprobe %s (the device node appears when KVM loads; see kvm.modules)",
                           module);
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_FAIL, fix,
                          "/dev/kvm does not exist: QEMU can only emulate, far too slowly "
                          "for a passthrough VM");
    return;
  }
  /* opening is the real test: QEMU needs read-write, and permissions on
   * the node (group kvm, mode 0660) are what usually stops a user.
   * O_NONBLOCK: whatever stands in for the node must never hang us */
  fd = open (path, O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    int saved_errno = errno;

    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN,
                          "add your user to the kvm group: usermod -aG kvm $USER "
                          "(then log in again); libvirt's qemu:///system runs QEMU as its "
                          "own user and is not affected",
                          "/dev/kvm exists but cannot be opened read-write: %s",
                          g_strerror (saved_errno));
    return;
  }
  close (fd);
  vmctl_host_check_add (check, id, title, VMCTL_CHECK_PASS, NULL,
                        "/dev/kvm exists and opens read-write");
}

static void
check_kvm_nested (VmctlHostCheck *check)
{
  static const gchar id[] = "kvm.nested";
  static const gchar title[] = "Nested virtualization";
  const gchar *module = vmctl_host_check_kvm_module (check);
  g_autofree gchar *parameter = g_strconcat ("/sys/module/", module, "/parameters/nested", NULL);
  g_autofree gchar *value = vmctl_host_read_line (check->host, parameter, NULL);
  g_autofree gchar *fix = NULL;

  /* kvm_intel prints Y/N, kvm_amd 1/0 */
  if (g_strcmp0 (value, "Y") == 0 || g_strcmp0 (value, "1") == 0) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_PASS, NULL,
                          "%s nested=%s: guests can run their own VMs", module, value);
    return;
  }
  if (vmctl_host_check_uses_pvm (check)) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN,
                          "none on this host: nested guests need VT-x/AMD-V from the outer hypervisor",
                          "kvm_pvm gives guests no VT-x/AMD-V: they cannot run hardware-assisted VMs of their own");
    return;
  }
  fix = g_strdup_printf ("echo 'options %s nested=1' > /etc/modprobe.d/kvm-nested.conf, then "
                         "reload the module while no VM runs: modprobe -r %s && modprobe %s",
                         module, module, module);
  if (value == NULL)
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN, fix,
                          "%s is not loaded or has no nested parameter; guests (Windows with "
                          "VBS/WSL2, Hyper-V) cannot run their own VMs", module);
  else
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN, fix,
                          "%s nested=%s: guests (Windows with VBS/WSL2, Hyper-V) cannot run "
                          "their own VMs", module, value);
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
 * libvirt.connection. Never fails: what cannot be read is reported as the
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

  check_cpu_virtualization (&check);
  check_kvm_modules (&check);
  check_kvm_device (&check);
  check_kvm_nested (&check);
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
