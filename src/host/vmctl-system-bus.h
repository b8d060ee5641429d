/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-system-bus.h: systemd and logind over D-Bus (GDBus), for the host
 * changes of issue 13: a unit's AllowedCPUs as a runtime property (CPU
 * isolation), stopping and starting display-manager.service (single-GPU
 * hand-off), a logind sleep inhibitor (a VM holding a GPU). Not installed. */
#pragma once

#include <gio/gio.h>
#include "vmctl-host.h"

G_BEGIN_DECLS

#define VMCTL_SYSTEM_BUS_ERROR (vmctl_system_bus_error_quark ())

typedef enum {
  VMCTL_SYSTEM_BUS_ERROR_NO_UNIT,   /* systemd has no such unit loaded */
  VMCTL_SYSTEM_BUS_ERROR_CALL,      /* a call failed; the service's reason follows */
  VMCTL_SYSTEM_BUS_ERROR_TIMEOUT,   /* a unit did not reach the state asked for */
} VmctlSystemBusError;

GQuark vmctl_system_bus_error_quark (void);

GDBusConnection *vmctl_system_bus_open (VmctlHost *host, gchar **out_note);
gboolean vmctl_system_bus_has (GDBusConnection *bus, const gchar *name);

gboolean vmctl_systemd_unit_active_state (GDBusConnection *bus, const gchar *unit,
                                          gchar **out_state, GError **error);
gboolean vmctl_systemd_stop_unit (GDBusConnection *bus, const gchar *unit, GError **error);
gboolean vmctl_systemd_start_unit (GDBusConnection *bus, const gchar *unit, GError **error);
gboolean vmctl_systemd_get_allowed_cpus (GDBusConnection *bus, const gchar *unit,
                                         gchar **out_cpus, GError **error);
gboolean vmctl_systemd_set_allowed_cpus (GDBusConnection *bus, const gchar *unit,
                                         const gchar *cpus, GError **error);
int vmctl_logind_inhibit (GDBusConnection *bus, const gchar *what, const gchar *why,
                          GError **error);

/* CPU sets as the kernel writes them ("0-3,8") and as bit masks */
GArray *vmctl_cpu_set_parse (const gchar *text);
gchar *vmctl_cpu_set_format (GArray *cpus);
GVariant *vmctl_cpu_set_to_mask (GArray *cpus);
GArray *vmctl_cpu_set_from_mask (GVariant *mask);

G_END_DECLS
