/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-cli-create.c: vmctl create through the binary: bad input exits 2
 * with one line, blockers exit 1 with their list, and --print-xml writes
 * well-formed XML in which the user's names and paths are data, never
 * markup. */
#include "vmctl-test-cli.h"
#include "vmctl-test-rom.h"

#include "vmctl-autocleanups.h"

#include <libxml/parser.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------ */

/* "vmctl --host-root ROOT create ARGS... " with @args NULL-terminated */
static VmctlTestRun *
run_create (const gchar *root, const gchar * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) "--host-root");
  g_ptr_array_add (argv, (gpointer) root);
  g_ptr_array_add (argv, (gpointer) "create");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  return vmctl_test_run_vmctl ((const gchar * const *) argv->pdata);
}

static xmlDoc *
parse_xml (const gchar *text)
{
  xmlDoc *document;

  g_assert_nonnull (text);
  g_assert_true (g_str_has_suffix (text, "\n"));
  document = xmlReadMemory (text, (int) strlen (text), "create.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (document == NULL)
    g_error ("--print-xml printed something that is not XML:\n%s", text);
  g_assert_cmpstr ((const gchar *) xmlDocGetRootElement (document)->name, ==, "domain");
  return document;
}

/* The string values of an XPath expression, in document order. */
static GPtrArray *
xpath_strings (xmlDoc *document, const gchar *expression)
{
  g_autoptr(xmlXPathContext) context = xmlXPathNewContext (document);
  g_autoptr(xmlXPathObject) result = NULL;
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);

  result = xmlXPathEvalExpression ((const xmlChar *) expression, context);
  g_assert_nonnull (result);
  for (gint i = 0; result->nodesetval != NULL && i < result->nodesetval->nodeNr; i++) {
    xmlChar *content = xmlNodeGetContent (result->nodesetval->nodeTab[i]);

    g_ptr_array_add (values, g_strdup ((const gchar *) content));
    xmlFree (content);
  }
  return values;
}

static gboolean
strings_contain (GPtrArray *strings, const gchar *value)
{
  for (guint i = 0; i < strings->len; i++)
    if (g_strcmp0 (g_ptr_array_index (strings, i), value) == 0)
      return TRUE;
  return FALSE;
}

/* The host addresses of the PCI hostdevs, "0000:05:00.0". */
static GPtrArray *
hostdev_addresses (xmlDoc *document)
{
  g_autoptr(xmlXPathContext) context = xmlXPathNewContext (document);
  g_autoptr(xmlXPathObject) result = NULL;
  GPtrArray *addresses = g_ptr_array_new_with_free_func (g_free);

  result = xmlXPathEvalExpression ((const xmlChar *) "/domain/devices/hostdev[@type='pci']"
                                   "/source/address", context);
  g_assert_nonnull (result);
  for (gint i = 0; result->nodesetval != NULL && i < result->nodesetval->nodeNr; i++) {
    xmlNode *node = result->nodesetval->nodeTab[i];
    const gchar *names[] = { "domain", "bus", "slot", "function" };
    guint64 values[4] = { 0 };

    for (guint j = 0; j < G_N_ELEMENTS (names); j++) {
      xmlChar *value = xmlGetProp (node, (const xmlChar *) names[j]);

      g_assert_nonnull (value);
      values[j] = g_ascii_strtoull ((const gchar *) value, NULL, 16);
      xmlFree (value);
    }
    g_ptr_array_add (addresses, g_strdup_printf ("%04x:%02x:%02x.%x", (guint) values[0],
                                                 (guint) values[1], (guint) values[2],
                                                 (guint) values[3]));
  }
  return addresses;
}

/* Every stderr line is a note; returns how many. */
static guint
assert_only_notes (const gchar *err)
{
  g_auto(GStrv) lines = g_strsplit (err, "\n", -1);
  guint count = 0;

  for (guint i = 0; lines[i] != NULL; i++) {
    if (lines[i][0] == '\0' && lines[i + 1] == NULL)
      break;
    if (!g_str_has_prefix (lines[i], "vmctl: note: "))
      g_error ("stderr line is not a note: '%s'", lines[i]);
    count++;
  }
  return count;
}

/* ---- bad input ------------------------------------------------------------ */

typedef struct {
  const gchar *args[8];   /* after "create"; "@" is a directory of real files */
  const gchar *message;   /* a substring of the one stderr line */
} BadCall;

static const BadCall bad_calls[] = {
  { { NULL }, "missing NAME" },
  { { "vm", "extra", "--print-xml", NULL }, "unexpected argument 'extra'" },
  { { "vm", "--gpus", "01:00.0", "--print-xml", NULL }, "Unknown option --gpus" },
  { { "vm", "--memory", NULL }, "Missing argument for --memory" },
  { { "", "--print-xml", NULL }, "VM name ''" },
  { { "a b", "--print-xml", NULL }, "VM name 'a b'" },
  { { "../etc", "--print-xml", NULL }, "safe for file names and shells" },
  { { "vm", "--profile", "gamer", "--print-xml", NULL },
    "--profile 'gamer': unknown profile (available: gaming, minimal, workstation)" },
  { { "vm", "--profile", "../../etc/passwd", "--print-xml", NULL }, "unknown profile" },
  { { "vm", "--gpu", "1:0.0", "--print-xml", NULL }, "--gpu '1:0.0': not a PCI address" },
  { { "vm", "--gpu", "01:00.0,rom=@/missing.rom", "--print-xml", NULL },
    "rom: no such file" },
  { { "vm", "--gpu", "01:00.0,bios=x", "--print-xml", NULL }, "unknown option 'bios'" },
  { { "vm", "--gpu", "01:00.0", "--gpu", "0000:01:00.0", "--print-xml", NULL },
    "0000:01:00.0 is already given with --gpu" },
  { { "vm", "--gpu", "01:00.0", "--hostdev", "01:00.0", "--print-xml", NULL },
    "--hostdev '01:00.0': 0000:01:00.0 is already given with --gpu" },
  { { "vm", "--hostdev", "00:14", "--print-xml", NULL }, "--hostdev '00:14': not a PCI address" },
  { { "vm", "--memory", "16X", "--print-xml", NULL }, "--memory '16X': unknown suffix 'X'" },
  { { "vm", "--memory", "1.5G", "--print-xml", NULL }, "write 1536M" },
  { { "vm", "--memory", "-4G", "--print-xml", NULL }, "negative" },
  { { "vm", "--memory", "64M", "--print-xml", NULL }, "at least 128 MiB" },
  { { "vm", "--memory", "16GB", "--print-xml", NULL }, "write G or GiB" },
  { { "vm", "--memory", "99999999999999999999", "--print-xml", NULL }, "too large" },
  { { "vm", "--vcpus", "0", "--print-xml", NULL }, "--vcpus '0': a VM needs at least 1" },
  { { "vm", "--vcpus", "many", "--print-xml", NULL }, "not a whole number" },
  { { "vm", "--vcpus", "100000", "--print-xml", NULL }, "at most 4096" },
  { { "vm", "--disk", "@/missing.qcow2", "--print-xml", NULL }, "no such file" },
  { { "vm", "--disk", "@", "--print-xml", NULL }, "is a directory" },
  { { "vm", "--disk", "size=0", "--print-xml", NULL }, "at least 1 MiB" },
  { { "vm", "--disk", "size=40G,pool=a/b", "--print-xml", NULL }, "pool: use 1 to 64" },
  { { "vm", "--disk", "size=40G,bus=sata", "--print-xml", NULL }, "unknown option 'bus'" },
  { { "vm", "--cdrom", "@/missing.iso", "--print-xml", NULL }, "--cdrom '" },
  { { "vm", "--network", "nat", "--print-xml", NULL }, "want default, bridge=BRIDGE or none" },
  { { "vm", "--network", "bridge=", "--print-xml", NULL }, "interface name" },
  { { "vm", "--network", "bridge=br0;reboot", "--print-xml", NULL }, "interface name" },
  { { "vm", "--firmware", "uefi", "--print-xml", NULL }, "want efi, efi-secure" },
  { { "vm", "--cpu-pin", "5-2", "--print-xml", NULL }, "runs backwards" },
  { { "vm", "--cpu-pin", "2,2", "--print-xml", NULL }, "CPU 2 is listed twice" },
  { { "vm", "--cpu-pin", "some", "--print-xml", NULL }, "want auto, none or a list" },
  { { "vm", "--virt-type", "tcg", "--print-xml", NULL }, "want kvm or qemu" },
  { { "vm", "--hugepages", "--no-hugepages", "--print-xml", NULL }, "contradict each other" },
  { { "vm", "--dynamic-hugepages", "--no-hugepages", "--print-xml", NULL }, "contradict each other" },
  /* against the host: 8 CPUs, 31.2 GiB */
  { { "vm", "--vcpus", "9", "--print-xml", NULL }, "--vcpus '9': the host has 8 CPUs" },
  { { "vm", "--vcpus", "8", "--cpu-pin", "auto", "--print-xml", NULL }, "leaving 6" },
  { { "vm", "--memory", "64G", "--print-xml", NULL },
    "--memory '64 GiB': more than the host's 31.2 GiB of memory" },
  { { "vm", "--cpu-pin", "6-9", "--print-xml", NULL }, "the host has no CPU 8 (present: 0-7)" },
  { { "vm", "--cpu-pin", "2-5", "--vcpus", "2", "--print-xml", NULL }, "4 host CPUs for 2 vCPUs" },
  { { "vm", "--hugepages", "--memory", "1001M", "--print-xml", NULL }, "multiple of 2 MiB" },
  /* against the inventory */
  { { "vm", "--gpu", "09:00.0", "--print-xml", NULL }, "0000:09:00.0" },
};

static void
test_bad_input (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *files = g_dir_make_tmp ("vmctl-create-files-XXXXXX", &error);

  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_calls); i++) {
    g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
    g_autoptr(VmctlTestRun) run = NULL;
    g_autofree gchar *shown = NULL;

    for (guint j = 0; bad_calls[i].args[j] != NULL; j++) {
      g_auto(GStrv) parts = g_strsplit (bad_calls[i].args[j], "@", -1);

      g_ptr_array_add (args, g_strjoinv (files, parts));
    }
    g_ptr_array_add (args, NULL);
    shown = g_strjoinv (" ", (gchar **) args->pdata);
    g_test_message ("vmctl create %s", shown);
    run = run_create (fixture->root, (const gchar * const *) args->pdata);
    if (run->exit_status != 2 || strstr (run->err, bad_calls[i].message) == NULL)
      g_error ("vmctl create %s: exit %d, stderr '%s', want 2 and '%s'", shown,
               run->exit_status, run->err, bad_calls[i].message);
    vmctl_test_assert_usage_error (run);
    g_assert_cmpstr (run->out, ==, "");
  }
  vmctl_test_remove_tree (files);
}

/* Markup and line breaks in a name are refused, on one line. */
static void
test_names_refused (CliFixture *fixture, gconstpointer data)
{
  const gchar *names[] = {
    "a<b", "a&b", "a\"b", "a'b", "a\nb", "<domain>", "x&amp;y", "vm\r", "\"; rm -rf /",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
    g_autoptr(VmctlTestRun) run = run_create (fixture->root, (const gchar *[]) {
      names[i], "--profile", "minimal", "--print-xml", NULL
    });

    vmctl_test_assert_usage_error (run);
    g_assert_nonnull (strstr (run->err, "VM name '"));
    g_assert_cmpstr (run->out, ==, "");
  }
}

/* ---- the passthrough plan ------------------------------------------------- */

static void
test_blocked (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) run = run_create (fixture->root, (const gchar *[]) {
    "gamer", "--gpu", "05:00.0", "--profile", "gaming", "--print-xml", NULL
  });
  g_autoptr(VmctlTestRun) partly = run_create (fixture->root, (const gchar *[]) {
    "gamer", "--gpu", "05:00.0", "--hostdev", "00:14.0", "--print-xml", NULL
  });

  g_assert_cmpint (run->exit_status, ==, 1);
  vmctl_test_assert_one_error_line (run);
  g_assert_cmpstr (run->out, ==, "");
  g_assert_nonnull (strstr (run->err, "0000:05:00.0"));
  g_assert_nonnull (strstr (run->err, "0000:00:14.0"));
  g_assert_nonnull (strstr (run->err, "0000:00:17.0"));
  g_assert_nonnull (strstr (run->err, "0000:03:00.0"));
  g_assert_nonnull (strstr (run->err, "--hostdev"));

  /* one blocker assigned, two left */
  g_assert_cmpint (partly->exit_status, ==, 1);
  vmctl_test_assert_one_error_line (partly);
  g_assert_nonnull (strstr (partly->err, "0000:00:17.0"));
  g_assert_nonnull (strstr (partly->err, "0000:03:00.0"));
}

static void
test_blockers_assigned (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) run = run_create (fixture->root, (const gchar *[]) {
    "gamer", "--gpu", "05:00.0", "--hostdev", "00:14.0", "--hostdev", "00:17.0",
    "--hostdev", "03:00.0", "--profile", "gaming", "--print-xml", "--force", NULL
  });
  g_autoptr(xmlDoc) document = NULL;
  g_autoptr(GPtrArray) addresses = NULL;

  /* the GPU is the host's console here: --force takes it, and says so */
  if (run->exit_status != 0)
    g_error ("exit %d: %s", run->exit_status, run->err);
  assert_only_notes (run->err);
  g_assert_nonnull (strstr (run->err, "vmctl: note: 0000:05:00.0 is in use by the host: "
                                      "0000:05:00.0 is the boot VGA device"));
  document = parse_xml (run->out);
  addresses = hostdev_addresses (document);
  g_assert_true (strings_contain (addresses, "0000:05:00.0"));
  g_assert_true (strings_contain (addresses, "0000:00:14.0"));
  g_assert_true (strings_contain (addresses, "0000:00:17.0"));
  g_assert_true (strings_contain (addresses, "0000:03:00.0"));
}

/* ---- the host's own functions (data/demo-host) ---------------------------- */

static void
demo_setup (CliFixture *fixture, gconstpointer data)
{
  g_autofree gchar *source = vmctl_test_source_path ("data/demo-host");

  fixture->root = vmctl_test_copy_tree (source);
}

/* Host-critical functions are never given to a VM, as --hostdev or as the
 * companion of one, and --force does not change that. */
static void
test_host_critical (CliFixture *fixture, gconstpointer data)
{
  static const struct {
    const gchar *hostdev;
    const gchar *message;
  } cases[] = {
    { "00:00.0", "0000:00:00.0 is host-critical (host bridge" },
    { "00:1f.0", "0000:00:1f.0 is host-critical (ISA/LPC bridge" },
    { "00:1f.4", "0000:00:1f.4 is host-critical (SMBus" },
    { "00:1f.3", "companion 0000:00:1f.0 is host-critical (ISA/LPC bridge" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    for (guint force = 0; force <= 1; force++) {
      g_autoptr(VmctlTestRun) run = run_create (fixture->root, (const gchar *[]) {
        "vm", "--profile", "minimal", "--hostdev", cases[i].hostdev, "--print-xml",
        force ? "--force" : NULL, NULL
      });

      g_test_message ("--hostdev %s%s", cases[i].hostdev, force ? " --force" : "");
      g_assert_cmpint (run->exit_status, ==, 1);
      vmctl_test_assert_one_error_line (run);
      g_assert_nonnull (strstr (run->err, cases[i].message));
      g_assert_nonnull (strstr (run->err, "not even with --force"));
      g_assert_cmpstr (run->out, ==, "");
    }
  }
}

/* The NVMe disk / is mounted from: refused with the mount named, and taken
 * only with --force, which says what it took. */
static void
test_host_in_use (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) refused = run_create (fixture->root, (const gchar *[]) {
    "vm", "--profile", "minimal", "--hostdev", "02:00.0", "--print-xml", NULL
  });
  g_autoptr(VmctlTestRun) forced = run_create (fixture->root, (const gchar *[]) {
    "vm", "--profile", "minimal", "--hostdev", "02:00.0", "--force", "--print-xml", NULL
  });
  g_autoptr(VmctlTestRun) gpu = run_create (fixture->root, (const gchar *[]) {
    "vm", "--profile", "minimal", "--gpu", "01:00.0", "--print-xml", NULL
  });
  g_autoptr(xmlDoc) document = NULL;
  g_autoptr(GPtrArray) addresses = NULL;

  g_assert_cmpint (refused->exit_status, ==, 1);
  vmctl_test_assert_one_error_line (refused);
  g_assert_nonnull (strstr (refused->err, "0000:02:00.0 is in use by the host: "
                                          "/dev/nvme0n1p2 under it is mounted on /"));
  g_assert_nonnull (strstr (refused->err, "--force"));
  g_assert_cmpstr (refused->out, ==, "");

  if (forced->exit_status != 0)
    g_error ("--force: exit %d: %s", forced->exit_status, forced->err);
  assert_only_notes (forced->err);
  g_assert_nonnull (strstr (forced->err, "vmctl: note: 0000:02:00.0 is in use by the host: "
                                         "/dev/nvme0n1p2 under it is mounted on /"));
  document = parse_xml (forced->out);
  addresses = hostdev_addresses (document);
  g_assert_true (strings_contain (addresses, "0000:02:00.0"));

  /* nothing the README's GPU takes is in use or host-critical */
  if (gpu->exit_status != 0)
    g_error ("--gpu 01:00.0: exit %d: %s", gpu->exit_status, gpu->err);
  g_assert_null (strstr (gpu->err, "in use by the host"));
}

/* ---- --print-xml ----------------------------------------------------------- */

static void
test_print_xml_profiles (CliFixture *fixture, gconstpointer data)
{
  const gchar *profiles[] = { "gaming", "workstation", "minimal" };

  for (gsize i = 0; i < G_N_ELEMENTS (profiles); i++) {
    g_autoptr(VmctlTestRun) run = run_create (fixture->root, (const gchar *[]) {
      "vm-1", "--gpu", "01:00.0", "--profile", profiles[i], "--print-xml", NULL
    });
    g_autoptr(xmlDoc) document = NULL;
    g_autoptr(GPtrArray) names = NULL;
    g_autoptr(GPtrArray) addresses = NULL;

    g_test_message ("--profile %s", profiles[i]);
    if (run->exit_status != 0)
      g_error ("--profile %s: exit %d: %s", profiles[i], run->exit_status, run->err);
    assert_only_notes (run->err);
    document = parse_xml (run->out);
    names = xpath_strings (document, "/domain/name");
    g_assert_cmpuint (names->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "vm-1");
    /* the companion goes along */
    addresses = hostdev_addresses (document);
    g_assert_true (strings_contain (addresses, "0000:01:00.0"));
    g_assert_true (strings_contain (addresses, "0000:01:00.1"));
  }
}

/* --dynamic-hugepages: hugepage backing, and metadata that tells start to
 * reserve the pages (and stop to release them) */
static void
test_dynamic_hugepages (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) dynamic = run_create (fixture->root, (const gchar *[]) {
    "vm-1", "--memory", "1G", "--dynamic-hugepages", "--print-xml", NULL
  });
  g_autoptr(VmctlTestRun) plain = run_create (fixture->root, (const gchar *[]) {
    "vm-1", "--memory", "1G", "--hugepages", "--print-xml", NULL
  });
  g_autoptr(xmlDoc) dynamic_doc = NULL;
  g_autoptr(xmlDoc) plain_doc = NULL;
  g_autoptr(GPtrArray) backing = NULL;

  g_assert_cmpint (dynamic->exit_status, ==, 0);
  g_assert_cmpint (plain->exit_status, ==, 0);
  dynamic_doc = parse_xml (dynamic->out);
  plain_doc = parse_xml (plain->out);
  backing = xpath_strings (dynamic_doc, "/domain/memoryBacking/hugepages/page/@size");
  g_assert_cmpuint (backing->len, ==, 1);
  g_assert_nonnull (strstr (dynamic->out, "hugepages-dynamic=\"yes\""));
  g_assert_null (strstr (plain->out, "hugepages-dynamic"));
}

/* The gaming profile's notes on a fixture: no swtpm, fewer vCPUs. */
static void
test_notes (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) run = run_create (fixture->root, (const gchar *[]) {
    "gamer", "--gpu", "01:00.0", "--profile", "gaming", "--print-xml", NULL
  });

  if (run->exit_status != 0)
    g_error ("exit %d: %s", run->exit_status, run->err);
  g_assert_cmpuint (assert_only_notes (run->err), >=, 2);
  g_assert_nonnull (strstr (run->err, "install swtpm swtpm-tools for "
                                      "the TPM Windows 11 requires\n"));
  g_assert_nonnull (strstr (run->err, "vmctl: note: vcpus lowered from 8"));
}

static void
test_no_kvm (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) run = run_create (fixture->root, (const gchar *[]) {
    "ci", "--profile", "minimal", "--print-xml", NULL
  });
  g_autoptr(xmlDoc) document = NULL;
  g_autoptr(GPtrArray) types = NULL;

  if (run->exit_status != 0)
    g_error ("exit %d: %s", run->exit_status, run->err);
  g_assert_nonnull (strstr (run->err, "vmctl: note: no /dev/kvm"));
  document = parse_xml (run->out);
  types = xpath_strings (document, "/domain/@type");
  g_assert_cmpstr (g_ptr_array_index (types, 0), ==, "qemu");
}

/* Disk and ROM paths full of markup come out as attribute values equal to
 * the path, escaped in the text. */
static void
test_markup_in_paths (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *files = g_dir_make_tmp ("vmctl-create-<&\"'-XXXXXX", &error);
  g_autofree gchar *disk = NULL;
  g_autofree gchar *rom = NULL;
  g_autofree gchar *iso = NULL;
  g_autofree gchar *gpu = NULL;
  g_autoptr(VmctlTestRun) run = NULL;
  g_autoptr(xmlDoc) document = NULL;
  g_autoptr(GPtrArray) sources = NULL;
  g_autoptr(GPtrArray) roms = NULL;

  g_assert_no_error (error);
  disk = g_build_filename (files, "disk <&> \"a\" 'b'.img", NULL);
  rom = g_build_filename (files, "vbios</rom><x a='1'>&amp;.rom", NULL);
  iso = g_build_filename (files, "]]><!-- \"install\" &x; -->.iso", NULL);
  vmctl_test_write (files, "disk <&> \"a\" 'b'.img", "raw");
  /* a ROM for the fixture's RTX 3070: create checks what the file holds */
  g_free (vmctl_test_rom_write (files, "vbios</rom><x a='1'>&amp;.rom", 0x10de, 0x2484,
                                VMCTL_TEST_ROM_VALID));
  vmctl_test_write (files, "]]><!-- \"install\" &x; -->.iso", "CD001");
  gpu = g_strconcat ("01:00.0,rom=", rom, NULL);

  run = run_create (fixture->root, (const gchar *[]) {
    "vm", "--gpu", gpu, "--disk", disk, "--cdrom", iso, "--profile", "workstation",
    "--print-xml", NULL
  });
  if (run->exit_status != 0)
    g_error ("exit %d: %s", run->exit_status, run->err);
  /* never interpreted: the raw paths do not appear as they are */
  g_assert_null (strstr (run->out, "disk <&>"));
  g_assert_null (strstr (run->out, "vbios</rom>"));
  g_assert_null (strstr (run->out, "]]><!--"));
  document = parse_xml (run->out);
  sources = xpath_strings (document, "/domain/devices/disk/source/@file");
  g_assert_true (strings_contain (sources, disk));
  g_assert_true (strings_contain (sources, iso));
  roms = xpath_strings (document, "/domain/devices/hostdev/rom/@file");
  g_assert_cmpuint (roms->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (roms, 0), ==, rom);
  vmctl_test_remove_tree (files);
}

/* A newline in a path is refused, one line. */
static void
test_newline_in_path (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *files = g_dir_make_tmp ("vmctl-create-XXXXXX", &error);
  g_autofree gchar *disk = g_build_filename (files, "a\nb.img", NULL);
  g_autofree gchar *gpu = NULL;
  g_autoptr(VmctlTestRun) run = NULL;
  g_autoptr(VmctlTestRun) rom_run = NULL;

  g_assert_no_error (error);
  vmctl_test_write (files, "a\nb.img", "raw");
  gpu = g_strconcat ("01:00.0,rom=", disk, NULL);
  run = run_create (fixture->root, (const gchar *[]) { "vm", "--disk", disk, "--print-xml", NULL });
  rom_run = run_create (fixture->root, (const gchar *[]) { "vm", "--gpu", gpu, "--print-xml", NULL });
  vmctl_test_assert_usage_error (run);
  g_assert_nonnull (strstr (run->err, "control characters"));
  g_assert_nonnull (strstr (run->err, "a\\nb.img"));
  vmctl_test_assert_usage_error (rom_run);
  g_assert_nonnull (strstr (rom_run->err, "control characters"));
  vmctl_test_remove_tree (files);
}

/* Without --print-xml the VM is defined on the connection, with a volume
 * for size= in the test driver's "default" pool (tests/data/libvirt/vms.xml);
 * a name already defined there is refused as bad input. */
static void
test_define (CliFixture *fixture, gconstpointer data)
{
  g_autofree gchar *uri = vmctl_test_libvirt_uri ("vms");
  g_autoptr(VmctlTestRun) run = run_create (fixture->root, (const gchar *[]) {
    "vm", "--profile", "minimal", "--disk", "size=1G", "-c", uri, NULL
  });
  g_autoptr(VmctlTestRun) json = run_create (fixture->root, (const gchar *[]) {
    "vm2", "--profile", "minimal", "--firmware", "bios", "--json", "-c", uri, NULL
  });
  g_autoptr(VmctlTestRun) exists = run_create (fixture->root, (const gchar *[]) {
    "gamer", "--profile", "minimal", "-c", uri, NULL
  });
  g_autoptr(VmctlTestRun) bad_uri = run_create (fixture->root, (const gchar *[]) {
    "vm", "--profile", "minimal", "-c", "nosuchdriver:///x", NULL
  });
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  if (run->exit_status != 0)
    g_error ("create exited %d: %s", run->exit_status, run->err);
  g_assert_cmpstr (run->out, ==, "vmctl: defined vm (start it with: vmctl start vm)\n");

  g_assert_cmpint (json->exit_status, ==, 0);
  node = vmctl_test_parse_json (json->out);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "vm2");
  g_assert_true (json_object_get_boolean_member (object, "defined"));

  vmctl_test_assert_usage_error (exists);
  g_assert_nonnull (strstr (exists->err, "gamer"));
  g_assert_cmpstr (exists->out, ==, "");
  vmctl_test_assert_usage_error (bad_uri);
  g_assert_cmpstr (bad_uri->out, ==, "");
}

static void
test_help (CliFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) run = vmctl_test_run_vmctlv ("create", "--help", NULL);
  g_autoptr(VmctlTestRun) listed = vmctl_test_run_vmctlv ("--help", NULL);
  const gchar *options[] = {
    "--gpu", "--hostdev", "--memory", "--vcpus", "--profile", "--hugepages", "--no-hugepages",
    "--dynamic-hugepages", "--disk", "--cdrom", "--network", "--firmware", "--cpu-pin", "--virt-type", "--print-xml",
    "--force",
  };

  g_assert_cmpint (run->exit_status, ==, 0);
  g_assert_cmpstr (run->err, ==, "");
  g_assert_nonnull (strstr (run->out, "vmctl create"));
  g_assert_nonnull (strstr (run->out, "NAME"));
  g_assert_nonnull (strstr (run->out, "Examples:"));
  g_assert_nonnull (strstr (run->out, "gaming"));
  for (gsize i = 0; i < G_N_ELEMENTS (options); i++)
    g_assert_nonnull (strstr (run->out, options[i]));
  g_assert_cmpint (listed->exit_status, ==, 0);
  g_assert_nonnull (strstr (listed->out, "create NAME"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  add_cli_test ("/vmctl/cli/create/bad-input", "clean-gpu-audio", test_bad_input);
  add_cli_test ("/vmctl/cli/create/names-refused", "clean-gpu-audio", test_names_refused);
  add_cli_test ("/vmctl/cli/create/newline-in-path", "clean-gpu-audio", test_newline_in_path);
  add_cli_test ("/vmctl/cli/create/blocked", "shared-chipset", test_blocked);
  add_cli_test ("/vmctl/cli/create/help", "clean-gpu-audio", test_help);
  /* these need the XML builder (src/domain/vmctl-domain-xml.c) */
  add_cli_test ("/vmctl/cli/create/blockers-assigned", "shared-chipset", test_blockers_assigned);
  add_cli_test ("/vmctl/cli/create/print-xml", "clean-gpu-audio", test_print_xml_profiles);
  add_cli_test ("/vmctl/cli/create/notes", "clean-gpu-audio", test_notes);
  add_cli_test ("/vmctl/cli/create/dynamic-hugepages", "clean-gpu-audio", test_dynamic_hugepages);
  add_cli_test ("/vmctl/cli/create/no-kvm", "no-kvm", test_no_kvm);
  add_cli_test ("/vmctl/cli/create/markup-in-paths", "clean-gpu-audio", test_markup_in_paths);
  add_cli_test ("/vmctl/cli/create/define", "clean-gpu-audio", test_define);
  g_test_add ("/vmctl/cli/create/host-critical", CliFixture, NULL, demo_setup, test_host_critical,
              vmctl_test_cli_teardown);
  g_test_add ("/vmctl/cli/create/host-in-use", CliFixture, NULL, demo_setup, test_host_in_use,
              vmctl_test_cli_teardown);
  return g_test_run ();
}
