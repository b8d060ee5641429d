/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-util.h: fixtures shared by every test program. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* path under the source tree, e.g. "tests/data/sysfs/clean-gpu-audio" */
gchar *vmctl_test_source_path (const gchar *relative);
/* copy tests/data/sysfs/<scenario> into a new temporary directory; the
 * caller removes it with vmctl_test_remove_tree() */
gchar *vmctl_test_copy_scenario (const gchar *scenario);
/* every scenario in tests/data/sysfs, sorted */
GPtrArray *vmctl_test_scenarios (void);
gchar *vmctl_test_copy_tree (const gchar *source);
void vmctl_test_remove_tree (const gchar *path);
/* test:///ABS/tests/data/libvirt/<scenario>.xml */
gchar *vmctl_test_libvirt_uri (const gchar *scenario);
/* The real libvirtd URI of the e2e suite ($VMCTL_E2E_URI), or NULL after
 * marking the test skipped; with VMCTL_E2E_REQUIRED=1 a missing URI aborts,
 * so CI can never pass on skipped end-to-end tests. */
const gchar *vmctl_test_e2e_uri (void);
/* write (creating parents) or delete a file inside a copied tree */
void vmctl_test_write (const gchar *root, const gchar *relative, const gchar *contents);
void vmctl_test_unlink (const gchar *root, const gchar *relative);

/* a copied host root as the simulated kernel left it */
gchar *vmctl_test_sim_driver (const gchar *root, const gchar *address);   /* NULL: unbound */
gchar *vmctl_test_sim_override (const gchar *root, const gchar *address); /* "(null)" when empty */
gchar **vmctl_test_sim_take_log (const gchar *root) G_GNUC_WARN_UNUSED_RESULT; /* .sim/log lines, then emptied */
/* journal files in STATE/journal, -1 when the directory does not exist */
gint vmctl_test_journal_files (const gchar *state_dir);

typedef struct {
  gint exit_status;
  gchar *out;
  gchar *err;
} VmctlTestRun;

/* run the built vmctl binary with argv (NULL-terminated, without argv[0]) */
VmctlTestRun *vmctl_test_run_vmctl (const gchar * const *argv);
VmctlTestRun *vmctl_test_run_vmctlv (const gchar *first, ...) G_GNUC_NULL_TERMINATED;
/* the same with VARIABLE=VALUE strings added to the environment */
VmctlTestRun *vmctl_test_run_vmctl_env (const gchar * const *environment,
                                        const gchar * const *argv);
void vmctl_test_run_free (VmctlTestRun *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VmctlTestRun, vmctl_test_run_free)

G_END_DECLS
