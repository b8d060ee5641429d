/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-output.c: what the command files print with, so each of them is
 * only "parse, call the library, print": colour, tables, JSON, and the
 * formatting of devices and verdicts. Parsing is vmctl-options.c. */
#include "vmctl-output.h"

#include "vmctl-glib-util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- the library's lines ------------------------------------------------- */

/* a step of a long operation, on its own line on stderr */
void
vmctl_output_progress_line (const gchar *subject, const gchar *line, gpointer user_data)
{
  g_printerr ("%s\n", line);
}

/* something the user should know, on stderr whatever the output mode */
void
vmctl_output_note_line (const gchar *subject, const gchar *line, gpointer user_data)
{
  g_printerr ("vmctl: note: %s\n", line);
}

/* Progress is for a person watching: on a terminal, or when asked, never
 * in JSON mode. */
void
vmctl_output_show_progress (VmctlContext *context, gboolean verbose)
{
  if (!context->json && (verbose || isatty (STDERR_FILENO)))
    vmctl_session_set_progress_func (context->session, vmctl_output_progress_line, NULL);
}

/* ---- colour -------------------------------------------------------------- */

/**
 * vmctl_output_use_colour:
 * Colour only when stdout is a terminal and NO_COLOR (https://no-color.org)
 * is not set: pipes, files and tests get plain text.
 */
gboolean
vmctl_output_use_colour (void)
{
  static gint use = -1;

  if (use < 0)
    use = isatty (STDOUT_FILENO) && g_getenv ("NO_COLOR") == NULL;
  return use;
}

/**
 * vmctl_output_style:
 * Returns: (transfer full): @text wrapped in the style's escape sequences,
 * or a plain copy when colour is off
 */
gchar *
vmctl_output_style (VmctlStyle style, const gchar *text)
{
  static const gchar * const codes[] = {
    [VMCTL_STYLE_PLAIN] = NULL,
    [VMCTL_STYLE_BOLD] = "1",
    [VMCTL_STYLE_GOOD] = "32",
    [VMCTL_STYLE_WARN] = "33",
    [VMCTL_STYLE_BAD] = "1;31",
    [VMCTL_STYLE_DIM] = "2",
  };

  if (codes[style] == NULL || !vmctl_output_use_colour ())
    return g_strdup (text);
  return g_strdup_printf ("\033[%sm%s\033[0m", codes[style], text);
}

/* ---- tables -------------------------------------------------------------- */

typedef enum {
  ROW_CELLS,
  ROW_HEADING,  /* a line of its own at the left margin, outside the columns */
  ROW_NOTE,     /* a line under the previous row, aligned with column 2 */
} RowKind;

typedef struct {
  RowKind kind;
  gchar **cells;  /* n_columns cells, or one text for headings and notes */
} TableRow;

struct _VmctlTable {
  guint n_columns;
  guint indent;
  gchar **header;  /* NULL: no header row */
  GPtrArray *rows;
};

static void
table_row_free (TableRow *row)
{
  g_strfreev (row->cells);
  g_free (row);
}

VmctlTable *
vmctl_table_new (guint n_columns)
{
  VmctlTable *table = g_new0 (VmctlTable, 1);

  g_return_val_if_fail (n_columns > 0, NULL);
  table->n_columns = n_columns;
  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) table_row_free);
  return table;
}

void
vmctl_table_free (VmctlTable *table)
{
  if (table == NULL)
    return;
  g_strfreev (table->header);
  g_ptr_array_unref (table->rows);
  g_free (table);
}

/* NULL cells print as "-", the table's word for "none" */
static gchar **
copy_cells (VmctlTable *table, const gchar * const *cells)
{
  gchar **copy = g_new0 (gchar *, table->n_columns + 1);

  for (guint i = 0; i < table->n_columns; i++)
    copy[i] = g_strdup (cells[i] != NULL ? cells[i] : "-");
  return copy;
}

/**
 * vmctl_table_set_header:
 * @cells: exactly n_columns column titles
 */
void
vmctl_table_set_header (VmctlTable *table, const gchar * const *cells)
{
  g_strfreev (table->header);
  table->header = copy_cells (table, cells);
}

/* Spaces in front of every row (not of headings). */
void
vmctl_table_set_indent (VmctlTable *table, guint indent)
{
  table->indent = indent;
}

/**
 * vmctl_table_add_row:
 * @cells: exactly n_columns cells; a NULL cell prints as "-"; cells may
 *   carry vmctl_output_style() escapes, which take no width
 */
void
vmctl_table_add_row (VmctlTable *table, const gchar * const *cells)
{
  TableRow *row = g_new0 (TableRow, 1);

  row->kind = ROW_CELLS;
  row->cells = copy_cells (table, cells);
  g_ptr_array_add (table->rows, row);
}

static void
table_add_line (VmctlTable *table, RowKind kind, const gchar *text)
{
  TableRow *row = g_new0 (TableRow, 1);

  row->kind = kind;
  row->cells = g_new0 (gchar *, 2);
  row->cells[0] = g_strdup (text);
  g_ptr_array_add (table->rows, row);
}

void
vmctl_table_add_heading (VmctlTable *table, const gchar *text)
{
  table_add_line (table, ROW_HEADING, text);
}

void
vmctl_table_add_note (VmctlTable *table, const gchar *text)
{
  table_add_line (table, ROW_NOTE, text);
}

/* Width on screen: UTF-8 characters, not counting ESC [ ... m sequences. */
static gsize
visible_width (const gchar *text)
{
  gsize width = 0;

  for (const gchar *p = text; *p != '\0'; p = g_utf8_next_char (p)) {
    if (*p == '\033' && p[1] == '[') {
      p += 2;
      while (*p != '\0' && !g_ascii_isalpha (*p))
        p++;
      if (*p == '\0')
        break;
      continue;
    }
    width++;
  }
  return width;
}

static void
append_spaces (GString *line, gsize count)
{
  for (gsize i = 0; i < count; i++)
    g_string_append_c (line, ' ');
}

static void
print_line (GString *line)
{
  /* the last cell is never padded, but it may be empty */
  while (line->len > 0 && line->str[line->len - 1] == ' ')
    g_string_truncate (line, line->len - 1);
  g_print ("%s\n", line->str);
}

static void
print_cells (VmctlTable *table, gchar **cells, const gsize *widths, gboolean bold)
{
  g_autoptr(GString) line = g_string_new (NULL);

  append_spaces (line, table->indent);
  for (guint i = 0; i < table->n_columns; i++) {
    g_autofree gchar *styled = bold ? vmctl_output_style (VMCTL_STYLE_BOLD, cells[i])
                                    : g_strdup (cells[i]);

    g_string_append (line, styled);
    if (i + 1 < table->n_columns)
      append_spaces (line, widths[i] - visible_width (cells[i]) + 2);
  }
  print_line (line);
}

/* Prints on stdout: tables are the human output of a command. */
void
vmctl_table_print (VmctlTable *table)
{
  g_autofree gsize *widths = g_new0 (gsize, table->n_columns);

  for (guint r = 0; r < table->rows->len; r++) {
    TableRow *row = g_ptr_array_index (table->rows, r);

    for (guint i = 0; row->kind == ROW_CELLS && i < table->n_columns; i++)
      widths[i] = MAX (widths[i], visible_width (row->cells[i]));
  }
  for (guint i = 0; table->header != NULL && i < table->n_columns; i++)
    widths[i] = MAX (widths[i], visible_width (table->header[i]));

  if (table->header != NULL)
    print_cells (table, table->header, widths, TRUE);
  for (guint r = 0; r < table->rows->len; r++) {
    TableRow *row = g_ptr_array_index (table->rows, r);
    g_autoptr(GString) line = g_string_new (NULL);

    switch (row->kind) {
    case ROW_CELLS:
      print_cells (table, row->cells, widths, FALSE);
      break;
    case ROW_HEADING:
      g_string_append (line, row->cells[0]);
      print_line (line);
      break;
    case ROW_NOTE:
      append_spaces (line, table->indent + (table->n_columns > 1 ? widths[0] + 2 : 0));
      g_string_append (line, row->cells[0]);
      print_line (line);
      break;
    default:
      g_assert_not_reached ();
    }
  }
}

/* ---- JSON ---------------------------------------------------------------- */

/**
 * vmctl_json_print:
 * Prints the builder's root pretty-printed on stdout with one trailing
 * newline: in --json mode this is the only thing on stdout. Every string
 * in it is valid UTF-8 (vmctl_json_make_valid()).
 */
void
vmctl_json_print (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree gchar *text = NULL;

  vmctl_json_make_valid (root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

void
vmctl_json_add_string_or_null (JsonBuilder *builder, const gchar *member, const gchar *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_address_array (JsonBuilder *builder, const gchar *member, GArray *addresses)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; i < addresses->len; i++) {
    gchar text[VMCTL_PCI_ADDRESS_STRLEN];

    vmctl_pci_address_format (&g_array_index (addresses, VmctlPciAddress, i), text);
    json_builder_add_string_value (builder, text);
  }
  json_builder_end_array (builder);
}

/**
 * vmctl_json_add_verdict:
 * @description: (nullable): added last as "description" when not NULL
 *
 * Adds the verdict as the object of the stable contract, keys in this
 * order: address, passable, iommu_group, companions, bridges, blockers,
 * peers, siblings, boot_vga, driver, reasons.
 */
void
vmctl_json_add_verdict (JsonBuilder *builder, const VmctlVerdict *verdict,
                        const gchar *description)
{
  gchar address[VMCTL_PCI_ADDRESS_STRLEN];

  vmctl_pci_address_format (&verdict->address, address);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "address");
  json_builder_add_string_value (builder, address);
  json_builder_set_member_name (builder, "passable");
  json_builder_add_boolean_value (builder, verdict->passable);
  json_builder_set_member_name (builder, "iommu_group");
  if (verdict->iommu_group == VMCTL_PCI_NO_GROUP)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, verdict->iommu_group);
  add_address_array (builder, "companions", verdict->companions);
  add_address_array (builder, "bridges", verdict->bridges);
  add_address_array (builder, "blockers", verdict->blockers);
  add_address_array (builder, "peers", verdict->peers);
  add_address_array (builder, "siblings", verdict->siblings);
  json_builder_set_member_name (builder, "boot_vga");
  if (verdict->boot_vga == VMCTL_TRISTATE_UNKNOWN)
    json_builder_add_null_value (builder);
  else
    json_builder_add_boolean_value (builder, verdict->boot_vga == VMCTL_TRISTATE_YES);
  vmctl_json_add_string_or_null (builder, "driver", verdict->driver);
  json_builder_set_member_name (builder, "reasons");
  json_builder_begin_array (builder);
  for (guint i = 0; i < verdict->reasons->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (verdict->reasons, i));
  json_builder_end_array (builder);
  if (description != NULL) {
    json_builder_set_member_name (builder, "description");
    json_builder_add_string_value (builder, description);
  }
  json_builder_end_object (builder);
}

void
vmctl_json_add_string_array (JsonBuilder *builder, const gchar *member, GPtrArray *strings)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; strings != NULL && i < strings->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (strings, i));
  json_builder_end_array (builder);
}

/* ---- device moves -------------------------------------------------------- */

/* A dry run's host changes as "would: write /sys/... vfio-pci" lines. */
void
vmctl_output_print_actions (GPtrArray *actions)
{
  for (guint i = 0; i < actions->len; i++)
    g_print ("would: %s\n", (const gchar *) g_ptr_array_index (actions, i));
  if (actions->len == 0)
    g_print ("would: change nothing\n");
}

/* {"dry_run": true, "actions": [...]} as members of an open object */
void
vmctl_json_add_actions (JsonBuilder *builder, GPtrArray *actions)
{
  json_builder_set_member_name (builder, "dry_run");
  json_builder_add_boolean_value (builder, TRUE);
  vmctl_json_add_string_array (builder, "actions", actions);
}

/**
 * vmctl_output_print_remote_moves:
 * @member: "detached" or "reattached"
 * @nothing: the line when no call was needed
 *
 * What a remote host's libvirt did (or would do): one line per call, or
 * {@member: [...]} with the calls (empty in a dry run, whose calls are
 * its "actions").
 */
void
vmctl_output_print_remote_moves (VmctlContext *context, const VmctlMoves *moves,
                                 const gchar *member, const gchar *nothing)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (moves->dry_run && !context->json) {
    vmctl_output_print_actions (moves->actions);
    return;
  }
  if (!context->json) {
    for (guint i = 0; i < moves->actions->len; i++)
      g_print ("%s\n", (const gchar *) g_ptr_array_index (moves->actions, i));
    if (moves->actions->len == 0)
      g_print ("nothing to do: %s\n", nothing);
    return;
  }
  json_builder_begin_object (builder);
  if (moves->dry_run)
    vmctl_json_add_actions (builder, moves->actions);
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; i < moves->actions->len && !moves->dry_run; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (moves->actions, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  vmctl_json_print (builder);
}

/* ---- devices ------------------------------------------------------------- */

/* "[10de:2184]", as lspci -nn prints the ids */
gchar *
vmctl_output_ids (const VmctlPciDevice *device)
{
  return g_strdup_printf ("[%04x:%04x]", device->vendor_id, device->device_id);
}

/**
 * vmctl_output_class_name:
 * Returns: (transfer none) (nullable): pci.ids' name for the base and sub
 * class of @class_code, for the classes a passthrough host shows; NULL for
 * the others
 */
const gchar *
vmctl_output_class_name (guint32 class_code)
{
  static const struct {
    guint16 class;
    const gchar *name;
  } names[] = {
    { 0x0100, "SCSI storage controller" },
    { 0x0101, "IDE interface" },
    { 0x0104, "RAID bus controller" },
    { 0x0106, "SATA controller" },
    { 0x0107, "Serial Attached SCSI controller" },
    { 0x0108, "Non-Volatile memory controller" },
    { 0x0180, "Mass storage controller" },
    { 0x0200, "Ethernet controller" },
    { 0x0280, "Network controller" },
    { 0x0300, "VGA compatible controller" },
    { 0x0301, "XGA compatible controller" },
    { 0x0302, "3D controller" },
    { 0x0380, "Display controller" },
    { 0x0401, "Multimedia audio controller" },
    { 0x0403, "Audio device" },
    { 0x0480, "Multimedia controller" },
    { 0x0500, "RAM memory" },
    { 0x0580, "Memory controller" },
    { 0x0600, "Host bridge" },
    { 0x0601, "ISA bridge" },
    { 0x0604, "PCI bridge" },
    { 0x0680, "Bridge" },
    { 0x0700, "Serial controller" },
    { 0x0780, "Communication controller" },
    { 0x0805, "SD Host controller" },
    { 0x0806, "IOMMU" },
    { 0x0880, "System peripheral" },
    { 0x0c03, "USB controller" },
    { 0x0c05, "SMBus" },
    { 0x0c80, "Serial bus controller" },
    { 0x1080, "Encryption controller" },
    { 0x1101, "Performance counters" },
    { 0x1180, "Signal processing controller" },
    { 0x1300, "Non-Essential Instrumentation" },
  };
  guint16 class = (guint16) (class_code >> 8);

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (names[i].class == class)
      return names[i].name;
  return NULL;
}

/* the class name, or its code "0x0c8000" when vmctl has no name for it */
gchar *
vmctl_output_class (const VmctlPciDevice *device)
{
  const gchar *name = vmctl_output_class_name (device->class_code);

  if (name != NULL)
    return g_strdup (name);
  return g_strdup_printf ("0x%06x", device->class_code);
}

const gchar *
vmctl_output_driver (const gchar *driver)
{
  return driver != NULL ? driver : "-";
}

/* "0000:01:00.1, 0000:01:00.2", or NULL when @addresses is empty */
gchar *
vmctl_output_addresses (GArray *addresses)
{
  g_autoptr(GString) text = NULL;

  if (addresses->len == 0)
    return NULL;
  text = g_string_new (NULL);
  for (guint i = 0; i < addresses->len; i++) {
    gchar address[VMCTL_PCI_ADDRESS_STRLEN];

    vmctl_pci_address_format (&g_array_index (addresses, VmctlPciAddress, i), address);
    if (i > 0)
      g_string_append (text, ", ");
    g_string_append (text, address);
  }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* a list column: the items joined, "-" for none */
gchar *
vmctl_output_join_or_dash (const gchar *separator, GPtrArray *items)
{
  g_autofree gchar *joined = vmctl_ptr_array_join (items, separator);

  return g_strdup (joined[0] != '\0' ? joined : "-");
}
