/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-spec.c: the spec's defaults, its life cycle, the spellings of its
 * values, and the rules the domain layout shares with it (the CPU mode
 * under TCG, the q35 family). vmctl_spec_finalize(), which settles what
 * depends on the host and on several options together, is in
 * vmctl-spec-finalize.c; the option parsers are in vmctl-spec-parse.c and
 * vmctl-spec-parse-cpu-memory.c, the profiles in vmctl-profile.c. */
#include "vmctl-spec-private.h"

#include "vmctl-profile.h"
#include "vmctl-spec-desk.h"

#include <string.h>

G_DEFINE_QUARK (vmctl-spec-error-quark, vmctl_spec_error)

static void
clear_gpu (gpointer data)
{
  VmctlSpecGpu *gpu = data;

  g_clear_pointer (&gpu->rom_path, g_free);
}

/**
 * vmctl_spec_new:
 *
 * The defaults, in this one place: those of a small headless VM (the
 * minimal profile), so a spec built by hand is complete and bootable.
 * Profiles override them (vmctl_profile_apply()).
 *
 * Returns: (transfer full): a spec without a name
 */
VmctlSpec *
vmctl_spec_new (void)
{
  VmctlSpec *spec = g_new0 (VmctlSpec, 1);

  spec->memory_kib = 512 * 1024;
  spec->vcpus = 1;
  spec->gpus = g_array_new (FALSE, TRUE, sizeof (VmctlSpecGpu));
  g_array_set_clear_func (spec->gpus, clear_gpu);
  spec->hostdevs = g_array_new (FALSE, TRUE, sizeof (VmctlPciAddress));
  spec->hugepages = FALSE;
  spec->disks = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_spec_disk_free);
  spec->network = VMCTL_NETWORK_DEFAULT;
  spec->firmware = VMCTL_FIRMWARE_KIND_EFI;
  spec->cpu_pin = VMCTL_CPU_PIN_NONE;
  spec->virt_type = VMCTL_VIRT_TYPE_KVM;
  spec->machine = g_strdup ("q35");
  spec->clock = VMCTL_CLOCK_UTC;
  spec->graphics = VMCTL_GRAPHICS_NONE;
  spec->emulated_video = FALSE;
  spec->disk_bus = g_strdup ("virtio");
  spec->nic_model = g_strdup ("virtio");
  spec->notes = g_ptr_array_new_with_free_func (g_free);
  spec->cpu_mode = g_strdup ("host-passthrough");
  return spec;
}

void
vmctl_spec_disk_free (VmctlSpecDisk *disk)
{
  if (disk == NULL)
    return;
  g_free (disk->path);
  g_free (disk->pool);
  g_free (disk->format);
  g_free (disk);
}

void
vmctl_spec_free (VmctlSpec *spec)
{
  if (spec == NULL)
    return;
  g_free (spec->name);
  g_free (spec->profile);
  g_clear_pointer (&spec->gpus, g_array_unref);
  g_clear_pointer (&spec->hostdevs, g_array_unref);
  g_clear_pointer (&spec->disks, g_ptr_array_unref);
  g_free (spec->cdrom);
  g_free (spec->bridge);
  g_clear_pointer (&spec->cpu_pin_list, g_array_unref);
  g_free (spec->machine);
  g_free (spec->hyperv_vendor_id);
  g_free (spec->disk_bus);
  g_free (spec->nic_model);
  g_clear_pointer (&spec->notes, g_ptr_array_unref);
  g_free (spec->cpu_mode);
  vmctl_spec_desk_free (spec->desk);
  g_free (spec);
}

/**
 * vmctl_spec_new_from_profile:
 * @name: the VM's name (see vmctl_spec_set_name())
 * @profile: (nullable): a profile name; NULL for VMCTL_PROFILE_DEFAULT
 * @error: VMCTL_SPEC_ERROR_INVALID for a bad name,
 *   VMCTL_SPEC_ERROR_NO_PROFILE for an unknown profile,
 *   VMCTL_PROFILE_ERROR_INVALID for a broken profile file
 *
 * The first step of `vmctl create`: the options are applied to the result
 * with the vmctl_spec_set_*() and vmctl_spec_add_*() functions, then
 * vmctl_spec_finalize() settles it against the host.
 *
 * Returns: (transfer full): the spec with the profile's defaults
 */
VmctlSpec *
vmctl_spec_new_from_profile (const gchar *name, const gchar *profile, GError **error)
{
  g_autoptr(VmctlSpec) spec = vmctl_spec_new ();

  g_return_val_if_fail (name != NULL, NULL);
  if (!vmctl_spec_set_name (spec, name, error))
    return NULL;
  if (!vmctl_profile_apply (spec, profile != NULL ? profile : VMCTL_PROFILE_DEFAULT, error))
    return NULL;
  return g_steal_pointer (&spec);
}

/**
 * vmctl_spec_add_note:
 *
 * Records something the user should know, printed by the CLI as one
 * "vmctl: note: ..." line. Notes are single lines.
 */
void
vmctl_spec_add_note (VmctlSpec *spec, const gchar *format, ...)
{
  va_list args;

  g_return_if_fail (spec != NULL);
  va_start (args, format);
  g_ptr_array_add (spec->notes, g_strdup_vprintf (format, args));
  va_end (args);
}

/* The spellings below are the CLI's option values, and vmctl stores them
 * in the domain's metadata (vmctl-domain-metadata.c): never change them. */

const gchar *
vmctl_firmware_kind_to_string (VmctlFirmwareKind kind)
{
  switch (kind) {
  case VMCTL_FIRMWARE_KIND_EFI:
    return "efi";
  case VMCTL_FIRMWARE_KIND_EFI_SECURE:
    return "efi-secure";
  case VMCTL_FIRMWARE_KIND_BIOS:
  default:
    return "bios";
  }
}

const gchar *
vmctl_network_kind_to_string (VmctlNetworkKind kind)
{
  switch (kind) {
  case VMCTL_NETWORK_DEFAULT:
    return "default";
  case VMCTL_NETWORK_BRIDGE:
    return "bridge";
  case VMCTL_NETWORK_NONE:
  default:
    return "none";
  }
}

const gchar *
vmctl_cpu_pin_mode_to_string (VmctlCpuPinMode mode)
{
  switch (mode) {
  case VMCTL_CPU_PIN_AUTO:
    return "auto";
  case VMCTL_CPU_PIN_LIST:
    return "list";
  case VMCTL_CPU_PIN_NONE:
  default:
    return "none";
  }
}

const gchar *
vmctl_virt_type_to_string (VmctlVirtType type)
{
  return type == VMCTL_VIRT_TYPE_QEMU ? "qemu" : "kvm";
}

/**
 * vmctl_virt_type_cpu_mode:
 * @type: the domain's virt type
 * @requested: (nullable): the spec's CPU mode, "host-passthrough" or
 *   "host-model"; NULL for host-passthrough, the default
 *
 * The one rule for the guest CPU's mode, which vmctl_spec_finalize()
 * writes into the spec (with a note when it changes) and the domain
 * layout turns into the <cpu> template. TCG cannot pass a host CPU
 * through: libvirt refuses host-passthrough and host-model without KVM
 * when the domain starts, and QEMU refuses "-cpu host" under TCG. So a
 * qemu domain always gets mode='maximum' (QEMU's -cpu max, libvirt >=
 * 7.1), the closest TCG offers; libvirt 9.0 defines it with
 * migratable='off' and the same topology. Under KVM the mode asked for.
 *
 * Returns: (transfer none): "host-passthrough", "host-model" or "maximum"
 */
const gchar *
vmctl_virt_type_cpu_mode (VmctlVirtType type, const gchar *requested)
{
  if (type == VMCTL_VIRT_TYPE_QEMU)
    return "maximum";
  return requested != NULL ? requested : "host-passthrough";
}

/**
 * vmctl_machine_is_q35:
 * @machine: (nullable): a machine type: "q35", "pc", or a versioned
 *   type such as "pc-q35-7.2"
 *
 * The one test for the q35 family, which the spec asks for Secure Boot
 * (only q35 has the SMM it needs) and the domain layout for PCIe root
 * ports (i440fx has none).
 *
 * Returns: whether @machine is q35 or a version of it
 */
gboolean
vmctl_machine_is_q35 (const gchar *machine)
{
  return machine != NULL && (strcmp (machine, "q35") == 0 || g_str_has_prefix (machine, "pc-q35-"));
}

const gchar *
vmctl_graphics_kind_to_string (VmctlGraphicsKind kind)
{
  switch (kind) {
  case VMCTL_GRAPHICS_SPICE:
    return "spice";
  case VMCTL_GRAPHICS_VNC:
    return "vnc";
  case VMCTL_GRAPHICS_NONE:
  default:
    return "none";
  }
}

const gchar *
vmctl_clock_kind_to_string (VmctlClockKind kind)
{
  return kind == VMCTL_CLOCK_WINDOWS ? "windows" : "utc";
}

/**
 * vmctl_spec_format_cpu_list:
 * @cpus: guint CPU numbers
 *
 * Returns: (transfer full): the list in the kernel's cpulist spelling,
 * runs of consecutive numbers as ranges, in the given order: "2-5,8,9"
 */
gchar *
vmctl_spec_format_cpu_list (GArray *cpus)
{
  GString *text = g_string_new (NULL);
  guint i = 0;

  while (cpus != NULL && i < cpus->len) {
    guint first = g_array_index (cpus, guint, i);
    guint last = first;

    while (i + 1 < cpus->len && g_array_index (cpus, guint, i + 1) == last + 1) {
      last++;
      i++;
    }
    if (text->len > 0)
      g_string_append_c (text, ',');
    if (last == first)
      g_string_append_printf (text, "%u", first);
    else
      g_string_append_printf (text, "%u-%u", first, last);
    i++;
  }
  return g_string_free (text, FALSE);
}
