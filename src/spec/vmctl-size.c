/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmctl-size.c: sizes as the user types them and as vmctl prints them.
 *
 * The contract (DESIGN.md): a whole number with an optional K M G T suffix
 * (powers of 1024) or KiB MiB GiB TiB, in any case; a bare number is MiB.
 * Everything else is refused rather than guessed: "16GB" might mean 10^9
 * bytes to one user and 2^30 to another, and "1.5G" has no exact answer in
 * every unit, so vmctl says which whole number to write instead. */
#include "vmctl-size.h"

#include <string.h>

G_DEFINE_QUARK (vmctl-size-error-quark, vmctl_size_error)

#define SIZE_HINT "want a whole number with an optional K, M, G or T suffix " \
                  "(or KiB, MiB, GiB, TiB); a bare number is MiB"

typedef struct {
  const gchar *suffix;   /* lower case */
  guint64 unit;
} SizeUnit;

static const SizeUnit size_units[] = {
  { "", VMCTL_MIB },
  { "k", VMCTL_KIB }, { "kib", VMCTL_KIB },
  { "m", VMCTL_MIB }, { "mib", VMCTL_MIB },
  { "g", VMCTL_GIB }, { "gib", VMCTL_GIB },
  { "t", VMCTL_TIB }, { "tib", VMCTL_TIB },
};

/* Largest first: for suggestions and for formatting. */
static const struct {
  guint64 unit;
  const gchar *short_name;
  const gchar *long_name;
} named_units[] = {
  { VMCTL_TIB, "T", "TiB" },
  { VMCTL_GIB, "G", "GiB" },
  { VMCTL_MIB, "M", "MiB" },
  { VMCTL_KIB, "K", "KiB" },
};

static gboolean
lookup_suffix (const gchar *suffix, guint64 *out_unit)
{
  g_autofree gchar *lower = g_ascii_strdown (suffix, -1);

  for (gsize i = 0; i < G_N_ELEMENTS (size_units); i++) {
    if (strcmp (lower, size_units[i].suffix) == 0) {
      *out_unit = size_units[i].unit;
      return TRUE;
    }
  }
  return FALSE;
}

/* Appends the digits at *cursor to *value; FALSE when it passes 2^64 - 1. */
static gboolean
read_digits (const gchar **cursor, guint64 *value, guint *out_count)
{
  guint count = 0;

  while (g_ascii_isdigit (**cursor)) {
    guint digit = (guint) (**cursor - '0');

    if (*value > (G_MAXUINT64 - digit) / 10)
      return FALSE;
    *value = *value * 10 + digit;
    (*cursor)++;
    count++;
  }
  *out_count = count;
  return TRUE;
}

/* "1.5G" is exactly 1536M: the whole number to write in the largest unit
 * that holds it (the same or a smaller one), in the user's spelling of
 * suffixes, or NULL when there is none (too many decimals, or a fraction
 * of a KiB). */
static gchar *
suggest_whole (guint64 whole, const gchar *fraction, guint n_digits, guint64 unit,
               gboolean long_suffix)
{
  guint64 scale = 1;
  guint64 value = whole;
  guint64 bytes;

  if (n_digits > 9)
    return NULL;
  for (guint i = 0; i < n_digits; i++) {
    if (value > (G_MAXUINT64 - 9) / 10)
      return NULL;
    value = value * 10 + (guint64) (fraction[i] - '0');
    scale *= 10;
  }
  if (value > G_MAXUINT64 / unit)
    return NULL;
  bytes = value * unit;
  if (bytes % scale != 0)
    return NULL;
  bytes /= scale;
  for (gsize i = 0; i < G_N_ELEMENTS (named_units); i++) {
    if (named_units[i].unit > unit || bytes % named_units[i].unit != 0)
      continue;
    return g_strdup_printf ("%" G_GUINT64_FORMAT "%s", bytes / named_units[i].unit,
                            long_suffix ? named_units[i].long_name : named_units[i].short_name);
  }
  return NULL;
}

static gboolean
set_fraction_error (guint64 whole, const gchar *fraction, guint n_digits,
                    const gchar *suffix, GError **error)
{
  g_autofree gchar *suggestion = NULL;
  guint64 unit = 0;

  if (lookup_suffix (suffix, &unit))
    suggestion = suggest_whole (whole, fraction, n_digits, unit, strlen (suffix) == 3);
  if (suggestion != NULL)
    g_set_error (error, VMCTL_SIZE_ERROR, VMCTL_SIZE_ERROR_INVALID,
                 "fractions are not accepted: write %s", suggestion);
  else
    g_set_error_literal (error, VMCTL_SIZE_ERROR, VMCTL_SIZE_ERROR_INVALID,
                         "fractions are not accepted: give a whole number in a smaller unit");
  return FALSE;
}

static gboolean
set_suffix_error (const gchar *suffix, GError **error)
{
  g_autofree gchar *lower = g_ascii_strdown (suffix, -1);

  if (strcmp (lower, "b") == 0) {
    g_set_error_literal (error, VMCTL_SIZE_ERROR, VMCTL_SIZE_ERROR_INVALID,
                         "bytes are not accepted: a bare number is MiB, K is KiB");
  } else if (strlen (lower) == 2 && strchr ("kmgt", lower[0]) != NULL && lower[1] == 'b') {
    /* "16GB": decimal or binary? vmctl only has binary units */
    g_set_error (error, VMCTL_SIZE_ERROR, VMCTL_SIZE_ERROR_INVALID,
                 "unknown suffix '%s': write %c or %ciB (sizes are powers of 1024)",
                 suffix, g_ascii_toupper (lower[0]), g_ascii_toupper (lower[0]));
  } else if (g_utf8_validate (suffix, -1, NULL)) {
    g_set_error (error, VMCTL_SIZE_ERROR, VMCTL_SIZE_ERROR_INVALID,
                 "unknown suffix '%s' (" SIZE_HINT ")", suffix);
  } else {
    g_set_error_literal (error, VMCTL_SIZE_ERROR, VMCTL_SIZE_ERROR_INVALID,
                         "unknown suffix (" SIZE_HINT ")");
  }
  return FALSE;
}

/**
 * vmctl_size_parse:
 * @text: "16G", "16GiB", "16g", "512M", "2048" (MiB), "0"
 * @out_bytes: (out): the size in bytes, written only on success
 * @error: VMCTL_SIZE_ERROR_INVALID for anything but a whole number with an
 *   optional known suffix, VMCTL_SIZE_ERROR_OVERFLOW past 2^64 - 1 bytes
 *
 * Accepts zero: whether zero makes sense is the caller's business. The
 * error messages do not repeat @text; callers prefix it with the option
 * ("--memory '16X': ") through g_prefix_error().
 *
 * Returns: TRUE when @text is a size
 */
gboolean
vmctl_size_parse (const gchar *text, guint64 *out_bytes, GError **error)
{
  const gchar *cursor = text;
  guint64 value = 0;
  guint64 unit = 0;
  guint n_digits = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out_bytes != NULL, FALSE);

  if (text[0] == '\0') {
    g_set_error_literal (error, VMCTL_SIZE_ERROR, VMCTL_SIZE_ERROR_INVALID,
                         "empty size (" SIZE_HINT ")");
    return FALSE;
  }
  for (const gchar *p = text; *p != '\0'; p++) {
    if (g_ascii_isspace (*p)) {
      g_set_error_literal (error, VMCTL_SIZE_ERROR, VMCTL_SIZE_ERROR_INVALID,
                           "spaces are not allowed in a size (write 16G, not '16 G')");
      return FALSE;
    }
  }
  if (text[0] == '-') {
    g_set_error_literal (error, VMCTL_SIZE_ERROR, VMCTL_SIZE_ERROR_INVALID,
                         "a size cannot be negative");
    return FALSE;
  }
  if (!g_ascii_isdigit (text[0])) {
    g_set_error_literal (error, VMCTL_SIZE_ERROR, VMCTL_SIZE_ERROR_INVALID,
                         "not a number (" SIZE_HINT ")");
    return FALSE;
  }
  if (!read_digits (&cursor, &value, &n_digits)) {
    g_set_error_literal (error, VMCTL_SIZE_ERROR, VMCTL_SIZE_ERROR_OVERFLOW,
                         "too large (the limit is 2^64 - 1 bytes)");
    return FALSE;
  }
  if ((cursor[0] == '.' || cursor[0] == ',') && g_ascii_isdigit (cursor[1])) {
    const gchar *fraction = ++cursor;
    guint n_fraction = 0;

    /* only to find where the suffix starts */
    while (g_ascii_isdigit (*cursor)) {
      n_fraction++;
      cursor++;
    }
    return set_fraction_error (value, fraction, n_fraction, cursor, error);
  }
  if (!lookup_suffix (cursor, &unit))
    return set_suffix_error (cursor, error);
  if (value > G_MAXUINT64 / unit) {
    g_set_error_literal (error, VMCTL_SIZE_ERROR, VMCTL_SIZE_ERROR_OVERFLOW,
                         "too large (the limit is 2^64 - 1 bytes)");
    return FALSE;
  }
  *out_bytes = value * unit;
  return TRUE;
}

/**
 * vmctl_size_format:
 * @bytes: a size
 *
 * Exact when the size can be said in a unit with at most four digits
 * ("16 GiB", "512 MiB", "1536 MiB", "1025 KiB"), else the largest unit with
 * one decimal ("31.2 GiB" for a MemTotal of 32734884 kB). Below 1 KiB,
 * "N B". The decimal point is always '.', whatever the locale.
 *
 * Returns: (transfer full): the size for messages
 */
gchar *
vmctl_size_format (guint64 bytes)
{
  if (bytes < VMCTL_KIB)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " B", bytes);

  for (gsize i = 0; i < G_N_ELEMENTS (named_units); i++) {
    guint64 unit = named_units[i].unit;

    if (bytes % unit == 0 && (bytes / unit < 10000 || unit == VMCTL_TIB))
      return g_strdup_printf ("%" G_GUINT64_FORMAT " %s", bytes / unit, named_units[i].long_name);
  }

  for (gsize i = 0; i < G_N_ELEMENTS (named_units); i++) {
    guint64 unit = named_units[i].unit;
    guint64 whole, tenths;

    if (bytes < unit)
      continue;
    whole = bytes / unit;
    /* the remainder is below 2^40, so ten times it cannot overflow */
    tenths = ((bytes % unit) * 10 + unit / 2) / unit;
    if (tenths == 10) {
      whole++;
      tenths = 0;
    }
    return g_strdup_printf ("%" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT " %s", whole, tenths,
                            named_units[i].long_name);
  }
  g_assert_not_reached ();
}
