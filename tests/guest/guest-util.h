/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-util.h: what the real-guest test programs share: the guest build,
 * running vmctl against the daemon, a domain's state and XML, waiting for
 * the guest's report, and removing whatever a case left. */
#pragma once

#include <libvirt/libvirt.h>
#include <libxml/tree.h>

#include "guest-report.h"
#include "vmctl-test-util.h"

G_BEGIN_DECLS

/* Silences libvirt's error printing. In the parent process: removes what
 * killed runs left (their domains, work directories, sshd and reserved
 * hugepages: everything is named after the run's pid), builds the guest
 * once (tests/guest/build-guest.sh; cached outside the tree) and exports
 * its directory as $VMCTL_GUEST_DIR for the case subprocesses. */
void guest_util_init (void);
/* fails the test with the build's output when the guest could not be built */
void guest_util_require_guest (void);
const gchar *guest_util_iso (void);

/* $VMCTL_E2E_URI (NULL and the test skipped when unset, unless required) */
const gchar *guest_util_uri (void);
/* "vmctl-guest-PID-LABEL", the same in the parent and its subprocesses */
gchar *guest_util_vm_name (const gchar *label);
/* TMP/vmctl-guest-PID-LABEL-XXXXXX, mode 0755 (QEMU may run as another
 * user); and its removal */
gchar *guest_util_make_workdir (const gchar *label);
void guest_util_remove_tree (const gchar *path);
/* guest-sweep.c: domains, work directories (and their sshd) and hugepage
 * reservations of runs whose process is gone */
void guest_util_sweep (const gchar *uri);

/* vmctl -c URI ARGV... */
VmctlTestRun *guest_util_vmctl (const gchar *uri, const gchar * const *argv);
#define GUEST_VMCTL(uri, ...) guest_util_vmctl (uri, (const gchar *[]) { __VA_ARGS__, NULL })
void guest_util_assert_exit (const VmctlTestRun *run, gint expected, const gchar *what);

xmlDoc *guest_util_domain_xml (virDomainPtr domain, guint flags);
/* "running (booted)", "shut off (destroyed)", ... */
gchar *guest_util_state (virDomainPtr domain);
/* @reason -1: any */
gboolean guest_util_state_is (virDomainPtr domain, gint state, gint reason);
/* the guest's status lines joined by ", " */
gchar *guest_util_status_words (const gchar *disk);
/* Until the guest flagged its report ready; fails the test (with the
 * guest's status and QEMU's log) when the domain stops or the time runs
 * out. */
void guest_util_wait_for_report (virDomainPtr domain, const gchar *name, const gchar *disk);

/* The domain, its NVRAM and its managed save, gone, whatever state it is in. */
void guest_util_remove_vm (const gchar *uri, const gchar *name);

/* Prints the claims table (test log and BUILD/meson-logs/guest-claims/
 * LABEL.md, with the raw report) and fails the test when a row does not
 * hold. */
void guest_util_finish_table (GPtrArray *rows, const gchar *label, const GuestReport *report);

G_END_DECLS
