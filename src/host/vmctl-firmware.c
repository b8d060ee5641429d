/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-firmware.c: QEMU firmware descriptors (docs/interop/firmware.json)
 * read from the host root, with the same search path and precedence as
 * QEMU and libvirt use, so vmctl sees the builds libvirt will choose from.
 * Which build a domain gets is in vmctl-firmware-choose.c. */
#include "vmctl-firmware-private.h"

#include <json-glib/json-glib.h>
#include <string.h>

G_DEFINE_QUARK (vmctl-firmware-error-quark, vmctl_firmware_error)

/* Lowest precedence first: a later directory's file replaces an earlier
 * one of the same name (firmware.json, "Search path"). */
static const gchar * const system_directories[] = {
  "/usr/share/qemu/firmware",
  "/etc/qemu/firmware",
};

/**
 * vmctl_firmware_free:
 * @firmware: (nullable): a descriptor from vmctl_firmware_list()
 */
void
vmctl_firmware_free (VmctlFirmware *firmware)
{
  if (firmware == NULL)
    return;
  g_free (firmware->descriptor_path);
  g_free (firmware->description);
  g_strfreev (firmware->interface_types);
  g_free (firmware->mapping_device);
  g_free (firmware->executable);
  g_free (firmware->nvram_template);
  g_free (firmware->format);
  g_strfreev (firmware->machines);
  g_strfreev (firmware->architectures);
  g_strfreev (firmware->features);
  g_free (firmware);
}

/* json-glib's typed getters emit a critical on a type mismatch, and a
 * descriptor is untrusted input: look at the node type first. */
static const gchar *
member_string (JsonObject *object, const gchar *name)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, name))
    return NULL;
  node = json_object_get_member (object, name);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
member_object (JsonObject *object, const gchar *name)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, name))
    return NULL;
  node = json_object_get_member (object, name);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
member_array (JsonObject *object, const gchar *name)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, name))
    return NULL;
  node = json_object_get_member (object, name);
  return JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* Appends the array's strings to @into, skipping duplicates; FALSE when
 * an element is not a string. */
static gboolean
collect_strings (JsonArray *array, GPtrArray *into)
{
  guint length = json_array_get_length (array);

  for (guint i = 0; i < length; i++) {
    JsonNode *node = json_array_get_element (array, i);
    const gchar *value;

    if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
      return FALSE;
    value = json_node_get_string (node);
    if (!g_ptr_array_find_with_equal_func (into, value, g_str_equal, NULL))
      g_ptr_array_add (into, g_strdup (value));
  }
  return TRUE;
}

/* An absolute image name without "." or ".." components. vmctl looks for
 * the image under the host root, and "/../x" would find a file outside it;
 * QEMU's descriptors never need one. */
static gboolean
is_image_name (const gchar *filename)
{
  g_auto(GStrv) components = NULL;

  if (filename == NULL || filename[0] != '/')
    return FALSE;
  components = g_strsplit (filename, "/", -1);
  for (guint i = 0; components[i] != NULL; i++) {
    if (strcmp (components[i], ".") == 0 || strcmp (components[i], "..") == 0)
      return FALSE;
  }
  return TRUE;
}

static gchar **
to_strv (GPtrArray *strings)
{
  g_ptr_array_add (strings, NULL);
  return (gchar **) g_ptr_array_free (strings, FALSE);
}

/**
 * vmctl_firmware_parse_descriptor: (skip)
 * @host: where to look for the image the descriptor names
 * @descriptor_path: the file's host path, for messages
 * @contents: the file's text, @length bytes
 * @error: VMCTL_FIRMWARE_ERROR_PARSE
 *
 * The member list of firmware.json that vmctl relies on. Anything missing
 * here would also make libvirt reject the file.
 *
 * Returns: (transfer full): the descriptor, or NULL with @error set
 */
VmctlFirmware *
vmctl_firmware_parse_descriptor (VmctlHost *host, const gchar *descriptor_path,
                                 const gchar *contents, gsize length, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(VmctlFirmware) firmware = g_new0 (VmctlFirmware, 1);
  g_autoptr(GPtrArray) interface_types = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) architectures = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) machines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) features = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) json_error = NULL;
  JsonNode *root;
  JsonObject *descriptor;
  JsonObject *mapping;
  JsonObject *executable = NULL;
  JsonArray *array;
  const gchar *device;
  const gchar *filename;
  const gchar *nvram_template = NULL;

  if (!json_parser_load_from_data (parser, contents, (gssize) length, &json_error)) {
    g_set_error (error, VMCTL_FIRMWARE_ERROR, VMCTL_FIRMWARE_ERROR_PARSE,
                 "%s: not valid JSON: %s", descriptor_path, json_error->message);
    return NULL;
  }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error (error, VMCTL_FIRMWARE_ERROR, VMCTL_FIRMWARE_ERROR_PARSE,
                 "%s: not a JSON object", descriptor_path);
    return NULL;
  }
  descriptor = json_node_get_object (root);

  array = member_array (descriptor, "interface-types");
  if (array == NULL || !collect_strings (array, interface_types)) {
    g_set_error (error, VMCTL_FIRMWARE_ERROR, VMCTL_FIRMWARE_ERROR_PARSE,
                 "%s: no \"interface-types\" list of strings", descriptor_path);
    return NULL;
  }

  mapping = member_object (descriptor, "mapping");
  device = member_string (mapping, "device");
  if (device == NULL) {
    g_set_error (error, VMCTL_FIRMWARE_ERROR, VMCTL_FIRMWARE_ERROR_PARSE,
                 "%s: no \"mapping\" with a \"device\"", descriptor_path);
    return NULL;
  }
  /* flash splits code and variables into executable and nvram-template;
   * memory, kernel and igvm mappings name one image in "filename" */
  if (g_strcmp0 (device, "flash") == 0) {
    executable = member_object (mapping, "executable");
    filename = member_string (executable, "filename");
  } else {
    filename = member_string (mapping, "filename");
  }
  if (!is_image_name (filename)) {
    g_set_error (error, VMCTL_FIRMWARE_ERROR, VMCTL_FIRMWARE_ERROR_PARSE,
                 "%s: the \"%s\" mapping names no absolute image file name "
                 "(without . or ..)", descriptor_path, device);
    return NULL;
  }
  if (executable != NULL)
    nvram_template = member_string (member_object (mapping, "nvram-template"), "filename");
  if (nvram_template != NULL && !is_image_name (nvram_template)) {
    g_set_error (error, VMCTL_FIRMWARE_ERROR, VMCTL_FIRMWARE_ERROR_PARSE,
                 "%s: the \"nvram-template\" names no absolute file name (without . or ..)",
                 descriptor_path);
    return NULL;
  }

  array = member_array (descriptor, "targets");
  if (array == NULL) {
    g_set_error (error, VMCTL_FIRMWARE_ERROR, VMCTL_FIRMWARE_ERROR_PARSE,
                 "%s: no \"targets\" list", descriptor_path);
    return NULL;
  }
  for (guint i = 0; i < json_array_get_length (array); i++) {
    JsonNode *node = json_array_get_element (array, i);
    JsonObject *target = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
    const gchar *architecture = member_string (target, "architecture");
    JsonArray *target_machines = member_array (target, "machines");

    if (architecture == NULL || target_machines == NULL
        || !collect_strings (target_machines, machines)) {
      g_set_error (error, VMCTL_FIRMWARE_ERROR, VMCTL_FIRMWARE_ERROR_PARSE,
                   "%s: target %u lacks \"architecture\" or a \"machines\" list",
                   descriptor_path, i);
      return NULL;
    }
    if (!g_ptr_array_find_with_equal_func (architectures, architecture, g_str_equal, NULL))
      g_ptr_array_add (architectures, g_strdup (architecture));
  }

  /* optional in practice: old descriptors omit it, and no feature is a
   * valid answer */
  array = member_array (descriptor, "features");
  if (array != NULL && !collect_strings (array, features)) {
    g_set_error (error, VMCTL_FIRMWARE_ERROR, VMCTL_FIRMWARE_ERROR_PARSE,
                 "%s: \"features\" is not a list of strings", descriptor_path);
    return NULL;
  }

  firmware->descriptor_path = g_strdup (descriptor_path);
  firmware->description = g_strdup (member_string (descriptor, "description"));
  firmware->mapping_device = g_strdup (device);
  firmware->executable = g_strdup (filename);
  if (executable != NULL) {
    firmware->format = g_strdup (member_string (executable, "format"));
    firmware->nvram_template = g_strdup (nvram_template);
  } else {
    firmware->format = g_strdup (member_string (mapping, "format"));
  }
  /* firmware.json's default format for flash images */
  if (firmware->format == NULL)
    firmware->format = g_strdup ("raw");
  firmware->interface_types = to_strv (g_steal_pointer (&interface_types));
  firmware->architectures = to_strv (g_steal_pointer (&architectures));
  firmware->machines = to_strv (g_steal_pointer (&machines));
  firmware->features = to_strv (g_steal_pointer (&features));
  firmware->executable_present = vmctl_host_exists (host, firmware->executable);
  return g_steal_pointer (&firmware);
}

/* One descriptor file: where it is on the host (for messages and
 * VmctlFirmware.descriptor_path) and where vmctl reads it. */
typedef struct {
  gchar *host_path;
  gchar *file_path;
} DescriptorFile;

static void
descriptor_file_free (DescriptorFile *file)
{
  g_free (file->host_path);
  g_free (file->file_path);
  g_free (file);
}

/* Records every *.json in @directory into @by_name (file name ->
 * DescriptorFile), replacing what a lower-precedence directory put there.
 * @under_root: FALSE for the user's directory, which is a real path. */
static void
scan_directory (VmctlHost *host, const gchar *directory, gboolean under_root,
                GHashTable *by_name, GPtrArray *warnings)
{
  g_autofree gchar *path = under_root ? vmctl_host_path (host, directory) : g_strdup (directory);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = NULL;
  const gchar *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    return;  /* most hosts have no /etc/qemu/firmware: nothing to override */
  dir = g_dir_open (path, 0, &local_error);
  if (dir == NULL) {
    g_ptr_array_add (warnings, g_strdup_printf ("%s: cannot list: %s", directory,
                                                local_error->message));
    return;
  }
  while ((name = g_dir_read_name (dir)) != NULL) {
    DescriptorFile *file;

    if (!g_str_has_suffix (name, ".json") || name[0] == '.')
      continue;
    file = g_new0 (DescriptorFile, 1);
    file->host_path = g_build_filename (directory, name, NULL);
    file->file_path = g_build_filename (path, name, NULL);
    g_hash_table_insert (by_name, g_strdup (name), file);
  }
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

/**
 * vmctl_firmware_list:
 * @host: the host whose descriptors to read
 * @out_warnings: (out) (optional) (transfer full): one line per descriptor
 *   that was skipped because it does not parse or lacks required members
 *   (an array of gchar*, possibly empty)
 * @error: not set today: a broken descriptor or an unreadable directory
 *   is a warning, so one bad file never hides the others
 *
 * Reads every *.json in /usr/share/qemu/firmware and /etc/qemu/firmware
 * under the host root, and on the real host $XDG_CONFIG_HOME/qemu/firmware
 * too. As in QEMU and libvirt, a file in a later directory replaces the
 * file of the same name in an earlier one, and an empty file masks it. The
 * result is sorted by file name, which is the priority order libvirt uses.
 *
 * Returns: (transfer full) (element-type VmctlFirmware): the descriptors,
 * possibly none
 */
GPtrArray *
vmctl_firmware_list (VmctlHost *host, GPtrArray **out_warnings, GError **error)
{
  g_autoptr(GHashTable) by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) descriptor_file_free);
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) firmwares = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_firmware_free);
  g_autofree const gchar **names = NULL;
  guint count = 0;

  g_return_val_if_fail (host != NULL, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (system_directories); i++)
    scan_directory (host, system_directories[i], TRUE, by_name, warnings);
  /* the invoking user's overrides belong to this machine only; a host root
   * stands for another machine, whose users vmctl cannot know */
  if (vmctl_host_is_real (host)) {
    g_autofree gchar *user_directory = g_build_filename (g_get_user_config_dir (),
                                                         "qemu", "firmware", NULL);

    scan_directory (host, user_directory, FALSE, by_name, warnings);
  }

  names = (const gchar **) g_hash_table_get_keys_as_array (by_name, &count);
  qsort (names, count, sizeof (gchar *), compare_names);

  for (guint i = 0; i < count; i++) {
    const DescriptorFile *file = g_hash_table_lookup (by_name, names[i]);
    g_autofree gchar *contents = NULL;
    g_autoptr(GError) local_error = NULL;
    VmctlFirmware *firmware;
    gsize length = 0;

    if (!g_file_get_contents (file->file_path, &contents, &length, &local_error)) {
      g_ptr_array_add (warnings, g_strdup_printf ("%s: cannot read: %s", file->host_path,
                                                  local_error->message));
      continue;
    }
    /* an empty file (or a link to /dev/null) exists to mask a lower one */
    if (length == 0)
      continue;
    firmware = vmctl_firmware_parse_descriptor (host, file->host_path, contents, length,
                                                &local_error);
    if (firmware == NULL) {
      g_ptr_array_add (warnings, g_strdup (local_error->message));
      continue;
    }
    g_ptr_array_add (firmwares, firmware);
  }

  if (out_warnings != NULL)
    *out_warnings = g_steal_pointer (&warnings);
  return g_steal_pointer (&firmwares);
}

/**
 * vmctl_firmware_has_feature:
 * @feature: a firmware.json feature name, e.g. "secure-boot", "requires-smm"
 */
gboolean
vmctl_firmware_has_feature (const VmctlFirmware *firmware, const gchar *feature)
{
  g_return_val_if_fail (firmware != NULL, FALSE);
  g_return_val_if_fail (feature != NULL, FALSE);
  return firmware->features != NULL
         && g_strv_contains ((const gchar * const *) firmware->features, feature);
}

/**
 * vmctl_firmware_is_uefi:
 *
 * Returns: whether the build offers the "uefi" interface to the guest
 */
gboolean
vmctl_firmware_is_uefi (const VmctlFirmware *firmware)
{
  g_return_val_if_fail (firmware != NULL, FALSE);
  return firmware->interface_types != NULL
         && g_strv_contains ((const gchar * const *) firmware->interface_types, "uefi");
}
