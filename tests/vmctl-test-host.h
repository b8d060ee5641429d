/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-host.h: what the tests of issue 13 (host setup, CPU
 * isolation, single-GPU hand-off) share: a copied host root with its state
 * directory, recording stand-ins for the host's commands first on PATH,
 * and snapshots of parts of the tree to prove "exactly as before". */
#pragma once

#include <glib.h>
#include "vmctl-test-util.h"

G_BEGIN_DECLS

typedef struct {
  gchar *root;        /* the copied scenario */
  gchar *state_dir;   /* ROOT/var/lib/vmctl: inside the root, so the simulated
                       * kernel's kill-after-rename can name a record */
  gchar *standins;    /* a directory of recording stand-ins, first on PATH */
  GPtrArray *env;     /* gchar* VARIABLE=VALUE for every vmctl run */
} HostFixture;

void vmctl_test_host_setup (HostFixture *fixture, const gchar *scenario);
void vmctl_test_host_teardown (HostFixture *fixture);

/* a stand-in named @name that records "NAME ARGS" in STANDINS/log and
 * exits 0, or runs @body (shell) when given */
void vmctl_test_host_standin (HostFixture *fixture, const gchar *name, const gchar *body);
/* the next run of stand-in @name fails (exit 1) / kills vmctl (SIGKILL) */
void vmctl_test_host_fail_next (HostFixture *fixture, const gchar *name);
void vmctl_test_host_kill_next (HostFixture *fixture, const gchar *name);
/* STANDINS/log as lines, then emptied */
gchar **vmctl_test_host_take_commands (HostFixture *fixture) G_GNUC_WARN_UNUSED_RESULT;

/* vmctl --host-root ROOT --state-dir STATE @words..., with the fixture's
 * environment plus @extra_env (NULL-terminated VARIABLE=VALUE, may be NULL) */
VmctlTestRun *vmctl_test_host_run (HostFixture *fixture, const gchar * const *extra_env,
                                   const gchar * const *words);

/* every file and link under ROOT/@dirs (mode, owner, bytes, link target) */
/* vmctl_test_host_run() with the words of @head, @words and @tail in turn
 * (each NULL-terminated, nullable) */
VmctlTestRun *vmctl_test_host_run_joined (HostFixture *fixture, const gchar * const *head,
                                          const gchar * const *words,
                                          const gchar * const *tail);
GHashTable *vmctl_test_host_snapshot (HostFixture *fixture, const gchar * const *dirs);
/* the two snapshots are the same; the message lists what differs */
void vmctl_test_host_assert_same (GHashTable *before, GHashTable *after);

gchar *vmctl_test_host_read (HostFixture *fixture, const gchar *relative);
/* @relative's contents holds @needle */
void vmctl_test_host_assert_file_has (HostFixture *fixture, const gchar *relative,
                                      const gchar *needle);

G_END_DECLS
