/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-report.h: the test guest's report disk (see tests/guest/init for
 * its layout): made by the test with its header, read back while the VM
 * runs and after it stopped. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GUEST_DISK_STATUS_OFFSET 4096
#define GUEST_DISK_REPORT_OFFSET 8192
#define GUEST_DISK_SIZE (1024 * 1024)

typedef struct {
  /* "key" -> GPtrArray of values, in the order the guest wrote them:
   * pci.*, dmesg.* and cpu.* keys repeat or come in families */
  GHashTable *values;
  gchar *text;
} GuestReport;

/* A raw image of GUEST_DISK_SIZE at @path whose header the guest's init
 * looks for; @ignore_acpi makes that guest ignore the power button. */
gboolean guest_disk_create (const gchar *path, gboolean ignore_acpi, GError **error);
/* The status lines the guest wrote so far ("booted", "report-ready",
 * "power-button"), or "" before any. */
gchar *guest_disk_status (const gchar *path);
gboolean guest_disk_status_has (const gchar *path, const gchar *word);
/* The report, once the guest flagged it ready. */
GuestReport *guest_disk_read_report (const gchar *path, GError **error);

void guest_report_free (GuestReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GuestReport, guest_report_free)
/* the first value of @key, or NULL */
const gchar *guest_report_get (const GuestReport *report, const gchar *key);
/* every value of @key, or NULL when the guest wrote none */
GPtrArray *guest_report_get_all (const GuestReport *report, const gchar *key);
/* keys starting with @prefix, sorted */
GPtrArray *guest_report_keys_with_prefix (const GuestReport *report, const gchar *prefix);

G_END_DECLS
