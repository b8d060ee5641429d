/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-domain-input.c: what the domain XML builder does with input it
 * must not trust: markup injection and control characters in every
 * field, broken templates, and libvirt's schema rejecting a bad document
 * (the rules themselves are in test-domain-rules.c). */
#include <glib/gstdio.h>
#include <string.h>

#include "vmctl-test-domain.h"

/* ---- escaping ---- */

#define NASTY "a<b>&c;'d\"e\nf\tg]]>h&amp;\r\u00e9\u2603"

static gint
count_elements (xmlNodePtr node)
{
  gint count = 0;

  for (; node != NULL; node = node->next)
    if (node->type == XML_ELEMENT_NODE)
      count += 1 + count_elements (node->children);
  return count;
}

static void
injection_spec (DomainFixture *fixture, const gchar *name, const gchar *disk, const gchar *rom,
                const gchar *bridge)
{
  vmctl_test_domain_profile_gaming (fixture->spec, name);
  vmctl_test_domain_spec_add_disk (fixture->spec, disk, 0, NULL, "qcow2");
  vmctl_test_domain_spec_add_disk (fixture->spec, NULL, 1 << 30, bridge, "qcow2");
  vmctl_test_domain_set_string (&fixture->spec->cdrom, disk);
  vmctl_test_domain_host_gpu (fixture->spec, fixture->plan, "clean-gpu-audio");
  vmctl_test_domain_set_string (&g_array_index (fixture->spec->gpus, VmctlSpecGpu, 0).rom_path, rom);
  fixture->spec->network = VMCTL_NETWORK_BRIDGE;
  vmctl_test_domain_set_string (&fixture->spec->bridge, bridge);
  vmctl_test_domain_set_string (&fixture->spec->hyperv_vendor_id, "<&'\"x");
}

static void
test_injection (DomainFixture *fixture, gconstpointer data)
{
  const gchar *name = "vm" NASTY;
  const gchar *disk = "/var/lib/libvirt/images/" NASTY ".qcow2";
  const gchar *rom = "/roms/" NASTY ".rom";
  const gchar *bridge = "br" NASTY;
  g_autofree gchar *text = NULL;
  g_autofree gchar *plain_text = NULL;
  g_autoptr(xmlDoc) document = NULL;
  g_autoptr(xmlDoc) plain = NULL;
  g_autofree gchar *volume = NULL;

  injection_spec (fixture, name, disk, rom, bridge);
  text = vmctl_test_domain_build_string (fixture);
  document = vmctl_test_domain_parse (text);
  assert_xpath (document, "/domain/name", name);
  assert_xpath (document, "/domain/devices/disk[1]/source/@file", disk);
  assert_xpath (document, "/domain/devices/disk[2]/source/@pool", bridge);
  volume = g_strconcat (name, ".qcow2", NULL);
  assert_xpath (document, "/domain/devices/disk[2]/source/@volume", volume);
  assert_xpath (document, "/domain/devices/disk[3]/source/@file", disk);
  assert_xpath (document, "/domain/devices/hostdev[1]/rom/@file", rom);
  assert_xpath (document, "/domain/devices/interface/source/@bridge", bridge);
  assert_xpath (document, "/domain/features/hyperv/vendor_id/@value", "<&'\"x");
  assert_xpath (document, "//vmctl:gpu/@rom", rom);
  assert_xpath (document, "//vmctl:disk[1]/@path", disk);
  assert_xpath (document, "//vmctl:cdrom/@path", disk);
  assert_xpath (document, "//vmctl:network/@bridge", bridge);
  /* nothing was interpreted as markup: the same elements as a tame spec */
  g_assert_null (strstr (text, "<b>"));
  g_assert_null (strstr (text, "]]>"));

  vmctl_spec_free (fixture->spec);
  vmctl_test_domain_plan_free (fixture->plan);
  fixture->spec = vmctl_spec_new ();
  fixture->plan = vmctl_test_domain_plan_new ();
  injection_spec (fixture, "tame", "/var/lib/libvirt/images/tame.qcow2", "/roms/tame.rom", "br0");
  plain_text = vmctl_test_domain_build_string (fixture);
  plain = vmctl_test_domain_parse (plain_text);
  g_assert_cmpint (count_elements (xmlDocGetRootElement (document)), ==,
                   count_elements (xmlDocGetRootElement (plain)));
}

/* C0 controls other than tab, newline and CR cannot be written in XML
 * 1.0 at all, not even as &#1;: refused, never written half-escaped */
static void
test_control_characters (DomainFixture *fixture, gconstpointer data)
{
  vmctl_test_domain_profile_minimal (fixture->spec, "bell\a");
  vmctl_test_domain_build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_INVALID, "control character");
  vmctl_test_domain_set_string (&fixture->spec->name, "fine");
  vmctl_test_domain_spec_add_disk (fixture->spec, "/var/lib/libvirt/images/\033[31m.img", 0, NULL, "raw");
  vmctl_test_domain_build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_INVALID, "\\033[31m");
  g_ptr_array_set_size (fixture->spec->disks, 0);
  vmctl_test_domain_set_string (&fixture->spec->name, "not\xff utf-8");
  vmctl_test_domain_build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_INVALID, "UTF-8");
}

/* ---- templates: a private copy, broken one way per test ---- */

static void
test_template_missing (TemplateFixture *fixture, gconstpointer data)
{
  g_autofree gchar *path = g_build_filename (fixture->directory, "hostdev-pci.xml", NULL);

  g_assert_cmpint (g_unlink (path), ==, 0);
  vmctl_test_domain_template_build_fails ("hostdev-pci.xml");
}

static void
test_template_malformed (TemplateFixture *fixture, gconstpointer data)
{
  vmctl_test_domain_rewrite_template (fixture, "domain.xml", "</domain>", "</domian>");
  vmctl_test_domain_template_build_fails ("domain.xml");
}

static void
test_template_lacks_attribute (TemplateFixture *fixture, gconstpointer data)
{
  vmctl_test_domain_rewrite_template (fixture, "cpu-host-passthrough.xml", " threads=\"@THREADS@\"", "");
  vmctl_test_domain_template_build_fails ("<topology> has no threads attribute to fill");
}

static void
test_template_unfilled (TemplateFixture *fixture, gconstpointer data)
{
  vmctl_test_domain_rewrite_template (fixture, "rng-virtio.xml", "<rng model=\"virtio\">",
                                      "<rng model=\"virtio\" rate=\"@RATE@\">");
  vmctl_test_domain_template_build_fails ("<rng rate='@RATE@'> was never filled");
}

static void
test_template_dir_env (void)
{
  g_autofree gchar *saved = g_strdup (g_getenv ("VMCTL_TEMPLATE_DIR"));
  g_autofree gchar *chosen = NULL;
  g_autofree gchar *fallback = NULL;

  g_setenv ("VMCTL_TEMPLATE_DIR", "/somewhere/templates", TRUE);
  chosen = vmctl_template_dir ();
  g_assert_cmpstr (chosen, ==, "/somewhere/templates");
  /* empty counts as unset */
  g_setenv ("VMCTL_TEMPLATE_DIR", "", TRUE);
  fallback = vmctl_template_dir ();
  g_assert_true (g_file_test (fallback, G_FILE_TEST_IS_DIR));
  if (saved != NULL)
    g_setenv ("VMCTL_TEMPLATE_DIR", saved, TRUE);
  else
    g_unsetenv ("VMCTL_TEMPLATE_DIR");
}

/* ---- libvirt's schema ---- */

static void
test_validate_rejects (DomainFixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;
  g_autoptr(GError) error = NULL;
  xmlNodePtr cpu;

  if (!g_file_test (VMCTL_LIBVIRT_DOMAIN_SCHEMA, G_FILE_TEST_EXISTS)) {
    g_test_skip ("no " VMCTL_LIBVIRT_DOMAIN_SCHEMA);
    return;
  }
  vmctl_test_domain_profile_minimal (fixture->spec, "bad");
  document = vmctl_test_domain_build_ok (fixture);
  cpu = xmlDocGetRootElement (document)->children;
  while (cpu != NULL && !xmlStrEqual (cpu->name, (const xmlChar *) "cpu"))
    cpu = cpu->next;
  g_assert_nonnull (cpu);
  xmlSetProp (cpu, (const xmlChar *) "mode", (const xmlChar *) "host-passthru");
  g_assert_false (vmctl_domain_xml_validate (document, NULL, &error));
  g_assert_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_SCHEMA);
  g_clear_error (&error);
  g_assert_false (vmctl_domain_xml_validate (document, "/nonexistent/domain.rng", &error));
  g_assert_error (error, VMCTL_DOMAIN_XML_ERROR, VMCTL_DOMAIN_XML_ERROR_SCHEMA);
}

int
main (int argc, char **argv)
{
  vmctl_test_domain_init (&argc, &argv);

  vmctl_test_domain_add_clean ("/vmctl/domain-xml/escape/injection", test_injection);
  vmctl_test_domain_add_clean ("/vmctl/domain-xml/escape/control-characters", test_control_characters);
  vmctl_test_domain_add_clean ("/vmctl/domain-xml/schema/rejects", test_validate_rejects);
  g_test_add_func ("/vmctl/domain-xml/template/dir-env", test_template_dir_env);
  vmctl_test_domain_add_template ("/vmctl/domain-xml/template/missing", test_template_missing);
  vmctl_test_domain_add_template ("/vmctl/domain-xml/template/malformed", test_template_malformed);
  vmctl_test_domain_add_template ("/vmctl/domain-xml/template/lacks-attribute", test_template_lacks_attribute);
  vmctl_test_domain_add_template ("/vmctl/domain-xml/template/unfilled", test_template_unfilled);
  return vmctl_test_domain_run ();
}
