/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-os.c: libosinfo's database, loaded on first use. libosinfo pulls
 * in libsoup, ICU and Kerberos (about 2 ms before main() for every
 * command); vmctl compiles against its headers and dlopen()s it only when
 * --os or `vmctl os list` asks (as passthrough/vmctl-libvirt.c does for
 * libvirt). The database is read from libosinfo's default paths: the
 * system one (/usr/share/osinfo, or $OSINFO_SYSTEM_DIR), /etc/osinfo
 * ($OSINFO_LOCAL_DIR) and the user's ($OSINFO_USER_DIR). */
#include "vmctl-os.h"

#include <dlfcn.h>
#include <string.h>
#include <osinfo/osinfo.h>

G_DEFINE_QUARK (vmctl-os-error-quark, vmctl_os_error)

/* Every libosinfo function vmctl calls. GObject's own (g_object_unref)
 * come from libgobject, which vmctl links anyway. */
#define VMCTL_OSINFO_SYMBOLS(X) \
  X (osinfo_loader_new) \
  X (osinfo_loader_process_default_path) \
  X (osinfo_loader_get_db) \
  X (osinfo_db_get_os_list) \
  X (osinfo_list_get_length) \
  X (osinfo_list_get_nth) \
  X (osinfo_entity_get_id) \
  X (osinfo_product_get_short_id_list) \
  X (osinfo_product_get_name) \
  X (osinfo_product_get_vendor) \
  X (osinfo_product_get_version) \
  X (osinfo_product_get_release_date_string) \
  X (osinfo_os_get_family) \
  X (osinfo_os_get_all_devices) \
  X (osinfo_os_get_complete_firmware_list) \
  X (osinfo_firmware_get_architecture) \
  X (osinfo_firmware_get_firmware_type) \
  X (osinfo_firmware_is_supported) \
  X (osinfo_os_get_minimum_resources) \
  X (osinfo_resources_get_architecture) \
  X (osinfo_resources_get_n_cpus) \
  X (osinfo_resources_get_ram) \
  X (osinfo_resources_get_storage)

#define DECLARE(name) static __typeof__ (name) *sym_##name;
VMCTL_OSINFO_SYMBOLS (DECLARE)
#undef DECLARE

/* the soname: the ABI libosinfo keeps */
#define OSINFO_SONAME "libosinfo-1.0.so.0"
#define GUEST_ARCHITECTURE "x86_64"

/* PCI IDs of virtio devices (virtio-pci transitional and 1.0), as the
 * database names them: an OS that lists one drives it by itself. These are
 * the devices virt-install checks for too. */
static const gchar * const virtio_block_ids[] = {
  "http://pcisig.com/pci/1af4/1001", "http://pcisig.com/pci/1af4/1042", NULL,
};
static const gchar * const virtio_net_ids[] = {
  "http://pcisig.com/pci/1af4/1000", "http://pcisig.com/pci/1af4/1041", NULL,
};

/* What an OS requires that the database does not record (osinfo-db
 * 20221130, Debian 12's, has neither): Microsoft's published Windows 11
 * system requirements ask for TPM 2.0 and UEFI with Secure Boot; its
 * installer refuses a machine without them. */
static const struct {
  const gchar *id;
  gboolean tpm;
  gboolean secure_boot;
} requirements[] = {
  { "win11", TRUE, TRUE },
};

struct _VmctlOsDb {
  OsinfoLoader *loader;       /* owns the database */
  OsinfoDb *db;
};

static gboolean
load_library (GError **error)
{
  /* Written once, inside g_once_init_enter() below, and never again, with
   * the sym_ pointers: the process has one libosinfo loaded (dlopen() is
   * process-wide, and the GTypes it registers cannot be unloaded), and
   * nothing a session chooses reaches these. Like libvirt's loaded flag
   * (vmctl-libvirt.c), by design. */
  static gsize once;
  static gboolean loaded;
  static gchar *failure;

  if (g_once_init_enter (&once)) {
    /* $VMCTL_OSINFO_SONAME: another build, or a missing one for the tests */
    const gchar *soname = g_getenv ("VMCTL_OSINFO_SONAME");
    void *handle;

    if (soname == NULL || soname[0] == '\0')
      soname = OSINFO_SONAME;
    handle = dlopen (soname, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL)
      failure = g_strdup_printf ("cannot load libosinfo (%s): install it (Debian/Ubuntu: "
                                 "apt install libosinfo-1.0-0 osinfo-db)", dlerror ());
#define RESOLVE(name) \
    if (failure == NULL) { \
      sym_##name = (__typeof__ (name) *) dlsym (handle, #name); \
      if (sym_##name == NULL) \
        failure = g_strdup_printf ("%s lacks %s: libosinfo is too old for vmctl", soname, #name); \
    }
    VMCTL_OSINFO_SYMBOLS (RESOLVE)
#undef RESOLVE
    /* the handle stays open for the life of the process: GTypes it
     * registered cannot be unloaded */
    loaded = failure == NULL;
    g_once_init_leave (&once, 1);
  }
  if (!loaded)
    g_set_error_literal (error, VMCTL_OS_ERROR, VMCTL_OS_ERROR_UNAVAILABLE, failure);
  return loaded;
}

/**
 * vmctl_os_db_load:
 * @error: VMCTL_OS_ERROR_UNAVAILABLE when libosinfo cannot be loaded or
 *   its database holds no OS at all (osinfo-db is not installed)
 *
 * Reads the whole database (about 0.2 s): load it once per command.
 *
 * Returns: (transfer full): the database
 */
VmctlOsDb *
vmctl_os_db_load (GError **error)
{
  g_autoptr(GError) local_error = NULL;
  OsinfoList *oses;
  VmctlOsDb *db;
  gint count;

  if (!load_library (error))
    return NULL;
  db = g_new0 (VmctlOsDb, 1);
  db->loader = sym_osinfo_loader_new ();
  /* a broken file is reported but the rest still loads: judge by what
   * the database holds afterwards */
  sym_osinfo_loader_process_default_path (db->loader, &local_error);
  db->db = sym_osinfo_loader_get_db (db->loader);
  oses = (OsinfoList *) sym_osinfo_db_get_os_list (db->db);
  count = sym_osinfo_list_get_length (oses);
  g_object_unref (oses);
  if (count == 0) {
    g_set_error (error, VMCTL_OS_ERROR, VMCTL_OS_ERROR_UNAVAILABLE,
                 "the osinfo database is empty%s%s: install osinfo-db",
                 local_error != NULL ? ": " : "", local_error != NULL ? local_error->message : "");
    vmctl_os_db_free (db);
    return NULL;
  }
  return db;
}

void
vmctl_os_db_free (VmctlOsDb *db)
{
  if (db == NULL)
    return;
  g_clear_object (&db->loader);
  g_free (db);
}

void
vmctl_os_free (VmctlOs *os)
{
  if (os == NULL)
    return;
  g_free (os->id);
  g_strfreev (os->aliases);
  g_free (os->name);
  g_free (os->vendor);
  g_free (os->version);
  g_free (os->family);
  g_free (os->release_date);
  g_free (os);
}

VmctlOs *
vmctl_os_copy (const VmctlOs *os)
{
  VmctlOs *copy = g_memdup2 (os, sizeof *os);

  copy->id = g_strdup (os->id);
  copy->aliases = g_strdupv (os->aliases);
  copy->name = g_strdup (os->name);
  copy->vendor = g_strdup (os->vendor);
  copy->version = g_strdup (os->version);
  copy->family = g_strdup (os->family);
  copy->release_date = g_strdup (os->release_date);
  return copy;
}

/* Windows wants the virtio-win drivers for virtio devices. */
gboolean
vmctl_os_is_windows (const VmctlOs *os)
{
  return g_strcmp0 (os->family, "winnt") == 0 || g_str_has_prefix (os->id, "win");
}

/* The OS's short IDs, primary first; NULL when it has none (such entries
 * cannot be asked for by name). */
static GStrv
short_ids (OsinfoOs *os)
{
  GList *list = sym_osinfo_product_get_short_id_list ((OsinfoProduct *) os);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint count = 0;

  for (GList *item = list; item != NULL; item = item->next, count++)
    g_strv_builder_add (builder, item->data);
  g_list_free (list);
  return count > 0 ? g_strv_builder_end (builder) : NULL;
}

static VmctlOs *
describe (OsinfoOs *os, GStrv ids)
{
  VmctlOs *result = g_new0 (VmctlOs, 1);
  OsinfoProduct *product = (OsinfoProduct *) os;

  result->id = g_strdup (ids[0]);
  result->aliases = g_strdupv (ids + 1);
  result->name = g_strdup (sym_osinfo_product_get_name (product));
  result->vendor = g_strdup (sym_osinfo_product_get_vendor (product));
  result->version = g_strdup (sym_osinfo_product_get_version (product));
  result->family = g_strdup (sym_osinfo_os_get_family (os));
  result->release_date = g_strdup (sym_osinfo_product_get_release_date_string (product));
  if (result->name == NULL)
    result->name = g_strdup (result->id);
  return result;
}

static gboolean
has_device (OsinfoOs *os, const gchar * const *ids)
{
  /* all devices: those of the OSes it derives from included */
  OsinfoList *devices = (OsinfoList *) sym_osinfo_os_get_all_devices (os, NULL);
  gboolean found = FALSE;

  for (gint i = 0; i < sym_osinfo_list_get_length (devices) && !found; i++) {
    const gchar *id = sym_osinfo_entity_get_id (sym_osinfo_list_get_nth (devices, i));

    found = g_strv_contains (ids, id);
  }
  g_object_unref (devices);
  return found;
}

/* BIOS marked unsupported for the guest architecture: UEFI only. */
static gboolean
bios_unsupported (OsinfoOs *os)
{
  OsinfoList *firmwares = (OsinfoList *) sym_osinfo_os_get_complete_firmware_list (os, NULL);
  gboolean unsupported = FALSE;

  for (gint i = 0; i < sym_osinfo_list_get_length (firmwares); i++) {
    OsinfoFirmware *firmware = (OsinfoFirmware *) sym_osinfo_list_get_nth (firmwares, i);

    if (g_strcmp0 (sym_osinfo_firmware_get_architecture (firmware), GUEST_ARCHITECTURE) == 0
        && g_strcmp0 (sym_osinfo_firmware_get_firmware_type (firmware), "bios") == 0
        && !sym_osinfo_firmware_is_supported (firmware))
      unsupported = TRUE;
  }
  g_object_unref (firmwares);
  return unsupported;
}

/* The minimum for x86_64, else for every architecture ("all"). */
static void
read_minimum (OsinfoOs *os, VmctlOs *result)
{
  OsinfoList *list = (OsinfoList *) sym_osinfo_os_get_minimum_resources (os);
  OsinfoResources *chosen = NULL;

  for (gint i = 0; i < sym_osinfo_list_get_length (list); i++) {
    OsinfoResources *resources = (OsinfoResources *) sym_osinfo_list_get_nth (list, i);
    const gchar *architecture = sym_osinfo_resources_get_architecture (resources);

    if (g_strcmp0 (architecture, GUEST_ARCHITECTURE) == 0)
      chosen = resources;
    else if (chosen == NULL && g_strcmp0 (architecture, "all") == 0)
      chosen = resources;
  }
  if (chosen != NULL) {
    gint vcpus = sym_osinfo_resources_get_n_cpus (chosen);
    gint64 memory = sym_osinfo_resources_get_ram (chosen);
    gint64 storage = sym_osinfo_resources_get_storage (chosen);

    /* -1: not given */
    result->min_vcpus = vcpus > 0 ? (guint) vcpus : 0;
    result->min_memory_bytes = memory > 0 ? (guint64) memory : 0;
    result->min_storage_bytes = storage > 0 ? (guint64) storage : 0;
  }
  g_object_unref (list);
}

static void
add_details (OsinfoOs *os, VmctlOs *result)
{
  result->virtio_block = has_device (os, virtio_block_ids);
  result->virtio_net = has_device (os, virtio_net_ids);
  result->needs_efi = bios_unsupported (os);
  read_minimum (os, result);
  for (gsize i = 0; i < G_N_ELEMENTS (requirements); i++) {
    if (g_strcmp0 (result->id, requirements[i].id) == 0
        || g_strv_contains ((const gchar * const *) result->aliases, requirements[i].id)) {
      result->needs_tpm |= requirements[i].tpm;
      result->needs_secure_boot |= requirements[i].secure_boot;
    }
  }
  /* Secure Boot is a UEFI feature */
  result->needs_efi |= result->needs_secure_boot;
}

/* Levenshtein distance, for "did you mean" */
static guint
distance (const gchar *a, const gchar *b)
{
  gsize length_b = strlen (b);
  g_autofree guint *row = g_new (guint, length_b + 1);

  for (gsize j = 0; j <= length_b; j++)
    row[j] = j;
  for (gsize i = 1; a[i - 1] != '\0'; i++) {
    guint diagonal = row[0];

    row[0] = i;
    for (gsize j = 1; j <= length_b; j++) {
      guint above = row[j];
      guint cost = a[i - 1] == b[j - 1] ? 0 : 1;

      row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
      diagonal = above;
    }
  }
  return row[length_b];
}

typedef struct {
  const gchar *id;
  guint distance;
  const gchar *release_date;
} Suggestion;

/* closer first; among equals the newer release first */
static gint
compare_suggestions (gconstpointer a, gconstpointer b)
{
  const Suggestion *x = a, *y = b;

  if (x->distance != y->distance)
    return x->distance < y->distance ? -1 : 1;
  if (g_strcmp0 (x->release_date, y->release_date) != 0)
    return -g_strcmp0 (x->release_date, y->release_date);
  return g_strcmp0 (x->id, y->id);
}

/* Up to three IDs close to @wanted, for the error message. */
static gchar *
suggest (OsinfoList *oses, const gchar *wanted)
{
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (Suggestion));
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GString) text = g_string_new (NULL);
  guint limit = MAX (2, (guint) strlen (wanted) / 4);

  for (gint i = 0; i < sym_osinfo_list_get_length (oses); i++) {
    OsinfoProduct *product = (OsinfoProduct *) sym_osinfo_list_get_nth (oses, i);
    GStrv names = short_ids ((OsinfoOs *) product);

    if (names == NULL)
      continue;
    g_ptr_array_add (ids, names);
    for (guint j = 0; names[j] != NULL; j++) {
      Suggestion suggestion = { names[j], distance (wanted, names[j]),
                                sym_osinfo_product_get_release_date_string (product) };

      if (suggestion.distance <= limit)
        g_array_append_val (found, suggestion);
    }
  }
  g_array_sort (found, compare_suggestions);
  for (guint i = 0, named = 0; i < found->len && named < 3; i++) {
    const gchar *id = g_array_index (found, Suggestion, i).id;
    g_autofree gchar *listed = g_strconcat (", ", text->str, ", ", NULL);
    g_autofree gchar *item = g_strconcat (", ", id, ", ", NULL);

    /* an ID some entries share (win10's aliases) is named once */
    if (strstr (listed, item) != NULL)
      continue;
    g_string_append_printf (text, "%s%s", named++ > 0 ? ", " : "", id);
  }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* An ID is letters, digits and ". - _": it ends up in messages and in
 * the domain's metadata. */
static gboolean
id_is_plausible (const gchar *id)
{
  gsize length = strlen (id);

  if (length == 0 || length > 64)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (id[i]) && strchr (".-_", id[i]) == NULL)
      return FALSE;
  return TRUE;
}

/**
 * vmctl_os_db_lookup:
 * @id: a short ID ("win11"), any of an OS's
 * @error: VMCTL_OS_ERROR_UNKNOWN naming up to three close IDs
 *
 * Returns: (transfer full): the OS with everything vmctl uses of it
 */
VmctlOs *
vmctl_os_db_lookup (VmctlOsDb *db, const gchar *id, GError **error)
{
  OsinfoList *oses;
  VmctlOs *result = NULL;
  g_autofree gchar *close = NULL;

  g_return_val_if_fail (db != NULL && id != NULL, NULL);
  if (!id_is_plausible (id)) {
    g_set_error_literal (error, VMCTL_OS_ERROR, VMCTL_OS_ERROR_UNKNOWN,
                         "not an OS ID (letters, digits, '.', '-' and '_'; see vmctl os list)");
    return NULL;
  }
  oses = (OsinfoList *) sym_osinfo_db_get_os_list (db->db);
  for (gint i = 0; i < sym_osinfo_list_get_length (oses) && result == NULL; i++) {
    OsinfoOs *os = (OsinfoOs *) sym_osinfo_list_get_nth (oses, i);
    g_auto(GStrv) ids = short_ids (os);

    if (ids != NULL && g_strv_contains ((const gchar * const *) ids, id)) {
      result = describe (os, ids);
      add_details (os, result);
    }
  }
  if (result == NULL) {
    close = suggest (oses, id);
    g_set_error (error, VMCTL_OS_ERROR, VMCTL_OS_ERROR_UNKNOWN,
                 "unknown OS ID%s%s (see vmctl os list; an OS newer than the installed "
                 "osinfo-db needs a newer osinfo-db, or the closest older ID)",
                 close[0] != '\0' ? "; close ones: " : "", close);
  }
  g_object_unref (oses);
  return result;
}

static gint
compare_ids (gconstpointer a, gconstpointer b)
{
  const VmctlOs *x = *(const VmctlOs * const *) a;
  const VmctlOs *y = *(const VmctlOs * const *) b;

  return g_strcmp0 (x->id, y->id);
}

/**
 * vmctl_os_db_list:
 *
 * Returns: (transfer full) (element-type VmctlOs): every OS that has a
 *   short ID, by ID, with names and dates only (the details fields are
 *   left empty: they take a walk over each OS's devices)
 */
GPtrArray *
vmctl_os_db_list (VmctlOsDb *db)
{
  OsinfoList *oses = (OsinfoList *) sym_osinfo_db_get_os_list (db->db);
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) vmctl_os_free);

  for (gint i = 0; i < sym_osinfo_list_get_length (oses); i++) {
    OsinfoOs *os = (OsinfoOs *) sym_osinfo_list_get_nth (oses, i);
    g_auto(GStrv) ids = short_ids (os);

    if (ids != NULL)
      g_ptr_array_add (result, describe (os, ids));
  }
  g_object_unref (oses);
  g_ptr_array_sort (result, compare_ids);
  return result;
}
