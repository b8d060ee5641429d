/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-domain.h: fixtures and helpers shared by the domain XML test
 * programs (test-domain-xml.c, test-domain-rules.c): specs and plans filled
 * by hand, building, XPath, libvirt's schema and test driver, golden files
 * and a private copy of the templates. */
#pragma once

#include <libxml/tree.h>

#include "vmctl-autocleanups.h"
#include "vmctl-domain-xml.h"
#include "vmctl-test-util.h"

G_BEGIN_DECLS

#define VMCTL_TEST_GIB_KIB (G_GUINT64_CONSTANT (1024) * 1024)

typedef struct {
  gchar *root;
  VmctlHost *host;
  VmctlSpec *spec;
  VmctlPlan *plan;
} DomainFixture;

/* ---- specs and plans, filled by hand as the spec parser would ---- */

VmctlPlan *vmctl_test_domain_plan_new (void);
void vmctl_test_domain_plan_free (VmctlPlan *plan);
void vmctl_test_domain_plan_add (VmctlPlan *plan, const gchar *function, VmctlPlanRole role,
                                 const gchar *owner, const gchar *driver, gint group);
void vmctl_test_domain_spec_add_gpu (VmctlSpec *spec, const gchar *gpu, const gchar *rom_path);
void vmctl_test_domain_spec_add_disk (VmctlSpec *spec, const gchar *path, guint64 size_bytes,
                                      const gchar *pool, const gchar *format);
void vmctl_test_domain_set_string (gchar **field, const gchar *value);

/* data/profiles/<name>.conf, resolved */
typedef void (*DomainProfileFunc) (VmctlSpec *spec, const gchar *name);
void vmctl_test_domain_profile_minimal (VmctlSpec *spec, const gchar *name);
void vmctl_test_domain_profile_workstation (VmctlSpec *spec, const gchar *name);
void vmctl_test_domain_profile_gaming (VmctlSpec *spec, const gchar *name);
/* the requested GPU of each fixture host and what the plan gives it */
void vmctl_test_domain_host_gpu (VmctlSpec *spec, VmctlPlan *plan, const gchar *scenario);
/* what vmctl_spec_finalize() leaves of gaming without /dev/kvm */
void vmctl_test_domain_adjust_tcg (VmctlSpec *spec, VmctlPlan *plan);

/* ---- fixture: a copy of tests/data/sysfs/<scenario>, an empty spec and plan ---- */

void vmctl_test_domain_setup_scenario (DomainFixture *fixture, const gchar *scenario);
void vmctl_test_domain_setup_clean (DomainFixture *fixture, gconstpointer data);
void vmctl_test_domain_teardown (DomainFixture *fixture, gconstpointer data);

xmlDocPtr vmctl_test_domain_build_ok (DomainFixture *fixture);
gchar *vmctl_test_domain_build_string (DomainFixture *fixture);
void vmctl_test_domain_build_fails (DomainFixture *fixture, gint code, const gchar *fragment);

/* ---- XPath over a document (ours, or libvirt's); prefix vmctl: is bound ---- */

xmlDocPtr vmctl_test_domain_parse (const gchar *text);
gchar *vmctl_test_domain_xpath_string (xmlDocPtr document, const gchar *expression);
gint vmctl_test_domain_xpath_count (xmlDocPtr document, const gchar *expression);

#define assert_xpath(document, expression, expected) \
  G_STMT_START { \
    g_autofree gchar *assert_value_ = vmctl_test_domain_xpath_string ((document), (expression)); \
    g_assert_cmpstr (assert_value_, ==, (expected)); \
  } G_STMT_END

/* ---- libvirt: schema and test driver ---- */

/* skips the test when libvirt's schema is not installed */
void vmctl_test_domain_assert_validates (xmlDocPtr document);
gchar *vmctl_test_domain_define_on_test_driver (const gchar *scenario, const gchar *xml);
void vmctl_test_domain_assert_round_trip (xmlDocPtr ours, xmlDocPtr theirs);

/* ---- golden files: tests/golden/<name>.xml ---- */

void vmctl_test_domain_compare_golden (const gchar *name, const gchar *actual);

/* ---- templates: a private copy of xml-templates/ the test may break ---- */

typedef struct {
  gchar *directory;
  gchar *saved;
} TemplateFixture;

void vmctl_test_domain_template_setup (TemplateFixture *fixture, gconstpointer data);
void vmctl_test_domain_template_teardown (TemplateFixture *fixture, gconstpointer data);
void vmctl_test_domain_rewrite_template (TemplateFixture *fixture, const gchar *file,
                                         const gchar *from, const gchar *to);
void vmctl_test_domain_template_build_fails (const gchar *fragment);

/* ---- main() ---- */

/* g_test_init(), the source tree's templates, libvirt's errors silenced */
void vmctl_test_domain_init (int *argc, char ***argv);
/* g_test_run(), then frees what the run kept */
int vmctl_test_domain_run (void);
/* a test on a copy of the clean-gpu-audio host / on a private copy of
 * the templates */
void vmctl_test_domain_add_clean (const gchar *path,
                                  void (*test) (DomainFixture *, gconstpointer));
void vmctl_test_domain_add_template (const gchar *path,
                                     void (*test) (TemplateFixture *, gconstpointer));

G_END_DECLS
