/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-system-bus.c: the few systemd and logind calls vmctl makes, over
 * GDBus, synchronously, with their effects checked rather than assumed:
 * a stop job is done when the unit says inactive, not when the call
 * returns (systemd queues the job), and a property set is read back.
 *
 * Which bus: $VMCTL_SYSTEM_BUS_ADDRESS when set (tests point it at a
 * private bus with python-dbusmock's systemd and logind), else the
 * system bus (GDBus honours $DBUS_SYSTEM_BUS_ADDRESS) only when the host
 * root is the real "/": a fixture tree must never make vmctl stop this
 * machine's display manager. */
#include "vmctl-system-bus.h"

#include "vmctl-cpu-topology.h"

#include <gio/gunixfdlist.h>
#include <string.h>

G_DEFINE_QUARK (vmctl-system-bus-error-quark, vmctl_system_bus_error)

#define SYSTEMD_NAME "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"
#define LOGIND_NAME "org.freedesktop.login1"
#define LOGIND_PATH "/org/freedesktop/login1"
#define LOGIND_MANAGER "org.freedesktop.login1.Manager"
#define CALL_TIMEOUT_MS 25000
#define POLL_US 20000
/* systemd's own DefaultTimeoutStopSec */
#define UNIT_TIMEOUT_MS 90000

/**
 * vmctl_system_bus_open:
 * @out_note: (out) (optional) (transfer full): why there is no bus, when
 *   there is none
 *
 * Returns: (transfer full) (nullable): the system bus, or NULL when there
 * is none to talk to (no address for a host root that is not "/", or it
 * cannot be reached): then systemd and logind are not there for vmctl
 */
GDBusConnection *
vmctl_system_bus_open (VmctlHost *host, gchar **out_note)
{
  const gchar *address = g_getenv ("VMCTL_SYSTEM_BUS_ADDRESS");
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = NULL;

  if (address != NULL && address[0] != '\0')
    bus = g_dbus_connection_new_for_address_sync (address,
                                                  G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                  | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                  NULL, NULL, &error);
  else if (vmctl_host_is_real (host))
    bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  if (bus == NULL && out_note != NULL)
    *out_note = error != NULL
                ? g_strdup_printf ("no system bus (%s): systemd and logind are not asked",
                                   error->message)
                : g_strdup ("no system bus for a host root that is not '/': systemd and "
                            "logind are not asked");
  return bus;
}

static GVariant *
call (GDBusConnection *bus, const gchar *name, const gchar *path, const gchar *interface,
      const gchar *method, GVariant *parameters, const gchar *reply_type, GError **error)
{
  return g_dbus_connection_call_sync (bus, name, path, interface, method, parameters,
                                      reply_type != NULL ? G_VARIANT_TYPE (reply_type) : NULL,
                                      G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, NULL, error);
}

/**
 * vmctl_system_bus_has:
 * Returns: whether @name (org.freedesktop.systemd1, ...login1) has an
 * owner on @bus
 */
gboolean
vmctl_system_bus_has (GDBusConnection *bus, const gchar *name)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean has = FALSE;

  if (bus == NULL)
    return FALSE;
  reply = call (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                "NameHasOwner", g_variant_new ("(s)", name), "(b)", NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has);
  return has;
}

static void
set_call_error (GError **error, GError *from, const gchar *what)
{
  g_autofree gchar *remote = g_dbus_error_get_remote_error (from);

  g_dbus_error_strip_remote_error (from);
  g_set_error (error, VMCTL_SYSTEM_BUS_ERROR, VMCTL_SYSTEM_BUS_ERROR_CALL, "%s: %s%s%s%s", what,
               from->message, remote != NULL ? " (" : "", remote != NULL ? remote : "",
               remote != NULL ? ")" : "");
}

/* the unit's object path; VMCTL_SYSTEM_BUS_ERROR_NO_UNIT when systemd has
 * no such unit loaded */
static gchar *
unit_path (GDBusConnection *bus, const gchar *unit, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GVariant) reply = call (bus, SYSTEMD_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER, "GetUnit",
                                    g_variant_new ("(s)", unit), "(o)", &local_error);
  g_autofree gchar *remote = NULL;
  gchar *path = NULL;

  if (reply != NULL) {
    g_variant_get (reply, "(o)", &path);
    return path;
  }
  remote = g_dbus_error_get_remote_error (local_error);
  /* python-dbusmock's systemd answers an unknown unit with a KeyError */
  if (g_strcmp0 (remote, "org.freedesktop.systemd1.NoSuchUnit") == 0
      || g_strcmp0 (remote, "org.freedesktop.DBus.Python.KeyError") == 0) {
    g_set_error (error, VMCTL_SYSTEM_BUS_ERROR, VMCTL_SYSTEM_BUS_ERROR_NO_UNIT,
                 "systemd has no unit %s", unit);
    return NULL;
  }
  set_call_error (error, local_error, "cannot ask systemd about a unit");
  return NULL;
}

static GVariant *
unit_property (GDBusConnection *bus, const gchar *path, const gchar *interface,
               const gchar *property, GError **error)
{
  g_autoptr(GVariant) reply = call (bus, SYSTEMD_NAME, path, "org.freedesktop.DBus.Properties",
                                    "Get", g_variant_new ("(ss)", interface, property), "(v)",
                                    error);
  GVariant *value = NULL;

  if (reply != NULL)
    g_variant_get (reply, "(v)", &value);
  return value;
}

/**
 * vmctl_systemd_unit_active_state:
 * @out_state: (out) (transfer full): "active", "inactive", "failed"...
 * @error: VMCTL_SYSTEM_BUS_ERROR_NO_UNIT when the unit is not loaded
 */
gboolean
vmctl_systemd_unit_active_state (GDBusConnection *bus, const gchar *unit, gchar **out_state,
                                 GError **error)
{
  g_autofree gchar *path = unit_path (bus, unit, error);
  g_autoptr(GVariant) value = NULL;

  if (path == NULL)
    return FALSE;
  value = unit_property (bus, path, "org.freedesktop.systemd1.Unit", "ActiveState", error);
  if (value == NULL || !g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)) {
    if (error != NULL && *error == NULL)
      g_set_error (error, VMCTL_SYSTEM_BUS_ERROR, VMCTL_SYSTEM_BUS_ERROR_CALL,
                   "%s has no ActiveState", unit);
    return FALSE;
  }
  *out_state = g_variant_dup_string (value, NULL);
  return TRUE;
}

static guint
unit_timeout (void)
{
  const gchar *text = g_getenv ("VMCTL_UNIT_TIMEOUT_MS");
  guint64 value = UNIT_TIMEOUT_MS;

  if (text != NULL)
    (void) g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT, &value, NULL);
  return (guint) value;
}

/* systemd queues a job and answers at once: the effect is the unit's state */
static gboolean
wait_for_state (GDBusConnection *bus, const gchar *unit, gboolean want_active, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) unit_timeout () * 1000;
  g_autofree gchar *state = NULL;

  for (;;) {
    g_clear_pointer (&state, g_free);
    if (!vmctl_systemd_unit_active_state (bus, unit, &state, error))
      return FALSE;
    if (want_active ? g_strcmp0 (state, "active") == 0
                    : g_strcmp0 (state, "inactive") == 0 || g_strcmp0 (state, "failed") == 0)
      return TRUE;
    if (want_active && g_strcmp0 (state, "failed") == 0)
      break;
    if (g_get_monotonic_time () >= deadline)
      break;
    g_usleep (POLL_US);
  }
  g_set_error (error, VMCTL_SYSTEM_BUS_ERROR, VMCTL_SYSTEM_BUS_ERROR_TIMEOUT,
               "%s is %s, not %s, after %u ms", unit, state,
               want_active ? "active" : "inactive", unit_timeout ());
  return FALSE;
}

static gboolean
unit_job (GDBusConnection *bus, const gchar *method, const gchar *unit, gboolean want_active,
          GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GVariant) reply = call (bus, SYSTEMD_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER, method,
                                    g_variant_new ("(ss)", unit, "replace"), "(o)", &local_error);
  g_autofree gchar *what = g_strdup_printf ("systemd refused to %s %s",
                                            want_active ? "start" : "stop", unit);

  if (reply == NULL) {
    set_call_error (error, local_error, what);
    return FALSE;
  }
  return wait_for_state (bus, unit, want_active, error);
}

/**
 * vmctl_systemd_stop_unit:
 * @error: VMCTL_SYSTEM_BUS_ERROR_CALL when systemd refuses, _TIMEOUT when
 *   the unit is not inactive (or failed) in time
 *
 * StopUnit(@unit, "replace"), then waits until the unit is down.
 */
gboolean
vmctl_systemd_stop_unit (GDBusConnection *bus, const gchar *unit, GError **error)
{
  return unit_job (bus, "StopUnit", unit, FALSE, error);
}

/**
 * vmctl_systemd_start_unit:
 *
 * StartUnit(@unit, "replace"), then waits until the unit is active.
 */
gboolean
vmctl_systemd_start_unit (GDBusConnection *bus, const gchar *unit, GError **error)
{
  return unit_job (bus, "StartUnit", unit, TRUE, error);
}

/* the unit type's interface, which carries its cgroup properties */
static const gchar *
unit_interface (const gchar *unit)
{
  if (g_str_has_suffix (unit, ".slice"))
    return "org.freedesktop.systemd1.Slice";
  if (g_str_has_suffix (unit, ".scope"))
    return "org.freedesktop.systemd1.Scope";
  return "org.freedesktop.systemd1.Service";
}

/**
 * vmctl_cpu_set_to_mask: (skip)
 *
 * systemd's CPU masks on the bus ("ay", cpu_set_to_dbus()): byte i bit j
 * is CPU 8i+j; an empty mask means no restriction.
 *
 * Returns: (transfer floating): the mask of @cpus
 */
GVariant *
vmctl_cpu_set_to_mask (GArray *cpus)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();

  for (guint i = 0; i < cpus->len; i++) {
    guint cpu = g_array_index (cpus, guint, i);
    guint8 zero = 0;

    while (bytes->len <= cpu / 8)
      g_byte_array_append (bytes, &zero, 1);
    bytes->data[cpu / 8] |= (guint8) (1u << (cpu % 8));
  }
  return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, bytes->data, bytes->len, 1);
}

/**
 * vmctl_cpu_set_from_mask: (skip)
 * Returns: (transfer full): the CPUs of an "ay" mask, ascending
 */
GArray *
vmctl_cpu_set_from_mask (GVariant *mask)
{
  GArray *cpus = g_array_new (FALSE, FALSE, sizeof (guint));
  gsize length = 0;
  const guint8 *bytes = g_variant_get_fixed_array (mask, &length, 1);

  for (gsize i = 0; i < length; i++)
    for (guint bit = 0; bit < 8; bit++)
      if (bytes[i] & (1u << bit)) {
        guint cpu = (guint) (i * 8 + bit);

        g_array_append_val (cpus, cpu);
      }
  return cpus;
}

/**
 * vmctl_systemd_get_allowed_cpus:
 * @out_cpus: (out) (transfer full): the unit's AllowedCPUs as a CPU list,
 *   "" when unrestricted
 */
gboolean
vmctl_systemd_get_allowed_cpus (GDBusConnection *bus, const gchar *unit, gchar **out_cpus,
                                GError **error)
{
  g_autofree gchar *path = unit_path (bus, unit, error);
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GArray) cpus = NULL;

  if (path == NULL)
    return FALSE;
  value = unit_property (bus, path, unit_interface (unit), "AllowedCPUs", error);
  if (value == NULL || !g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING)) {
    if (error != NULL && *error == NULL)
      g_set_error (error, VMCTL_SYSTEM_BUS_ERROR, VMCTL_SYSTEM_BUS_ERROR_CALL,
                   "%s has no AllowedCPUs", unit);
    return FALSE;
  }
  cpus = vmctl_cpu_set_from_mask (value);
  *out_cpus = vmctl_cpu_set_format (cpus);
  return TRUE;
}

/**
 * vmctl_systemd_set_allowed_cpus:
 * @cpus: a CPU list, "" for no restriction
 *
 * SetUnitProperties(@unit, runtime, AllowedCPUs): a runtime property, gone
 * at the next boot whatever happens to vmctl; then read back.
 */
gboolean
vmctl_systemd_set_allowed_cpus (GDBusConnection *bus, const gchar *unit, const gchar *cpus,
                                GError **error)
{
  g_autoptr(GArray) wanted = vmctl_cpu_set_parse (cpus);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree gchar *now = NULL;
  g_autofree gchar *normal = NULL;
  GVariantBuilder properties;

  g_return_val_if_fail (wanted != NULL, FALSE);
  g_variant_builder_init (&properties, G_VARIANT_TYPE ("a(sv)"));
  g_variant_builder_add (&properties, "(sv)", "AllowedCPUs", vmctl_cpu_set_to_mask (wanted));
  reply = call (bus, SYSTEMD_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER, "SetUnitProperties",
                g_variant_new ("(sba(sv))", unit, TRUE, &properties), NULL, &local_error);
  if (reply == NULL) {
    g_autofree gchar *what = g_strdup_printf ("systemd refused AllowedCPUs=%s for %s", cpus, unit);

    set_call_error (error, local_error, what);
    return FALSE;
  }
  if (!vmctl_systemd_get_allowed_cpus (bus, unit, &now, error))
    return FALSE;
  normal = vmctl_cpu_set_format (wanted);
  if (g_strcmp0 (now, normal) != 0) {
    g_set_error (error, VMCTL_SYSTEM_BUS_ERROR, VMCTL_SYSTEM_BUS_ERROR_CALL,
                 "%s has AllowedCPUs=%s after systemd accepted %s", unit, now, normal);
    return FALSE;
  }
  return TRUE;
}

/**
 * vmctl_logind_inhibit:
 * @what: "sleep", "shutdown"... (logind's list)
 * @why: shown by systemd-inhibit --list
 *
 * Inhibit(@what, "vmctl", @why, "block"): logind holds the lock as long as
 * the returned descriptor is open anywhere.
 *
 * Returns: the descriptor, -1 with VMCTL_SYSTEM_BUS_ERROR_CALL
 */
int
vmctl_logind_inhibit (GDBusConnection *bus, const gchar *what, const gchar *why, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GVariant) reply = NULL;
  gint32 index = -1;
  int fd;

  reply = g_dbus_connection_call_with_unix_fd_list_sync (bus, LOGIND_NAME, LOGIND_PATH,
                                                         LOGIND_MANAGER, "Inhibit",
                                                         g_variant_new ("(ssss)", what, "vmctl",
                                                                        why, "block"),
                                                         G_VARIANT_TYPE ("(h)"),
                                                         G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                                         CALL_TIMEOUT_MS, NULL, &fds, NULL,
                                                         &local_error);
  if (reply == NULL) {
    set_call_error (error, local_error, "logind refused a sleep inhibitor");
    return -1;
  }
  g_variant_get (reply, "(h)", &index);
  fd = fds != NULL ? g_unix_fd_list_get (fds, index, &local_error) : -1;
  if (fd < 0)
    g_set_error (error, VMCTL_SYSTEM_BUS_ERROR, VMCTL_SYSTEM_BUS_ERROR_CALL,
                 "logind's inhibitor came without its descriptor");
  return fd;
}

/**
 * vmctl_cpu_set_parse:
 * Returns: (transfer full) (nullable): the CPUs of a kernel CPU list,
 * ascending, each once; NULL when @text is not one
 */
GArray *
vmctl_cpu_set_parse (const gchar *text)
{
  g_autoptr(GArray) cpus = NULL;
  g_autofree gchar *normal = NULL;

  if (!vmctl_cpu_list_parse (text, &cpus, NULL))
    return NULL;
  /* sorted and each CPU once: through the canonical spelling */
  normal = vmctl_cpu_list_format ((const guint *) cpus->data, cpus->len);
  g_clear_pointer (&cpus, g_array_unref);
  if (!vmctl_cpu_list_parse (normal, &cpus, NULL))
    return NULL;
  return g_steal_pointer (&cpus);
}

/**
 * vmctl_cpu_set_format:
 * Returns: (transfer full): "0-3,8", "" for none
 */
gchar *
vmctl_cpu_set_format (GArray *cpus)
{
  return vmctl_cpu_list_format ((const guint *) cpus->data, cpus->len);
}
