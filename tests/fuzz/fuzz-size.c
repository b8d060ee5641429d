/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-size.c: sizes as users type them (--memory, --disk size=, profile
 * files): "16G", "512MiB", "2048", and everything that is not one. */
#include "vmctl-fuzz.h"
#include "vmctl-size.h"
#include "vmctl-spec-private.h"

#include <string.h>

#define HARNESS_MAX_INPUT 1024

/* An exact size vmctl prints ("16 GiB") reads back, without its space, as
 * the same number of bytes. Rounded ones ("31.2 GiB") and bytes ("512 B")
 * are for reading only. */
static void
assert_round_trip (guint64 bytes)
{
  g_autofree gchar *formatted = vmctl_size_format (bytes);
  g_autofree gchar *typed = NULL;
  g_auto(GStrv) words = g_strsplit (formatted, " ", -1);
  guint64 again = 0;

  g_assert_cmpuint (g_strv_length (words), ==, 2);
  if (strchr (formatted, '.') != NULL || strcmp (words[1], "B") == 0)
    return;
  typed = g_strconcat (words[0], words[1], NULL);
  g_assert_true (vmctl_size_parse (typed, &again, NULL));
  g_assert_cmpuint (again, ==, bytes);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree gchar *text = vmctl_fuzz_text (data, size, HARNESS_MAX_INPUT);
  g_autoptr(GError) error = NULL;
  guint64 bytes = 0;
  guint64 kib = 0;

  if (text == NULL)
    return 0;
  if (vmctl_size_parse (text, &bytes, &error)) {
    /* every suffix is a whole number of KiB */
    g_assert_cmpuint (bytes % 1024, ==, 0);
    assert_round_trip (bytes);
  } else {
    g_assert_true (error->domain == VMCTL_SIZE_ERROR);
  }
  /* a VM's memory: the same parser, with a lower bound */
  vmctl_spec_parse_memory (text, &kib, NULL);
  return 0;
}
