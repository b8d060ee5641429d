/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-lifecycle.h: the fixture and helpers of the lifecycle tests
 * on libvirt's test driver. tests/data/libvirt/lifecycle.xml holds
 * "running", "stopped" (shut off, with a volume, a file disk and a cdrom
 * from pool "default"), "broken-metadata" (shut off, vmctl metadata with a
 * bad address) and the directory pool "default". Each test makes its own
 * session, and the test driver gives each connection to a file its own
 * state, so no test sees another's changes; a test reads libvirt through
 * the session's connection, which is the one vmctl changes. */
#pragma once

#include "vmctl-lifecycle.h"
#include "vmctl-test-domain.h"

G_BEGIN_DECLS

#define VMCTL_TEST_MIB (G_GUINT64_CONSTANT (1024) * 1024)

typedef struct {
  VmctlSession *session;
  virConnectPtr connection;           /* the session's (transfer none) */
  DomainFixture domain;               /* a host root for the domain builder, copied
                                       * by the tests that build (reset_spec) */
} LifecycleFixture;

/* a session on tests/data/libvirt/lifecycle.xml with no host root: a
 * test:/// URI, so planned functions are the remote host's */
void vmctl_test_lifecycle_setup (LifecycleFixture *fixture, gconstpointer data);
/* the session on @uri (NULL: lifecycle.xml) with @host_root and
 * @state_dir (NULL: the defaults) */
void vmctl_test_lifecycle_open (LifecycleFixture *fixture, const gchar *uri,
                                const gchar *host_root, const gchar *state_dir);
void vmctl_test_lifecycle_teardown (LifecycleFixture *fixture, gconstpointer data);

#define add_lifecycle_test(path, function) \
  g_test_add (path, LifecycleFixture, NULL, vmctl_test_lifecycle_setup, function, \
              vmctl_test_lifecycle_teardown)

/* a fresh spec (minimal profile) and empty plan named @name */
void vmctl_test_lifecycle_reset_spec (LifecycleFixture *fixture, const gchar *name);
/* a --disk size=@size_bytes[,pool=@pool] */
void vmctl_test_lifecycle_add_volume_disk (LifecycleFixture *fixture, guint64 size_bytes,
                                           const gchar *pool);
/* build the fixture's spec and plan with the real builder, then define it */
gboolean vmctl_test_lifecycle_define_spec (LifecycleFixture *fixture, GError **error);
/* the fixture's spec given the GPU of clean-gpu-audio with its audio
 * function (the plan), then defined, which must succeed */
void vmctl_test_lifecycle_define_gpu (LifecycleFixture *fixture);
/* An empty 2 MiB pool under @root whose free count follows nr_hugepages,
 * as a kernel with memory to spare would make it; returns the path of
 * nr_hugepages */
gchar *vmctl_test_lifecycle_empty_pool (const gchar *root);
/* reset_spec (@name) and define it, which must succeed */
void vmctl_test_lifecycle_define_ok (LifecycleFixture *fixture, const gchar *name);
/* the capacity of @volume_name in @pool_name, 0 when either is missing */
guint64 vmctl_test_lifecycle_volume_capacity (LifecycleFixture *fixture, const gchar *pool_name,
                                              const gchar *volume_name);
gboolean vmctl_test_lifecycle_domain_exists (LifecycleFixture *fixture, const gchar *name);
VmctlVmState vmctl_test_lifecycle_state_of (LifecycleFixture *fixture, const gchar *name);
/* @name's metadata records exactly the volumes @expected (pool, volume,
 * path triples, NULL-terminated) as created by vmctl */
void vmctl_test_lifecycle_assert_created (LifecycleFixture *fixture, const gchar *name,
                                          const gchar * const *expected);
/* a one-line message holding @needle */
void vmctl_test_lifecycle_assert_message_has (const GError *error, const gchar *needle);

G_END_DECLS
