/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-size.c: sizes as the user types them and as vmctl prints them. */
#include "vmctl-size.h"

#include <string.h>

typedef struct {
  const gchar *text;
  guint64 bytes;
} GoodSize;

static const GoodSize good_sizes[] = {
  { "16G", G_GUINT64_CONSTANT (16) << 30 },
  { "16g", G_GUINT64_CONSTANT (16) << 30 },
  { "16GiB", G_GUINT64_CONSTANT (16) << 30 },
  { "16gib", G_GUINT64_CONSTANT (16) << 30 },
  { "16GIB", G_GUINT64_CONSTANT (16) << 30 },
  { "512M", G_GUINT64_CONSTANT (512) << 20 },
  { "512MiB", G_GUINT64_CONSTANT (512) << 20 },
  { "512m", G_GUINT64_CONSTANT (512) << 20 },
  { "2048", G_GUINT64_CONSTANT (2048) << 20 },     /* a bare number is MiB */
  { "1", G_GUINT64_CONSTANT (1) << 20 },
  { "1K", 1024 },
  { "1k", 1024 },
  { "1KiB", 1024 },
  { "3T", G_GUINT64_CONSTANT (3) << 40 },
  { "3TiB", G_GUINT64_CONSTANT (3) << 40 },
  { "0", 0 },
  { "0G", 0 },
  { "007M", G_GUINT64_CONSTANT (7) << 20 },
  { "16777215T", G_GUINT64_CONSTANT (16777215) << 40 },
  { "18014398509481983K", G_MAXUINT64 - 1023 },    /* the largest KiB count */
  { "17592186044415", (G_GUINT64_CONSTANT (17592186044415)) << 20 },
};

typedef struct {
  const gchar *text;
  gint code;
  const gchar *message;     /* a substring of the error message */
} BadSize;

static const BadSize bad_sizes[] = {
  { "", VMCTL_SIZE_ERROR_INVALID, "empty" },
  { "-1", VMCTL_SIZE_ERROR_INVALID, "negative" },
  { "-16G", VMCTL_SIZE_ERROR_INVALID, "negative" },
  { "+16G", VMCTL_SIZE_ERROR_INVALID, "not a number" },
  { "G", VMCTL_SIZE_ERROR_INVALID, "not a number" },
  { "abc", VMCTL_SIZE_ERROR_INVALID, "not a number" },
  { "16X", VMCTL_SIZE_ERROR_INVALID, "unknown suffix 'X'" },
  { "16Gi", VMCTL_SIZE_ERROR_INVALID, "unknown suffix 'Gi'" },
  { "16GiBs", VMCTL_SIZE_ERROR_INVALID, "unknown suffix" },
  { "16GB", VMCTL_SIZE_ERROR_INVALID, "write G or GiB" },
  { "16mb", VMCTL_SIZE_ERROR_INVALID, "write M or MiB" },
  { "16B", VMCTL_SIZE_ERROR_INVALID, "bytes are not accepted" },
  { "16P", VMCTL_SIZE_ERROR_INVALID, "unknown suffix 'P'" },
  { "0x10", VMCTL_SIZE_ERROR_INVALID, "unknown suffix 'x10'" },
  { "1e3", VMCTL_SIZE_ERROR_INVALID, "unknown suffix 'e3'" },
  { "16 G", VMCTL_SIZE_ERROR_INVALID, "spaces" },
  { " 16G", VMCTL_SIZE_ERROR_INVALID, "spaces" },
  { "16G ", VMCTL_SIZE_ERROR_INVALID, "spaces" },
  { "16\tG", VMCTL_SIZE_ERROR_INVALID, "spaces" },
  { "16G\n", VMCTL_SIZE_ERROR_INVALID, "spaces" },
  { "1.5G", VMCTL_SIZE_ERROR_INVALID, "write 1536M" },
  { "1.5GiB", VMCTL_SIZE_ERROR_INVALID, "write 1536MiB" },
  { "1,5g", VMCTL_SIZE_ERROR_INVALID, "write 1536M" },
  { "1.5", VMCTL_SIZE_ERROR_INVALID, "write 1536K" },
  { "0.25T", VMCTL_SIZE_ERROR_INVALID, "write 256G" },
  { "2.0G", VMCTL_SIZE_ERROR_INVALID, "write 2G" },
  { "0.1K", VMCTL_SIZE_ERROR_INVALID, "smaller unit" },
  { "1.3G", VMCTL_SIZE_ERROR_INVALID, "fractions are not accepted" },
  { "1.5X", VMCTL_SIZE_ERROR_INVALID, "fractions are not accepted" },
  { "1.", VMCTL_SIZE_ERROR_INVALID, "unknown suffix '.'" },
  { ".5G", VMCTL_SIZE_ERROR_INVALID, "not a number" },
  { "16\xff", VMCTL_SIZE_ERROR_INVALID, "unknown suffix" },
  { "16777216T", VMCTL_SIZE_ERROR_OVERFLOW, "too large" },
  { "17592186044416", VMCTL_SIZE_ERROR_OVERFLOW, "too large" },       /* 2^44 MiB = 2^64 */
  { "18014398509481984K", VMCTL_SIZE_ERROR_OVERFLOW, "too large" },
  { "18446744073709551616", VMCTL_SIZE_ERROR_OVERFLOW, "too large" },
  { "99999999999999999999999999G", VMCTL_SIZE_ERROR_OVERFLOW, "too large" },
};

static void
test_parse_good (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (good_sizes); i++) {
    g_autoptr(GError) error = NULL;
    guint64 bytes = 1;

    g_test_message ("'%s'", good_sizes[i].text);
    g_assert_true (vmctl_size_parse (good_sizes[i].text, &bytes, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (bytes, ==, good_sizes[i].bytes);
  }
}

static void
test_parse_bad (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bad_sizes); i++) {
    g_autoptr(GError) error = NULL;
    guint64 bytes = 42;
    g_autofree gchar *shown = g_strescape (bad_sizes[i].text, NULL);

    g_test_message ("'%s'", shown);
    g_assert_false (vmctl_size_parse (bad_sizes[i].text, &bytes, &error));
    g_assert_error (error, VMCTL_SIZE_ERROR, bad_sizes[i].code);
    if (strstr (error->message, bad_sizes[i].message) == NULL)
      g_error ("'%s': message '%s' lacks '%s'", bad_sizes[i].text, error->message,
               bad_sizes[i].message);
    /* one line, whatever the input held */
    g_assert_null (strchr (error->message, '\n'));
    /* out-parameters are written only on success */
    g_assert_cmpuint (bytes, ==, 42);
  }
}

typedef struct {
  guint64 bytes;
  const gchar *text;
} Formatted;

static const Formatted formatted[] = {
  { 0, "0 B" },
  { 512, "512 B" },
  { 1024, "1 KiB" },
  { 1025 * 1024, "1025 KiB" },
  { G_GUINT64_CONSTANT (512) << 20, "512 MiB" },
  { G_GUINT64_CONSTANT (1536) << 20, "1536 MiB" },
  { G_GUINT64_CONSTANT (16) << 30, "16 GiB" },
  { G_GUINT64_CONSTANT (32734884) * 1024, "31.2 GiB" },   /* a fixture's MemTotal */
  { G_GUINT64_CONSTANT (16) << 40, "16 TiB" },
  { G_GUINT64_CONSTANT (16384) << 40, "16384 TiB" },
  { (G_GUINT64_CONSTANT (1) << 20) + 1, "1.0 MiB" },
  { (G_GUINT64_CONSTANT (2) << 30) - 1, "2.0 GiB" },
  { G_MAXUINT64, "16777216.0 TiB" },
};

static void
test_format (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (formatted); i++) {
    g_autofree gchar *text = vmctl_size_format (formatted[i].bytes);

    g_assert_cmpstr (text, ==, formatted[i].text);
  }
}

/* What vmctl prints exactly, it reads back to the same value. */
static void
test_round_trip (void)
{
  const gchar *texts[] = { "16G", "512M", "1536M", "1K", "7T", "1025K" };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++) {
    guint64 bytes = 0, again = 0;
    g_autofree gchar *printed = NULL;
    g_auto(GStrv) words = NULL;
    g_autofree gchar *compact = NULL;

    g_assert_true (vmctl_size_parse (texts[i], &bytes, NULL));
    printed = vmctl_size_format (bytes);
    /* "16 GiB" -> "16GiB" */
    words = g_strsplit (printed, " ", -1);
    compact = g_strjoinv ("", words);
    g_assert_true (vmctl_size_parse (compact, &again, NULL));
    g_assert_cmpuint (again, ==, bytes);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vmctl/size/parse/good", test_parse_good);
  g_test_add_func ("/vmctl/size/parse/bad", test_parse_bad);
  g_test_add_func ("/vmctl/size/format", test_format);
  g_test_add_func ("/vmctl/size/round-trip", test_round_trip);
  return g_test_run ();
}
