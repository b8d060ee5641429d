/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-setup-plan.c: what `vmctl host setup` would write, from what
 * the host is: its CPU vendor (which IOMMU switch), its boot loader and
 * initramfs tool (detected from their own files; two candidates or none is
 * an error, never a guess), the functions to bind early and whether their
 * ids are unique, the KVM module's nested setting, the vfio modules, the
 * hugepages. Only files whose contents change are planned. */
#include "vmctl-host-setup-private.h"

#include "vmctl-host-journal.h"
#include "vmctl-hugepages.h"
#include "vmctl-names.h"

#include <string.h>

#define UDEV_RULE "/etc/udev/rules.d/05-vmctl-vfio.rules"
#define MODPROBE_CONF "/etc/modprobe.d/vmctl-vfio.conf"
#define HEADER "# Written by vmctl host setup ('vmctl host setup --undo' puts back what was here).\n"

typedef enum {
  BOOT_NONE,
  BOOT_KERNELSTUB,      /* Pop!_OS: /etc/kernelstub/configuration */
  BOOT_GRUB,            /* /etc/default/grub + a grub.cfg */
  BOOT_KERNEL_INSTALL,  /* systemd-boot, /etc/kernel/cmdline read by kernel-install */
  BOOT_ENTRIES,         /* systemd-boot, hand-made loader entries */
} BootLoader;

typedef enum {
  INITRAMFS_NONE,
  INITRAMFS_TOOLS,      /* Debian, Ubuntu: /etc/initramfs-tools */
  INITRAMFS_DRACUT,     /* Fedora, RHEL, openSUSE: /etc/dracut.conf(.d) */
  INITRAMFS_MKINITCPIO, /* Arch: /etc/mkinitcpio.conf */
} InitramfsTool;

static const gchar * const loader_directories[] = { "/boot/loader", "/efi/loader",
                                                    "/boot/efi/loader", NULL };
static const gchar * const vfio_modules[] = { "vfio_pci", "vfio", "vfio_iommu_type1", NULL };

static void
edit_free (VmctlHostSetupEdit *edit)
{
  g_free (edit->path);
  vmctl_host_file_free (edit->before);
  g_free (edit->after);
  g_free (edit);
}

static void
command_free (VmctlHostSetupCommand *command)
{
  g_free (command->name);
  g_free (command->parameter);
  g_free (command);
}

void
vmctl_host_setup_plan_free (VmctlHostSetupPlan *plan)
{
  if (plan == NULL)
    return;
  g_ptr_array_unref (plan->edits);
  g_ptr_array_unref (plan->commands);
  g_ptr_array_unref (plan->settings);
  g_ptr_array_unref (plan->notes);
  g_free (plan);
}

/* plans @path's new contents @after (taken); nothing when unchanged */
static gboolean
plan_file (VmctlHostSetupPlan *plan, VmctlHost *host, const gchar *path, gchar *after,
           guint new_mode, GError **error)
{
  g_autofree gchar *owned = after;
  g_autoptr(VmctlHostFile) before = vmctl_host_file_read (host, path, error);
  VmctlHostSetupEdit *edit;

  if (before == NULL)
    return FALSE;
  if (before->exists && g_strcmp0 (before->contents, owned) == 0)
    return TRUE;
  edit = g_new0 (VmctlHostSetupEdit, 1);
  edit->path = g_strdup (path);
  edit->before = g_steal_pointer (&before);
  edit->after = g_steal_pointer (&owned);
  edit->new_mode = new_mode;
  g_ptr_array_add (plan->edits, edit);
  return TRUE;
}

static VmctlHostFile *
read_existing (VmctlHost *host, const gchar *path, GError **error)
{
  return vmctl_host_file_read (host, path, error);
}

static void
add_command (VmctlHostSetupPlan *plan, const gchar *name, const gchar *parameter)
{
  VmctlHostSetupCommand *command = g_new0 (VmctlHostSetupCommand, 1);

  for (guint i = 0; i < plan->commands->len; i++) {
    const VmctlHostSetupCommand *other = g_ptr_array_index (plan->commands, i);

    if (g_strcmp0 (other->name, name) == 0)
      return command_free (command);
  }
  command->name = g_strdup (name);
  command->parameter = g_strdup (parameter != NULL ? parameter : "");
  g_ptr_array_add (plan->commands, command);
}

static void
add_setting (VmctlHostSetupPlan *plan, const gchar *key, const gchar *value)
{
  g_ptr_array_add (plan->settings, g_strdup (key));
  g_ptr_array_add (plan->settings, g_strdup (value));
}

static gboolean
edits_touch (VmctlHostSetupPlan *plan, guint from)
{
  return plan->edits->len > from;
}

/* ---- what the host is ---- */

static gboolean
is_intel (VmctlHost *host)
{
  g_autofree gchar *cpuinfo = NULL;

  if (vmctl_host_read (host, "/proc/cpuinfo", &cpuinfo, NULL, NULL))
    return strstr (cpuinfo, "GenuineIntel") != NULL;
  return vmctl_host_exists (host, "/sys/firmware/acpi/tables/DMAR");
}

static gchar *
find_loader_directory (VmctlHost *host)
{
  for (guint i = 0; loader_directories[i] != NULL; i++) {
    g_autofree gchar *conf = g_build_filename (loader_directories[i], "loader.conf", NULL);

    if (vmctl_host_exists (host, conf))
      return g_strdup (loader_directories[i]);
  }
  return NULL;
}

static const gchar *
grub_config (VmctlHost *host)
{
  if (vmctl_host_exists (host, "/boot/grub/grub.cfg"))
    return "/boot/grub/grub.cfg";
  if (vmctl_host_exists (host, "/boot/grub2/grub.cfg"))
    return "/boot/grub2/grub.cfg";
  return NULL;
}

static gboolean
detect_boot_loader (VmctlHost *host, VmctlHostSetupPlan *plan, BootLoader *out, GError **error)
{
  g_autofree gchar *loader = find_loader_directory (host);
  gboolean grub = vmctl_host_exists (host, "/etc/default/grub") && grub_config (host) != NULL;

  if (vmctl_host_exists (host, "/etc/kernelstub/configuration")) {
    *out = BOOT_KERNELSTUB;
    g_ptr_array_add (plan->notes, g_strdup ("boot loader: systemd-boot managed by kernelstub "
                                            "(/etc/kernelstub/configuration)"));
    return TRUE;
  }
  if (grub && loader != NULL)
    return vmctl_host_setup_unsupported (error,
                                         "both GRUB (%s) and systemd-boot (%s/loader.conf) are set up: vmctl "
                                         "cannot tell which one boots this host; add the parameters by hand",
                                         grub_config (host), loader);
  if (grub) {
    *out = BOOT_GRUB;
    g_ptr_array_add (plan->notes, g_strdup_printf ("boot loader: GRUB (/etc/default/grub, %s)",
                                                   grub_config (host)));
    return TRUE;
  }
  if (loader != NULL && vmctl_host_exists (host, "/etc/kernel/cmdline")) {
    *out = BOOT_KERNEL_INSTALL;
    g_ptr_array_add (plan->notes, g_strdup ("boot loader: systemd-boot, entries made by "
                                            "kernel-install from /etc/kernel/cmdline"));
    return TRUE;
  }
  if (loader != NULL) {
    *out = BOOT_ENTRIES;
    g_ptr_array_add (plan->notes, g_strdup_printf ("boot loader: systemd-boot, entries in "
                                                   "%s/entries", loader));
    return TRUE;
  }
  return vmctl_host_setup_unsupported (error,
                                       "cannot tell which boot loader this host uses (no /etc/default/grub with a "
                                       "grub.cfg, no systemd-boot loader.conf, no kernelstub): vmctl never guesses; add "
                                       "the kernel parameters by hand");
}

static gboolean
detect_initramfs (VmctlHost *host, VmctlHostSetupPlan *plan, InitramfsTool *out, GError **error)
{
  static const struct {
    InitramfsTool tool;
    const gchar *config;
    const gchar *program;
  } tools[] = {
    { INITRAMFS_TOOLS, "/etc/initramfs-tools", "update-initramfs" },
    { INITRAMFS_DRACUT, "/etc/dracut.conf.d", "dracut" },
    { INITRAMFS_DRACUT, "/etc/dracut.conf", "dracut" },
    { INITRAMFS_MKINITCPIO, "/etc/mkinitcpio.conf", "mkinitcpio" },
  };
  InitramfsTool found = INITRAMFS_NONE;
  guint candidates = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (tools); i++) {
    g_autofree gchar *program = NULL;

    if (!vmctl_host_exists (host, tools[i].config) || found == tools[i].tool)
      continue;
    /* a config left behind by a tool since replaced: the program decides */
    program = g_find_program_in_path (tools[i].program);
    if (found != INITRAMFS_NONE && program == NULL)
      continue;
    if (found != INITRAMFS_NONE)
      candidates++;
    found = tools[i].tool;
    candidates += candidates == 0;
  }
  if (candidates > 1)
    return vmctl_host_setup_unsupported (error,
                                         "several initramfs tools are set up here: vmctl cannot tell which one "
                                         "builds this host's initramfs");
  if (found == INITRAMFS_NONE)
    return vmctl_host_setup_unsupported (error,
                                         "cannot tell how this host builds its initramfs (no initramfs-tools, "
                                         "dracut or mkinitcpio configuration): early binding with --gpu needs it");
  g_ptr_array_add (plan->notes,
                   g_strdup_printf ("initramfs: %s", found == INITRAMFS_TOOLS ? "initramfs-tools"
                                    : found == INITRAMFS_DRACUT ? "dracut" : "mkinitcpio"));
  *out = found;
  return TRUE;
}

/* ---- the kernel command line ---- */

static gboolean
plan_loader_entries (VmctlHostSetupPlan *plan, VmctlHost *host, const gchar * const *params,
                     GError **error)
{
  g_autofree gchar *loader = find_loader_directory (host);
  g_autofree gchar *entries = g_build_filename (loader, "entries", NULL);
  g_autofree gchar *path = vmctl_host_path (host, entries);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".conf") && name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  if (names->len == 0)
    return vmctl_host_setup_unsupported (error,
                                         "systemd-boot has no entries in %s to put the parameters in", entries);
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < names->len; i++) {
    g_autofree gchar *entry = g_build_filename (entries, g_ptr_array_index (names, i), NULL);
    g_autoptr(VmctlHostFile) file = NULL;

    if (!vmctl_host_record_is_setup_file (entry))
      return vmctl_host_setup_unsupported (error,
                                           "loader entry %s has a name vmctl does not edit", entry);
    file = read_existing (host, entry, error);
    if (file == NULL
        || !plan_file (plan, host, entry,
                       vmctl_host_setup_edit_loader_entry (file->contents, params), 0644, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
plan_cmdline (VmctlHostSetupPlan *plan, VmctlHost *host, BootLoader loader,
              const gchar * const *params, GError **error)
{
  g_autoptr(VmctlHostFile) file = NULL;
  g_autofree gchar *after = NULL;
  guint before = plan->edits->len;
  const gchar *path = loader == BOOT_GRUB ? "/etc/default/grub"
                      : loader == BOOT_KERNELSTUB ? "/etc/kernelstub/configuration"
                      : "/etc/kernel/cmdline";

  for (guint i = 0; params[i] != NULL; i++)
    add_setting (plan, "cmdline", params[i]);
  if (loader == BOOT_ENTRIES)
    return plan_loader_entries (plan, host, params, error);
  file = read_existing (host, path, error);
  if (file == NULL)
    return FALSE;
  if (loader == BOOT_GRUB)
    after = vmctl_host_setup_edit_grub (file->contents, params, error);
  else if (loader == BOOT_KERNELSTUB)
    after = vmctl_host_setup_edit_kernelstub (file->contents, params, error);
  else
    after = vmctl_host_setup_edit_cmdline (file->contents, params);
  if (after == NULL || !plan_file (plan, host, path, g_steal_pointer (&after), 0644, error))
    return FALSE;
  if (!edits_touch (plan, before))
    return TRUE;
  if (loader == BOOT_GRUB) {
    const gchar *config = grub_config (host);
    g_autofree gchar *update_grub = g_find_program_in_path ("update-grub");

    if (g_strcmp0 (config, "/boot/grub2/grub.cfg") == 0)
      add_command (plan, "grub2-mkconfig", config);
    else if (update_grub != NULL)
      add_command (plan, "update-grub", NULL);
    else
      add_command (plan, "grub-mkconfig", config);
  } else if (loader == BOOT_KERNELSTUB) {
    add_command (plan, "kernelstub", NULL);
  } else {
    g_autofree gchar *version = vmctl_host_read_line (host, "/proc/sys/kernel/osrelease", NULL);

    if (version == NULL
        || !g_regex_match_simple ("^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$", version, 0, 0))
      return vmctl_host_setup_unsupported (error,
                                           "cannot read the running kernel's version for kernel-install");
    add_command (plan, "kernel-install", version);
  }
  return TRUE;
}

/* ---- early binding ---- */

/* the module a function's driver lives in: its sysfs module link (nvidia,
 * snd_hda_intel), or the driver's name with '-' as '_' as modprobe reads it */
static gchar *
driver_module (VmctlHost *host, const gchar *driver)
{
  g_autofree gchar *link = g_build_filename ("/sys/bus/pci/drivers", driver, "module", NULL);
  g_autofree gchar *module = vmctl_host_read_link_name (host, link);

  if (module == NULL)
    module = g_strdup (driver);
  g_strdelimit (module, "-", '_');
  return vmctl_host_record_is_module (module) ? g_steal_pointer (&module) : NULL;
}

static guint
count_with_ids (const VmctlInventory *inventory, guint16 vendor, guint16 device)
{
  guint count = 0;

  for (guint i = 0; i < inventory->devices->len; i++) {
    const VmctlPciDevice *other = g_ptr_array_index (inventory->devices, i);

    count += other->vendor_id == vendor && other->device_id == device;
  }
  return count;
}

/* the softdeps, the ids that are unique on the host, and the udev rule */
static gboolean
plan_binding_files (VmctlHostSetupPlan *plan, VmctlHost *host,
                    const VmctlHostSetupRequest *request, GError **error)
{
  g_autoptr(GString) modprobe = g_string_new (HEADER "# vfio-pci loads before the drivers "
                                              "below, so it claims the functions the udev rule\n"
                                              "# " UDEV_RULE " names by address.\n");
  g_autoptr(GString) rule = g_string_new (HEADER "# These functions get vfio-pci at boot, by "
                                          "PCI address (never by id: an identical card\n"
                                          "# elsewhere stays with the host).\n");
  g_autoptr(GPtrArray) softdeps = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < request->functions->len; i++) {
    const VmctlPciAddress *address = &g_array_index (request->functions, VmctlPciAddress, i);
    const VmctlPciDevice *device = vmctl_inventory_find (request->inventory, address, error);
    g_autofree gchar *module = NULL;
    g_autofree gchar *id = NULL;
    gchar name[VMCTL_PCI_ADDRESS_STRLEN];

    if (device == NULL)
      return FALSE;
    vmctl_pci_address_format (address, name);
    g_string_append_printf (rule, "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"%s\", "
                            "ATTR{driver_override}=\"vfio-pci\"\n", name);
    add_setting (plan, "vfio-address", name);
    if (device->driver != NULL && !vmctl_pci_driver_is_vfio_safe (device->driver)
        && vmctl_name_is_driver (device->driver)
        && (module = driver_module (host, device->driver)) != NULL
        && !g_ptr_array_find_with_equal_func (softdeps, module, g_str_equal, NULL))
      g_ptr_array_add (softdeps, g_strdup (module));
    id = g_strdup_printf ("%04x:%04x", device->vendor_id, device->device_id);
    if (count_with_ids (request->inventory, device->vendor_id, device->device_id) > 1)
      g_ptr_array_add (plan->notes,
                       g_strdup_printf ("warning: %s has the id %s like another function on this "
                                        "host: bound by address only (vfio-pci.ids would take "
                                        "them all)", name, id));
    else if (!g_ptr_array_find_with_equal_func (ids, id, g_str_equal, NULL))
      g_ptr_array_add (ids, g_steal_pointer (&id));
  }
  for (guint i = 0; i < softdeps->len; i++)
    g_string_append_printf (modprobe, "softdep %s pre: vfio-pci\n",
                            (const gchar *) g_ptr_array_index (softdeps, i));
  if (ids->len > 0) {
    g_autofree gchar *joined = NULL;

    g_ptr_array_add (ids, NULL);
    joined = g_strjoinv (",", (gchar **) ids->pdata);
    g_string_append_printf (modprobe, "options vfio-pci ids=%s\n", joined);
  }
  return plan_file (plan, host, MODPROBE_CONF, g_string_free (g_steal_pointer (&modprobe), FALSE),
                    0644, error)
         && plan_file (plan, host, UDEV_RULE, g_string_free (g_steal_pointer (&rule), FALSE), 0644,
                       error);
}

/* the rule, the softdeps and the vfio modules in the initramfs, so a GPU
 * driver loaded there (early KMS) finds vfio-pci first */
static gboolean
plan_initramfs (VmctlHostSetupPlan *plan, VmctlHost *host, InitramfsTool tool, GError **error)
{
  static const gchar * const files[] = { UDEV_RULE, MODPROBE_CONF, NULL };
  g_autoptr(VmctlHostFile) file = NULL;
  gchar *after;

  switch (tool) {
  case INITRAMFS_TOOLS:
    /* /etc/modprobe.d is copied by mkinitramfs itself; the rule is not */
    if (!plan_file (plan, host, "/etc/initramfs-tools/hooks/vmctl-vfio",
                    g_strdup ("#!/bin/sh\n" HEADER
                              "# The vfio modules and vmctl's udev rule in the initramfs.\n"
                              "PREREQ=\"udev\"\n"
                              "prereqs() { echo \"$PREREQ\"; }\n"
                              "case \"$1\" in prereqs) prereqs; exit 0 ;; esac\n"
                              ". /usr/share/initramfs-tools/hook-functions\n"
                              "manual_add_modules vfio_pci vfio vfio_iommu_type1\n"
                              "mkdir -p \"${DESTDIR}/lib/udev/rules.d\"\n"
                              "cp -p " UDEV_RULE " \"${DESTDIR}/lib/udev/rules.d/\"\n"),
                    0755, error))
      return FALSE;
    add_command (plan, "update-initramfs", NULL);
    return TRUE;
  case INITRAMFS_DRACUT:
    if (!plan_file (plan, host, "/etc/dracut.conf.d/vmctl-vfio.conf",
                    g_strdup (HEADER "# The vfio modules and vmctl's udev rule and softdeps in "
                              "the initramfs.\n"
                              "force_drivers+=\" vfio_pci vfio vfio_iommu_type1 \"\n"
                              "install_items+=\" " UDEV_RULE " " MODPROBE_CONF " \"\n"),
                    0644, error))
      return FALSE;
    add_command (plan, "dracut", NULL);
    return TRUE;
  case INITRAMFS_MKINITCPIO:
    file = read_existing (host, "/etc/mkinitcpio.conf", error);
    if (file == NULL)
      return FALSE;
    after = vmctl_host_setup_edit_mkinitcpio (file->contents, vfio_modules, files, error);
    if (after == NULL || !plan_file (plan, host, "/etc/mkinitcpio.conf", after, 0644, error))
      return FALSE;
    add_command (plan, "mkinitcpio", NULL);
    return TRUE;
  case INITRAMFS_NONE:
  default:
    return TRUE;
  }
}

/* ---- the rest ---- */

static gboolean
plan_nested (VmctlHostSetupPlan *plan, VmctlHost *host, gboolean intel, GError **error)
{
  const gchar *module = intel ? "kvm_intel" : "kvm_amd";
  g_autofree gchar *parameter = g_strconcat ("/sys/module/", module, "/parameters/nested", NULL);
  g_autofree gchar *value = vmctl_host_read_line (host, parameter, NULL);
  g_autofree gchar *line = g_strdup_printf ("options %s nested=1", module);
  g_autofree gchar *prefix = g_strdup_printf ("options %s ", module);
  const gchar *lines[] = { line, NULL };
  g_autoptr(VmctlHostFile) file = NULL;

  /* on already (kvm_amd's default, kvm_intel's since 5.0): nothing to fix */
  if (g_strcmp0 (value, "Y") == 0 || g_strcmp0 (value, "1") == 0)
    return TRUE;
  add_setting (plan, "nested", module);
  file = read_existing (host, "/etc/modprobe.d/kvm-nested.conf", error);
  return file != NULL
         && plan_file (plan, host, "/etc/modprobe.d/kvm-nested.conf",
                       vmctl_host_setup_edit_lines (file->contents, lines, prefix), 0644, error);
}

static gboolean
plan_modules (VmctlHostSetupPlan *plan, VmctlHost *host, GError **error)
{
  static const gchar * const lines[] = { "vfio", "vfio_iommu_type1", "vfio_pci", NULL };
  g_autoptr(VmctlHostFile) file = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    add_setting (plan, "module", lines[i]);
  file = read_existing (host, "/etc/modules-load.d/vfio.conf", error);
  return file != NULL
         && plan_file (plan, host, "/etc/modules-load.d/vfio.conf",
                       vmctl_host_setup_edit_lines (file->contents, lines, NULL), 0644, error);
}

static gboolean
plan_hugepages (VmctlHostSetupPlan *plan, VmctlHost *host, guint64 memory_kib, GError **error)
{
  guint64 page_kib = vmctl_hugepages_default_page_kib (host);
  guint64 pages;
  g_autofree gchar *count = NULL;

  if (memory_kib == 0 || page_kib == 0)
    return TRUE;
  pages = (memory_kib + page_kib - 1) / page_kib;
  count = g_strdup_printf ("%" G_GUINT64_FORMAT, pages);
  add_setting (plan, "hugepages", count);
  return plan_file (plan, host, "/etc/sysctl.d/80-vmctl-hugepages.conf",
                    g_strdup_printf (HEADER "# %" G_GUINT64_FORMAT " MiB of %" G_GUINT64_FORMAT
                                     " KiB pages, reserved at boot before memory fragments.\n"
                                     "vm.nr_hugepages = %s\n", memory_kib / 1024, page_kib, count),
                    0644, error);
}

/**
 * vmctl_host_setup_plan: (skip)
 * @error: VMCTL_HOST_SETUP_ERROR_UNSUPPORTED when the boot loader or the
 *   initramfs tool cannot be told or a file cannot be edited safely;
 *   VMCTL_HOST_ERROR_READ for a file that is a link or unreadable
 *
 * Returns: (transfer full): every file that changes, with its new text,
 * and the commands that make them count
 */
VmctlHostSetupPlan *
vmctl_host_setup_plan (VmctlHost *host, const VmctlHostSetupRequest *request, GError **error)
{
  g_autoptr(VmctlHostSetupPlan) plan = g_new0 (VmctlHostSetupPlan, 1);
  g_autoptr(GPtrArray) params = g_ptr_array_new ();
  gboolean intel = is_intel (host);
  gboolean binding = request->functions != NULL && request->functions->len > 0;
  BootLoader loader = BOOT_NONE;
  InitramfsTool tool = INITRAMFS_NONE;
  guint before_binding;

  plan->edits = g_ptr_array_new_with_free_func ((GDestroyNotify) edit_free);
  plan->commands = g_ptr_array_new_with_free_func ((GDestroyNotify) command_free);
  plan->settings = g_ptr_array_new_with_free_func (g_free);
  plan->notes = g_ptr_array_new_with_free_func (g_free);
  if (!detect_boot_loader (host, plan, &loader, error)
      || (binding && !detect_initramfs (host, plan, &tool, error)))
    return NULL;
  /* on AMD the IOMMU is on when the firmware enables it: amd_iommu=on is
   * no setting the kernel knows */
  if (intel)
    g_ptr_array_add (params, (gpointer) "intel_iommu=on");
  g_ptr_array_add (params, (gpointer) "iommu=pt");
  /* dracut loads rd.driver.pre modules before udev runs any driver */
  if (binding && tool == INITRAMFS_DRACUT)
    g_ptr_array_add (params, (gpointer) "rd.driver.pre=vfio-pci");
  g_ptr_array_add (params, NULL);
  /* the initramfs first: kernel-install and kernelstub copy it to the ESP */
  before_binding = plan->edits->len;
  if (binding && (!plan_binding_files (plan, host, request, error)
                  || !plan_initramfs (plan, host, tool, error)))
    return NULL;
  /* nothing the initramfs holds changed: it need not be rebuilt */
  if (!edits_touch (plan, before_binding))
    g_ptr_array_set_size (plan->commands, 0);
  if (!plan_cmdline (plan, host, loader, (const gchar * const *) params->pdata, error)
      || !plan_nested (plan, host, intel, error)
      || !plan_modules (plan, host, error)
      || !plan_hugepages (plan, host, request->hugepages_kib, error))
    return NULL;
  return g_steal_pointer (&plan);
}

/**
 * vmctl_host_setup_describe_setting: (skip)
 * Returns: (transfer full): a setting for people ("kernel command line:
 * iommu=pt")
 */
gchar *
vmctl_host_setup_describe_setting (const gchar *key, const gchar *value)
{
  if (g_strcmp0 (key, "cmdline") == 0)
    return g_strdup_printf ("kernel command line: %s", value);
  if (g_strcmp0 (key, "vfio-address") == 0)
    return g_strdup_printf ("%s on vfio-pci from boot", value);
  if (g_strcmp0 (key, "nested") == 0)
    return g_strdup_printf ("%s nested=1", value);
  if (g_strcmp0 (key, "hugepages") == 0)
    return g_strdup_printf ("vm.nr_hugepages = %s", value);
  return g_strdup_printf ("module %s loaded at boot", value);
}
