/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-hostcheck.h: fixture and assertions shared by the host-check
 * test programs. */
#pragma once

#include "vmctl-hostcheck.h"
#include "vmctl-test-util.h"

G_BEGIN_DECLS

/* every report lists every check, in this order */
#define VMCTL_TEST_N_CHECKS 17
extern const gchar * const vmctl_test_check_order[VMCTL_TEST_N_CHECKS];

#define BOOT "BOOT_IMAGE=/vmlinuz-6.1.0-27-amd64 root=UUID=3f9c1e4a ro quiet"

typedef struct {
  gchar *root;
  VmctlHost *host;
  VmctlHostReport *report;
} HostFixture;

void vmctl_test_hostcheck_setup (HostFixture *fixture, gconstpointer data);
void vmctl_test_hostcheck_teardown (HostFixture *fixture, gconstpointer data);
void vmctl_test_hostcheck_assert_invariants (const VmctlHostReport *report);
const VmctlHostReport *vmctl_test_hostcheck_run (HostFixture *fixture, const gchar *uri);
const VmctlCheckResult *vmctl_test_hostcheck_result (HostFixture *fixture, const gchar *id);
void vmctl_test_assert_fix_contains (HostFixture *fixture, const gchar *id, const gchar *needle);
void vmctl_test_assert_fix_lacks (HostFixture *fixture, const gchar *id, const gchar *needle);
void vmctl_test_assert_message_contains (HostFixture *fixture, const gchar *id, const gchar *needle);
void vmctl_test_hostcheck_write (HostFixture *fixture, const gchar *relative, const gchar *contents);
void vmctl_test_hostcheck_remove (HostFixture *fixture, const gchar *relative);
void vmctl_test_hostcheck_set_cmdline (HostFixture *fixture, const gchar *arguments);
void vmctl_test_hostcheck_add (const gchar *path, const gchar *scenario,
                               void (*test) (HostFixture *, gconstpointer));

#define assert_status(fixture, id, expected) \
  G_STMT_START { \
    const VmctlCheckResult *r_ = vmctl_test_hostcheck_result ((fixture), (id)); \
    if (r_->status != (expected)) \
      g_error ("%s: expected %s, got %s: %s (fix: %s)", (id), \
               vmctl_check_status_to_string (expected), \
               vmctl_check_status_to_string (r_->status), r_->message, \
               r_->fix != NULL ? r_->fix : "none"); \
  } G_STMT_END

G_END_DECLS
