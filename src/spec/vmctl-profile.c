/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-profile.c: a profile is a key file of spec defaults. Loading one
 * writes those defaults into a VmctlSpec; the create options applied
 * afterwards override them. Values go through the same parsers as the
 * options, so a profile cannot say what the command line could not.
 * Unknown groups and keys are errors: a typo in a profile must not
 * silently fall back to a default. */
#include "vmctl-profile-private.h"

#include "vmctl-data-dir.h"
#include "vmctl-glib-util.h"
#include "vmctl-spec-private.h"
#include "vmctl-spec-desk.h"

#include <string.h>

G_DEFINE_QUARK (vmctl-profile-error-quark, vmctl_profile_error)

#define PROFILE_SUFFIX ".conf"
#define PROFILE_NAME_MAX 32

typedef gboolean (*ApplyFunction) (VmctlSpec *spec, const gchar *value, GError **error);

static gboolean
set_invalid (GError **error, const gchar *message)
{
  g_set_error_literal (error, VMCTL_PROFILE_ERROR, VMCTL_PROFILE_ERROR_INVALID, message);
  return FALSE;
}

/* The value parsers report VMCTL_SPEC_ERROR; in a profile file the same
 * mistake is the installation's, not the user's. */
static gboolean
to_profile_error (GError **error, GError *spec_error)
{
  set_invalid (error, spec_error->message);
  g_error_free (spec_error);
  return FALSE;
}

static gboolean
apply_description (VmctlSpec *spec, const gchar *value, GError **error)
{
  return value[0] != '\0' || set_invalid (error, "empty description");
}

static gboolean
apply_machine (VmctlSpec *spec, const gchar *value, GError **error)
{
  if (strcmp (value, "q35") != 0 && strcmp (value, "pc") != 0)
    return set_invalid (error, "want q35 or pc");
  g_free (spec->machine);
  spec->machine = g_strdup (value);
  return TRUE;
}

static gboolean
apply_firmware (VmctlSpec *spec, const gchar *value, GError **error)
{
  GError *local_error = NULL;

  if (!vmctl_spec_parse_firmware (value, &spec->firmware, &local_error))
    return to_profile_error (error, local_error);
  return TRUE;
}

static gboolean
apply_memory (VmctlSpec *spec, const gchar *value, GError **error)
{
  GError *local_error = NULL;

  if (!vmctl_spec_parse_memory (value, &spec->memory_kib, &local_error))
    return to_profile_error (error, local_error);
  spec->memory_given = FALSE;
  return TRUE;
}

static gboolean
apply_vcpus (VmctlSpec *spec, const gchar *value, GError **error)
{
  GError *local_error = NULL;

  if (!vmctl_spec_parse_vcpus (value, &spec->vcpus, &local_error))
    return to_profile_error (error, local_error);
  spec->vcpus_given = FALSE;
  return TRUE;
}

static gboolean
apply_cpu_mode (VmctlSpec *spec, const gchar *value, GError **error)
{
  if (strcmp (value, "host-passthrough") != 0 && strcmp (value, "host-model") != 0)
    return set_invalid (error, "want host-passthrough or host-model");
  g_free (spec->cpu_mode);
  spec->cpu_mode = g_strdup (value);
  return TRUE;
}

static gboolean
apply_cpu_pin (VmctlSpec *spec, const gchar *value, GError **error)
{
  /* a list names one host's CPUs: that belongs on the command line */
  if (strcmp (value, "auto") == 0)
    spec->cpu_pin = VMCTL_CPU_PIN_AUTO;
  else if (strcmp (value, "none") == 0)
    spec->cpu_pin = VMCTL_CPU_PIN_NONE;
  else
    return set_invalid (error, "want auto or none");
  g_clear_pointer (&spec->cpu_pin_list, g_array_unref);
  return TRUE;
}

static gboolean
apply_vendor_id (VmctlSpec *spec, const gchar *value, GError **error)
{
  gsize length = strlen (value);

  /* libvirt's limit; letters and digits keep it clear of QEMU's option
   * syntax, where a comma would start a new property */
  if (length > 12)
    return set_invalid (error, "at most 12 characters");
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (value[i]))
      return set_invalid (error, "letters and digits only");
  g_free (spec->hyperv_vendor_id);
  spec->hyperv_vendor_id = length > 0 ? g_strdup (value) : NULL;
  return TRUE;
}

static gboolean
apply_clock (VmctlSpec *spec, const gchar *value, GError **error)
{
  if (strcmp (value, "utc") == 0)
    spec->clock = VMCTL_CLOCK_UTC;
  else if (strcmp (value, "windows") == 0)
    spec->clock = VMCTL_CLOCK_WINDOWS;
  else
    return set_invalid (error, "want utc or windows");
  return TRUE;
}

static gboolean
apply_disk_bus (VmctlSpec *spec, const gchar *value, GError **error)
{
  if (strcmp (value, "virtio") != 0 && strcmp (value, "sata") != 0)
    return set_invalid (error, "want virtio or sata");
  g_free (spec->disk_bus);
  spec->disk_bus = g_strdup (value);
  return TRUE;
}

static gboolean
apply_nic_model (VmctlSpec *spec, const gchar *value, GError **error)
{
  if (strcmp (value, "virtio") != 0 && strcmp (value, "e1000e") != 0)
    return set_invalid (error, "want virtio or e1000e");
  g_free (spec->nic_model);
  spec->nic_model = g_strdup (value);
  return TRUE;
}

static gboolean
apply_network (VmctlSpec *spec, const gchar *value, GError **error)
{
  GError *local_error = NULL;
  gchar *bridge = NULL;

  if (!vmctl_spec_parse_network (value, &spec->network, &bridge, &local_error))
    return to_profile_error (error, local_error);
  g_free (spec->bridge);
  spec->bridge = bridge;
  return TRUE;
}

static gboolean
apply_graphics (VmctlSpec *spec, const gchar *value, GError **error)
{
  if (strcmp (value, "spice") == 0)
    spec->graphics = VMCTL_GRAPHICS_SPICE;
  else if (strcmp (value, "vnc") == 0)
    spec->graphics = VMCTL_GRAPHICS_VNC;
  else if (strcmp (value, "none") == 0)
    spec->graphics = VMCTL_GRAPHICS_NONE;
  else
    return set_invalid (error, "want spice, vnc or none");
  return TRUE;
}

#define BOOLEAN(field) NULL, G_STRUCT_OFFSET (VmctlSpec, field)
#define CUSTOM(function) function, 0

/* Every key a profile may hold; each profile file in data/profiles/
 * documents them all. */
static const struct {
  const gchar *group;
  const gchar *key;
  ApplyFunction apply;      /* NULL: a boolean field at offset */
  gsize offset;
} profile_keys[] = {
  { "profile",  "description",       CUSTOM (apply_description) },
  { "machine",  "type",              CUSTOM (apply_machine) },
  { "machine",  "firmware",          CUSTOM (apply_firmware) },
  { "machine",  "tpm",               BOOLEAN (tpm) },
  { "memory",   "size",              CUSTOM (apply_memory) },
  { "memory",   "hugepages",         BOOLEAN (hugepages) },
  { "memory",   "hugepages-dynamic", BOOLEAN (hugepages_dynamic) },
  { "cpu",      "vcpus",             CUSTOM (apply_vcpus) },
  { "cpu",      "mode",              CUSTOM (apply_cpu_mode) },
  { "cpu",      "cache-passthrough", BOOLEAN (cpu_cache_passthrough) },
  { "cpu",      "smt-topology",      BOOLEAN (cpu_smt_topology) },
  { "cpu",      "pin",               CUSTOM (apply_cpu_pin) },
  { "features", "hyperv",            BOOLEAN (hyperv) },
  { "features", "hyperv-vendor-id",  CUSTOM (apply_vendor_id) },
  { "features", "kvm-hidden",        BOOLEAN (kvm_hidden) },
  { "features", "vmport-off",        BOOLEAN (vmport_off) },
  { "features", "clock",             CUSTOM (apply_clock) },
  { "devices",  "disk-bus",          CUSTOM (apply_disk_bus) },
  { "devices",  "nic-model",         CUSTOM (apply_nic_model) },
  { "devices",  "network",           CUSTOM (apply_network) },
  { "devices",  "graphics",          CUSTOM (apply_graphics) },
  { "devices",  "video",             BOOLEAN (emulated_video) },
  { "devices",  "video-with-gpu",    BOOLEAN (emulated_video_with_gpu) },
  /* issue 12 */
  { "devices",  "audio",             CUSTOM (vmctl_profile_apply_audio) },
  /* issue 13 */
  { "cpu",      "isolate",           BOOLEAN (isolate_cpus) },
  { "devices",  "single-gpu",        BOOLEAN (single_gpu) },
};

static gboolean
known_group (const gchar *group)
{
  for (gsize i = 0; i < G_N_ELEMENTS (profile_keys); i++)
    if (strcmp (profile_keys[i].group, group) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
apply_key (VmctlSpec *spec, gsize index, const gchar *value, GError **error)
{
  gboolean *field;

  if (profile_keys[index].apply != NULL)
    return profile_keys[index].apply (spec, value, error);
  /* GKeyFile also takes 1/0; profiles say what they mean */
  field = G_STRUCT_MEMBER_P (spec, profile_keys[index].offset);
  if (strcmp (value, "true") == 0)
    *field = TRUE;
  else if (strcmp (value, "false") == 0)
    *field = FALSE;
  else
    return set_invalid (error, "want true or false");
  return TRUE;
}

/* The string value of @key, through vmctl_key_file_get_string(): an
 * escape GKeyFile does not know is refused before GLib parses it, and the
 * error decides, never a half-decoded value. */
static gchar *
read_value (GKeyFile *file, const gchar *group, const gchar *key, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *value = vmctl_key_file_get_string (file, group, key, &local_error);

  if (local_error != NULL) {
    g_set_error (error, VMCTL_PROFILE_ERROR, VMCTL_PROFILE_ERROR_INVALID, "[%s] %s: %s",
                 group, key, local_error->message);
    return NULL;
  }
  return g_steal_pointer (&value);
}

static gboolean
apply_entry (VmctlSpec *spec, GKeyFile *file, const gchar *group, const gchar *key,
             GError **error)
{
  g_autofree gchar *value = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (profile_keys); i++) {
    if (strcmp (profile_keys[i].group, group) != 0 || strcmp (profile_keys[i].key, key) != 0)
      continue;
    value = read_value (file, group, key, error);
    if (value == NULL)
      return FALSE;
    if (!apply_key (spec, i, value, error)) {
      g_autofree gchar *quoted = vmctl_spec_quote (value);

      g_prefix_error (error, "[%s] %s=%s: ", group, key, quoted);
      return FALSE;
    }
    return TRUE;
  }
  g_set_error (error, VMCTL_PROFILE_ERROR, VMCTL_PROFILE_ERROR_INVALID,
               "[%s] %s: unknown key", group, key);
  return FALSE;
}

static gboolean
apply_key_file (VmctlSpec *spec, GKeyFile *file, GError **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups (file, NULL);

  for (guint i = 0; groups[i] != NULL; i++) {
    g_auto(GStrv) keys = NULL;

    if (!known_group (groups[i])) {
      g_set_error (error, VMCTL_PROFILE_ERROR, VMCTL_PROFILE_ERROR_INVALID,
                   "[%s]: unknown group", groups[i]);
      return FALSE;
    }
    keys = g_key_file_get_keys (file, groups[i], NULL, NULL);
    for (guint j = 0; keys != NULL && keys[j] != NULL; j++)
      if (!apply_entry (spec, file, groups[i], keys[j], error))
        return FALSE;
  }
  return TRUE;
}

/**
 * vmctl_profile_apply_file:
 * @path: a profile key file
 * @error: VMCTL_PROFILE_ERROR_INVALID when it cannot be read or holds
 *   something vmctl does not know
 *
 * Writes the file's defaults into @spec and sets spec->profile to the
 * file's base name without ".conf". Keys the file leaves out keep the
 * values @spec had. On failure @spec may hold part of the file.
 */
gboolean
vmctl_profile_apply_file (VmctlSpec *spec, const gchar *path, GError **error)
{
  g_autofree gchar *data = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;

  g_return_val_if_fail (spec != NULL && path != NULL, FALSE);
  if (!g_file_get_contents (path, &data, &length, &local_error)) {
    g_set_error (error, VMCTL_PROFILE_ERROR, VMCTL_PROFILE_ERROR_INVALID,
                 "profile %s: %s", path, local_error->message);
    return FALSE;
  }
  return vmctl_profile_apply_data (spec, path, data, length, error);
}

/**
 * vmctl_profile_apply_data: (skip)
 * @path: where @data was read from: the profile's name and messages
 * @data: the key file's text, @length bytes
 *
 * vmctl_profile_apply_file() on text already read.
 */
gboolean
vmctl_profile_apply_data (VmctlSpec *spec, const gchar *path, const gchar *data, gsize length,
                          GError **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *base = g_path_get_basename (path);

  g_return_val_if_fail (spec != NULL && path != NULL && data != NULL, FALSE);
  if (!g_key_file_load_from_data (file, data, length, G_KEY_FILE_NONE, &local_error)
      || !apply_key_file (spec, file, &local_error)) {
    g_set_error (error, VMCTL_PROFILE_ERROR, VMCTL_PROFILE_ERROR_INVALID,
                 "profile %s: %s", path, local_error->message);
    return FALSE;
  }
  if (g_str_has_suffix (base, PROFILE_SUFFIX))
    base[strlen (base) - strlen (PROFILE_SUFFIX)] = '\0';
  g_free (spec->profile);
  spec->profile = g_steal_pointer (&base);
  return TRUE;
}

/* Profile names become file names: lower-case letters, digits, '-' and
 * '_' only, so "../x" can never leave the profile directory. */
static gboolean
profile_name_is_valid (const gchar *name)
{
  gsize length = strlen (name);

  if (length == 0 || length > PROFILE_NAME_MAX)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!(g_ascii_islower (name[i]) || g_ascii_isdigit (name[i])
          || ((name[i] == '-' || name[i] == '_') && i > 0)))
      return FALSE;
  return TRUE;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

/**
 * vmctl_profile_list:
 *
 * Returns: (transfer full): the names of the profiles in the data
 * directory's profiles/, sorted; empty when there are none
 */
gchar **
vmctl_profile_list (void)
{
  g_autofree gchar *directory_path = vmctl_data_path ("profiles");
  g_autoptr(GDir) directory = g_dir_open (directory_path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *entry;

  while (directory != NULL && (entry = g_dir_read_name (directory)) != NULL) {
    g_autofree gchar *name = NULL;

    if (!g_str_has_suffix (entry, PROFILE_SUFFIX))
      continue;
    name = g_strndup (entry, strlen (entry) - strlen (PROFILE_SUFFIX));
    if (profile_name_is_valid (name))
      g_ptr_array_add (names, g_steal_pointer (&name));
  }
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  return (gchar **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/**
 * vmctl_profile_apply:
 * @name: a profile name, "gaming"
 * @error: VMCTL_SPEC_ERROR_NO_PROFILE, naming the available profiles, when
 *   there is no data/profiles/NAME.conf; VMCTL_PROFILE_ERROR_INVALID when
 *   the file is broken
 *
 * See vmctl_profile_apply_file().
 */
gboolean
vmctl_profile_apply (VmctlSpec *spec, const gchar *name, GError **error)
{
  g_autofree gchar *file_name = NULL;
  g_autofree gchar *path = NULL;

  g_return_val_if_fail (spec != NULL && name != NULL, FALSE);
  if (profile_name_is_valid (name)) {
    file_name = g_strconcat ("profiles/", name, PROFILE_SUFFIX, NULL);
    path = vmctl_data_path (file_name);
  }
  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_auto(GStrv) available = vmctl_profile_list ();
    g_autofree gchar *list = g_strjoinv (", ", available);
    g_autofree gchar *quoted = vmctl_spec_quote (name);

    if (available[0] == NULL) {
      g_autofree gchar *directory = vmctl_data_path ("profiles");

      g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_NO_PROFILE,
                   "--profile '%s': unknown profile (none installed in %s)", quoted, directory);
    } else {
      g_set_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_NO_PROFILE,
                   "--profile '%s': unknown profile (available: %s)", quoted, list);
    }
    return FALSE;
  }
  return vmctl_profile_apply_file (spec, path, error);
}
