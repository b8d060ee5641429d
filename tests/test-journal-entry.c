/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-journal-entry.c: one journal entry's bytes through the pure parser
 * (what the fuzzer drives): every field validated before it can reach a
 * path or a write, entries of older vmctl versions (no plan) still read,
 * what the writer produces read back the same, and the fuzzer's seeds what
 * their names say. */
#include "vmctl-journal.h"
#include "vmctl-test-util.h"

#include <string.h>

static VmctlPciAddress
parse (const gchar *text)
{
  VmctlPciAddress address = { 0 };

  g_assert_true (vmctl_pci_address_parse (text, &address, NULL));
  return address;
}

#define GOOD_TAIL "original_driver_override=\nowner=gamer\n" \
  "boot_id=6869d801-9af6-5db7-9260-39d873d901fe\ntime=2026-11-21T10:00:00Z\nstep=bound-vfio\n"

/* the pure parser: every field validated, old entries (no plan) still read */
static void
test_parse (void)
{
  const gchar *good = "[entry]\naddress=0000:01:00.1\noriginal_driver=snd_hda_intel\n"
                      "plan=0000:01:00.0;0000:01:00.1;\n" GOOD_TAIL;
  const gchar *old = "[entry]\naddress=0000:01:00.1\noriginal_driver=snd_hda_intel\n" GOOD_TAIL;
  const struct {
    const gchar *text;
    gsize length;       /* 0: strlen */
    const gchar *says;
  } bad[] = {
    { "[entry]\naddress=0000:01:00.1\noriginal_driver=../../../../tmp/x\n" GOOD_TAIL, 0,
      "original_driver is not a driver name" },
    { "[entry]\naddress=0000:01:00.1\noriginal_driver=..\n" GOOD_TAIL, 0, "original_driver" },
    { "[entry]\naddress=0000:01:00.1\noriginal_driver=nvidia\noriginal_driver_override=a/b\n"
      "owner=\nboot_id=6869d801-9af6-5db7-9260-39d873d901fe\ntime=2026-11-21T10:00:00Z\n"
      "step=probed\n", 0, "original_driver_override" },
    { "[entry]\naddress=0000:01:00.1\noriginal_driver=nvidia\noriginal_driver_override=\n"
      "owner=../../x\nboot_id=6869d801-9af6-5db7-9260-39d873d901fe\n"
      "time=2026-11-21T10:00:00Z\nstep=probed\n", 0, "owner" },
    { "[entry]\naddress=01:00.1\noriginal_driver=nvidia\n" GOOD_TAIL, 0, "address" },
    { "[entry]\naddress=0000:01:00.1\noriginal_driver=nvidia\nplan=0000:01:00.0;\n" GOOD_TAIL, 0,
      "does not include" },
    { "[entry]\naddress=0000:01:00.1\noriginal_driver=nvidia\n"
      "plan=0000:01:00.1;0000:01:00.1;\n" GOOD_TAIL, 0, "twice" },
    { "[entry]\naddress=0000:01:00.1\noriginal_driver=nvidia\nplan=0000:01:00.1;x/y;\n"
      GOOD_TAIL, 0, "plan holds" },
    { "[entry]\naddress=0000:01:00.1\noriginal_driver=nvidia\noriginal_driver_override=\n"
      "owner=\nboot_id=../x\ntime=2026-11-21T10:00:00Z\nstep=probed\n", 0, "boot_id" },
    { "[entry]\naddress=0000:01:00.1\noriginal_driver=nvi\0dia\n" GOOD_TAIL,
      sizeof ("[entry]\naddress=0000:01:00.1\noriginal_driver=nvi\0dia\n" GOOD_TAIL) - 1, "NUL" },
    { "[entry]\naddress=0000:01:00.1\noriginal_driver=nvi\xff\n" GOOD_TAIL, 0, "UTF-8" },
    { "[entry]\naddress=0000:01:00.2\noriginal_driver=nvidia\n" GOOD_TAIL, 0, "does not match" },
    { "[entry]\naddress=0000:01:00.1\n", 0, "missing" },
    /* an unknown escape, then a trailing backslash: GLib 2.74 sets its
     * own error twice (a warning, fatal here and in the fuzzer) unless the
     * value is refused before GLib parses it */
    { "[entry]\naddress=0000:01:00.1\noriginal_driver=nv\\qa\\\n" GOOD_TAIL, 0,
      "key 'original_driver': invalid escape" },
    { "[entry]\naddress=0000:01:00.1\noriginal_driver=nvidia\n"
      "plan=0000:01:00.1;0000:01\\:00.0;0000:5\\\n" GOOD_TAIL, 0, "plan is not a list" },
  };
  VmctlPciAddress audio = parse ("0000:01:00.1");
  g_autoptr(VmctlJournalEntry) entry = NULL;
  g_autoptr(VmctlJournalEntry) again = NULL;
  g_autoptr(VmctlJournalEntry) legacy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *bytes = NULL;
  gsize length = 0;

  entry = vmctl_journal_entry_parse (good, strlen (good), &audio, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (entry->original_driver, ==, "snd_hda_intel");
  g_assert_cmpstr (entry->owner, ==, "gamer");
  g_assert_cmpuint (entry->plan->len, ==, 2);
  g_assert_true (vmctl_pci_address_equal (&g_array_index (entry->plan, VmctlPciAddress, 1), &audio));
  /* what vmctl writes, it reads back the same */
  bytes = vmctl_journal_entry_to_data (entry, &length);
  again = vmctl_journal_entry_parse (bytes, length, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->plan->len, ==, 2);
  g_assert_cmpstr (again->time, ==, entry->time);

  legacy = vmctl_journal_entry_parse (old, strlen (old), &audio, &error);
  g_assert_no_error (error);
  g_assert_null (legacy->plan);

  g_assert_null (vmctl_journal_entry_parse ("", 0, &audio, &error));
  g_assert_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_MALFORMED);
  g_clear_error (&error);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    gsize size = bad[i].length != 0 ? bad[i].length : strlen (bad[i].text);
    g_autoptr(VmctlJournalEntry) refused = vmctl_journal_entry_parse (bad[i].text, size, &audio,
                                                                      &error);

    g_test_message ("bad %u: %s", i, error != NULL ? error->message : "(accepted)");
    g_assert_null (refused);
    g_assert_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_MALFORMED);
    g_assert_nonnull (strstr (error->message, bad[i].says));
    /* a bad value is never quoted back: it may be any bytes */
    g_assert_null (strstr (error->message, "../../../../tmp/x"));
    g_clear_error (&error);
  }
}

/* the fuzzer's seeds (tests/fuzz/corpus/journal): valid-* parse, the rest
 * are refused, so the seeds stay what their names say */
static void
test_fuzz_seeds (void)
{
  g_autofree gchar *directory = vmctl_test_source_path ("tests/fuzz/corpus/journal");
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  const gchar *name;
  guint seen = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *path = g_build_filename (directory, name, NULL);
    g_autofree gchar *contents = NULL;
    g_autoptr(VmctlJournalEntry) entry = NULL;
    g_autoptr(GError) error = NULL;
    gsize length = 0;

    g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
    entry = vmctl_journal_entry_parse (contents, length, NULL, &error);
    g_test_message ("%s: %s", name, error != NULL ? error->message : "valid");
    if (g_str_has_prefix (name, "valid"))
      g_assert_no_error (error);
    else
      g_assert_error (error, VMCTL_JOURNAL_ERROR, VMCTL_JOURNAL_ERROR_MALFORMED);
    seen++;
  }
  g_assert_cmpuint (seen, >=, 6);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vmctl/journal-entry/parse", test_parse);
  g_test_add_func ("/vmctl/journal-entry/fuzz-seeds", test_fuzz_seeds);
  return g_test_run ();
}
