/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-hostcheck-desk.c: the host checks of issue 12, present only when
 * a VM defined on the connection needs them:
 *  - input.evdev: the event devices VMs take (<input type='evdev'>) are
 *    there, and QEMU may open them. libvirt (7.4 and later) adds each to
 *    the VM's device cgroup and labels it for QEMU itself (DAC, SELinux,
 *    AppArmor through virt-aa-helper); what stays with the user is
 *    dynamic_ownership = 0 in qemu.conf, where QEMU's user needs the
 *    input group.
 *  - looking_glass: the IVSHMEM memory Looking Glass shares. QEMU creates
 *    /dev/shm/looking-glass as its own user unless tmpfiles made it first
 *    with the client's user; /dev/kvmfr0 (kvmfr module) comes through
 *    qemu:commandline, which libvirt knows nothing of: it must be in
 *    cgroup_device_acl, and in the AppArmor abstraction where AppArmor
 *    runs (Looking Glass's documentation). */
#include "vmctl-hostcheck-private.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>
#include <sys/stat.h>

#include "vmctl-autocleanups.h"
#include "vmctl-connect.h"
#include "vmctl-domain-xml.h"
#include "vmctl-libvirt.h"

#define QEMU_CONF "/etc/libvirt/qemu.conf"
#define APPARMOR_LOCAL "/etc/apparmor.d/local/abstractions/libvirt-qemu"
#define SHM_PATH "/dev/shm/looking-glass"
#define KVMFR_PATH "/dev/kvmfr0"

typedef struct {
  GPtrArray *evdev;           /* gchar* "VM: PATH" */
  GPtrArray *evdev_paths;     /* gchar* PATH, same order */
  GPtrArray *shm_vms;         /* gchar* VM names with <shmem name='looking-glass'> */
  GPtrArray *kvmfr_vms;       /* gchar* VM names passing /dev/kvmfr0 */
} DeskUse;

static void
desk_use_clear (DeskUse *use)
{
  g_clear_pointer (&use->evdev, g_ptr_array_unref);
  g_clear_pointer (&use->evdev_paths, g_ptr_array_unref);
  g_clear_pointer (&use->shm_vms, g_ptr_array_unref);
  g_clear_pointer (&use->kvmfr_vms, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DeskUse, desk_use_clear)

static void
scan_domain (DeskUse *use, const gchar *name, const gchar *xml)
{
  g_autoptr(xmlDoc) document = xmlReadMemory (xml, (int) strlen (xml), "domain.xml", NULL,
                                              XML_PARSE_NONET | XML_PARSE_NOERROR
                                              | XML_PARSE_NOWARNING);
  g_autoptr(xmlXPathContext) context = NULL;
  g_autoptr(xmlXPathObject) evdev = NULL;
  g_autoptr(xmlXPathObject) shm = NULL;
  g_autoptr(xmlXPathObject) kvmfr = NULL;

  if (document == NULL)
    return;
  context = xmlXPathNewContext (document);
  evdev = xmlXPathEvalExpression ((const xmlChar *) "/domain/devices/input[@type='evdev']/source/@dev",
                                  context);
  for (gint i = 0; evdev != NULL && evdev->nodesetval != NULL && i < evdev->nodesetval->nodeNr; i++) {
    g_autofree xmlChar *path = xmlNodeGetContent (evdev->nodesetval->nodeTab[i]);

    g_ptr_array_add (use->evdev, g_strdup_printf ("%s: %s", name, (const gchar *) path));
    g_ptr_array_add (use->evdev_paths, g_strdup ((const gchar *) path));
  }
  shm = xmlXPathEvalExpression ((const xmlChar *) "/domain/devices/shmem[@name='looking-glass']",
                                context);
  if (shm != NULL && shm->nodesetval != NULL && shm->nodesetval->nodeNr > 0)
    g_ptr_array_add (use->shm_vms, g_strdup (name));
  /* the commandline vmctl writes, or its own record of it (a driver
   * without the qemu namespace keeps only the latter) */
  kvmfr = xmlXPathEvalExpression ((const xmlChar *) "/domain/*[local-name()='commandline']"
                                  "/*[local-name()='arg'][contains(@value, '/dev/kvmfr')]"
                                  " | /domain/metadata/*[namespace-uri()='"
                                  VMCTL_METADATA_NAMESPACE "']/*[local-name()='spec']"
                                  "/*[local-name()='looking-glass'][@backend='kvmfr']",
                                  context);
  if (kvmfr != NULL && kvmfr->nodesetval != NULL && kvmfr->nodesetval->nodeNr > 0)
    g_ptr_array_add (use->kvmfr_vms, g_strdup (name));
}

/* What the VMs defined on @uri use; FALSE when libvirt cannot be asked */
static gboolean
scan_domains (const gchar *uri, DeskUse *use)
{
  g_autoptr(VmctlConnect) connection = vmctl_connect_open (uri, TRUE, NULL);
  virDomainPtr *domains = NULL;
  int count;

  if (connection == NULL)
    return FALSE;
  count = sym_virConnectListAllDomains (connection, &domains, 0);
  if (count < 0) {
    sym_virResetLastError ();
    return FALSE;
  }
  for (int i = 0; i < count; i++) {
    char *xml = sym_virDomainGetXMLDesc (domains[i], VIR_DOMAIN_XML_INACTIVE);

    if (xml != NULL)
      scan_domain (use, sym_virDomainGetName (domains[i]), xml);
    free (xml);
    sym_virDomainFree (domains[i]);
  }
  free (domains);
  sym_virResetLastError ();
  return TRUE;
}

/* qemu.conf without its comments */
static gchar *
qemu_conf (VmctlHost *host)
{
  g_autofree gchar *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!vmctl_host_read (host, QEMU_CONF, &contents, NULL, NULL))
    return g_strdup ("");
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    gchar *hash = strchr (lines[i], '#');

    if (hash != NULL)
      *hash = '\0';
  }
  return g_strjoinv ("\n", lines);
}

static gboolean
conf_sets (const gchar *conf, const gchar *pattern)
{
  return g_regex_match_simple (pattern, conf, G_REGEX_MULTILINE, 0);
}

/* whether cgroup_device_acl's list names @path */
static gboolean
acl_has (const gchar *conf, const gchar *path)
{
  const gchar *start = strstr (conf, "cgroup_device_acl");
  const gchar *end = start != NULL ? strchr (start, ']') : NULL;
  g_autofree gchar *quoted = g_strdup_printf ("\"%s\"", path);
  g_autofree gchar *list = NULL;

  if (end == NULL)
    return FALSE;
  list = g_strndup (start, (gsize) (end - start));
  return strstr (list, quoted) != NULL;
}

static gboolean
apparmor_enabled (VmctlHost *host)
{
  g_autofree gchar *enabled = vmctl_host_read_line (host, "/sys/module/apparmor/parameters/enabled",
                                                     NULL);

  return g_strcmp0 (enabled, "Y") == 0;
}

static gboolean
file_mentions (VmctlHost *host, const gchar *path, const gchar *text)
{
  g_autofree gchar *contents = NULL;

  return vmctl_host_read (host, path, &contents, NULL, NULL) && strstr (contents, text) != NULL;
}

static gchar *
joined (GPtrArray *items)
{
  g_ptr_array_add (items, NULL);
  {
    gchar *text = g_strjoinv (", ", (gchar **) items->pdata);

    g_ptr_array_remove_index (items, items->len - 1);
    return text;
  }
}

static void
check_evdev (VmctlHostCheck *check, DeskUse *use)
{
  static const gchar id[] = "input.evdev";
  static const gchar title[] = "evdev keyboard and mouse";
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();
  g_autofree gchar *conf = qemu_conf (check->host);
  g_autofree gchar *list = joined (use->evdev);

  for (guint i = 0; i < use->evdev_paths->len; i++)
    if (!vmctl_host_exists (check->host, g_ptr_array_index (use->evdev_paths, i)))
      g_ptr_array_add (missing, g_ptr_array_index (use->evdev, i));
  if (missing->len > 0) {
    g_autofree gchar *gone = joined (missing);

    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN,
                          "plug the devices back in (vmctl input list shows what is there), or "
                          "define the VM again with the devices there now",
                          "not there now (the VM will not start): %s", gone);
    return;
  }
  if (conf_sets (conf, "^\\s*dynamic_ownership\\s*=\\s*0")) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN,
                          "usermod -aG input libvirt-qemu (QEMU's user in " QEMU_CONF "), or "
                          "dynamic_ownership = 1 there, then restart libvirtd",
                          "%s: dynamic_ownership = 0 in " QEMU_CONF ", so libvirt does not give "
                          "QEMU the event devices (root:input 0660)", list);
    return;
  }
  vmctl_host_check_add (check, id, title, VMCTL_CHECK_PASS, NULL,
                        "%s: present; libvirt allows and labels them for QEMU itself (cgroup, "
                        "DAC, SELinux, AppArmor), nothing goes into cgroup_device_acl", list);
}

static void
check_shm (VmctlHostCheck *check, const gchar *vms, gboolean apparmor)
{
  static const gchar id[] = "looking_glass";
  static const gchar title[] = "Looking Glass shared memory";
  g_autofree gchar *path = vmctl_host_path (check->host, SHM_PATH);
  g_autofree gchar *tmpfiles = vmctl_host_path (check->host, "/etc/tmpfiles.d");
  g_autoptr(GDir) dir = g_dir_open (tmpfiles, 0, NULL);
  gboolean configured = FALSE;
  struct stat info;
  const gchar *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *file = g_build_filename ("/etc/tmpfiles.d", name, NULL);

    if (g_str_has_suffix (name, ".conf") && file_mentions (check->host, file, SHM_PATH))
      configured = TRUE;
  }
  if (!configured) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN,
                          "echo 'f " SHM_PATH " 0660 USER kvm -' > "
                          "/etc/tmpfiles.d/10-looking-glass.conf (USER: who runs the client), "
                          "then systemd-tmpfiles --create /etc/tmpfiles.d/10-looking-glass.conf",
                          "%s: no tmpfiles.d line makes " SHM_PATH ", so QEMU creates it as "
                          "its own user and the Looking Glass client cannot open it", vms);
    return;
  }
  if (apparmor && !file_mentions (check->host, APPARMOR_LOCAL, SHM_PATH)) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN,
                          "echo '" SHM_PATH " rw,' >> " APPARMOR_LOCAL ", then restart libvirtd",
                          "%s: AppArmor confines QEMU and its profile does not allow " SHM_PATH,
                          vms);
    return;
  }
  if (stat (path, &info) == 0 && (info.st_mode & 0060) != 0060) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN,
                          "rm " SHM_PATH " while the VM is off, then systemd-tmpfiles --create",
                          "%s: " SHM_PATH " is mode %04o, which its group cannot read and write",
                          vms, (guint) (info.st_mode & 07777));
    return;
  }
  vmctl_host_check_add (check, id, title, VMCTL_CHECK_PASS, NULL,
                        "%s: tmpfiles.d makes " SHM_PATH " for the client's user%s", vms,
                        stat (path, &info) == 0 ? "; it is there now" : "");
}

static void
check_kvmfr (VmctlHostCheck *check, const gchar *vms, gboolean apparmor)
{
  static const gchar id[] = "looking_glass.kvmfr";
  static const gchar title[] = "Looking Glass kvmfr";
  g_autofree gchar *conf = qemu_conf (check->host);
  g_autofree gchar *size = vmctl_host_read_line (check->host,
                                                 "/sys/module/kvmfr/parameters/static_size_mb",
                                                 NULL);

  if (!vmctl_host_is_directory (check->host, "/sys/module/kvmfr")) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_FAIL,
                          "modprobe kvmfr (with options kvmfr static_size_mb=SIZE in "
                          "/etc/modprobe.d/kvmfr.conf, and kvmfr in "
                          "/etc/modules-load.d/kvmfr.conf)",
                          "%s: pass " KVMFR_PATH " but the kvmfr module is not loaded", vms);
    return;
  }
  if (!acl_has (conf, KVMFR_PATH)) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN,
                          "add \"" KVMFR_PATH "\" to cgroup_device_acl in " QEMU_CONF " (after "
                          "the default entries), then restart libvirtd",
                          "%s: " KVMFR_PATH " comes through qemu:commandline, and "
                          "cgroup_device_acl in " QEMU_CONF " does not allow it", vms);
    return;
  }
  if (apparmor && !file_mentions (check->host, APPARMOR_LOCAL, KVMFR_PATH)) {
    vmctl_host_check_add (check, id, title, VMCTL_CHECK_WARN,
                          "echo '" KVMFR_PATH " rw,' >> " APPARMOR_LOCAL ", then restart "
                          "libvirtd",
                          "%s: AppArmor confines QEMU and its profile does not allow "
                          KVMFR_PATH, vms);
    return;
  }
  vmctl_host_check_add (check, id, title, VMCTL_CHECK_PASS, NULL,
                        "%s: kvmfr loaded (static_size_mb=%s), " KVMFR_PATH " allowed for QEMU",
                        vms, size != NULL ? size : "?");
}

/**
 * vmctl_host_check_desk:
 *
 * Adds input.evdev, looking_glass and looking_glass.kvmfr when a VM
 * defined on check->uri uses them; nothing when none does or libvirt
 * cannot be asked.
 */
void
vmctl_host_check_desk (VmctlHostCheck *check)
{
  g_auto(DeskUse) use = { 0 };
  gboolean apparmor;

  if (check->uri == NULL)
    return;
  use.evdev = g_ptr_array_new_with_free_func (g_free);
  use.evdev_paths = g_ptr_array_new_with_free_func (g_free);
  use.shm_vms = g_ptr_array_new_with_free_func (g_free);
  use.kvmfr_vms = g_ptr_array_new_with_free_func (g_free);
  if (!scan_domains (check->uri, &use))
    return;
  apparmor = apparmor_enabled (check->host);
  if (use.evdev->len > 0)
    check_evdev (check, &use);
  if (use.shm_vms->len > 0) {
    g_autofree gchar *vms = joined (use.shm_vms);

    check_shm (check, vms, apparmor);
  }
  if (use.kvmfr_vms->len > 0) {
    g_autofree gchar *vms = joined (use.kvmfr_vms);

    check_kvmfr (check, vms, apparmor);
  }
}
