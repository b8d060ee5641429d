/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-claims.h: what a domain XML claims about its VM, checked against
 * what the guest reports from the inside and what the host shows from the
 * outside. One row per claim, so a run prints the table
 * "XML claim | XML says | seen | where" and every mismatch at once. */
#pragma once

#include <libxml/tree.h>

#include "guest-host.h"
#include "guest-report.h"

G_BEGIN_DECLS

typedef struct {
  gchar *claim;
  gchar *expected;
  gchar *seen;
  const gchar *where;   /* "guest" or "host" */
  gboolean ok;
} GuestRow;

GPtrArray *guest_rows_new (void);
void guest_rows_add (GPtrArray *rows, const gchar *where, gboolean ok, const gchar *claim,
                     const gchar *expected, const gchar *seen);
/* the table as Markdown, and the number of rows that did not hold */
gchar *guest_rows_format (GPtrArray *rows, const gchar *title, guint *out_failed);

/* What the host shows while the VM runs: QEMU's threads and their
 * affinity, the memory backing, the tap device and the display socket.
 * @pool_before: the hugepage pool of the XML's page size before start. */
void guest_claims_check_host (GPtrArray *rows, xmlDoc *live, gint qemu_pid,
                              const GuestHugepagePool *pool_before);
/* What the guest reported. */
void guest_claims_check_guest (GPtrArray *rows, xmlDoc *live, const GuestReport *report);

/* ---- the domain XML, as the checks read it ---- */

gchar *guest_xml_string (xmlDoc *document, const gchar *expression);
/* guest_xml_string() of BASE/RELATIVE */
gchar *guest_xml_string_at (xmlDoc *document, const gchar *base, const gchar *relative);
gint guest_xml_count (xmlDoc *document, const gchar *expression);
/* <memory>/<currentMemory> in KiB, whatever unit the XML used */
guint64 guest_xml_memory_kib (xmlDoc *document, const gchar *element);
/* the page size <memoryBacking><hugepages> asks for, in KiB (the host's
 * default size for a bare <hugepages/>); 0 without hugepages */
guint64 guest_xml_hugepage_kib (xmlDoc *document);
guint guest_xml_vcpus (xmlDoc *document);

G_END_DECLS
