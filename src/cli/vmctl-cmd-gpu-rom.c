/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-gpu-rom.c: vmctl gpu rom check FILE and vmctl gpu rom dump
 * ADDR OUT: is a vBIOS file one QEMU can give the guest, and reading one
 * from a card. */
#include "vmctl-output.h"

#include "vmctl-session-desk.h"

static const gchar rom_check_description[] =
  "Checks a GPU ROM (vBIOS) file before it goes into 'vmctl create --gpu\n"
  "ADDR,rom=FILE': the 0x55AA signature and PCIR structure of each image, the\n"
  "image types (legacy x86, EFI: OVMF needs the EFI one to show anything before\n"
  "the guest's driver loads), the legacy image's checksum, truncation, and a\n"
  "flash tool's header before the first image (NVIDIA's nvflash dumps and many\n"
  "downloads have one; QEMU needs the file without it). With --gpu the ROM's\n"
  "vendor:device must be that card's. --strip OUT writes the images alone to a\n"
  "new file OUT and checks that. Exit status 0 when the file (or OUT) is usable,\n"
  "1 when not.\n"
  "\n"
  "Examples:\n"
  "  vmctl gpu rom check /srv/vbios/4080.rom --gpu 01:00.0\n"
  "  vmctl gpu rom check TU104.rom --strip TU104-clean.rom";

static const gchar rom_dump_description[] =
  "Reads the ROM of the card at ADDR through sysfs (write 1 to its rom file,\n"
  "read it, write 0) into the new file OUT. Refused while the host uses the card\n"
  "(its console, a framebuffer on it, a process holding it). A running card\n"
  "(bound to its driver) and the boot GPU, whose ROM the kernel gives from the\n"
  "firmware's shadow copy, may give a changed or empty ROM: vmctl says so. The\n"
  "safe dump is of a card on vfio-pci that no guest has run yet.\n"
  "\n"
  "Examples:\n"
  "  vmctl gpu detach 01:00.0 && vmctl gpu rom dump 01:00.0 /srv/vbios/4080.rom";

static gchar *
image_summary (const VmctlRomImage *image)
{
  const gchar *machine = "";

  if (image->code_type == VMCTL_ROM_CODE_EFI)
    machine = image->efi_machine == 0x8664 ? " (x64)" : image->efi_machine == 0xaa64 ? " (ARM64)"
              : image->efi_machine == 0x014c ? " (IA32)" : "";
  return g_strdup_printf ("%s%s", vmctl_rom_code_type_name (image->code_type), machine);
}

static void
add_rom_json (JsonBuilder *builder, const VmctlRom *rom)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "usable");
  json_builder_add_boolean_value (builder, rom->problems->len == 0);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, (gint64) rom->length);
  json_builder_set_member_name (builder, "header_bytes");
  json_builder_add_int_value (builder, (gint64) rom->header_length);
  json_builder_set_member_name (builder, "nvidia_header");
  json_builder_add_boolean_value (builder, rom->nvidia_header);
  json_builder_set_member_name (builder, "images");
  json_builder_begin_array (builder);
  for (guint i = 0; i < rom->images->len; i++) {
    const VmctlRomImage *image = &g_array_index (rom->images, VmctlRomImage, i);
    g_autofree gchar *type = image_summary (image);
    g_autofree gchar *ids = g_strdup_printf ("%04x:%04x", image->vendor_id, image->device_id);

    json_builder_begin_object (builder);
    vmctl_json_add_string_or_null (builder, "type", type);
    json_builder_set_member_name (builder, "code_type");
    json_builder_add_int_value (builder, image->code_type);
    json_builder_set_member_name (builder, "offset");
    json_builder_add_int_value (builder, (gint64) image->offset);
    json_builder_set_member_name (builder, "length");
    json_builder_add_int_value (builder, (gint64) image->length);
    vmctl_json_add_string_or_null (builder, "id", ids);
    json_builder_set_member_name (builder, "checksum_ok");
    json_builder_add_boolean_value (builder, image->checksum_ok);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  vmctl_json_add_string_array (builder, "problems", rom->problems);
  vmctl_json_add_string_array (builder, "warnings", rom->warnings);
  json_builder_end_object (builder);
}

/* {"file": FILE, "rom": {...}, then the caller's members; the caller ends
 * the object */
static void
begin_rom_json (JsonBuilder *builder, const gchar *file, const VmctlRom *rom)
{
  json_builder_begin_object (builder);
  vmctl_json_add_string_or_null (builder, "file", file);
  json_builder_set_member_name (builder, "rom");
  add_rom_json (builder, rom);
}

static void
print_rom (const gchar *path, const VmctlRom *rom)
{
  g_autofree gchar *answer = NULL;

  g_print ("%s: %zu bytes, %u image%s\n", path, rom->length, rom->images->len,
           rom->images->len == 1 ? "" : "s");
  for (guint i = 0; i < rom->images->len; i++) {
    const VmctlRomImage *image = &g_array_index (rom->images, VmctlRomImage, i);
    g_autofree gchar *type = image_summary (image);

    g_print ("  image %u  %-16s at 0x%06zx  %7zu bytes  %04x:%04x%s\n", i + 1, type,
             image->offset, image->length, image->vendor_id, image->device_id,
             image->code_type != VMCTL_ROM_CODE_X86 ? ""
             : image->checksum_ok ? "  checksum ok" : "  BAD CHECKSUM");
  }
  for (guint i = 0; i < rom->problems->len; i++)
    g_print ("  problem: %s\n", (const gchar *) g_ptr_array_index (rom->problems, i));
  for (guint i = 0; i < rom->warnings->len; i++)
    g_print ("  warning: %s\n", (const gchar *) g_ptr_array_index (rom->warnings, i));
  answer = rom->problems->len == 0 ? vmctl_output_style (VMCTL_STYLE_GOOD, "usable")
                                   : vmctl_output_style (VMCTL_STYLE_BAD, "NOT usable as it is");
  g_print ("%s\n", answer);
}

gboolean
vmctl_cmd_gpu_rom_check (VmctlInvocation *invocation, GError **error)
{
  g_autofree gchar *gpu_text = NULL;
  g_autofree gchar *strip_out = NULL;
  const GOptionEntry entries[] = {
    { "gpu", 0, 0, G_OPTION_ARG_STRING, &gpu_text,
      "Check that the ROM is for the card at ADDR", "ADDR" },
    { "strip", 0, 0, G_OPTION_ARG_FILENAME, &strip_out,
      "Write the ROM images alone (without a flash tool's header) to the new file OUT", "OUT" },
    { NULL },
  };
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(VmctlRomReport) report = NULL;
  VmctlPciAddress gpu;
  const VmctlRom *verdict;

  if (!vmctl_invocation_parse (invocation, entries, rom_check_description, error))
    return FALSE;
  if (invocation->done)
    return TRUE;
  if (gpu_text != NULL && !vmctl_pci_address_parse (gpu_text, &gpu, error))
    return FALSE;
  context = vmctl_invocation_open_context (invocation, error);
  if (context == NULL)
    return FALSE;
  report = vmctl_session_gpu_rom_check (context->session, invocation->arguments[1],
                                        gpu_text != NULL ? &gpu : NULL, strip_out, error);
  if (report == NULL)
    return FALSE;
  /* with --strip, what was written is what the user goes on with */
  verdict = report->stripped != NULL ? report->stripped : report->rom;
  if (context->json) {
    g_autoptr(JsonBuilder) builder = json_builder_new ();

    begin_rom_json (builder, invocation->arguments[1], report->rom);
    vmctl_json_add_string_or_null (builder, "stripped_file", report->stripped_path);
    if (report->stripped != NULL) {
      json_builder_set_member_name (builder, "stripped");
      add_rom_json (builder, report->stripped);
    }
    json_builder_end_object (builder);
    vmctl_json_print (builder);
  } else {
    print_rom (invocation->arguments[1], report->rom);
    if (report->stripped_path != NULL) {
      g_print ("\nwrote %s:\n", report->stripped_path);
      if (report->stripped != NULL)
        print_rom (report->stripped_path, report->stripped);
    }
  }
  invocation->exit_status = verdict != NULL && verdict->problems->len == 0 ? VMCTL_EXIT_SUCCESS
                                                                           : VMCTL_EXIT_FAILURE;
  return TRUE;
}

gboolean
vmctl_cmd_gpu_rom_dump (VmctlInvocation *invocation, GError **error)
{
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(VmctlRomDump) dump = NULL;
  VmctlPciAddress address;

  if (!vmctl_invocation_parse (invocation, NULL, rom_dump_description, error))
    return FALSE;
  if (invocation->done)
    return TRUE;
  if (!vmctl_pci_address_parse (invocation->arguments[1], &address, error))
    return FALSE;
  context = vmctl_invocation_open_context (invocation, error);
  if (context == NULL)
    return FALSE;
  dump = vmctl_session_gpu_rom_dump (context->session, &address, invocation->arguments[2], error);
  if (dump == NULL)
    return FALSE;
  if (context->json) {
    g_autoptr(JsonBuilder) builder = json_builder_new ();

    begin_rom_json (builder, invocation->arguments[2], dump->rom);
    vmctl_json_add_string_array (builder, "dump_warnings", dump->warnings);
    json_builder_end_object (builder);
    vmctl_json_print (builder);
  } else {
    for (guint i = 0; i < dump->warnings->len; i++)
      g_printerr ("vmctl: note: %s\n", (const gchar *) g_ptr_array_index (dump->warnings, i));
    print_rom (invocation->arguments[2], dump->rom);
  }
  return TRUE;
}
