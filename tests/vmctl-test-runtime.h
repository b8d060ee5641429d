/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-runtime.h: the fixture of the start/stop tests of issue 13
 * (CPU isolation, single-GPU hand-off, sleep inhibitor): a copy of the
 * single-gpu host under the simulated kernel, libvirt's test driver, a
 * state directory, sim-modprobe.sh as modprobe, and, when asked, a private
 * bus with python-dbusmock's systemd and logind. */
#pragma once

#include "vmctl-test-dbus.h"
#include "vmctl-test-host.h"
#include "vmctl-test-lifecycle.h"

G_BEGIN_DECLS

typedef struct {
  LifecycleFixture lifecycle;
  gchar *state;
  VmctlTestDbus *dbus;      /* NULL: no bus (cgroupfs, no logind) */
} RuntimeFixture;

void vmctl_test_runtime_setup (RuntimeFixture *fixture, gconstpointer with_bus);
void vmctl_test_runtime_teardown (RuntimeFixture *fixture, gconstpointer data);

/* @bus: TRUE for python-dbusmock's systemd and logind on a private bus */
#define add_runtime_test(path, function, bus) \
  g_test_add (path, RuntimeFixture, GINT_TO_POINTER (bus), vmctl_test_runtime_setup, function, \
              vmctl_test_runtime_teardown)

/* defines @name pinned to @cpus ("2,3"), with the GPU 01:00.0 and its
 * audio when @gpu */
void vmctl_test_runtime_define (RuntimeFixture *fixture, const gchar *name, const gchar *cpus,
                                gboolean gpu, gboolean isolate, gboolean single_gpu);
void vmctl_test_runtime_start_ok (RuntimeFixture *fixture, const gchar *name);
void vmctl_test_runtime_destroy_ok (RuntimeFixture *fixture, const gchar *name);

/* ROOT/@relative, first line */
gchar *vmctl_test_runtime_line (RuntimeFixture *fixture, const gchar *relative);
void vmctl_test_runtime_assert_line (RuntimeFixture *fixture, const gchar *relative,
                                     const gchar *expected);
GHashTable *vmctl_test_runtime_snapshot (RuntimeFixture *fixture);
/* logind holds no inhibitor (asked until it drops one whose holder's
 * descriptor closed) */
void vmctl_test_runtime_assert_no_inhibitor (RuntimeFixture *fixture);
/* host records in STATE/host (*.record), journal entries */
guint vmctl_test_runtime_records (RuntimeFixture *fixture);
/* test:///FILE where another vmctl finds @name, shut off */
gchar *vmctl_test_runtime_driver_uri (RuntimeFixture *fixture, const gchar *name);
/* vmctl start @vm in a process of its own (the VM from a test-driver
 * file) that the simulator kills where .sim/@file's @line says; then
 * vmctl host recover, where @vm does not run, must succeed: its stdout */
gchar *vmctl_test_runtime_kill_then_recover (RuntimeFixture *fixture, const gchar *vm,
                                             const gchar *file, const gchar *line);

G_END_DECLS
