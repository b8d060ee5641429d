/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-spec.h: fixture and helpers shared by the spec test programs
 * (test-spec.c, test-spec-finalize.c). */
#pragma once

#include "vmctl-spec.h"
#include "vmctl-test-util.h"

G_BEGIN_DECLS

#define GIB_KIB (G_GUINT64_CONSTANT (1) << 20)
#define MIB_KIB (G_GUINT64_CONSTANT (1) << 10)

typedef struct {
  gchar *root;       /* a private copy of tests/data/sysfs/<scenario> */
  VmctlHost *host;
  gchar *files;      /* the user's files: ROMs, ISOs, disk images */
} SpecFixture;

#define add_spec_test(path, scenario, function) \
  g_test_add (path, SpecFixture, scenario, vmctl_test_spec_setup, function, \
              vmctl_test_spec_teardown)

void vmctl_test_spec_setup (SpecFixture *fixture, gconstpointer scenario);
void vmctl_test_spec_teardown (SpecFixture *fixture, gconstpointer scenario);
/* "@" in a table value stands for the fixture's directory of user files. */
gchar *vmctl_test_spec_expand (const SpecFixture *fixture, const gchar *value);
/* one option ("--memory", or "name" for the VM name) with its value */
gboolean vmctl_test_spec_apply (VmctlSpec *spec, const gchar *option, const gchar *value,
                                GError **error);
/* a spec from @profile with option/value pairs applied, each of which must be
 * accepted; @fixture NULL leaves "@" alone */
VmctlSpec *vmctl_test_spec_build (const SpecFixture *fixture, const gchar *profile,
                                  ...) G_GNUC_NULL_TERMINATED;
/* whether one of spec->notes holds @needle */
gboolean vmctl_test_spec_has_note (const VmctlSpec *spec, const gchar *needle);
/* a one-line message starting with @prefix (unless NULL) and holding @needle */
void vmctl_test_spec_assert_message (const GError *error, const gchar *prefix,
                                     const gchar *needle);

G_END_DECLS
