/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-hostcheck-system.c: the checks past the IOMMU: VFIO modules and
 * device, hugepages, UEFI firmware, vhost/tun devices and the libvirt
 * connection. */
#include "vmctl-hostcheck-private.h"
#include "vmctl-host-private.h"
#include "vmctl-libvirt.h"

#include <string.h>

#include <libvirt/virterror.h>

#include "vmctl-autocleanups.h"
#include "vmctl-connect.h"
#include "vmctl-firmware-private.h"
#include "vmctl-host-facts-private.h"
#include "vmctl-hugepages-private.h"

/* The three modules device assignment needs. vfio_virqfd is left out on
 * purpose: since Linux 6.2 it is part of vfio, and some kernels build it
 * in, so "modprobe vfio_virqfd" failing means nothing. */
static const gchar * const vfio_modules[] = { "vfio", "vfio_iommu_type1", "vfio_pci" };

/* the guest every profile builds, whose firmware the check looks for */
#define CHECK_MACHINE "q35"
#define CHECK_ARCHITECTURE "x86_64"

static const gchar vfio_modules_load_fix[] =
  "printf 'vfio\\nvfio_iommu_type1\\nvfio_pci\\n' > /etc/modules-load.d/vfio.conf";

/* "kernel/drivers/vfio/pci/vfio-pci.ko.zst" -> "vfio_pci": module files
 * may use '-' where the module name, as modprobe and sysfs show it, has
 * '_', and may be compressed */
static gchar *
module_name_from_path (const gchar *path)
{
  g_autofree gchar *base = g_path_get_basename (path);
  gchar *suffix = strstr (base, ".ko");

  if (suffix == NULL)
    return NULL;
  *suffix = '\0';
  g_strdelimit (base, "-", '_');
  return g_steal_pointer (&base);
}

/* Reads modules.builtin or modules.dep into a set of module names; FALSE
 * when the file cannot be read. For modules.dep only the module before
 * the ':' counts, not its dependencies. */
static gboolean
read_module_list (VmctlHost *host, const gchar *path, GHashTable *names)
{
  g_autofree gchar *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!vmctl_host_read (host, path, &contents, NULL, NULL))
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    gchar *colon = strchr (lines[i], ':');
    gchar *name;

    if (colon != NULL)
      *colon = '\0';
    g_strstrip (lines[i]);
    if (lines[i][0] == '\0')
      continue;
    name = module_name_from_path (lines[i]);
    if (name != NULL)
      g_hash_table_add (names, name);
  }
  return TRUE;
}

static const gchar *
module_state_to_string (VmctlModuleState state)
{
  switch (state) {
  case VMCTL_MODULE_LOADED:
    return "loaded";
  case VMCTL_MODULE_BUILTIN:
    return "built in";
  case VMCTL_MODULE_LOADABLE:
    return "not loaded";
  case VMCTL_MODULE_ABSENT:
    return "missing";
  case VMCTL_MODULE_UNKNOWN:
  default:
    return "not loaded, availability unknown";
  }
}

void
vmctl_host_check_vfio_modules (VmctlHostCheck *check)
{
  static const gchar id[] = "vfio.modules";
  static const gchar title[] = "VFIO kernel modules";
  g_autoptr(GHashTable) builtin = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) loadable = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *release = vmctl_host_read_line (check->host, "/proc/sys/kernel/osrelease", NULL);
  g_autofree gchar *message = NULL;
  g_autofree gchar *fix = NULL;
  gboolean have_lists = FALSE;
  VmctlModuleState worst = VMCTL_MODULE_LOADED;
  VmctlModuleState states[G_N_ELEMENTS (vfio_modules)];

  if (release != NULL && strchr (release, '/') == NULL) {
    g_autofree gchar *builtin_path = g_strconcat ("/lib/modules/", release, "/modules.builtin", NULL);
    g_autofree gchar *dep_path = g_strconcat ("/lib/modules/", release, "/modules.dep", NULL);

    have_lists |= read_module_list (check->host, builtin_path, builtin);
    have_lists |= read_module_list (check->host, dep_path, loadable);
  }

  for (gsize i = 0; i < G_N_ELEMENTS (vfio_modules); i++) {
    const gchar *module = vfio_modules[i];
    g_autofree gchar *sysfs = g_strconcat ("/sys/module/", module, NULL);

    /* built-in modules with parameters show up in /sys/module too, so
     * modules.builtin decides between the two */
    if (g_hash_table_contains (builtin, module))
      states[i] = VMCTL_MODULE_BUILTIN;
    else if (vmctl_host_exists (check->host, sysfs))
      states[i] = VMCTL_MODULE_LOADED;
    else if (g_hash_table_contains (loadable, module))
      states[i] = VMCTL_MODULE_LOADABLE;
    else if (have_lists)
      states[i] = VMCTL_MODULE_ABSENT;
    else
      states[i] = VMCTL_MODULE_UNKNOWN;
    g_ptr_array_add (parts, g_strdup_printf ("%s %s", module, module_state_to_string (states[i])));
  }
  check->vfio_state = states[0];

  /* ABSENT is the worst, then UNKNOWN, then LOADABLE */
  for (gsize i = 0; i < G_N_ELEMENTS (vfio_modules); i++) {
    if (states[i] == VMCTL_MODULE_ABSENT)
      worst = VMCTL_MODULE_ABSENT;
    else if (states[i] == VMCTL_MODULE_UNKNOWN && worst != VMCTL_MODULE_ABSENT)
      worst = VMCTL_MODULE_UNKNOWN;
    else if (states[i] == VMCTL_MODULE_LOADABLE && worst != VMCTL_MODULE_ABSENT
             && worst != VMCTL_MODULE_UNKNOWN)
      worst = VMCTL_MODULE_LOADABLE;
  }
  g_ptr_array_add (parts, NULL);
  message = g_strjoinv (", ", (gchar **) parts->pdata);

  switch (worst) {
  case VMCTL_MODULE_ABSENT:
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_FAIL,
                          "boot a kernel built with CONFIG_VFIO, CONFIG_VFIO_IOMMU_TYPE1 and "
                          "CONFIG_VFIO_PCI (=m or =y); every major distribution kernel has "
                          "them, e.g. apt install linux-image-amd64 on Debian",
                          "kernel lacks VFIO (CONFIG_VFIO_PCI): %s (kernel %s)", message,
                          release != NULL ? release : "unknown");
    break;
  case VMCTL_MODULE_UNKNOWN:
  case VMCTL_MODULE_LOADABLE:
    fix = g_strdup_printf ("load them now: modprobe -a vfio vfio_iommu_type1 vfio_pci; and at "
                           "every boot: %s", vfio_modules_load_fix);
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN, fix, "%s%s", message,
                          worst == VMCTL_MODULE_UNKNOWN
                          ? " (no modules.dep or modules.builtin for the running kernel)" : "");
    break;
  case VMCTL_MODULE_LOADED:
  case VMCTL_MODULE_BUILTIN:
  default:
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_PASS, NULL, "%s", message);
    break;
  }
}

void
vmctl_host_check_vfio_device (VmctlHostCheck *check)
{
  static const gchar id[] = "vfio.device";
  static const gchar title[] = "/dev/vfio/vfio";
  g_autofree gchar *fix = NULL;

  if (vmctl_host_exists (check->host, "/dev/vfio/vfio")) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_PASS, NULL,
                          "/dev/vfio/vfio exists (the VFIO container device)");
    return;
  }
  switch (check->vfio_state) {
  case VMCTL_MODULE_ABSENT:
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_FAIL,
                          "boot a kernel with CONFIG_VFIO (see vfio.modules)",
                          "no /dev/vfio/vfio: the kernel lacks VFIO");
    break;
  case VMCTL_MODULE_LOADABLE:
  case VMCTL_MODULE_UNKNOWN:
    fix = g_strdup_printf ("modprobe vfio_pci (it loads vfio); at every boot: %s",
                           vfio_modules_load_fix);
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN, fix,
                          "no /dev/vfio/vfio yet: it appears when the vfio module is loaded");
    break;
  case VMCTL_MODULE_LOADED:
  case VMCTL_MODULE_BUILTIN:
  default:
    /* vfio registers the misc device itself; without the node, devtmpfs
     * or udev did not create it */
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_FAIL,
                          "mkdir -p /dev/vfio && mknod -m 0666 /dev/vfio/vfio c 10 196 "
                          "(misc minor 196), and check that devtmpfs is mounted on /dev",
                          "vfio is %s but /dev/vfio/vfio is missing",
                          module_state_to_string (check->vfio_state));
    break;
  }
}

/* "16 GiB", "512 MiB", "3.5 GiB": exact where it can be */
static gchar *
format_bytes (guint64 bytes)
{
  const guint64 mib = G_GUINT64_CONSTANT (1) << 20;
  const guint64 gib = G_GUINT64_CONSTANT (1) << 30;

  if (bytes == 0)
    return g_strdup ("0 MiB");
  if (bytes % gib == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " GiB", bytes / gib);
  if (bytes < gib && bytes % mib == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " MiB", bytes / mib);
  return g_strdup_printf ("%.1f GiB", (gdouble) bytes / (gdouble) gib);
}

/* The suggested reservation: 16 GiB of 2 MiB pages, a typical gaming VM,
 * but never more than half of the host's RAM. */
static guint64
suggested_pages (VmctlHostCheck *check)
{
  guint64 target_kb = G_GUINT64_CONSTANT (16) << 20;
  VmctlMeminfo meminfo;
  /* whole GiB, at least one */
  guint64 half_kb;

  vmctl_meminfo_read (check->host, &meminfo);
  half_kb = MAX ((meminfo.total_kib / 2) >> 20, 1) << 20;
  if (meminfo.total_kib > 0 && half_kb < target_kb)
    target_kb = half_kb;
  return target_kb / VMCTL_HUGEPAGES_SMALLEST_KIB;
}

void
vmctl_host_check_hugepages (VmctlHostCheck *check)
{
  static const gchar id[] = "hugepages";
  static const gchar title[] = "Hugepages";
  g_autoptr(GArray) pools = vmctl_hugepages_read_pools (check->host);
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *message = NULL;
  g_autofree gchar *fix = NULL;
  g_autofree gchar *suggested_size = NULL;
  guint64 pages = suggested_pages (check);
  guint64 reserved = 0;
  guint64 available = 0;

  for (guint i = 0; i < pools->len; i++) {
    const VmctlHugepagePool *pool = &g_array_index (pools, VmctlHugepagePool, i);
    g_autofree gchar *free_size = format_bytes (pool->free * pool->page_kib * 1024);

    reserved += pool->total;
    available += pool->free;
    g_ptr_array_add (parts, g_strdup_printf ("%" G_GUINT64_FORMAT " kB: %" G_GUINT64_FORMAT
                                             " total, %" G_GUINT64_FORMAT " free (%s)",
                                             pool->page_kib, pool->total, pool->free, free_size));
  }
  g_ptr_array_add (parts, NULL);
  message = g_strjoinv ("; ", (gchar **) parts->pdata);

  suggested_size = format_bytes (pages * VMCTL_HUGEPAGES_SMALLEST_KIB * 1024);
  fix = g_strdup_printf ("echo %" G_GUINT64_FORMAT " > /proc/sys/vm/nr_hugepages (%s of 2 MiB "
                         "pages; size it to the VM's memory), or vm.nr_hugepages=%"
                         G_GUINT64_FORMAT " in /etc/sysctl.d/40-hugepages.conf to reserve "
                         "them at boot", pages, suggested_size, pages);

  if (pools->len == 0) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN,
                          "boot a kernel with CONFIG_HUGETLBFS (every distribution kernel has it)",
                          "no /sys/kernel/mm/hugepages: the kernel has no hugepage support; "
                          "VMs use ordinary 4 KiB pages");
    return;
  }
  if (available > 0) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_PASS, NULL, "%s", message);
    return;
  }
  /* works without, slower: the guest's memory is mapped with 4 KiB pages
   * and the TLB misses show up as stutter in games */
  vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN, fix,
                        "%s: %s; VMs use ordinary 4 KiB pages unless --hugepages finds some",
                        message, reserved == 0 ? "none reserved" : "all reserved pages are in use");
}

void
vmctl_host_check_hugepages_mount (VmctlHostCheck *check)
{
  static const gchar id[] = "hugepages.mount";
  static const gchar title[] = "hugetlbfs mount";
  g_autoptr(GPtrArray) mount_points = g_ptr_array_new ();
  g_autoptr(GPtrArray) mounts = vmctl_hugepages_read_mounts (check->host);
  g_autofree gchar *list = NULL;

  for (guint i = 0; mounts != NULL && i < mounts->len; i++)
    g_ptr_array_add (mount_points,
                     ((VmctlHugetlbfsMount *) g_ptr_array_index (mounts, i))->mount_point);
  if (mount_points->len > 0) {
    g_ptr_array_add (mount_points, NULL);
    list = g_strjoinv (", ", (gchar **) mount_points->pdata);
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_PASS, NULL,
                          "hugetlbfs mounted on %s", list);
    return;
  }
  vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN,
                        "mkdir -p /dev/hugepages && mount -t hugetlbfs hugetlbfs /dev/hugepages "
                        "(systemd: systemctl start dev-hugepages.mount); at boot, add this line "
                        "to /etc/fstab: hugetlbfs /dev/hugepages hugetlbfs defaults 0 0",
                        "no hugetlbfs in /proc/mounts: QEMU cannot back guest memory with "
                        "hugepages");
}

void
vmctl_host_check_firmware (VmctlHostCheck *check)
{
  static const gchar id[] = "firmware.ovmf";
  static const gchar title[] = "UEFI firmware (OVMF)";
  static const gchar install_fix[] =
    "apt install ovmf (Debian/Ubuntu) or dnf install edk2-ovmf (Fedora/RHEL)";
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GPtrArray) firmwares = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) missing = g_string_new (NULL);
  g_autofree gchar *fix = NULL;
  guint usable = 0;
  guint secure = 0;
  guint unusable = 0;

  firmwares = vmctl_firmware_list (check->host, &warnings, &error);
  if (firmwares == NULL) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_FAIL, install_fix,
                          "cannot read the firmware descriptors: %s", error->message);
    return;
  }
  /* the builds create could choose (vmctl_firmware_can_choose()) for
   * what every profile builds: an x86_64 q35 guest */
  for (guint i = 0; i < firmwares->len; i++) {
    const VmctlFirmware *firmware = g_ptr_array_index (firmwares, i);
    gboolean plain = vmctl_firmware_can_choose (firmware, FALSE, CHECK_MACHINE, CHECK_ARCHITECTURE);
    gboolean secure_boot = vmctl_firmware_can_choose (firmware, TRUE, CHECK_MACHINE,
                                                      CHECK_ARCHITECTURE);

    if (!plain && !secure_boot) {
      unusable += vmctl_firmware_is_uefi (firmware)
                  && vmctl_firmware_supports (firmware, CHECK_ARCHITECTURE, NULL);
      continue;
    }
    if (!firmware->executable_present) {
      g_string_append_printf (missing, "%s%s", missing->len > 0 ? ", " : "", firmware->executable);
      continue;
    }
    usable++;
    secure += secure_boot;
  }

  if (usable == 0) {
    if (missing->len > 0)
      fix = g_strdup_printf ("apt install --reinstall ovmf (Debian/Ubuntu) or dnf reinstall "
                             "edk2-ovmf (Fedora/RHEL); the descriptors name images that are "
                             "gone; if the package is not installed: %s", install_fix);
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_FAIL,
                          fix != NULL ? fix : install_fix,
                          "no UEFI firmware for x86_64 in /usr/share/qemu/firmware or "
                          "/etc/qemu/firmware (%u descriptor%s read%s%s%s%s)",
                          firmwares->len, firmwares->len == 1 ? "" : "s",
                          missing->len > 0 ? "; images missing: " : "", missing->str,
                          warnings->len > 0 ? "; some descriptors do not parse" : "",
                          unusable > 0 ? "; UEFI builds vmctl cannot use (not split flash in "
                                         "raw format with a variable store template)" : "");
    return;
  }
  if (warnings->len > 0) {
    /* libvirt's <os firmware='efi'> reads every descriptor and gives up
     * when one does not parse, so a stray file breaks VM definition */
    fix = g_strdup_printf ("fix or remove the broken descriptor (libvirt's firmware "
                           "autoselection fails while one does not parse): %s",
                           (const gchar *) g_ptr_array_index (warnings, 0));
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN, fix,
                          "%u UEFI build%s for x86_64%s, but %u descriptor%s do%s not parse",
                          usable, usable == 1 ? "" : "s",
                          secure > 0 ? " (Secure Boot available)" : "",
                          warnings->len, warnings->len == 1 ? "" : "s",
                          warnings->len == 1 ? "es" : "");
    return;
  }
  vmctl_host_check_add (check, id, title, VMCTL_CHECK_PASS, NULL,
                        "%u UEFI build%s for x86_64, %s%s%s", usable, usable == 1 ? "" : "s",
                        secure > 0 ? "Secure Boot build available" : "no Secure Boot build",
                        missing->len > 0 ? "; images missing: " : "", missing->str);
}

static void
check_device_node (VmctlHostCheck *check, const gchar *id, const gchar *title,
                   const gchar *path, const gchar *module, const gchar *consequence)
{
  g_autofree gchar *fix = NULL;

  if (vmctl_host_exists (check->host, path)) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_PASS, NULL, "%s exists", path);
    return;
  }
  fix = g_strdup_printf ("modprobe %s; at every boot: echo %s > /etc/modules-load.d/%s.conf",
                         module, module, module);
  vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN, fix, "no %s: %s", path, consequence);
}

void
vmctl_host_check_devices (VmctlHostCheck *check)
{
  check_device_node (check, "devices.vhost_net", "vhost-net", "/dev/vhost-net", "vhost_net",
                     "virtio networking runs in QEMU's userspace, slower");
  check_device_node (check, "devices.tun", "TUN/TAP", "/dev/net/tun", "tun",
                     "libvirt cannot create tap interfaces for bridged or NAT networks");
}

/* libvirt.connection from what the connection gave: versions, or the
 * error of opening it */
void
vmctl_host_check_libvirt_result (VmctlHostCheck *check, const gchar *library,
                                 const gchar *hypervisor, const GError *error)
{
  static const gchar id[] = "libvirt.connection";
  static const gchar title[] = "libvirt connection";
  const gchar *fix;

  if (error != NULL) {
    if (g_error_matches (error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_NO_DAEMON))
      fix = "systemctl start libvirtd (or the modular daemon: systemctl start virtqemud.socket), "
            "or run libvirtd -d where there is no service manager";
    else if (g_error_matches (error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_DENIED))
      fix = "add your user to the libvirt group: usermod -aG libvirt $USER (then log in again)";
    else if (g_error_matches (error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_BAD_URI))
      fix = "pass a valid URI with -c, e.g. qemu:///system or qemu+ssh://root@HOST/system";
    else
      fix = "see what libvirt says: virsh -c URI version";
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_FAIL, fix, "%s", error->message);
    return;
  }
  vmctl_host_check_add (check, id, title, VMCTL_CHECK_PASS, NULL,
                        "%s: libvirt %s, hypervisor %s", check->uri,
                        library != NULL ? library : "unknown",
                        hypervisor != NULL ? hypervisor : "unknown");
}

void
vmctl_host_check_libvirt (VmctlHostCheck *check)
{
  g_autoptr(VmctlConnect) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *library = NULL;
  g_autofree gchar *hypervisor = NULL;
  unsigned long library_version = 0;
  unsigned long hypervisor_version = 0;
  const gchar *type;

  connection = vmctl_connect_open (check->uri, TRUE, &error);
  if (connection == NULL) {
    vmctl_host_check_libvirt_result (check, NULL, NULL, error);
    return;
  }
  /* these can fail on drivers without a version; the connection still
   * works, so report what is known and drop libvirt's error */
  if (sym_virConnectGetLibVersion (connection, &library_version) < 0)
    library_version = 0;
  if (sym_virConnectGetVersion (connection, &hypervisor_version) < 0)
    hypervisor_version = 0;
  type = sym_virConnectGetType (connection);
  sym_virResetLastError ();

  library = library_version > 0 ? vmctl_host_facts_format_version (library_version) : NULL;
  if (hypervisor_version > 0) {
    g_autofree gchar *version = vmctl_host_facts_format_version (hypervisor_version);

    hypervisor = g_strdup_printf ("%s %s", type != NULL ? type : "unknown", version);
  } else {
    hypervisor = g_strdup_printf ("%s unknown", type != NULL ? type : "unknown");
  }
  vmctl_host_check_libvirt_result (check, library, hypervisor, NULL);
}

/* An emulated TPM 2.0 (Windows 11) needs swtpm on the host: libvirt
 * refuses TPM 2.0 without it */
void
vmctl_host_check_tpm (VmctlHostCheck *check)
{
  if (vmctl_host_has_swtpm (check->host))
    vmctl_host_check_add (check, "firmware.tpm", "TPM emulator (swtpm)", VMCTL_CHECK_PASS, NULL,
                          "/usr/bin/swtpm exists: VMs can have an emulated TPM 2.0");
  else
    vmctl_host_check_add (check, "firmware.tpm", "TPM emulator (swtpm)", VMCTL_CHECK_WARN,
                          "apt install swtpm swtpm-tools (Debian/Ubuntu) or dnf install swtpm "
                          "swtpm-tools (Fedora/RHEL)",
                          "no /usr/bin/swtpm: no emulated TPM, so Windows 11 guests will not "
                          "install");
}
