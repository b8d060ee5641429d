/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-quirks.c: the known-bad list as shipped, and bad lists refused. */
#include "vmctl-quirks.h"
#include "vmctl-test-util.h"

#include <string.h>

static void
test_shipped_list (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = vmctl_test_source_path ("data/quirks/reset-bug.conf");
  g_autoptr(VmctlQuirks) quirks = vmctl_quirks_load (path, &error);
  const gchar *polaris;

  g_assert_no_error (error);
  polaris = vmctl_quirks_reset_problem (quirks, 0x1002, 0x67df);
  g_assert_nonnull (polaris);
  g_assert_nonnull (strstr (polaris, "vendor-reset"));
  g_assert_nonnull (vmctl_quirks_reset_problem (quirks, 0x1002, 0x731f));
  /* RTX 3070 and Navi 21 are not listed */
  g_assert_null (vmctl_quirks_reset_problem (quirks, 0x10de, 0x2484));
  g_assert_null (vmctl_quirks_reset_problem (quirks, 0x1002, 0x73bf));
  g_assert_null (vmctl_quirks_reset_problem (NULL, 0x1002, 0x67df));
}

static void
test_bad_lists (void)
{
  static const gchar *bad[] = {
    "[1002:67df]\nname=x\n",           /* no problem= */
    "[1002-67df]\nproblem=x\n",        /* bad id */
    "[1002:67dfe]\nproblem=x\n",
    "[zzzz:67df]\nproblem=x\n",
    "not a key file\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VmctlQuirks) quirks = vmctl_quirks_load_from_data (bad[i], &error);

    g_assert_null (quirks);
    g_assert_nonnull (error);
  }
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlQuirks) quirks = vmctl_quirks_load ("/nonexistent/reset-bug.conf", &error);

  g_assert_null (quirks);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vmctl/quirks/shipped", test_shipped_list);
  g_test_add_func ("/vmctl/quirks/bad", test_bad_lists);
  g_test_add_func ("/vmctl/quirks/missing", test_missing_file);
  return g_test_run ();
}
