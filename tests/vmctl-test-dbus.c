/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vmctl-test-dbus.h"

#include "vmctl-system-bus.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define MOCK "org.freedesktop.DBus.Mock"

struct _VmctlTestDbus {
  GTestDBus *bus;
  GSubprocess *systemd;
  GSubprocess *logind;
  GDBusConnection *connection;
};

static GVariant *
call (VmctlTestDbus *dbus, const gchar *name, const gchar *path, const gchar *interface,
      const gchar *method, GVariant *parameters)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply = g_dbus_connection_call_sync (dbus->connection, name, path, interface, method,
                                                 parameters, NULL, G_DBUS_CALL_FLAGS_NONE, 10000,
                                                 NULL, &error);

  g_assert_no_error (error);
  return reply;
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
}

static GSubprocess *
spawn_mock (const gchar *python, const gchar *address, const gchar *template)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  /* the templates go to the system bus: this one */
  g_subprocess_launcher_setenv (launcher, "DBUS_SYSTEM_BUS_ADDRESS", address, TRUE);
  /* a test that aborts never reaches its teardown: the mock must not
   * outlive it (and hold the test's stderr open) */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, &error, python, "-m", "dbusmock", "--template",
                                         template, NULL);
  g_assert_no_error (error);
  return process;
}

static void
wait_for_name (VmctlTestDbus *dbus, const gchar *name)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!vmctl_system_bus_has (dbus->connection, name)) {
    if (g_get_monotonic_time () > deadline)
      g_error ("python-dbusmock did not put %s on the bus", name);
    g_usleep (20000);
  }
}

static void
add_method (VmctlTestDbus *dbus, const gchar *name, const gchar *in, const gchar *out,
            const gchar *code)
{
  g_autoptr(GVariant) reply = call (dbus, "org.freedesktop.systemd1", SYSTEMD_PATH, MOCK,
                                    "AddMethod",
                                    g_variant_new ("(sssss)", "", name, in, out, code));
}

/* StartUnit, StopUnit and SetUnitProperties that act on the mock units
 * and are logged (the template's own are not logged), and FailNext */
static void
add_methods (VmctlTestDbus *dbus)
{
  static const gchar fail[] =
    "import dbus\n"
    "if getattr(self, 'fail_next', {}).pop(%s, None):\n"
    "    raise dbus.exceptions.DBusException('injected failure', "
    "name='org.freedesktop.systemd1.JobFailed')\n";
  g_autofree gchar *fail_start = g_strdup_printf (fail, "'StartUnit'");
  g_autofree gchar *fail_stop = g_strdup_printf (fail, "'StopUnit'");
  g_autofree gchar *fail_set = g_strdup_printf (fail, "'SetUnitProperties'");
  g_autofree gchar *start = g_strconcat (fail_start,
    "objects[self.units[args[0]]].UpdateProperties('org.freedesktop.systemd1.Unit', "
    "{'ActiveState': 'active'})\n"
    "ret = '/org/freedesktop/systemd1/job/1'\n", NULL);
  g_autofree gchar *stop = g_strconcat (fail_stop,
    "objects[self.units[args[0]]].UpdateProperties('org.freedesktop.systemd1.Unit', "
    "{'ActiveState': 'inactive'})\n"
    "ret = '/org/freedesktop/systemd1/job/2'\n", NULL);
  g_autofree gchar *set = g_strconcat (fail_set,
    "unit = objects[self.units[args[0]]]\n"
    "iface = 'org.freedesktop.systemd1.Slice' if args[0].endswith('.slice') "
    "else 'org.freedesktop.systemd1.Scope'\n"
    "for name, value in args[2]:\n"
    "    unit.UpdateProperties(iface, {name: dbus.Array(value, signature='y')})\n", NULL);

  add_method (dbus, "StartUnit", "ss", "o", start);
  add_method (dbus, "StopUnit", "ss", "o", stop);
  add_method (dbus, "SetUnitProperties", "sba(sv)", "", set);
  add_method (dbus, "FailNext", "s", "",
              "if not hasattr(self, 'fail_next'):\n"
              "    self.fail_next = {}\n"
              "self.fail_next[args[0]] = True\n");
}

VmctlTestDbus *
vmctl_test_dbus_new (void)
{
  const gchar *python = g_getenv ("VMCTL_TEST_PYTHON");
  g_autoptr(GError) error = NULL;
  VmctlTestDbus *dbus;

  if (python == NULL || python[0] == '\0') {
    g_test_skip ("python3-dbusmock is not installed (contrib/scripts/install-deps.sh installs it)");
    return NULL;
  }
  dbus = g_new0 (VmctlTestDbus, 1);
  dbus->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (dbus->bus);
  dbus->systemd = spawn_mock (python, g_test_dbus_get_bus_address (dbus->bus), "systemd");
  dbus->logind = spawn_mock (python, g_test_dbus_get_bus_address (dbus->bus), "logind");
  dbus->connection = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (dbus->bus),
                                                             G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                             | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                             NULL, NULL, &error);
  g_assert_no_error (error);
  wait_for_name (dbus, "org.freedesktop.systemd1");
  wait_for_name (dbus, "org.freedesktop.login1");
  add_methods (dbus);
  return dbus;
}

void
vmctl_test_dbus_free (VmctlTestDbus *dbus)
{
  if (dbus == NULL)
    return;
  g_subprocess_force_exit (dbus->systemd);
  g_subprocess_force_exit (dbus->logind);
  (void) g_subprocess_wait (dbus->systemd, NULL, NULL);
  (void) g_subprocess_wait (dbus->logind, NULL, NULL);
  g_clear_object (&dbus->systemd);
  g_clear_object (&dbus->logind);
  g_dbus_connection_close_sync (dbus->connection, NULL, NULL);
  g_clear_object (&dbus->connection);
  g_test_dbus_down (dbus->bus);
  g_clear_object (&dbus->bus);
  g_free (dbus);
}

const gchar *
vmctl_test_dbus_address (VmctlTestDbus *dbus)
{
  return g_test_dbus_get_bus_address (dbus->bus);
}

GDBusConnection *
vmctl_test_dbus_connection (VmctlTestDbus *dbus)
{
  return dbus->connection;
}

/* the template's unit object path */
static gchar *
unit_path (const gchar *unit)
{
  g_autofree gchar *escaped = g_strdelimit (g_strdup (unit), ".-", '_');

  return g_strconcat (SYSTEMD_PATH "/unit/", escaped, NULL);
}

static const gchar *
cgroup_interface (const gchar *unit)
{
  return g_str_has_suffix (unit, ".slice") ? "org.freedesktop.systemd1.Slice"
                                           : "org.freedesktop.systemd1.Scope";
}

static GVariant *
mask (const gchar *cpus)
{
  g_autoptr(GArray) set = vmctl_cpu_set_parse (cpus);

  g_assert_nonnull (set);
  return vmctl_cpu_set_to_mask (set);
}

static gchar *
cpus_of (GVariant *value)
{
  g_autoptr(GArray) set = vmctl_cpu_set_from_mask (value);

  return vmctl_cpu_set_format (set);
}

void
vmctl_test_dbus_add_unit (VmctlTestDbus *dbus, const gchar *unit, const gchar *active_state,
                          const gchar *allowed_cpus)
{
  g_autofree gchar *path = unit_path (unit);
  g_autoptr(GVariant) added = call (dbus, "org.freedesktop.systemd1", SYSTEMD_PATH, MOCK,
                                    "AddMockUnit", g_variant_new ("(s)", unit));
  g_autoptr(GVariant) state = NULL;
  GVariantBuilder properties;

  g_variant_builder_init (&properties, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&properties, "{sv}", "ActiveState", g_variant_new_string (active_state));
  state = call (dbus, "org.freedesktop.systemd1", path, MOCK, "UpdateProperties",
                g_variant_new ("(sa{sv})", "org.freedesktop.systemd1.Unit", &properties));
  if (allowed_cpus != NULL) {
    g_autoptr(GVariant) property = call (dbus, "org.freedesktop.systemd1", path, MOCK,
                                         "AddProperty",
                                         g_variant_new ("(ssv)", cgroup_interface (unit),
                                                        "AllowedCPUs", mask (allowed_cpus)));
  }
}

static GVariant *
get_property (VmctlTestDbus *dbus, const gchar *unit, const gchar *interface,
              const gchar *property)
{
  g_autofree gchar *path = unit_path (unit);
  g_autoptr(GVariant) reply = call (dbus, "org.freedesktop.systemd1", path,
                                    "org.freedesktop.DBus.Properties", "Get",
                                    g_variant_new ("(ss)", interface, property));
  GVariant *value = NULL;

  g_variant_get (reply, "(v)", &value);
  return value;
}

gchar *
vmctl_test_dbus_unit_state (VmctlTestDbus *dbus, const gchar *unit)
{
  g_autoptr(GVariant) value = get_property (dbus, unit, "org.freedesktop.systemd1.Unit",
                                            "ActiveState");

  return g_variant_dup_string (value, NULL);
}

gchar *
vmctl_test_dbus_allowed_cpus (VmctlTestDbus *dbus, const gchar *unit)
{
  g_autoptr(GVariant) value = get_property (dbus, unit, cgroup_interface (unit), "AllowedCPUs");

  return cpus_of (value);
}

static void
format_argument (GString *line, GVariant *argument)
{
  if (g_variant_is_of_type (argument, G_VARIANT_TYPE ("a(sv)"))) {
    GVariantIter iter;
    const gchar *name;
    GVariant *value;

    g_variant_iter_init (&iter, argument);
    while (g_variant_iter_next (&iter, "(&sv)", &name, &value)) {
      g_autofree gchar *cpus = g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING)
                               ? cpus_of (value) : g_variant_print (value, FALSE);

      g_string_append_printf (line, " %s=%s", name, cpus);
      g_variant_unref (value);
    }
    return;
  }
  if (g_variant_is_of_type (argument, G_VARIANT_TYPE_STRING))
    g_string_append_printf (line, " %s", g_variant_get_string (argument, NULL));
  else {
    g_autofree gchar *text = g_variant_print (argument, FALSE);

    g_string_append_printf (line, " %s", text);
  }
}

gchar **
vmctl_test_dbus_systemd_calls (VmctlTestDbus *dbus, const gchar *method)
{
  g_autoptr(GVariant) reply = call (dbus, "org.freedesktop.systemd1", SYSTEMD_PATH, MOCK,
                                    "GetMethodCalls", g_variant_new ("(s)", method));
  g_autoptr(GVariant) calls = g_variant_get_child_value (reply, 0);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  GVariantIter iter;
  GVariant *arguments;
  guint64 time;

  g_variant_iter_init (&iter, calls);
  while (g_variant_iter_next (&iter, "(t@av)", &time, &arguments)) {
    g_autoptr(GString) line = g_string_new (NULL);

    for (gsize i = 0; i < g_variant_n_children (arguments); i++) {
      g_autoptr(GVariant) boxed = g_variant_get_child_value (arguments, i);
      g_autoptr(GVariant) argument = g_variant_get_variant (boxed);

      format_argument (line, argument);
    }
    g_ptr_array_add (lines, g_strdup (line->len > 0 ? line->str + 1 : ""));
    g_variant_unref (arguments);
  }
  g_ptr_array_add (lines, NULL);
  return (gchar **) g_ptr_array_steal (lines, NULL);
}

void
vmctl_test_dbus_fail_next (VmctlTestDbus *dbus, const gchar *method)
{
  g_autoptr(GVariant) reply = call (dbus, "org.freedesktop.systemd1", SYSTEMD_PATH,
                                    "org.freedesktop.systemd1.Manager", "FailNext",
                                    g_variant_new ("(s)", method));
}

gchar **
vmctl_test_dbus_inhibitors (VmctlTestDbus *dbus)
{
  g_autoptr(GVariant) reply = call (dbus, "org.freedesktop.login1", "/org/freedesktop/login1",
                                    "org.freedesktop.login1.Manager", "ListInhibitors", NULL);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GVariantIter) iter = NULL;
  const gchar *what, *who, *why, *mode;
  guint32 uid, pid;

  g_variant_get (reply, "(a(ssssuu))", &iter);
  while (g_variant_iter_next (iter, "(&s&s&s&suu)", &what, &who, &why, &mode, &uid, &pid))
    g_ptr_array_add (lines, g_strdup_printf ("%s %s %s %s", what, who, why, mode));
  g_ptr_array_add (lines, NULL);
  return (gchar **) g_ptr_array_steal (lines, NULL);
}
