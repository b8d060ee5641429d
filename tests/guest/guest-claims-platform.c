/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-claims-platform.c: Secure Boot (through QEMU's firmware
 * descriptors) and the hypervisor interface the guest sees (CPUID leaves
 * 0x400000xx, Hyper-V enlightenments, hidden KVM). */
#include "guest-claims-private.h"

#include <json-glib/json-glib.h>
#include <string.h>

#define GUEST "guest"

static const gchar *
nested_string (JsonObject *object, const gchar *first, const gchar *second)
{
  JsonObject *inner;

  if (object == NULL || !json_object_has_member (object, first))
    return NULL;
  inner = json_object_get_object_member (object, first);
  if (inner == NULL || !json_object_has_member (inner, second))
    return NULL;
  return json_object_get_string_member (inner, second);
}

static gboolean
has_feature (JsonObject *descriptor, const gchar *feature)
{
  JsonArray *features = json_object_has_member (descriptor, "features")
                        ? json_object_get_array_member (descriptor, "features") : NULL;

  for (guint i = 0; features != NULL && i < json_array_get_length (features); i++)
    if (g_strcmp0 (json_array_get_string_element (features, i), feature) == 0)
      return TRUE;
  return FALSE;
}

/* firmware.json: {"mapping": {"device": "flash", "executable":
 * {"filename": ...}, "nvram-template": {"filename": ...}}, "features": [..]} */
static gboolean
descriptor_matches (const gchar *path, const gchar *loader, const gchar *template,
                    GuestSecureBoot *out)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonObject *mapping;

  if (!json_parser_load_from_file (parser, path, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  root = json_node_get_object (json_parser_get_root (parser));
  mapping = json_object_has_member (root, "mapping")
            ? json_object_get_object_member (root, "mapping") : NULL;
  if (mapping == NULL || g_strcmp0 (nested_string (mapping, "executable", "filename"), loader) != 0)
    return FALSE;
  if (*template != '\0'
      && g_strcmp0 (nested_string (mapping, "nvram-template", "filename"), template) != 0)
    return FALSE;
  out->known = TRUE;
  out->enforced = has_feature (root, "secure-boot") && has_feature (root, "enrolled-keys");
  out->why = g_strdup_printf ("%s: %s, %s", path,
                              has_feature (root, "secure-boot") ? "secure-boot" : "no secure-boot",
                              has_feature (root, "enrolled-keys") ? "enrolled-keys"
                                                                  : "no enrolled keys");
  return TRUE;
}

GuestSecureBoot
guest_claims_secure_boot (xmlDoc *live)
{
  static const gchar * const directories[] = { "/etc/qemu/firmware", "/usr/share/qemu/firmware" };
  GuestSecureBoot result = { 0 };
  g_autofree gchar *loader = guest_xml_string (live, "/domain/os/loader");
  g_autofree gchar *template = guest_xml_string (live, "/domain/os/nvram/@template");
  g_autofree gchar *secure = guest_xml_string (
    live, "/domain/os/firmware/feature[@name='secure-boot']/@enabled");
  g_autofree gchar *keys = guest_xml_string (
    live, "/domain/os/firmware/feature[@name='enrolled-keys']/@enabled");

  if (*secure != '\0' && *keys != '\0') {
    result.known = TRUE;
    result.enforced = strcmp (secure, "yes") == 0 && strcmp (keys, "yes") == 0;
    result.why = g_strdup_printf ("<firmware>: secure-boot %s, enrolled-keys %s", secure, keys);
    return result;
  }
  /* /etc overrides /usr/share by file name, as QEMU's rules say */
  for (gsize i = 0; i < G_N_ELEMENTS (directories); i++) {
    g_autoptr(GDir) dir = g_dir_open (directories[i], 0, NULL);
    const gchar *entry;

    while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL) {
      g_autofree gchar *path = g_build_filename (directories[i], entry, NULL);

      if (g_str_has_suffix (entry, ".json") && descriptor_matches (path, loader, template, &result))
        return result;
    }
  }
  result.why = g_strdup_printf ("no firmware descriptor names loader '%s'", loader);
  return result;
}

/* the report's signature at CPUID leaf @base, or NULL */
static const gchar *
signature (const GuestReport *report, guint base)
{
  g_autofree gchar *key = g_strdup_printf ("cpuid.hypervisor.0x%08x", base);

  return guest_report_get (report, key);
}

static gboolean
any_signature (const GuestReport *report, const gchar *wanted)
{
  for (guint base = 0x40000000; base < 0x40010000; base += 0x100)
    if (g_strcmp0 (signature (report, base), wanted) == 0)
      return TRUE;
  return FALSE;
}

/* Hyper-V TLFS: CPUID 0x40000003 EAX partition privileges and 0x40000004
 * EAX recommendations, as QEMU sets them for libvirt's <hyperv> children. */
static const struct {
  const gchar *feature;
  const gchar *key;
  guint bit;
} hyperv_bits[] = {
  { "runtime", "cpuid.hyperv.features.eax", 0 },
  { "synic", "cpuid.hyperv.features.eax", 2 },
  { "stimer", "cpuid.hyperv.features.eax", 3 },
  { "vapic", "cpuid.hyperv.features.eax", 4 },
  { "vpindex", "cpuid.hyperv.features.eax", 6 },
  { "reset", "cpuid.hyperv.features.eax", 7 },
  { "frequencies", "cpuid.hyperv.features.eax", 11 },
  { "reenlightenment", "cpuid.hyperv.features.eax", 13 },
  { "tlbflush", "cpuid.hyperv.hints.eax", 2 },
  { "relaxed", "cpuid.hyperv.hints.eax", 5 },
  { "ipi", "cpuid.hyperv.hints.eax", 10 },
};

static void
check_hyperv_features (GPtrArray *rows, xmlDoc *live, const GuestReport *report)
{
  for (gsize i = 0; i < G_N_ELEMENTS (hyperv_bits); i++) {
    g_autofree gchar *path = g_strdup_printf ("/domain/features/hyperv/%s/@state",
                                              hyperv_bits[i].feature);
    g_autofree gchar *state = guest_xml_string (live, path);
    const gchar *word = guest_report_get (report, hyperv_bits[i].key);
    guint64 value = word != NULL ? g_ascii_strtoull (word, NULL, 16) : 0;
    gboolean set = ((value >> hyperv_bits[i].bit) & 1) != 0;
    g_autofree gchar *claim = g_strdup_printf ("<hyperv><%s state='%s'>", hyperv_bits[i].feature,
                                               state);
    g_autofree gchar *expected = g_strdup_printf ("%s bit %u %s", hyperv_bits[i].key,
                                                  hyperv_bits[i].bit,
                                                  strcmp (state, "on") == 0 ? "set" : "clear");
    g_autofree gchar *seen = g_strdup_printf ("%s = %s", hyperv_bits[i].key,
                                              word != NULL ? word : "absent");

    if (*state == '\0')
      continue;
    guest_rows_add (rows, GUEST, set == (strcmp (state, "on") == 0), claim, expected, seen);
  }
}

static gchar *
dmesg_lines (const GuestReport *report, const gchar *key)
{
  GPtrArray *lines = guest_report_get_all (report, key);
  GString *text = g_string_new (NULL);

  for (guint i = 0; lines != NULL && i < lines->len; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? " / " : "",
                            (const gchar *) g_ptr_array_index (lines, i));
  if (text->len == 0)
    g_string_append (text, "no such lines");
  return g_string_free (text, FALSE);
}

void
guest_claims_check_hypervisor (GPtrArray *rows, xmlDoc *live, const GuestReport *report)
{
  g_autofree gchar *type = guest_xml_string (live, "/domain/@type");
  gboolean hyperv = guest_xml_count (live, "/domain/features/hyperv") > 0;
  g_autofree gchar *vendor = guest_xml_string (
    live, "/domain/features/hyperv/vendor_id[@state='on']/@value");
  g_autofree gchar *hidden = guest_xml_string (live, "/domain/features/kvm/hidden/@state");
  const gchar *seen = signature (report, 0x40000000);
  g_autofree gchar *dmesg = dmesg_lines (report, "dmesg.hyperv");
  gboolean dmesg_says = guest_report_get (report, "dmesg.hyperv") != NULL;

  if (hyperv) {
    const gchar *wanted = *vendor != '\0' ? vendor : "Microsoft Hv";

    guest_rows_add (rows, GUEST, g_strcmp0 (seen, wanted) == 0,
                    "<hyperv> (CPUID 0x40000000 vendor signature)", wanted, seen);
    /* Linux recognises Hyper-V only by "Microsoft Hv"; with another
     * vendor_id it stays silent, as Windows' drivers do not care */
    guest_rows_add (rows, GUEST, dmesg_says == (*vendor == '\0'),
                    "<hyperv> (Linux names Hyper-V in dmesg)",
                    *vendor == '\0' ? "Hyper-V lines" : "none (vendor_id hides it from Linux)",
                    dmesg);
    check_hyperv_features (rows, live, report);
  } else {
    guest_rows_add (rows, GUEST, !dmesg_says && g_strcmp0 (seen, "Microsoft Hv") != 0,
                    "no <hyperv> (no Hyper-V signature or dmesg lines)", "none", dmesg);
  }
  if (g_strcmp0 (hidden, "on") == 0)
    guest_rows_add (rows, GUEST, !any_signature (report, "KVMKVMKVM"),
                    "<kvm><hidden state='on'> (no KVMKVMKVM leaf)", "no KVM signature",
                    any_signature (report, "KVMKVMKVM") ? "KVMKVMKVM" : "none");
  else if (strcmp (type, "kvm") == 0)
    guest_rows_add (rows, GUEST, any_signature (report, "KVMKVMKVM"),
                    "domain type kvm (KVMKVMKVM CPUID leaf)", "KVMKVMKVM",
                    any_signature (report, "KVMKVMKVM") ? "KVMKVMKVM" : "none");
  if (strcmp (type, "qemu") == 0 && !hyperv)
    guest_rows_add (rows, GUEST, g_strcmp0 (seen, "TCGTCGTCGTCG") == 0,
                    "domain type qemu (TCG's CPUID signature)", "TCGTCGTCGTCG", seen);
}
