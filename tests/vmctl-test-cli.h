/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-cli.h: running the vmctl binary and reading what it prints,
 * shared by the CLI test programs. */
#pragma once

#include <json-glib/json-glib.h>
#include "vmctl-test-util.h"

G_BEGIN_DECLS

typedef struct {
  gchar *root;  /* a private copy of tests/data/sysfs/<scenario> */
} CliFixture;

#define add_cli_test(path, scenario, function) \
  g_test_add (path, CliFixture, scenario, vmctl_test_cli_setup, function, vmctl_test_cli_teardown)

void vmctl_test_cli_setup (CliFixture *fixture, gconstpointer data);
/* a private copy of data/demo-host, the workstation of the README */
void vmctl_test_cli_demo_setup (CliFixture *fixture, gconstpointer data);

#define add_demo_host_test(path, function) \
  g_test_add (path, CliFixture, NULL, vmctl_test_cli_demo_setup, function, \
              vmctl_test_cli_teardown)

void vmctl_test_cli_teardown (CliFixture *fixture, gconstpointer data);
JsonNode *vmctl_test_parse_json (const gchar *text);
void vmctl_test_assert_one_error_line (const VmctlTestRun *run);
void vmctl_test_assert_usage_error (const VmctlTestRun *run);
void vmctl_test_assert_no_trailing_spaces (const gchar *text);
void vmctl_test_assert_address_array (JsonObject *object, const gchar *member, const gchar * const *expected);
gboolean vmctl_test_address_array_contains (JsonObject *object, const gchar *member, const gchar *address);
void vmctl_test_assert_verdict_shape (JsonObject *object, const gchar *extra);
VmctlTestRun *vmctl_test_gpu_check_json (const gchar *root, const gchar *address, JsonNode **out_node);
gboolean vmctl_test_any_reason_contains (JsonObject *object, const gchar *needle);

G_END_DECLS
