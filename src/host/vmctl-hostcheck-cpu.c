/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-hostcheck-cpu.c: the CPU and KVM checks (cpu.virtualization,
 * kvm.modules, kvm.device, kvm.nested). The CPU's vendor and flags come
 * from the one /proc/cpuinfo reader and its count from the sysfs
 * topology, as for the host facts; "KVM is kvm_pvm" is the rule the
 * spec's choice of TCG follows (vmctl-host-facts-files.c). */
#include "vmctl-hostcheck-private.h"
#include "vmctl-cpu-topology.h"
#include "vmctl-host-facts-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

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
 * kvm_amd (a cloud VM without nested VT-x), by the rule the spec's choice
 * of TCG follows (vmctl_host_kvm_is_software())
 */
gboolean
vmctl_host_check_uses_pvm (VmctlHostCheck *check)
{
  return vmctl_host_kvm_is_software (check->host);
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

/**
 * vmctl_host_check_cpu_virtualization: (skip)
 *
 * cpu.virtualization: VT-x or AMD-V from /proc/cpuinfo, the vendor every
 * later fix depends on (check->vendor), the CPU count from the topology.
 */
void
vmctl_host_check_cpu_virtualization (VmctlHostCheck *check)
{
  g_autofree gchar *cpuinfo = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlCpuTopology) topology = vmctl_cpu_topology_read (check->host, NULL);

  /* the CPU count is the topology's, as pinning and the spec see it */
  check->cpus = topology != NULL ? topology->n_cpus : 0;
  if (!vmctl_host_read (check->host, "/proc/cpuinfo", &cpuinfo, NULL, &error)) {
    check->vendor = guess_vendor (check);
    vmctl_host_check_add (check, cpu_id, cpu_title, VMCTL_CHECK_WARN,
                          "check that /proc is mounted: mount -t proc proc /proc",
                          "cannot tell whether the CPU has VT-x or AMD-V: %s", error->message);
    return;
  }
  vmctl_host_check_cpuinfo (check, cpuinfo);
}

/* "GenuineIntel, 8 logical CPUs, " or without a count the host does not tell */
static gchar *
cpu_summary (const gchar *vendor_id, guint cpus)
{
  if (cpus == 0)
    return g_strdup_printf ("%s, ", vendor_id != NULL ? vendor_id : "unknown vendor");
  return g_strdup_printf ("%s, %u logical CPU%s, ", vendor_id != NULL ? vendor_id : "unknown vendor",
                          cpus, cpus == 1 ? "" : "s");
}

/**
 * vmctl_host_check_cpuinfo: (skip)
 * @text: the contents of /proc/cpuinfo
 *
 * cpu.virtualization from @text (vmctl_cpuinfo_parse()) and check->cpus;
 * sets check->vendor. The fuzzing harness calls it directly.
 */
void
vmctl_host_check_cpuinfo (VmctlHostCheck *check, const gchar *text)
{
  g_autoptr(VmctlCpuinfo) cpuinfo = vmctl_cpuinfo_parse (text);
  const gchar *vendor_id = cpuinfo->vendor;
  const gchar *fix;
  gboolean vmx;
  gboolean svm;

  vmx = vmctl_cpuinfo_has_flag (cpuinfo, "vmx");
  svm = vmctl_cpuinfo_has_flag (cpuinfo, "svm");

  if (g_strcmp0 (vendor_id, "GenuineIntel") == 0)
    check->vendor = VMCTL_CPU_VENDOR_INTEL;
  else if (vmctl_cpu_vendor_is_amd (vendor_id))
    check->vendor = VMCTL_CPU_VENDOR_AMD;
  else if (vmx)
    check->vendor = VMCTL_CPU_VENDOR_INTEL;
  else if (svm)
    check->vendor = VMCTL_CPU_VENDOR_AMD;
  else
    check->vendor = guess_vendor (check);

  if (cpuinfo->flags == NULL) {
    vmctl_host_check_add (check, cpu_id, cpu_title, VMCTL_CHECK_WARN,
                          "check that /proc is mounted: mount -t proc proc /proc",
                          "cannot tell whether the CPU has VT-x or AMD-V: /proc/cpuinfo "
                          "has no flags line");
    return;
  }
  if (vmx || svm) {
    g_autofree gchar *summary = cpu_summary (vendor_id, check->cpus);

    vmctl_host_check_add (check, cpu_id, cpu_title, VMCTL_CHECK_PASS, NULL, "%s%s present",
                          summary, vmx ? "vmx (Intel VT-x)" : "svm (AMD-V)");
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
                          vmctl_cpuinfo_has_flag (cpuinfo, "hypervisor")
                          ? ", inside a virtual machine" : "");
    return;
  }
  if (vmctl_cpuinfo_has_flag (cpuinfo, "hypervisor")) {
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

/**
 * vmctl_host_check_kvm_modules: (skip)
 *
 * kvm.modules: kvm and the vendor's module (or kvm_pvm) loaded.
 */
void
vmctl_host_check_kvm_modules (VmctlHostCheck *check)
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

/**
 * vmctl_host_check_kvm_device: (skip)
 *
 * kvm.device: /dev/kvm exists and opens read-write.
 */
void
vmctl_host_check_kvm_device (VmctlHostCheck *check)
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

/**
 * vmctl_host_check_kvm_nested: (skip)
 *
 * kvm.nested: whether guests can run VMs of their own.
 */
void
vmctl_host_check_kvm_nested (VmctlHostCheck *check)
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
