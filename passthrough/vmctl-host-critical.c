/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-host-critical.c: the host-critical list (data/host-critical.conf)
 * and the one way of saying no to moving a function on it.
 *
 * A GKeyFile with two groups:
 *   [classes]   0601=ISA/LPC bridge      base class and subclass
 *   [devices]   8086:7aa4=... SPI ...    vendor:device
 * A vendor:device entry is checked first: it is the more specific one. */
#include "vmctl-host-critical.h"

#include "vmctl-data-dir.h"
#include "vmctl-glib-util.h"

#include <string.h>

G_DEFINE_QUARK (vmctl-host-critical-error-quark, vmctl_host_critical_error)

#define LIST_FILE "host-critical.conf"

struct _VmctlHostCritical {
  GHashTable *classes;  /* guint base<<8|sub → gchar* "ISA/LPC bridge, PCI class 0x0601" */
  GHashTable *devices;  /* guint vendor<<16|device → gchar* "..., 8086:7aa4" */
};

VmctlHostCritical *
vmctl_host_critical_new_empty (void)
{
  VmctlHostCritical *list = g_new0 (VmctlHostCritical, 1);

  list->classes = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  list->devices = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  return list;
}

void
vmctl_host_critical_free (VmctlHostCritical *list)
{
  if (list == NULL)
    return;
  g_hash_table_unref (list->classes);
  g_hash_table_unref (list->devices);
  g_free (list);
}

/* exactly @digits lowercase or uppercase hex digits */
static gboolean
parse_hex (const gchar *text, gsize digits, guint *out_value)
{
  guint64 value = 0;

  if (strlen (text) != digits
      || !g_ascii_string_to_unsigned (text, 16, 0, G_MAXUINT32, &value, NULL))
    return FALSE;
  *out_value = (guint) value;
  return TRUE;
}

static gboolean
parse_device_key (const gchar *key, guint *out_key)
{
  g_auto(GStrv) parts = g_strsplit (key, ":", -1);
  guint vendor = 0, device = 0;

  if (g_strv_length (parts) != 2 || !parse_hex (parts[0], 4, &vendor)
      || !parse_hex (parts[1], 4, &device))
    return FALSE;
  *out_key = vendor << 16 | device;
  return TRUE;
}

static gboolean
parse_class_key (const gchar *key, guint *out_key)
{
  return parse_hex (key, 4, out_key);
}

typedef struct {
  const gchar *group;
  gboolean (*parse) (const gchar *key, guint *out_key);
  const gchar *form;   /* for errors */
  const gchar *label;  /* in front of the key in a description */
} GroupFormat;

static const GroupFormat class_format = { "classes", parse_class_key, "cccc", "PCI class 0x" };
static const GroupFormat device_format = { "devices", parse_device_key, "vvvv:dddd", "PCI id " };

/* One group: every key parsed, stored with its text and the key so that a
 * refusal names what matched. A missing group is empty. */
static gboolean
load_group (GKeyFile *key_file, const GroupFormat *format, GHashTable *table,
            const gchar *origin, GError **error)
{
  const gchar *group = format->group;
  g_auto(GStrv) keys = NULL;

  if (!g_key_file_has_group (key_file, group))
    return TRUE;
  keys = g_key_file_get_keys (key_file, group, NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
    g_autofree gchar *what = vmctl_key_file_get_string (key_file, group, keys[i], NULL);
    guint key = 0;

    if (!format->parse (keys[i], &key) || what == NULL || g_strstrip (what)[0] == '\0') {
      g_set_error (error, VMCTL_HOST_CRITICAL_ERROR, VMCTL_HOST_CRITICAL_ERROR_PARSE,
                   "%s: [%s] %s needs the form %s=DESCRIPTION", origin, group, keys[i],
                   format->form);
      return FALSE;
    }
    g_hash_table_replace (table, GUINT_TO_POINTER (key),
                          g_strdup_printf ("%s, %s%s", what, format->label, keys[i]));
  }
  return TRUE;
}

static VmctlHostCritical *
list_from_key_file (GKeyFile *key_file, const gchar *origin, GError **error)
{
  g_autoptr(VmctlHostCritical) list = vmctl_host_critical_new_empty ();
  g_auto(GStrv) groups = g_key_file_get_groups (key_file, NULL);

  for (guint i = 0; groups[i] != NULL; i++)
    if (strcmp (groups[i], "classes") != 0 && strcmp (groups[i], "devices") != 0) {
      g_set_error (error, VMCTL_HOST_CRITICAL_ERROR, VMCTL_HOST_CRITICAL_ERROR_PARSE,
                   "%s: unknown group [%s] (want [classes] and [devices])", origin, groups[i]);
      return NULL;
    }
  if (!load_group (key_file, &class_format, list->classes, origin, error)
      || !load_group (key_file, &device_format, list->devices, origin, error))
    return NULL;
  return g_steal_pointer (&list);
}

/**
 * vmctl_host_critical_load:
 * @error: G_FILE_ERROR / G_KEY_FILE_ERROR when unreadable,
 *   VMCTL_HOST_CRITICAL_ERROR_PARSE for a bad entry
 * Returns: (transfer full): the list
 */
VmctlHostCritical *
vmctl_host_critical_load (const gchar *path, GError **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, error)) {
    g_prefix_error (error, "cannot read the list of host-critical PCI functions %s: ", path);
    return NULL;
  }
  return list_from_key_file (key_file, path, error);
}

VmctlHostCritical *
vmctl_host_critical_load_from_data (const gchar *data, GError **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();

  if (!g_key_file_load_from_data (key_file, data, -1, G_KEY_FILE_NONE, error))
    return NULL;
  return list_from_key_file (key_file, "host-critical list", error);
}

/**
 * vmctl_host_critical_load_default:
 *
 * The installed list (see vmctl_data_path()). Unlike the quirk list, a
 * missing one is an error: without it vmctl could move the host's own
 * chipset, so it refuses to judge rather than judge without it.
 *
 * Returns: (transfer full): the list
 */
VmctlHostCritical *
vmctl_host_critical_load_default (GError **error)
{
  g_autofree gchar *path = vmctl_data_path (LIST_FILE);

  return vmctl_host_critical_load (path, error);
}

/**
 * vmctl_host_critical_lookup:
 * @class_code: 24 bits, base class, subclass and programming interface
 *
 * Returns: (transfer none) (nullable): what the function is ("SMBus
 * controller, PCI class 0c05"), NULL when it is not host-critical
 */
const gchar *
vmctl_host_critical_lookup (const VmctlHostCritical *list, guint16 vendor_id,
                            guint16 device_id, guint32 class_code)
{
  const gchar *what;

  g_return_val_if_fail (list != NULL, NULL);
  what = g_hash_table_lookup (list->devices,
                              GUINT_TO_POINTER ((guint) vendor_id << 16 | device_id));
  if (what != NULL)
    return what;
  return g_hash_table_lookup (list->classes, GUINT_TO_POINTER ((class_code >> 8) & 0xffff));
}

/**
 * vmctl_host_critical_mark:
 *
 * Sets host_critical on every function of @inventory that @list names (and
 * clears it on the others), for the verdict and the plan to read.
 */
void
vmctl_host_critical_mark (const VmctlHostCritical *list, VmctlInventory *inventory)
{
  g_return_if_fail (list != NULL);
  g_return_if_fail (inventory != NULL);
  for (guint i = 0; i < inventory->devices->len; i++) {
    VmctlPciDevice *device = g_ptr_array_index (inventory->devices, i);

    g_free (device->host_critical);
    device->host_critical = g_strdup (vmctl_host_critical_lookup (list, device->vendor_id,
                                                                  device->device_id,
                                                                  device->class_code));
  }
}

/**
 * vmctl_host_critical_refusal:
 * @role: (nullable): how the function would have moved ("companion",
 *   "sibling"), put in front of the address
 * @what: what the list says it is
 *
 * The one sentence every layer (verdict, plan, engine) uses to refuse a
 * host-critical function, so the user reads the same reason wherever the
 * refusal came from.
 *
 * Returns: (transfer full): the sentence
 */
gchar *
vmctl_host_critical_refusal (const gchar *role, const VmctlPciAddress *address, const gchar *what)
{
  gchar text[VMCTL_PCI_ADDRESS_STRLEN];

  vmctl_pci_address_format (address, text);
  return g_strdup_printf ("%s%s%s is host-critical (%s): the host needs it to run, so vmctl "
                          "never moves it to vfio-pci, not even with --force",
                          role != NULL ? role : "", role != NULL ? " " : "", text, what);
}

static guint64
read_attribute (VmctlHost *host, const gchar *name, const gchar *attribute)
{
  g_autofree gchar *path = g_build_filename ("/sys/bus/pci/devices", name, attribute, NULL);
  guint64 value = 0;

  /* unreadable: 0, which no entry of the list matches; the verdict, made
   * from the same sysfs, has already said what it could not read */
  if (!vmctl_host_read_hex (host, path, &value, NULL))
    return 0;
  return value;
}

/**
 * vmctl_host_critical_check_sysfs:
 * @error: VMCTL_HOST_CRITICAL_ERROR_REFUSED when @address is on @list
 *
 * The engine's own check, from sysfs as it is now: it refuses a
 * host-critical function even when its caller never asked for a verdict.
 *
 * Returns: TRUE when @address may move
 */
gboolean
vmctl_host_critical_check_sysfs (const VmctlHostCritical *list, VmctlHost *host,
                                 const VmctlPciAddress *address, GError **error)
{
  gchar name[VMCTL_PCI_ADDRESS_STRLEN];
  const gchar *what;
  g_autofree gchar *refusal = NULL;

  vmctl_pci_address_format (address, name);
  what = vmctl_host_critical_lookup (list, (guint16) read_attribute (host, name, "vendor"),
                                     (guint16) read_attribute (host, name, "device"),
                                     (guint32) read_attribute (host, name, "class"));
  if (what == NULL)
    return TRUE;
  refusal = vmctl_host_critical_refusal (NULL, address, what);
  g_set_error_literal (error, VMCTL_HOST_CRITICAL_ERROR, VMCTL_HOST_CRITICAL_ERROR_REFUSED,
                       refusal);
  return FALSE;
}
