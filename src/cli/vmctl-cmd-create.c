/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-create.c: vmctl create NAME [options]: the options parsed
 * into a spec (profile first, then each option), then one library call
 * (vmctl_session_create(): the plan, the host facts, the XML, the VM
 * defined) and what it made printed. */
#include "vmctl-output.h"

#include "vmctl-profile.h"
#include "vmctl-session-vm.h"
#include "vmctl-spec-media.h"
#include "vmctl-spec-desk.h"

static const gchar create_description[] =
  "Builds a KVM domain named NAME from a profile and the options, with the\n"
  "given GPUs passed through. Each --gpu runs the isolation verdict: its\n"
  "companions (HDMI audio, USB-C on the same card and IOMMU group) and its\n"
  "passable siblings go along, and host devices sharing its group stop the\n"
  "command with their list unless they are all given with --hostdev too.\n"
  "Host-critical functions (host bridge, LPC bridge, SMBus, SPI flash, IOMMU...:\n"
  "data/host-critical.conf) are never given to a VM, in any role and not with\n"
  "--force. A function the host uses (a mounted or swapping disk below it, the\n"
  "console, a framebuffer, a process holding it) stops the command unless\n"
  "--force is given, which takes it with a note.\n"
  "\n"
  "Profiles (defaults for every option; the options override them):\n"
  "  gaming       Windows 10/11 with a GPU: Secure Boot, TPM 2.0 (with swtpm),\n"
  "               Hyper-V enlightenments, hidden KVM, hugepages, pinned CPUs,\n"
  "               16 GiB, 8 vCPUs, no emulated video when a GPU is given\n"
  "  workstation  Linux guest: UEFI, host CPU, virtio, SPICE; 8 GiB, 4 vCPUs\n"
  "               (the default)\n"
  "  minimal      headless test VM: UEFI, 512 MiB, 1 vCPU, no display\n"
  "\n"
  "NAME: 1 to 64 letters, digits, '.', '_', '+' or '-', starting with a letter\n"
  "or digit. SIZE: a whole number with K, M, G or T (or KiB, MiB, GiB, TiB),\n"
  "powers of 1024; a bare number is MiB. Files (--disk, --cdrom, rom=) are on\n"
  "this machine and must exist. Things to know (no swtpm, no KVM, lowered\n"
  "vCPUs, idle devices in a GPU's group) are printed to stderr as\n"
  "'vmctl: note: ...' lines.\n"
  "\n"
  "At the desk: --input gives the guest host keyboards and mice through evdev\n"
  "(vmctl input list), --usb single USB devices by id or port (vmctl usb list),\n"
  "--looking-glass its shared memory and SPICE input, --audio a sound card. A\n"
  "rom= file is checked like 'vmctl gpu rom check'; GPUs whose BARs need more\n"
  "than OVMF's default aperture get <maxphysaddr mode='passthrough'/>.\n"
  "\n"
  "The VM is defined on the connection (-c URI), shut off, ready for\n"
  "'vmctl start NAME'. Each --disk size=SIZE becomes a new qcow2 volume in its\n"
  "pool (default: 'default', made as a directory pool under\n"
  "/var/lib/libvirt/images when missing); if defining fails, the volumes made\n"
  "are deleted again. A name already defined is refused (exit 2). --print-xml\n"
  "prints the domain XML instead and touches nothing.\n"
  "\n"
  "Examples:\n"
  "  vmctl create gamer --gpu 01:00.0 --profile gaming --disk size=120G\n"
  "  vmctl create gamer --gpu 01:00.0 --profile gaming --print-xml\n"
  "  vmctl create gamer --gpu 01:00.0,rom=/srv/vbios/4080.rom --memory 24G \\\n"
  "        --vcpus 12 --disk /var/lib/libvirt/images/win11.qcow2 \\\n"
  "        --cdrom /srv/iso/Win11.iso --profile gaming --print-xml\n"
  "  vmctl create gamer --gpu 01:00.0 --profile gaming --input auto --usb 046d:c52b \\\n"
  "        --looking-glass=2560x1440 --audio pulseaudio --print-xml\n"
  "  vmctl create dev --disk size=40G,pool=fast --network bridge=br0 --print-xml\n"
  "  vmctl create ci-1 --profile minimal --virt-type qemu --network none --disk size=1G";

typedef struct {
  gchar **gpus;
  gchar **hostdevs;
  gchar *memory;
  gchar *vcpus;
  gchar *profile;
  gboolean hugepages;
  gboolean no_hugepages;
  gboolean dynamic_hugepages;
  gboolean lock_memory;
  gchar **disks;
  gchar *network;
  gchar *firmware;
  gchar *cpu_pin;
  gchar *virt_type;
  gboolean print_xml;
  gboolean force;
  VmctlSpecMediaOptions media;    /* issue 11: --cdrom, --boot, --kernel, --os... */
  /* issue 12 */
  gchar **inputs;
  gchar **input_toggles;
  gchar **usb;
  gchar **audios;
  GPtrArray *looking_glass;  /* each --looking-glass value, NULL-terminated */
  gboolean isolate_cpus;   /* issue 13 */
} CreateOptions;

static void
create_options_clear (CreateOptions *options)
{
  g_strfreev (options->gpus);
  g_strfreev (options->hostdevs);
  g_free (options->memory);
  g_free (options->vcpus);
  g_free (options->profile);
  g_strfreev (options->disks);
  g_free (options->network);
  g_free (options->firmware);
  g_free (options->cpu_pin);
  g_free (options->virt_type);
  vmctl_spec_media_options_clear (&options->media);
  g_strfreev (options->inputs);
  g_strfreev (options->input_toggles);
  g_strfreev (options->usb);
  g_strfreev (options->audios);
  g_clear_pointer (&options->looking_glass, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CreateOptions, create_options_clear)

typedef gboolean (*SetFunction) (VmctlSpec *spec, const gchar *text, GError **error);

/* A single-valued option: apply it when given. */
static gboolean
apply_one (VmctlSpec *spec, SetFunction set, const gchar *value, GError **error)
{
  return value == NULL || set (spec, value, error);
}

static gboolean
apply_each (VmctlSpec *spec, SetFunction add, gchar **values, GError **error)
{
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    if (!add (spec, values[i], error))
      return FALSE;
  return TRUE;
}

/* issue 12: --looking-glass takes an optional value, which GOption gives
 * only to a callback; the callback gets the options as its data */
static gboolean
looking_glass_option (const gchar *name, const gchar *value, gpointer data, GError **error)
{
  CreateOptions *options = data;

  g_ptr_array_add (options->looking_glass, g_strdup (value != NULL ? value : ""));
  return TRUE;
}

static gboolean
apply_desk_options (VmctlSpec *spec, const CreateOptions *options, GError **error)
{
  const VmctlSpecDeskOptions desk = {
    .inputs = options->inputs,
    .input_toggles = options->input_toggles,
    .usb = options->usb,
    .looking_glass = (gchar **) options->looking_glass->pdata,
    .audios = options->audios,
  };

  return vmctl_spec_apply_desk_options (spec, &desk, error);
}

/* In the contract's order, so the first bad option is the one reported. */
static VmctlSpec *
spec_from_options (const gchar *name, const CreateOptions *options, GError **error)
{
  g_autoptr(VmctlSpec) spec = NULL;

  if ((options->hugepages || options->dynamic_hugepages) && options->no_hugepages) {
    g_set_error_literal (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT,
                         "--hugepages and --no-hugepages contradict each other");
    return NULL;
  }
  spec = vmctl_spec_new_from_profile (name, options->profile, error);
  if (spec == NULL)
    return NULL;
  /* the OS's defaults first: the options below override them */
  if (!vmctl_spec_apply_media_options (spec, &options->media, error))
    return NULL;
  if (!apply_each (spec, vmctl_spec_add_gpu, options->gpus, error)
      || !apply_each (spec, vmctl_spec_add_hostdev, options->hostdevs, error)
      || !apply_one (spec, vmctl_spec_set_memory, options->memory, error)
      || !apply_one (spec, vmctl_spec_set_vcpus, options->vcpus, error)
      || !apply_each (spec, vmctl_spec_add_disk, options->disks, error)
      || !apply_one (spec, vmctl_spec_set_network, options->network, error)
      || !apply_one (spec, vmctl_spec_set_firmware, options->firmware, error)
      || !apply_one (spec, vmctl_spec_set_cpu_pin, options->cpu_pin, error)
      || !apply_one (spec, vmctl_spec_set_virt_type, options->virt_type, error))
    return NULL;
  if (options->hugepages || options->no_hugepages || options->dynamic_hugepages)
    vmctl_spec_set_hugepages (spec, options->hugepages || options->dynamic_hugepages);
  if (options->dynamic_hugepages || options->no_hugepages)
    spec->hugepages_dynamic = options->dynamic_hugepages;
  spec->force = options->force;
  if (options->lock_memory)
    vmctl_spec_set_memory_locked (spec, TRUE);
  if (!apply_desk_options (spec, options, error)
      || !vmctl_spec_apply_host_options (spec, options->isolate_cpus, error))
    return NULL;
  return g_steal_pointer (&spec);
}

static void
print_defined (VmctlContext *context, const gchar *name)
{
  g_autoptr(JsonBuilder) builder = NULL;

  if (!context->json) {
    g_print ("vmctl: defined %s (start it with: vmctl start %s)\n", name, name);
    return;
  }
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "defined");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  vmctl_json_print (builder);
}

gboolean
vmctl_cmd_create (VmctlInvocation *invocation, GError **error)
{
  g_auto(CreateOptions) options = { 0 };
  const GOptionEntry entries[] = {
    { "gpu", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options.gpus,
      "Pass the GPU at ADDR through, with its companions; rom=PATH gives a ROM file (repeatable)",
      "ADDR[,rom=PATH]" },
    { "hostdev", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.hostdevs,
      "Pass any PCI function through (repeatable)", "ADDR" },
    { "memory", 0, 0, G_OPTION_ARG_STRING, &options.memory,
      "Guest memory (default: the profile's)", "SIZE" },
    { "vcpus", 0, 0, G_OPTION_ARG_STRING, &options.vcpus,
      "Virtual CPUs (default: the profile's)", "N" },
    { "profile", 0, 0, G_OPTION_ARG_STRING, &options.profile,
      "gaming, workstation or minimal (default: " VMCTL_PROFILE_DEFAULT ")", "NAME" },
    { "hugepages", 0, 0, G_OPTION_ARG_NONE, &options.hugepages,
      "Back the memory with hugepages", NULL },
    { "no-hugepages", 0, 0, G_OPTION_ARG_NONE, &options.no_hugepages,
      "Do not, whatever the profile says", NULL },
    { "dynamic-hugepages", 0, 0, G_OPTION_ARG_NONE, &options.dynamic_hugepages,
      "Hugepages reserved at each start through nr_hugepages and released at stop",
      NULL },
    { "lock-memory", 0, 0, G_OPTION_ARG_NONE, &options.lock_memory,
      "Lock the guest's memory in RAM (<locked/> with a hard limit of memory + 1 GiB)", NULL },
    { "disk", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options.disks,
      "An existing image or block device, or a volume to create, on the profile's bus unless "
      "bus= says (repeatable)",
      "PATH|size=SIZE[,pool=NAME][,bus=virtio|sata|scsi][,cache=MODE]" },
    { "cdrom", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options.media.cdroms,
      "Attach an ISO image as a cdrom (repeatable: in the order given)", "ISO" },
    { "network", 0, 0, G_OPTION_ARG_STRING, &options.network,
      "libvirt's default NAT network, a host bridge, or none", "default|bridge=BR|none" },
    { "firmware", 0, 0, G_OPTION_ARG_STRING, &options.firmware,
      "UEFI, UEFI with Secure Boot, or SeaBIOS", "efi|efi-secure|bios" },
    { "cpu-pin", 0, 0, G_OPTION_ARG_STRING, &options.cpu_pin,
      "Pin vCPUs: auto (the host keeps its first core), none, or host CPUs in vCPU order",
      "auto|none|LIST" },
    { "virt-type", 0, 0, G_OPTION_ARG_STRING, &options.virt_type,
      "kvm, or qemu for emulation (default: kvm when /dev/kvm exists)", "kvm|qemu" },
    { "print-xml", 0, 0, G_OPTION_ARG_NONE, &options.print_xml,
      "Print the domain XML to stdout instead of defining the VM", NULL },
    { "force", 0, 0, G_OPTION_ARG_NONE, &options.force,
      "Take devices the host uses (its console, a mounted disk, a --disk block device it "
      "mounts or swaps on), with a note; never host-critical ones", NULL },
    /* issue 11 */
    { "boot", 0, 0, G_OPTION_ARG_STRING, &options.media.boot,
      "Boot order: the devices to boot from, first to last (default: cdrom,disk with a --cdrom, "
      "else disk)", "cdrom,disk,network" },
    { "kernel", 0, 0, G_OPTION_ARG_FILENAME, &options.media.kernel,
      "Boot this kernel directly (a file on the host that runs the VM)", "PATH" },
    { "initrd", 0, 0, G_OPTION_ARG_FILENAME, &options.media.initrd,
      "The initramfs for --kernel", "PATH" },
    { "cmdline", 0, 0, G_OPTION_ARG_STRING, &options.media.cmdline,
      "The kernel command line for --kernel", "TEXT" },
    { "os", 0, 0, G_OPTION_ARG_STRING, &options.media.os,
      "The guest OS (vmctl os list): its needs set disk bus, NIC, firmware, TPM and minimum "
      "sizes", "ID" },
    { "drivers", 0, 0, G_OPTION_ARG_STRING, &options.media.drivers,
      "auto: attach the virtio-win driver ISO installed at " VMCTL_VIRTIO_WIN_ISO, "auto|none" },
    /* issue 12 */
    { "input", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options.inputs,
      "Give the guest a host keyboard, mouse or gamepad through evdev (a /dev/input/by-id "
      "event device), or the host's keyboards and mice with auto (repeatable)",
      "evdev=PATH|auto" },
    { "input-toggle", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.input_toggles,
      "The keys that switch evdev keyboard and mouse between host and guest: ctrl-ctrl "
      "(default), alt-alt, shift-shift, meta-meta, scrolllock or ctrl-scrolllock", "KEYS" },
    { "usb", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.usb,
      "Pass a host USB device by id, or by port to tell identical devices apart (repeatable)",
      "VENDOR:PRODUCT|BUS-PORT" },
    { "looking-glass", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, looking_glass_option,
      "Looking Glass shared memory sized for that screen (default 1920x1080; hdr doubles it), "
      "with SPICE for its keyboard and mouse", "WxH[,hdr]" },
    { "audio", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.audios,
      "An ich9 sound card playing into that backend (default: the profile's)",
      "pulseaudio|pipewire|jack|spice|none" },
    /* issue 13 */
    { "isolate-cpus", 0, 0, G_OPTION_ARG_NONE, &options.isolate_cpus,
      "While the VM runs, keep the host's own work, movable IRQs and low-power governors off "
      "its pinned CPUs", NULL },
    { NULL },
  };
  g_autoptr(VmctlSpec) spec = NULL;
  g_autoptr(VmctlContext) context = NULL;
  g_autofree gchar *xml = NULL;

  options.looking_glass = g_ptr_array_new_null_terminated (1, g_free, TRUE);
  if (!vmctl_invocation_parse_with_data (invocation, entries, &options, create_description,
                                         error))
    return FALSE;
  if (invocation->done)
    return TRUE;

  /* bad input is reported before the host is read */
  spec = spec_from_options (invocation->arguments[1], &options, error);
  if (spec == NULL)
    return FALSE;
  context = vmctl_invocation_open_context (invocation, error);
  if (context == NULL)
    return FALSE;
  vmctl_session_set_note_func (context->session, vmctl_output_note_line, NULL);
  xml = vmctl_session_create (context->session, spec,
                              options.print_xml ? VMCTL_CREATE_PRINT_XML : VMCTL_CREATE_FLAGS_NONE,
                              error);
  if (xml == NULL)
    return FALSE;
  if (options.print_xml)
    g_print ("%s%s", xml, g_str_has_suffix (xml, "\n") ? "" : "\n");
  else
    print_defined (context, spec->name);
  return TRUE;
}
