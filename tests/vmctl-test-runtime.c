/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vmctl-test-runtime.h"

#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <string.h>

void
vmctl_test_runtime_setup (RuntimeFixture *fixture, gconstpointer with_bus)
{
  g_autofree gchar *modprobe = vmctl_test_source_path ("tests/sim/sim-modprobe.sh");
  const gchar *root;

  g_unsetenv ("VMCTL_SIM_ROOT");
  vmctl_test_lifecycle_setup (&fixture->lifecycle, NULL);
  vmctl_test_domain_setup_scenario (&fixture->lifecycle.domain, "single-gpu");
  root = fixture->lifecycle.domain.root;
  vmctl_test_write (root, ".sim/log", "");
  /* what each function's driver is when it probes on its own */
  vmctl_test_write (root, "sys/bus/pci/devices/0000:01:00.0/.sim-native-driver", "nvidia\n");
  vmctl_test_write (root, "sys/bus/pci/devices/0000:01:00.1/.sim-native-driver", "snd_hda_intel\n");
  g_setenv ("VMCTL_SIM_ROOT", root, TRUE);
  g_setenv ("VMCTL_BIND_TIMEOUT_MS", "300", TRUE);
  g_setenv ("VMCTL_LOCK_TIMEOUT_MS", "2000", TRUE);
  g_setenv ("VMCTL_UNIT_TIMEOUT_MS", "2000", TRUE);
  g_setenv ("VMCTL_MODPROBE", modprobe, TRUE);
  g_unsetenv ("VMCTL_SYSTEM_BUS_ADDRESS");
  if (GPOINTER_TO_INT (with_bus)) {
    fixture->dbus = vmctl_test_dbus_new ();
    if (fixture->dbus != NULL)
      g_setenv ("VMCTL_SYSTEM_BUS_ADDRESS", vmctl_test_dbus_address (fixture->dbus), TRUE);
  }
  fixture->state = g_dir_make_tmp ("vmctl-runtime-XXXXXX", NULL);
  /* the session on the fixture host: its functions move through sysfs,
   * journaled in the state directory */
  vmctl_test_lifecycle_open (&fixture->lifecycle, NULL, root, fixture->state);
}

void
vmctl_test_runtime_teardown (RuntimeFixture *fixture, gconstpointer data)
{
  g_unsetenv ("VMCTL_SYSTEM_BUS_ADDRESS");
  g_unsetenv ("VMCTL_MODPROBE");
  g_unsetenv ("VMCTL_SIM_ROOT");
  g_clear_pointer (&fixture->dbus, vmctl_test_dbus_free);
  vmctl_test_lifecycle_teardown (&fixture->lifecycle, data);
  vmctl_test_remove_tree (fixture->state);
  {
    g_autofree gchar *driver = g_strconcat (fixture->state, "-driver.xml", NULL);

    (void) g_unlink (driver);
  }
  g_free (fixture->state);
}

void
vmctl_test_runtime_define (RuntimeFixture *fixture, const gchar *name, const gchar *cpus,
                           gboolean gpu, gboolean isolate, gboolean single_gpu)
{
  DomainFixture *domain = &fixture->lifecycle.domain;
  g_auto(GStrv) numbers = g_strsplit (cpus, ",", -1);
  g_autoptr(GError) error = NULL;

  vmctl_test_lifecycle_reset_spec (&fixture->lifecycle, name);
  if (gpu)
    vmctl_test_domain_host_gpu (domain->spec, domain->plan, "clean-gpu-audio");
  domain->spec->vcpus = g_strv_length (numbers);
  domain->spec->cpu_pin = VMCTL_CPU_PIN_LIST;
  domain->spec->cpu_pin_list = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; numbers[i] != NULL; i++) {
    guint cpu = (guint) g_ascii_strtoull (numbers[i], NULL, 10);

    g_array_append_val (domain->spec->cpu_pin_list, cpu);
  }
  domain->spec->isolate_cpus = isolate;
  domain->spec->single_gpu = single_gpu;
  g_assert_true (vmctl_test_lifecycle_define_spec (&fixture->lifecycle, &error));
  g_assert_no_error (error);
}

void
vmctl_test_runtime_start_ok (RuntimeFixture *fixture, const gchar *name)
{
  g_autoptr(GError) error = NULL;

  if (!vmctl_vm_start (fixture->lifecycle.session, name, NULL, &error))
    g_error ("cannot start %s: %s", name, error->message);
}

void
vmctl_test_runtime_destroy_ok (RuntimeFixture *fixture, const gchar *name)
{
  g_autoptr(GError) error = NULL;

  if (!vmctl_vm_destroy (fixture->lifecycle.session, name, NULL, &error))
    g_error ("cannot destroy %s: %s", name, error->message);
}

gchar *
vmctl_test_runtime_line (RuntimeFixture *fixture, const gchar *relative)
{
  g_autofree gchar *path = g_build_filename (fixture->lifecycle.domain.root, relative, NULL);
  g_autofree gchar *contents = NULL;
  gchar *newline;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  newline = strchr (contents, '\n');
  if (newline != NULL)
    *newline = '\0';
  return g_steal_pointer (&contents);
}

void
vmctl_test_runtime_assert_line (RuntimeFixture *fixture, const gchar *relative,
                                const gchar *expected)
{
  g_autofree gchar *line = vmctl_test_runtime_line (fixture, relative);

  if (g_strcmp0 (line, expected) != 0)
    g_error ("%s is '%s', want '%s'", relative, line != NULL ? line : "(missing)", expected);
}

GHashTable *
vmctl_test_runtime_snapshot (RuntimeFixture *fixture)
{
  static const gchar * const dirs[] = { "sys", "proc/irq", NULL };
  HostFixture view = { fixture->lifecycle.domain.root, NULL, NULL, NULL };

  return vmctl_test_host_snapshot (&view, dirs);
}

guint
vmctl_test_runtime_records (RuntimeFixture *fixture)
{
  g_autofree gchar *path = g_build_filename (fixture->state, "host", NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;
  guint count = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    count += g_str_has_suffix (name, ".record") || g_str_has_prefix (name, "setup-backup-");
  return count + (guint) MAX (vmctl_test_journal_files (fixture->state), 0);
}

/* a test-driver file holding lifecycle.xml's state plus @name, shut off,
 * as it is defined on the fixture's connection: another vmctl process
 * (one a test kills) sees the VM there */
gchar *
vmctl_test_runtime_driver_uri (RuntimeFixture *fixture, const gchar *name)
{
  g_autofree gchar *base_path = vmctl_test_source_path ("tests/data/libvirt/lifecycle.xml");
  g_autofree gchar *base = NULL;
  g_autofree gchar *path = g_strconcat (fixture->state, "-driver.xml", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) state = NULL;
  virDomainPtr domain = virDomainLookupByName (fixture->lifecycle.connection, name);
  char *xml;
  xmlDocPtr document;
  xmlNodePtr root;
  xmlBufferPtr buffer;
  const gchar *end;

  g_assert_nonnull (domain);
  xml = virDomainGetXMLDesc (domain, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
  virDomainFree (domain);
  g_assert_nonnull (xml);
  document = xmlReadMemory (xml, (int) strlen (xml), "domain.xml", NULL, XML_PARSE_NONET);
  free (xml);
  g_assert_nonnull (document);
  root = xmlDocGetRootElement (document);
  /* <test:runstate>5</test:runstate>: shut off (the test driver starts
   * the domains of its file otherwise) */
  xmlNewTextChild (root, xmlNewNs (root, (const xmlChar *) "http://libvirt.org/schemas/domain/test/1.0",
                                   (const xmlChar *) "test"),
                   (const xmlChar *) "runstate", (const xmlChar *) "5");
  buffer = xmlBufferCreate ();
  xmlNodeDump (buffer, document, root, 0, 0);
  g_assert_true (g_file_get_contents (base_path, &base, NULL, NULL));
  end = strstr (base, "</node>");
  g_assert_nonnull (end);
  state = g_string_new_len (base, end - base);
  g_string_append_printf (state, "%s\n</node>\n", (const gchar *) xmlBufferContent (buffer));
  xmlBufferFree (buffer);
  xmlFreeDoc (document);
  g_file_set_contents (path, state->str, -1, &error);
  g_assert_no_error (error);
  return g_strconcat ("test://", path, NULL);
}

gchar *
vmctl_test_runtime_kill_then_recover (RuntimeFixture *fixture, const gchar *vm,
                                      const gchar *file, const gchar *line)
{
  const gchar *root = fixture->lifecycle.domain.root;
  g_autofree gchar *driver = vmctl_test_runtime_driver_uri (fixture, vm);
  g_autofree gchar *uri = vmctl_test_libvirt_uri ("lifecycle");
  g_autofree gchar *fault = g_strconcat (".sim/", file, NULL);
  g_autofree gchar *text = g_strconcat (line, "\n", NULL);
  g_autoptr(VmctlTestRun) start = NULL;
  g_autoptr(VmctlTestRun) recover = NULL;

  vmctl_test_write (root, fault, text);
  start = vmctl_test_run_vmctlv ("--host-root", root, "--state-dir", fixture->state, "-c", driver,
                                 "start", vm, NULL);
  vmctl_test_write (root, fault, "");
  if (start->exit_status != 128 + 9)
    g_error ("%s %s: start exited %d: %s", file, line, start->exit_status, start->err);
  g_assert_cmpuint (vmctl_test_runtime_records (fixture), >, 0);
  recover = vmctl_test_run_vmctlv ("--host-root", root, "--state-dir", fixture->state, "-c", uri,
                                   "host", "recover", NULL);
  if (recover->exit_status != 0)
    g_error ("%s %s: host recover exited %d: %s%s", file, line, recover->exit_status,
             recover->out, recover->err);
  return g_steal_pointer (&recover->out);
}

void
vmctl_test_runtime_assert_no_inhibitor (RuntimeFixture *fixture)
{
  g_auto(GStrv) held = NULL;

  for (guint i = 0; i < 200; i++) {
    g_clear_pointer (&held, g_strfreev);
    held = vmctl_test_dbus_inhibitors (fixture->dbus);
    if (g_strv_length (held) == 0)
      break;
    g_usleep (20000);
  }
  g_assert_cmpuint (g_strv_length (held), ==, 0);
}
