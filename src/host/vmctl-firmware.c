/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-firmware.c: QEMU firmware descriptors (docs/interop/firmware.json)
 * read from the host root, with the same search path and precedence as
 * QEMU and libvirt use, so vmctl sees the builds libvirt will choose from. */
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

/* QEMU's short machine names are aliases of the newest versioned type;
 * descriptors list versioned globs such as "pc-q35-*" */
static const gchar *
canonical_machine (const gchar *machine)
{
  if (g_strcmp0 (machine, "q35") == 0)
    return "pc-q35-0";
  if (g_strcmp0 (machine, "pc") == 0)
    return "pc-i440fx-0";
  return machine;
}

/**
 * vmctl_firmware_supports:
 * @architecture: (nullable): a QEMU target such as "x86_64"; NULL for any
 * @machine: (nullable): a machine type ("pc-q35-7.2", or the aliases "q35"
 *   and "pc"); NULL for any
 *
 * The targets of a descriptor are flattened into two lists, so for a
 * descriptor with several targets this answers whether some target has
 * the architecture and some target the machine. QEMU's own descriptors
 * have one target each.
 *
 * Returns: whether the descriptor lists @architecture and a machine glob
 * matching @machine
 */
gboolean
vmctl_firmware_supports (const VmctlFirmware *firmware,
                         const gchar *architecture, const gchar *machine)
{
  const gchar *wanted;
  gboolean matched = FALSE;

  g_return_val_if_fail (firmware != NULL, FALSE);
  if (architecture != NULL
      && (firmware->architectures == NULL
          || !g_strv_contains ((const gchar * const *) firmware->architectures, architecture)))
    return FALSE;
  if (machine == NULL)
    return TRUE;
  wanted = canonical_machine (machine);
  for (guint i = 0; firmware->machines != NULL && firmware->machines[i] != NULL && !matched; i++)
    matched = g_pattern_match_simple (firmware->machines[i], wanted);
  return matched;
}

/**
 * vmctl_firmware_machine_pattern:
 * @machine: "q35", "pc" or a versioned machine type
 *
 * Returns: (transfer full): how descriptors spell the machine family,
 *   "pc-q35-*" for q35 and "pc-i440fx-*" for pc; other names unchanged
 */
gchar *
vmctl_firmware_machine_pattern (const gchar *machine)
{
  g_return_val_if_fail (machine != NULL, NULL);
  if (g_strcmp0 (machine, "q35") == 0)
    return g_strdup ("pc-q35-*");
  if (g_strcmp0 (machine, "pc") == 0)
    return g_strdup ("pc-i440fx-*");
  return g_strdup (machine);
}

static gchar **
strv_copy_or_null (gchar **strv)
{
  return strv != NULL ? g_strdupv (strv) : NULL;
}

/* a deep copy: the chosen build outlives the list it came from */
static VmctlFirmware *
firmware_copy (const VmctlFirmware *firmware)
{
  VmctlFirmware *copy = g_new0 (VmctlFirmware, 1);

  copy->descriptor_path = g_strdup (firmware->descriptor_path);
  copy->description = g_strdup (firmware->description);
  copy->interface_types = strv_copy_or_null (firmware->interface_types);
  copy->mapping_device = g_strdup (firmware->mapping_device);
  copy->executable = g_strdup (firmware->executable);
  copy->nvram_template = g_strdup (firmware->nvram_template);
  copy->format = g_strdup (firmware->format);
  copy->machines = strv_copy_or_null (firmware->machines);
  copy->architectures = strv_copy_or_null (firmware->architectures);
  copy->features = strv_copy_or_null (firmware->features);
  copy->executable_present = firmware->executable_present;
  return copy;
}

/* A build vmctl can write as <loader type='pflash'> plus <nvram template>:
 * split flash (code and a variable store template), raw, because libvirt
 * before 9.2 knows no other pflash format. */
static gboolean
usable_as_pflash (const VmctlFirmware *firmware)
{
  return vmctl_firmware_is_uefi (firmware)
         && g_strcmp0 (firmware->mapping_device, "flash") == 0
         && g_strcmp0 (firmware->format, "raw") == 0
         && firmware->nvram_template != NULL;
}

static gboolean
satisfies (const VmctlFirmware *firmware, gboolean secure_boot)
{
  if (secure_boot)
    /* firmware.json: a secure-boot build without requires-smm lets the
     * guest OS write the variable store, so its Secure Boot is not secure */
    return vmctl_firmware_has_feature (firmware, "secure-boot")
           && vmctl_firmware_has_feature (firmware, "requires-smm");
  /* Debian ranks the MS-enrolled Secure Boot build first, which is what
   * libvirt's plain firmware='efi' then picks (FACTS.md, Firmware) */
  return !vmctl_firmware_has_feature (firmware, "secure-boot");
}

/**
 * vmctl_firmware_can_choose:
 * @secure_boot: for --firmware efi-secure (TRUE) or efi (FALSE)
 * @machine: "q35", "pc" or a versioned machine type
 * @architecture: a QEMU target, "x86_64"
 *
 * The one rule for "vmctl can use this build", which
 * vmctl_firmware_choose_from() applies before its preferences and the
 * host check (firmware.ovmf) counts by: a UEFI split-flash raw build
 * with a variable store template (what vmctl writes as <loader
 * type='pflash'> and <nvram template>), for @architecture and @machine,
 * with Secure Boot and SMM exactly when @secure_boot. Whether its code
 * image exists is the caller's to ask (executable_present).
 *
 * Returns: whether the build qualifies
 */
gboolean
vmctl_firmware_can_choose (const VmctlFirmware *firmware, gboolean secure_boot,
                           const gchar *machine, const gchar *architecture)
{
  g_return_val_if_fail (firmware != NULL, FALSE);
  return usable_as_pflash (firmware) && satisfies (firmware, secure_boot)
         && vmctl_firmware_supports (firmware, architecture, machine);
}

/* Secure Boot: with Microsoft's keys enrolled a Windows guest boots with
 * Secure Boot on at once. Without: prefer builds that need no SMM. */
static gboolean
preferred (const VmctlFirmware *firmware, gboolean secure_boot)
{
  if (secure_boot)
    return vmctl_firmware_has_feature (firmware, "enrolled-keys");
  return !vmctl_firmware_has_feature (firmware, "requires-smm");
}

/**
 * vmctl_firmware_choose_from:
 * @firmwares: (element-type VmctlFirmware): descriptors in libvirt's
 *   priority order (vmctl_firmware_list())
 * @warnings: (nullable) (element-type utf8): the descriptors that did not
 *   parse, for the message when nothing fits
 * @loader_paths: (nullable): the code images libvirt offers for the
 *   domain (domcapabilities' <loader> values); NULL when libvirt was not
 *   asked. A build libvirt does not offer is not chosen.
 * @secure_boot: TRUE for a build with secure-boot and requires-smm
 *   (preferring enrolled-keys); FALSE for a build without secure-boot
 * @machine: "q35", "pc" or a versioned machine type
 * @architecture: a QEMU target, "x86_64"
 * @error: VMCTL_FIRMWARE_ERROR_NONE when no UEFI split-flash build
 *   satisfies the request, naming what is missing
 *
 * Descriptors are tried in libvirt's priority order (file name), so among
 * equally good builds vmctl picks the one libvirt would. A build whose
 * code image is missing under the host root is never chosen.
 *
 * Returns: (transfer full): a copy of the chosen descriptor, with host
 *   paths as on the host (not prefixed with the host root)
 */
VmctlFirmware *
vmctl_firmware_choose_from (GPtrArray *firmwares, GPtrArray *warnings,
                            const gchar * const *loader_paths, gboolean secure_boot,
                            const gchar *machine, const gchar *architecture, GError **error)
{
  g_autofree gchar *pattern = NULL;
  g_autofree gchar *skipped = NULL;
  const VmctlFirmware *missing_image = NULL;
  const VmctlFirmware *chosen = NULL;

  g_return_val_if_fail (firmwares != NULL, NULL);
  g_return_val_if_fail (machine != NULL && architecture != NULL, NULL);

  for (guint pass = 0; pass < 2 && chosen == NULL; pass++) {
    for (guint i = 0; i < firmwares->len && chosen == NULL; i++) {
      const VmctlFirmware *firmware = g_ptr_array_index (firmwares, i);

      if (!vmctl_firmware_can_choose (firmware, secure_boot, machine, architecture))
        continue;
      if (!firmware->executable_present
          || (loader_paths != NULL && !g_strv_contains (loader_paths, firmware->executable))) {
        if (missing_image == NULL)
          missing_image = firmware;
        continue;
      }
      if (pass == 1 || preferred (firmware, secure_boot))
        chosen = firmware;
    }
  }
  if (chosen != NULL)
    return firmware_copy (chosen);

  pattern = vmctl_firmware_machine_pattern (machine);
  if (missing_image != NULL) {
    g_set_error (error, VMCTL_FIRMWARE_ERROR, VMCTL_FIRMWARE_ERROR_NONE,
                 "UEFI firmware %s secure-boot for %s on %s: %s names %s, which %s; "
                 "reinstall ovmf",
                 secure_boot ? "with" : "without", pattern, architecture,
                 missing_image->descriptor_path, missing_image->executable,
                 missing_image->executable_present ? "libvirt does not offer"
                                                   : "does not exist");
    return NULL;
  }
  /* a descriptor that does not parse may be the very build asked for */
  skipped = warnings != NULL && warnings->len > 0
            ? g_strdup_printf (" (skipped %s)", (const gchar *) g_ptr_array_index (warnings, 0))
            : g_strdup ("");
  g_set_error (error, VMCTL_FIRMWARE_ERROR, VMCTL_FIRMWARE_ERROR_NONE,
               "no UEFI firmware %s for %s on %s in /usr/share/qemu/firmware; install ovmf%s",
               secure_boot ? "with secure-boot and requires-smm" : "without secure-boot",
               pattern, architecture, skipped);
  return NULL;
}

/**
 * vmctl_firmware_choose:
 * @host: the host whose descriptors to read (vmctl_firmware_list())
 *
 * vmctl_firmware_choose_from() over the descriptors under @host's root,
 * without libvirt's list.
 *
 * Returns: (transfer full): a copy of the chosen descriptor
 */
VmctlFirmware *
vmctl_firmware_choose (VmctlHost *host, gboolean secure_boot, const gchar *machine,
                       const gchar *architecture, GError **error)
{
  g_autoptr(GPtrArray) firmwares = NULL;
  g_autoptr(GPtrArray) warnings = NULL;

  g_return_val_if_fail (host != NULL, NULL);
  firmwares = vmctl_firmware_list (host, &warnings, error);
  if (firmwares == NULL)
    return NULL;
  return vmctl_firmware_choose_from (firmwares, warnings, NULL, secure_boot, machine,
                                     architecture, error);
}
