/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-hostcheck-remote.c: host check for a host vmctl reaches only
 * through libvirt (qemu+ssh://, qemu+tls://). Every check libvirt can
 * answer for that host is answered from its facts (capabilities, domain
 * capabilities, free pages); the others are UNKNOWN. Nothing is read from
 * this machine's files: they describe another host. */
#include "vmctl-hostcheck-private.h"

#include "vmctl-host-facts-private.h"

#define UNKNOWN_REMOTE "unknown on a remote host: libvirt does not report it"

static void
add_unknown (VmctlHostCheck *check, const gchar *id, const gchar *title, const gchar *what)
{
  vmctl_host_check_add (check, id, title, VMCTL_CHECK_UNKNOWN,
                        "run 'vmctl host check' on that host",
                        UNKNOWN_REMOTE " (%s)", what);
}

static const gchar *
kvm_module (const VmctlHostFacts *facts)
{
  return vmctl_host_facts_is_amd (facts) ? "kvm_amd" : "kvm_intel";
}

static void
check_cpu (VmctlHostCheck *check, const VmctlHostFacts *facts)
{
  static const gchar id[] = "cpu.virtualization";
  static const gchar title[] = "CPU virtualization (VT-x/AMD-V)";
  gboolean vmx = vmctl_host_facts_has_cpu_feature (facts, "vmx");
  gboolean svm = vmctl_host_facts_has_cpu_feature (facts, "svm");
  VmctlFact kvm = vmctl_host_facts_domain_caps (facts, VMCTL_VIRT_TYPE_KVM)->available;
  guint cpus = facts->topology != NULL ? facts->topology->n_cpus : 0;
  const gchar *vendor = facts->cpu_vendor != NULL ? facts->cpu_vendor : "unknown vendor";

  if (facts->cpu_features == NULL) {
    add_unknown (check, id, title, "the capabilities list no CPU features");
    return;
  }
  if (vmx || svm) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_PASS, NULL,
                          "%s, %u logical CPU%s, %s present (libvirt's host CPU)", vendor, cpus,
                          cpus == 1 ? "" : "s", vmx ? "vmx (Intel VT-x)" : "svm (AMD-V)");
    return;
  }
  if (kvm == VMCTL_FACT_YES) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN,
                          "nothing to fix for ordinary VMs; for GPU passthrough use a host "
                          "with VT-x/AMD-V and an IOMMU",
                          "%s CPU without vmx or svm, yet libvirt runs KVM guests there "
                          "(software-assisted KVM such as kvm_pvm): no device passthrough",
                          vendor);
    return;
  }
  vmctl_host_check_add (check, id, title, VMCTL_CHECK_FAIL,
                        "enable VT-x (Intel) or AMD-V (SVM, AMD) in that host's firmware setup",
                        "%s CPU without the vmx or svm flag (libvirt's host CPU)", vendor);
}

static void
check_kvm (VmctlHostCheck *check, const VmctlHostFacts *facts)
{
  VmctlFact kvm = vmctl_host_facts_domain_caps (facts, VMCTL_VIRT_TYPE_KVM)->available;
  g_autofree gchar *fix = g_strdup_printf ("on that host: modprobe %s, and check its "
                                           "/dev/kvm", kvm_module (facts));

  if (kvm == VMCTL_FACT_YES) {
    vmctl_host_check_add (check, "kvm.modules", "KVM kernel modules", VMCTL_CHECK_PASS, NULL,
                          "KVM works there: libvirt offers kvm domains for x86_64");
    vmctl_host_check_add (check, "kvm.device", "/dev/kvm", VMCTL_CHECK_PASS, NULL,
                          "libvirt can start KVM guests there");
  } else if (kvm == VMCTL_FACT_NO) {
    vmctl_host_check_add (check, "kvm.modules", "KVM kernel modules", VMCTL_CHECK_FAIL, fix,
                          "libvirt offers no kvm domains there: KVM is not loaded or not usable");
    vmctl_host_check_add (check, "kvm.device", "/dev/kvm", VMCTL_CHECK_FAIL, fix,
                          "libvirt cannot start KVM guests there, only emulated ones");
  } else {
    add_unknown (check, "kvm.modules", "KVM kernel modules", "no guest capabilities");
    add_unknown (check, "kvm.device", "/dev/kvm", "no guest capabilities");
  }
  add_unknown (check, "kvm.nested", "Nested virtualization", "a kvm module parameter");
}

static void
check_iommu (VmctlHostCheck *check, const VmctlHostFacts *facts)
{
  g_autofree gchar *fix = vmctl_host_check_grub_fix (NULL, vmctl_host_facts_is_amd (facts)
                                                     ? "iommu=pt" : "intel_iommu=on iommu=pt");

  add_unknown (check, "iommu.acpi", "IOMMU in firmware (ACPI)", "the ACPI tables");
  if (facts->iommu == VMCTL_FACT_YES)
    vmctl_host_check_add (check, "iommu.groups", "IOMMU groups", VMCTL_CHECK_PASS, NULL,
                          "libvirt reports IOMMU support (<iommu support='yes'/>)");
  else if (facts->iommu == VMCTL_FACT_NO)
    vmctl_host_check_add (check, "iommu.groups", "IOMMU groups", VMCTL_CHECK_FAIL, fix,
                          "libvirt reports no IOMMU there (<iommu support='no'/>): devices "
                          "cannot be isolated");
  else
    add_unknown (check, "iommu.groups", "IOMMU groups", "this libvirt has no <iommu>");
  add_unknown (check, "iommu.cmdline", "Kernel command line", "/proc/cmdline");
  add_unknown (check, "iommu.interrupt_remapping", "Interrupt remapping", "the DMAR/IVRS flags");
}

static void
check_vfio (VmctlHostCheck *check, const VmctlHostFacts *facts)
{
  const VmctlDomainCaps *caps = vmctl_host_facts_domain_caps (facts, VMCTL_VIRT_TYPE_KVM);

  add_unknown (check, "vfio.modules", "VFIO kernel modules", "the loaded modules");
  if (!caps->known)
    add_unknown (check, "vfio.device", "/dev/vfio/vfio", "no kvm domain capabilities");
  else if (caps->vfio == VMCTL_FACT_YES)
    vmctl_host_check_add (check, "vfio.device", "/dev/vfio/vfio", VMCTL_CHECK_PASS, NULL,
                          "libvirt assigns PCI devices there through vfio (hostdev pciBackend)");
  else
    vmctl_host_check_add (check, "vfio.device", "/dev/vfio/vfio", VMCTL_CHECK_FAIL,
                          "on that host: enable the IOMMU (see iommu.groups) and modprobe vfio_pci",
                          "libvirt lists no vfio backend for PCI hostdevs there: no IOMMU or "
                          "no /dev/vfio/vfio");
}

static void
check_hugepages (VmctlHostCheck *check, const VmctlHostFacts *facts)
{
  g_autoptr(GArray) sizes = vmctl_host_facts_page_sizes (facts);
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *message = NULL;
  guint64 available = 0;

  for (guint i = sizes->len; i > 0; i--) {
    guint64 size = g_array_index (sizes, guint64, i - 1);
    guint64 total = 0, free = 0;

    vmctl_host_facts_pool (facts, size, NULL, &total, &free);
    available += free;
    g_ptr_array_add (parts, g_strdup_printf ("%" G_GUINT64_FORMAT " kB: %" G_GUINT64_FORMAT
                                             " total, %" G_GUINT64_FORMAT " free", size, total,
                                             free));
  }
  g_ptr_array_add (parts, NULL);
  message = g_strjoinv ("; ", (gchar **) parts->pdata);
  if (sizes->len == 0)
    add_unknown (check, "hugepages", "Hugepages", "the capabilities list no hugepage pools");
  else if (available > 0)
    vmctl_host_check_add (check, "hugepages", "Hugepages", VMCTL_CHECK_PASS, NULL,
                          "%s (libvirt's free pages)", message);
  else
    vmctl_host_check_add (check, "hugepages", "Hugepages", VMCTL_CHECK_WARN,
                          "on that host: echo N > /proc/sys/vm/nr_hugepages (N 2 MiB pages "
                          "for the VM's memory), or vm.nr_hugepages=N in /etc/sysctl.d",
                          "%s: none free; VMs use ordinary 4 KiB pages unless pages are "
                          "reserved", message);
  add_unknown (check, "hugepages.mount", "hugetlbfs mount", "the host's mounts");
}

static void
check_firmware (VmctlHostCheck *check, const VmctlHostFacts *facts)
{
  static const gchar install_fix[] = "on that host: apt install ovmf (Debian/Ubuntu) or dnf "
                                     "install edk2-ovmf (Fedora/RHEL)";
  VmctlVirtType type = VMCTL_VIRT_TYPE_KVM;
  const VmctlDomainCaps *caps = vmctl_host_facts_domain_caps (facts, type);
  guint builds;

  if (!caps->known) {
    type = VMCTL_VIRT_TYPE_QEMU;
    caps = vmctl_host_facts_domain_caps (facts, type);
  }
  if (!caps->known) {
    add_unknown (check, "firmware.ovmf", "UEFI firmware (OVMF)", "no domain capabilities");
    add_unknown (check, "firmware.tpm", "TPM emulator (swtpm)", "no domain capabilities");
    return;
  }
  builds = caps->loader_paths != NULL ? g_strv_length (caps->loader_paths) : 0;
  if (caps->efi_autoselect == VMCTL_FACT_YES || builds > 0)
    vmctl_host_check_add (check, "firmware.ovmf", "UEFI firmware (OVMF)", VMCTL_CHECK_PASS, NULL,
                          "%u UEFI build%s offered for q35, %s", builds, builds == 1 ? "" : "s",
                          caps->secure_boot == VMCTL_FACT_YES ? "Secure Boot available"
                                                              : "no Secure Boot");
  else
    vmctl_host_check_add (check, "firmware.ovmf", "UEFI firmware (OVMF)", VMCTL_CHECK_FAIL,
                          install_fix, "libvirt offers no UEFI firmware there");
  /* the spec's rule for giving a VM its TPM (vmctl_host_facts_has_tpm2()) */
  if (vmctl_host_facts_has_tpm2 (facts, type))
    vmctl_host_check_add (check, "firmware.tpm", "TPM emulator (swtpm)", VMCTL_CHECK_PASS, NULL,
                          "libvirt offers an emulated TPM (swtpm)%s",
                          caps->tpm_versions != NULL ? ", version 2.0" : "");
  else if (caps->tpm_emulator == VMCTL_FACT_YES)
    vmctl_host_check_add (check, "firmware.tpm", "TPM emulator (swtpm)", VMCTL_CHECK_WARN,
                          "on that host: install a swtpm that emulates TPM 2.0 (swtpm swtpm-tools)",
                          "libvirt's emulated TPM there offers no version 2.0: Windows 11 "
                          "guests will not install");
  else
    vmctl_host_check_add (check, "firmware.tpm", "TPM emulator (swtpm)", VMCTL_CHECK_WARN,
                          "on that host: apt install swtpm swtpm-tools",
                          "no emulated TPM there (no swtpm): Windows 11 guests will not install");
}

/**
 * vmctl_host_check_run_remote:
 * @facts: (nullable): the remote host's facts; NULL when its libvirt
 *   could not be asked
 * @uri: the URI
 * @connect_error: (nullable): why @facts is NULL
 *
 * The same checks in the same order as vmctl_host_check_run(), answered
 * from libvirt for the host at @uri; what libvirt cannot tell is
 * VMCTL_CHECK_UNKNOWN, never read from this machine.
 *
 * Returns: (transfer full): the report; ready is TRUE when no check FAILed
 */
VmctlHostReport *
vmctl_host_check_run_remote (VmctlHostFacts *facts, const gchar *uri, const GError *connect_error)
{
  g_autoptr(VmctlHostReport) report = g_new0 (VmctlHostReport, 1);
  VmctlHostCheck check = { 0 };

  g_return_val_if_fail (uri != NULL, NULL);
  report->results = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_check_result_free);
  check.uri = uri;
  check.results = report->results;

  if (facts == NULL) {
    static const gchar * const ids[][2] = {
      { "cpu.virtualization", "CPU virtualization (VT-x/AMD-V)" },
      { "kvm.modules", "KVM kernel modules" }, { "kvm.device", "/dev/kvm" },
      { "kvm.nested", "Nested virtualization" }, { "iommu.acpi", "IOMMU in firmware (ACPI)" },
      { "iommu.groups", "IOMMU groups" }, { "iommu.cmdline", "Kernel command line" },
      { "iommu.interrupt_remapping", "Interrupt remapping" },
      { "vfio.modules", "VFIO kernel modules" }, { "vfio.device", "/dev/vfio/vfio" },
      { "hugepages", "Hugepages" }, { "hugepages.mount", "hugetlbfs mount" },
      { "firmware.ovmf", "UEFI firmware (OVMF)" }, { "firmware.tpm", "TPM emulator (swtpm)" },
      { "devices.vhost_net", "vhost-net" }, { "devices.tun", "TUN/TAP" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (ids); i++)
      add_unknown (&check, ids[i][0], ids[i][1], "libvirt there cannot be reached");
  } else {
    check_cpu (&check, facts);
    check_kvm (&check, facts);
    check_iommu (&check, facts);
    check_vfio (&check, facts);
    check_hugepages (&check, facts);
    check_firmware (&check, facts);
    add_unknown (&check, "devices.vhost_net", "vhost-net", "/dev/vhost-net");
    add_unknown (&check, "devices.tun", "TUN/TAP", "/dev/net/tun");
  }
  vmctl_host_check_libvirt_result (&check, facts != NULL ? facts->libvirt_version : NULL,
                                   facts != NULL ? facts->hypervisor : NULL, connect_error);
  vmctl_host_report_finish (report);
  return g_steal_pointer (&report);
}
