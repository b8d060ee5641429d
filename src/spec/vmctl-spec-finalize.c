/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-spec-finalize.c: vmctl_spec_finalize(), which settles what depends
 * on the host (its facts, vmctl-host-facts.h) and on several options
 * together, once, after all options were applied: one rule per function
 * below. The rules the domain layout applies too are not decided here but
 * called: vmctl_virt_type_cpu_mode(), vmctl_machine_is_q35(),
 * vmctl_hugepages_whole(), vmctl_host_facts_has_tpm2(). */
#include "vmctl-spec-private.h"

#include "vmctl-host-facts-private.h"
#include "vmctl-hugepages-private.h"
#include "vmctl-size.h"
#include "vmctl-spec-desk.h"

static gint
compare_cpus (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

/* ---- what the host offers ------------------------------------------------ */

/* The host's usable CPUs, ascending, or NULL when the facts lack them. */
static GArray *
host_cpus (VmctlHostFacts *facts)
{
  GArray *cpus;

  if (facts->topology == NULL)
    return NULL;
  cpus = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < facts->topology->cores->len; i++) {
    const GArray *core = g_array_index (facts->topology->cores, VmctlCpuCore, i).cpus;

    g_array_append_vals (cpus, core->data, core->len);
  }
  g_array_sort (cpus, compare_cpus);
  return cpus;
}

static gboolean
array_contains (GArray *cpus, guint cpu)
{
  for (guint i = 0; i < cpus->len; i++)
    if (g_array_index (cpus, guint, i) == cpu)
      return TRUE;
  return FALSE;
}

/* "(the gaming profile's default)" for messages about values the user did
 * not give. */
static gchar *
default_origin (const VmctlSpec *spec)
{
  if (spec->profile != NULL)
    return g_strdup_printf ("the %s profile's default", spec->profile);
  return g_strdup ("the default");
}

/* ---- finalize, one rule per function ------------------------------------- */

/* A spec filled in by hand gets the same checks as the options. */
static gboolean
check_name_and_paths (VmctlSpec *spec, GError **error)
{
  g_autofree gchar *cdrom = NULL;

  if (spec->name == NULL) {
    g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID, "the VM has no name");
    return FALSE;
  }
  if (!vmctl_spec_set_name (spec, spec->name, error))
    return FALSE;
  for (guint i = 0; i < spec->gpus->len; i++) {
    VmctlSpecGpu *gpu = &g_array_index (spec->gpus, VmctlSpecGpu, i);
    gchar *absolute = NULL;

    if (gpu->rom_path == NULL)
      continue;
    if (!vmctl_spec_check_path (gpu->rom_path, VMCTL_SPEC_FILE_REGULAR, &absolute, NULL, error)) {
      g_autofree gchar *quoted = vmctl_spec_quote (gpu->rom_path);

      g_prefix_error (error, "--gpu rom '%s': ", quoted);
      return FALSE;
    }
    g_free (gpu->rom_path);
    gpu->rom_path = absolute;
  }
  if (spec->cdrom != NULL) {
    if (!vmctl_spec_check_path (spec->cdrom, VMCTL_SPEC_FILE_OR_BLOCK, &cdrom, NULL, error)) {
      g_autofree gchar *quoted = vmctl_spec_quote (spec->cdrom);

      g_prefix_error (error, "--cdrom '%s': ", quoted);
      return FALSE;
    }
    g_free (spec->cdrom);
    spec->cdrom = g_steal_pointer (&cdrom);
  }
  return TRUE;
}

/* KVM when the host offers it (libvirt lists <domain type='kvm'>, or
 * /dev/kvm exists under a host root), unless --virt-type said. Without
 * KVM, what only KVM provides goes: QEMU refuses "-cpu host" and the
 * hv-* flags under TCG (the Hyper-V clock, hv-time, included), and
 * <kvm><hidden> has nothing to hide. */
static void
settle_virt_type (VmctlSpec *spec, VmctlHostFacts *facts)
{
  gboolean have_kvm = vmctl_host_facts_domain_caps (facts, VMCTL_VIRT_TYPE_KVM)->available
                      == VMCTL_FACT_YES;
  /* a host root shows the device node; libvirt says whether it works */
  const gchar *kvm = facts->source == VMCTL_HOST_FACTS_FILES ? "/dev/kvm" : "KVM";
  g_autoptr(GPtrArray) dropped = g_ptr_array_new ();
  const gchar *mode;

  if (!spec->virt_type_given && have_kvm && facts->kvm_software == VMCTL_FACT_YES) {
    spec->virt_type = VMCTL_VIRT_TYPE_QEMU;
    vmctl_spec_add_note (spec, "KVM %s is kvm_pvm (no VT-x/AMD-V), on which QEMU's CPU setup "
                         "aborts and guest firmware does not run: using --virt-type qemu "
                         "(software emulation, much slower; --virt-type kvm to try anyway)",
                         facts->where);
  } else if (!spec->virt_type_given) {
    spec->virt_type = have_kvm ? VMCTL_VIRT_TYPE_KVM : VMCTL_VIRT_TYPE_QEMU;
    if (!have_kvm)
      vmctl_spec_add_note (spec, "no %s %s: using --virt-type qemu (software "
                           "emulation, much slower)", kvm, facts->where);
  } else if (spec->virt_type == VMCTL_VIRT_TYPE_KVM && !have_kvm) {
    vmctl_spec_add_note (spec, "no %s %s: the VM cannot start until KVM works "
                         "(see vmctl host check)", kvm, facts->where);
  }
  if (spec->virt_type != VMCTL_VIRT_TYPE_QEMU)
    return;

  mode = vmctl_virt_type_cpu_mode (spec->virt_type, spec->cpu_mode);
  if (g_strcmp0 (spec->cpu_mode, mode) != 0) {
    g_free (spec->cpu_mode);
    spec->cpu_mode = g_strdup (mode);
    g_ptr_array_add (dropped, (gpointer) "the host CPU model (QEMU's 'maximum' instead)");
  }
  if (spec->cpu_cache_passthrough) {
    spec->cpu_cache_passthrough = FALSE;
    g_ptr_array_add (dropped, (gpointer) "CPU cache passthrough");
  }
  if (spec->hyperv) {
    spec->hyperv = FALSE;
    g_ptr_array_add (dropped, (gpointer) "Hyper-V enlightenments");
  }
  /* the Windows clock stays, without its Hyper-V timer (the layout's
   * rule, vmctl_host_facts_hyperv_feature()) */
  if (spec->clock == VMCTL_CLOCK_WINDOWS)
    g_ptr_array_add (dropped, (gpointer) "the Hyper-V clock");
  if (spec->kvm_hidden) {
    spec->kvm_hidden = FALSE;
    g_ptr_array_add (dropped, (gpointer) "hidden KVM");
  }
  if (dropped->len > 0) {
    g_autofree gchar *list = NULL;

    g_ptr_array_add (dropped, NULL);
    list = g_strjoinv (", ", (gchar **) dropped->pdata);
    vmctl_spec_add_note (spec, "without KVM these are left out: %s", list);
  }
}

/* Secure Boot needs SMM, which only q35 has; there is no --machine, so a
 * conflict can only come from a profile. */
static gboolean
check_machine (VmctlSpec *spec, GError **error)
{
  if (spec->firmware == VMCTL_FIRMWARE_KIND_EFI_SECURE && !vmctl_machine_is_q35 (spec->machine)) {
    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT,
                 "--firmware efi-secure needs the q35 machine, and the %s profile uses '%s' "
                 "(use --firmware efi or bios)",
                 spec->profile != NULL ? spec->profile : "chosen", spec->machine);
    return FALSE;
  }
  return TRUE;
}

/* An emulated TPM 2.0 needs swtpm on the host that runs the VM
 * (vmctl_host_facts_has_tpm2(), the host check's rule too). */
static void
settle_devices (VmctlSpec *spec, VmctlHostFacts *facts)
{
  if (spec->tpm && !vmctl_host_facts_has_tpm2 (facts, spec->virt_type)) {
    spec->tpm = FALSE;
    vmctl_spec_add_note (spec, "no swtpm %s: install swtpm swtpm-tools for the TPM "
                         "Windows 11 requires", facts->where);
  }
  /* the GPU drives the monitor: an emulated card next to it would become
   * the guest's primary display, and a SPICE/VNC head would show nothing */
  if (spec->gpus->len > 0 && !spec->emulated_video_with_gpu) {
    spec->emulated_video = FALSE;
    spec->graphics = VMCTL_GRAPHICS_NONE;
  }
}

static gboolean
check_cpu_list (VmctlSpec *spec, GArray *present, GError **error)
{
  g_autofree gchar *list = vmctl_spec_format_cpu_list (spec->cpu_pin_list);

  for (guint i = 0; present != NULL && i < spec->cpu_pin_list->len; i++) {
    guint cpu = g_array_index (spec->cpu_pin_list, guint, i);

    if (!array_contains (present, cpu)) {
      g_autofree gchar *host_list = vmctl_spec_format_cpu_list (present);

      g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                   "--cpu-pin '%s': the host has no CPU %u (present: %s)", list, cpu, host_list);
      return FALSE;
    }
  }
  if (present == NULL) {
    for (guint i = 0; i < spec->cpu_pin_list->len; i++) {
      guint cpu = g_array_index (spec->cpu_pin_list, guint, i);

      if (cpu >= VMCTL_SPEC_VCPUS_UNKNOWN_HOST) {
        g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                     "--cpu-pin '%s': CPU %u is beyond what vmctl assumes of a host whose "
                     "CPU list it cannot read (%d)", list, cpu, VMCTL_SPEC_VCPUS_UNKNOWN_HOST);
        return FALSE;
      }
    }
  }
  if (!spec->vcpus_given)
    spec->vcpus = spec->cpu_pin_list->len;
  if (spec->cpu_pin_list->len != spec->vcpus) {
    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT,
                 "--cpu-pin '%s': %u host CPUs for %u vCPUs; give exactly one host CPU per "
                 "vCPU", list, spec->cpu_pin_list->len, spec->vcpus);
    return FALSE;
  }
  return TRUE;
}

/* The largest count up to @vcpus that --cpu-pin auto places truthfully
 * (vmctl_cpu_topology_auto_fits()); 0 when none. */
static guint
auto_fitting (const VmctlCpuTopology *topology, guint vcpus)
{
  while (vcpus > 0 && !vmctl_cpu_topology_auto_fits (topology, vcpus, NULL))
    vcpus--;
  return vcpus;
}

static gboolean
check_vcpus (VmctlSpec *spec, VmctlHostFacts *facts, GError **error)
{
  g_autoptr(GArray) present = host_cpus (facts);
  const VmctlCpuTopology *topology = facts->topology;
  g_autofree gchar *core_list = NULL;
  guint host_count = present != NULL ? present->len : VMCTL_SPEC_VCPUS_UNKNOWN_HOST;
  guint limit = host_count;
  gboolean pin_auto = spec->cpu_pin == VMCTL_CPU_PIN_AUTO && topology != NULL;

  if (spec->cpu_pin == VMCTL_CPU_PIN_LIST && spec->cpu_pin_list != NULL
      && !check_cpu_list (spec, present, error))
    return FALSE;
  if (spec->vcpus == 0) {
    g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                         "--vcpus '0': a VM needs at least 1 virtual CPU");
    return FALSE;
  }

  /* --cpu-pin auto keeps the first core for the host (and the emulator
   * threads), and places the vCPUs on the rest so the guest's topology is
   * true (vmctl_cpu_topology_pin_auto()). Without the topology the XML
   * builder, which needs all of it, has the last word. */
  if (pin_auto) {
    const GArray *first_core = g_array_index (topology->cores, VmctlCpuCore, 0).cpus;

    core_list = vmctl_spec_format_cpu_list ((GArray *) first_core);
    if (topology->cores->len == 1) {
      g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT,
                   "--cpu-pin auto keeps the first core (CPU %s) for the host, and this host "
                   "has no other; use --cpu-pin none", core_list);
      return FALSE;
    }
    if (vmctl_cpu_topology_auto_fits (topology, spec->vcpus, &limit))
      return TRUE;
  } else if (spec->vcpus <= limit) {
    return TRUE;
  }

  if (!spec->vcpus_given && spec->cpu_pin != VMCTL_CPU_PIN_LIST) {
    g_autofree gchar *origin = default_origin (spec);
    guint lowered = pin_auto ? auto_fitting (topology, spec->vcpus) : limit;

    if (pin_auto)
      vmctl_spec_add_note (spec, "vcpus lowered from %u (%s) to %u: the host has %u CPUs and "
                           "--cpu-pin auto keeps its first core (CPU %s) for it", spec->vcpus,
                           origin, lowered, host_count, core_list);
    else
      vmctl_spec_add_note (spec, "vcpus lowered from %u (%s) to %u, the host's CPU count",
                           spec->vcpus, origin, lowered);
    spec->vcpus = lowered;
    return TRUE;
  }
  if (spec->vcpus > host_count && present != NULL)
    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                 "--vcpus '%u': the host has %u CPUs", spec->vcpus, host_count);
  else if (spec->vcpus > host_count)
    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                 "--vcpus '%u': more than %u, the limit when the host's CPU count is unknown",
                 spec->vcpus, host_count);
  else if (spec->vcpus > limit)
    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT,
                 "--vcpus '%u' with --cpu-pin auto: the host has %u CPUs and keeps its first "
                 "core (CPU %s) for itself, leaving %u; give --vcpus %u or less, or "
                 "--cpu-pin none", spec->vcpus, host_count, core_list, limit, limit);
  else
    /* an odd count above the spare cores: pairs of it would sit on SMT
     * siblings while the guest believed them separate cores */
    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT,
                 "--vcpus '%u' with --cpu-pin auto: %u vCPUs fill neither whole cores of %u "
                 "SMT threads nor one core each (%u cores are left after CPU %s), so the "
                 "guest could not be told its topology truly; give --vcpus %u or %u, or "
                 "--cpu-pin none", spec->vcpus, spec->vcpus, topology->threads_per_core,
                 topology->cores->len - 1, core_list, auto_fitting (topology, spec->vcpus),
                 spec->vcpus + 1);
  return FALSE;
}

/* "--memory '64 GiB'" or "memory 16 GiB (the gaming profile's default)" */
static gchar *
memory_subject (const VmctlSpec *spec)
{
  g_autofree gchar *size = vmctl_size_format (spec->memory_kib * 1024);
  g_autofree gchar *origin = NULL;

  if (spec->memory_given)
    return g_strdup_printf ("--memory '%s'", size);
  origin = default_origin (spec);
  return g_strdup_printf ("memory %s (%s)", size, origin);
}

static gboolean
check_memory (VmctlSpec *spec, VmctlHostFacts *facts, GError **error)
{
  guint64 host_kib = facts->memory_kib;
  guint64 limit_kib = host_kib != 0 ? host_kib : VMCTL_SPEC_MEMORY_UNKNOWN_HOST_KIB;
  g_autofree gchar *subject = memory_subject (spec);

  if (spec->memory_kib < VMCTL_SPEC_MEMORY_MIN_KIB) {
    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                 "%s: a VM needs at least 128 MiB of memory", subject);
    return FALSE;
  }
  if (spec->memory_kib > limit_kib) {
    g_autofree gchar *limit = vmctl_size_format (limit_kib * 1024);

    if (host_kib != 0)
      g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                   "%s: more than the host's %s of memory (MemTotal)%s", subject, limit,
                   spec->memory_given ? "" : "; give a smaller --memory");
    else
      g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                   "%s: more than %s, the limit when the host's memory is unknown", subject,
                   limit);
    return FALSE;
  }
  /* the layout picks the page size later (vmctl_hugepages_choose()), by
   * the same rule; memory that is no whole number of the smallest size
   * fits none, which is the user's value to fix */
  if (spec->hugepages && !vmctl_hugepages_whole (spec->memory_kib, VMCTL_HUGEPAGES_SMALLEST_KIB)) {
    g_autofree gchar *page = vmctl_size_format (VMCTL_HUGEPAGES_SMALLEST_KIB * 1024);

    g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID,
                 "%s: with hugepages the memory must be a multiple of %s", subject, page);
    return FALSE;
  }
  return TRUE;
}

/**
 * vmctl_spec_finalize_with_facts:
 * @facts: the host the VM is for (vmctl-host-facts.h); files the user
 *   hands over (ROM, ISO, disk) are on the machine vmctl runs on
 * @error: VMCTL_SPEC_ERROR_INVALID for a value the host cannot satisfy
 *   (more vCPUs or memory than it has, a CPU it lacks, a bad name or path
 *   set by hand), VMCTL_SPEC_ERROR_CONFLICT for options that cannot go
 *   together, VMCTL_SPEC_ERROR_MISSING_FILE for a file that went away,
 *   VMCTL_SPEC_ERROR_HOST_IN_USE for a --disk block device @host mounts or
 *   swaps on (unless spec->force)
 *
 * Settles what depends on the host and on several options together, once,
 * after all options were applied: what each --disk PATH is (a block device
 * or an image file, by stat() after symlinks) and that the host does not
 * use a block device given, the virtualization type (kvm when the host
 * offers it, else qemu with a note, and without KVM-only features),
 * Secure Boot's q35, the TPM (only where libvirt has swtpm, else a note),
 * no emulated video when a GPU is given and the profile says so, vCPUs
 * and memory against the host, CPU pinning against the host's CPUs, and
 * the hugepage granularity. Defaults the host cannot meet are lowered
 * with a note when harmless (vCPUs); values the user gave are errors.
 * Notes go to spec->notes.
 *
 * Calling it again after success does nothing. After a failure the spec
 * may be partly settled: discard it.
 *
 * Returns: TRUE when the spec can be built into a domain
 */
gboolean
vmctl_spec_finalize_with_facts (VmctlSpec *spec, VmctlHostFacts *facts, GError **error)
{
  g_return_val_if_fail (spec != NULL, FALSE);
  g_return_val_if_fail (facts != NULL, FALSE);

  if (spec->finalized)
    return TRUE;
  if (!check_name_and_paths (spec, error) || !vmctl_spec_check_disks (spec, facts->host, error))
    return FALSE;
  settle_virt_type (spec, facts);
  if (!check_machine (spec, error))
    return FALSE;
  settle_devices (spec, facts);
  if (!vmctl_spec_desk_finalize (spec, facts, error))
    return FALSE;
  if (!check_vcpus (spec, facts, error))
    return FALSE;
  if (!check_memory (spec, facts, error))
    return FALSE;
  spec->finalized = TRUE;
  return TRUE;
}

/**
 * vmctl_spec_finalize:
 * @host: a host root whose files describe the host (FILES facts,
 *   vmctl_host_facts_new_from_files())
 *
 * vmctl_spec_finalize_with_facts() for a host root.
 */
gboolean
vmctl_spec_finalize (VmctlSpec *spec, VmctlHost *host, GError **error)
{
  g_autoptr(VmctlHostFacts) facts = NULL;

  g_return_val_if_fail (spec != NULL, FALSE);
  g_return_val_if_fail (host != NULL, FALSE);
  if (spec->finalized)
    return TRUE;
  facts = vmctl_host_facts_new_from_files (host);
  return vmctl_spec_finalize_with_facts (spec, facts, error);
}
