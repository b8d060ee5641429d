/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-dbus.h: a private D-Bus bus with python-dbusmock's systemd
 * and logind templates on it, standing in for the system bus (issue 13):
 * vmctl is pointed at it with VMCTL_SYSTEM_BUS_ADDRESS, and the tests ask
 * the mocks which calls they got. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _VmctlTestDbus VmctlTestDbus;

/* NULL after marking the test skipped when python3-dbusmock is missing */
VmctlTestDbus *vmctl_test_dbus_new (void);
void vmctl_test_dbus_free (VmctlTestDbus *dbus);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlTestDbus, vmctl_test_dbus_free)

const gchar *vmctl_test_dbus_address (VmctlTestDbus *dbus);
GDBusConnection *vmctl_test_dbus_connection (VmctlTestDbus *dbus);

/* systemd: a unit with an ActiveState and, for slices and scopes, an
 * AllowedCPUs (a CPU list, "" for none); StartUnit, StopUnit and
 * SetUnitProperties act on them and are logged */
void vmctl_test_dbus_add_unit (VmctlTestDbus *dbus, const gchar *unit, const gchar *active_state,
                               const gchar *allowed_cpus);
gchar *vmctl_test_dbus_unit_state (VmctlTestDbus *dbus, const gchar *unit);
gchar *vmctl_test_dbus_allowed_cpus (VmctlTestDbus *dbus, const gchar *unit);
/* the calls of @method on systemd's manager, each "ARG ARG..." (CPU masks
 * as CPU lists) */
gchar **vmctl_test_dbus_systemd_calls (VmctlTestDbus *dbus, const gchar *method);
/* the next call of @method fails with a D-Bus error */
void vmctl_test_dbus_fail_next (VmctlTestDbus *dbus, const gchar *method);
/* logind's inhibitors: "what who why mode" each */
gchar **vmctl_test_dbus_inhibitors (VmctlTestDbus *dbus);

G_END_DECLS
