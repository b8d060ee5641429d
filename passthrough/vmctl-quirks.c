/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-quirks.c: the known-bad device list (data/quirks/reset-bug.conf).
 *
 * A GKeyFile with one group per "vvvv:dddd" id:
 *   [1002:67df]
 *   name=Radeon RX 470/480/570/580 (Polaris 10)
 *   problem=does not reset after the guest shuts down (AMD reset bug) ...
 */
#include "vmctl-quirks.h"
#include "vmctl-glib-util.h"

#include <string.h>

G_DEFINE_QUARK (vmctl-quirks-error-quark, vmctl_quirks_error)

struct _VmctlQuirks {
  GHashTable *reset_problems; /* guint vendor<<16|device → gchar* */
};

VmctlQuirks *
vmctl_quirks_new_empty (void)
{
  VmctlQuirks *quirks = g_new0 (VmctlQuirks, 1);

  quirks->reset_problems = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  return quirks;
}

void
vmctl_quirks_free (VmctlQuirks *quirks)
{
  if (quirks == NULL)
    return;
  g_hash_table_unref (quirks->reset_problems);
  g_free (quirks);
}

static gboolean
parse_id (const gchar *group, guint *out_key)
{
  guint64 vendor = 0, device = 0;
  g_auto(GStrv) parts = g_strsplit (group, ":", -1);

  if (g_strv_length (parts) != 2 || strlen (parts[0]) != 4 || strlen (parts[1]) != 4)
    return FALSE;
  if (!g_ascii_string_to_unsigned (parts[0], 16, 0, 0xffff, &vendor, NULL)
      || !g_ascii_string_to_unsigned (parts[1], 16, 0, 0xffff, &device, NULL))
    return FALSE;
  *out_key = (guint) (vendor << 16 | device);
  return TRUE;
}

static VmctlQuirks *
quirks_from_key_file (GKeyFile *key_file, const gchar *origin, GError **error)
{
  g_autoptr(VmctlQuirks) quirks = vmctl_quirks_new_empty ();
  g_auto(GStrv) groups = g_key_file_get_groups (key_file, NULL);

  for (guint i = 0; groups[i] != NULL; i++) {
    g_autofree gchar *name = vmctl_key_file_get_string (key_file, groups[i], "name", NULL);
    g_autofree gchar *problem = vmctl_key_file_get_string (key_file, groups[i], "problem", NULL);
    guint key = 0;

    if (!parse_id (groups[i], &key) || problem == NULL) {
      g_set_error (error, VMCTL_QUIRKS_ERROR, VMCTL_QUIRKS_ERROR_PARSE,
                   "%s: [%s] needs the form [vvvv:dddd] and a problem= line",
                   origin, groups[i]);
      return NULL;
    }
    g_hash_table_replace (quirks->reset_problems, GUINT_TO_POINTER (key),
                          name != NULL ? g_strdup_printf ("%s: %s", name, problem)
                                       : g_steal_pointer (&problem));
  }
  return g_steal_pointer (&quirks);
}

/**
 * vmctl_quirks_load:
 * @error: G_FILE_ERROR / G_KEY_FILE_ERROR when unreadable,
 *   VMCTL_QUIRKS_ERROR_PARSE for a bad entry
 * Returns: (transfer full): the list
 */
VmctlQuirks *
vmctl_quirks_load (const gchar *path, GError **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, error)) {
    g_prefix_error (error, "%s: ", path);
    return NULL;
  }
  return quirks_from_key_file (key_file, path, error);
}

VmctlQuirks *
vmctl_quirks_load_from_data (const gchar *data, GError **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();

  if (!g_key_file_load_from_data (key_file, data, -1, G_KEY_FILE_NONE, error))
    return NULL;
  return quirks_from_key_file (key_file, "quirks", error);
}

/**
 * vmctl_quirks_reset_problem:
 * Returns: (transfer none) (nullable): why this device does not reset
 * cleanly, or NULL when it is not listed
 */
const gchar *
vmctl_quirks_reset_problem (const VmctlQuirks *quirks, guint16 vendor_id, guint16 device_id)
{
  if (quirks == NULL)
    return NULL;
  return g_hash_table_lookup (quirks->reset_problems,
                              GUINT_TO_POINTER ((guint) vendor_id << 16 | device_id));
}
