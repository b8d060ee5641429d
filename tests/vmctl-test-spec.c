/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-test-spec.c: fixture and helpers shared by the spec test programs
 * (test-spec.c: the create options; test-spec-finalize.c: the profiles and
 * vmctl_spec_finalize()). */
#include "vmctl-test-spec.h"

#include <string.h>

/* scenario: the tests/data/sysfs scenario to copy */
void
vmctl_test_spec_setup (SpecFixture *fixture, gconstpointer scenario)
{
  g_autoptr(GError) error = NULL;

  fixture->root = vmctl_test_copy_scenario (scenario);
  fixture->host = vmctl_host_new (fixture->root, &error);
  g_assert_no_error (error);
  fixture->files = g_dir_make_tmp ("vmctl-spec-files-XXXXXX", &error);
  g_assert_no_error (error);
  vmctl_test_write (fixture->files, "vbios.rom", "\x55\xaa rom");
  vmctl_test_write (fixture->files, "install.iso", "CD001");
  vmctl_test_write (fixture->files, "disk.img", "raw bytes");
  vmctl_test_write (fixture->files, "disk.qcow2", "QFI\xfb qcow2 header");
  vmctl_test_write (fixture->files, "named.qcow2", "");
}

void
vmctl_test_spec_teardown (SpecFixture *fixture, gconstpointer scenario)
{
  vmctl_host_unref (fixture->host);
  vmctl_test_remove_tree (fixture->root);
  vmctl_test_remove_tree (fixture->files);
  g_free (fixture->root);
  g_free (fixture->files);
}

/* "@" in a table value stands for the fixture's directory of user files. */
gchar *
vmctl_test_spec_expand (const SpecFixture *fixture, const gchar *value)
{
  g_auto(GStrv) parts = g_strsplit (value, "@", -1);

  return g_strjoinv (fixture->files, parts);
}

gboolean
vmctl_test_spec_apply (VmctlSpec *spec, const gchar *option, const gchar *value, GError **error)
{
  if (strcmp (option, "--gpu") == 0)
    return vmctl_spec_add_gpu (spec, value, error);
  if (strcmp (option, "--hostdev") == 0)
    return vmctl_spec_add_hostdev (spec, value, error);
  if (strcmp (option, "--memory") == 0)
    return vmctl_spec_set_memory (spec, value, error);
  if (strcmp (option, "--vcpus") == 0)
    return vmctl_spec_set_vcpus (spec, value, error);
  if (strcmp (option, "--disk") == 0)
    return vmctl_spec_add_disk (spec, value, error);
  if (strcmp (option, "--cdrom") == 0)
    return vmctl_spec_set_cdrom (spec, value, error);
  if (strcmp (option, "--network") == 0)
    return vmctl_spec_set_network (spec, value, error);
  if (strcmp (option, "--firmware") == 0)
    return vmctl_spec_set_firmware (spec, value, error);
  if (strcmp (option, "--cpu-pin") == 0)
    return vmctl_spec_set_cpu_pin (spec, value, error);
  if (strcmp (option, "--virt-type") == 0)
    return vmctl_spec_set_virt_type (spec, value, error);
  if (strcmp (option, "--hugepages") == 0) {
    vmctl_spec_set_hugepages (spec, TRUE);
    return TRUE;
  }
  if (strcmp (option, "--no-hugepages") == 0) {
    vmctl_spec_set_hugepages (spec, FALSE);
    return TRUE;
  }
  if (strcmp (option, "name") == 0)
    return vmctl_spec_set_name (spec, value, error);
  if (strcmp (option, "--profile") == 0) {
    g_autoptr(VmctlSpec) other = vmctl_spec_new_from_profile ("vm", value, error);

    return other != NULL;
  }
  g_assert_not_reached ();
}

/* A spec from @profile with option/value pairs applied, each of which must
 * be accepted ("@" expanded). Flags take a NULL-less dummy value. */
VmctlSpec *
vmctl_test_spec_build (const SpecFixture *fixture, const gchar *profile, ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlSpec) spec = vmctl_spec_new_from_profile ("vm", profile, &error);
  va_list args;
  const gchar *option;

  g_assert_no_error (error);
  g_assert_nonnull (spec);
  va_start (args, profile);
  while ((option = va_arg (args, const gchar *)) != NULL) {
    const gchar *raw = va_arg (args, const gchar *);
    g_autofree gchar *value = fixture != NULL ? vmctl_test_spec_expand (fixture, raw) : g_strdup (raw);

    if (!vmctl_test_spec_apply (spec, option, value, &error))
      g_error ("%s '%s' refused: %s", option, value, error->message);
  }
  va_end (args);
  return g_steal_pointer (&spec);
}

void
vmctl_test_spec_assert_message (const GError *error, const gchar *prefix, const gchar *needle)
{
  g_assert_nonnull (error);
  if (prefix != NULL && !g_str_has_prefix (error->message, prefix))
    g_error ("message '%s' does not start with '%s'", error->message, prefix);
  if (strstr (error->message, needle) == NULL)
    g_error ("message '%s' lacks '%s'", error->message, needle);
  g_assert_null (strchr (error->message, '\n'));
}

gboolean
vmctl_test_spec_has_note (const VmctlSpec *spec, const gchar *needle)
{
  for (guint i = 0; i < spec->notes->len; i++)
    if (strstr (g_ptr_array_index (spec->notes, i), needle) != NULL)
      return TRUE;
  return FALSE;
}
