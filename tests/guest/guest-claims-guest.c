/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-claims-guest.c: the XML's claims as the guest reports them from
 * the inside (tests/guest/init): CPUs and topology, memory, firmware and
 * Secure Boot, TPM, clock sources, hypervisor CPUID leaves. PCI devices
 * are in guest-claims-pci.c. */
#include "guest-claims.h"

#include <string.h>

#include "guest-claims-private.h"

#define GUEST "guest"

static guint
report_uint (const GuestReport *report, const gchar *key)
{
  const gchar *value = guest_report_get (report, key);

  return value != NULL ? (guint) g_ascii_strtoull (value, NULL, 10) : 0;
}

static void
check_vcpus (GPtrArray *rows, xmlDoc *live, const GuestReport *report)
{
  g_autofree gchar *expected = g_strdup_printf ("%u", guest_xml_vcpus (live));
  const gchar *seen = guest_report_get (report, "cpu.count");

  guest_rows_add (rows, GUEST, g_strcmp0 (expected, seen) == 0, "<vcpu> count (/proc/cpuinfo)",
                  expected, seen);
}

/* the number of distinct values of topology.N.@field over the guest's CPUs */
static guint
distinct (const GuestReport *report, guint cpus, const gchar *first_field,
          const gchar *second_field)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint cpu = 0; cpu < cpus; cpu++) {
    g_autofree gchar *first_key = g_strdup_printf ("topology.%u.%s", cpu, first_field);
    g_autofree gchar *second_key = second_field != NULL
                                   ? g_strdup_printf ("topology.%u.%s", cpu, second_field) : NULL;
    const gchar *first = guest_report_get (report, first_key);
    const gchar *second = second_key != NULL ? guest_report_get (report, second_key) : "";

    g_hash_table_add (seen, g_strdup_printf ("%s/%s", first, second));
  }
  return g_hash_table_size (seen);
}

static void
check_topology (GPtrArray *rows, xmlDoc *live, const GuestReport *report)
{
  g_autofree gchar *sockets_text = guest_xml_string (live, "/domain/cpu/topology/@sockets");
  g_autofree gchar *dies_text = guest_xml_string (live, "/domain/cpu/topology/@dies");
  g_autofree gchar *cores_text = guest_xml_string (live, "/domain/cpu/topology/@cores");
  g_autofree gchar *threads_text = guest_xml_string (live, "/domain/cpu/topology/@threads");
  guint sockets = (guint) g_ascii_strtoull (sockets_text, NULL, 10);
  guint dies = *dies_text != '\0' ? (guint) g_ascii_strtoull (dies_text, NULL, 10) : 1;
  guint cores = (guint) g_ascii_strtoull (cores_text, NULL, 10);
  guint threads = (guint) g_ascii_strtoull (threads_text, NULL, 10);
  guint vcpus = guest_xml_vcpus (live);
  guint cpus = report_uint (report, "cpu.count");
  g_autofree gchar *expected = NULL;
  g_autofree gchar *seen = NULL;
  g_autoptr(GArray) siblings = NULL;
  guint seen_threads;

  if (sockets == 0)
    return;  /* no <topology>: QEMU's default, nothing the XML claims */
  expected = g_strdup_printf ("%u vCPUs = %u sockets x %u dies x %u cores x %u threads", vcpus,
                              sockets, dies, cores, threads);
  seen = g_strdup_printf ("%u x %u x %u x %u", sockets, dies, cores, threads);
  guest_rows_add (rows, GUEST, sockets * dies * cores * threads == vcpus,
                  "<topology> accounts for every vCPU (XML itself)", expected, seen);

  siblings = guest_cpu_list_parse (guest_report_get (report, "topology.0.thread_siblings"));
  seen_threads = siblings != NULL ? siblings->len : 0;
  g_clear_pointer (&expected, g_free);
  g_clear_pointer (&seen, g_free);
  expected = g_strdup_printf ("%u sockets, %u dies/socket, %u cores/die, %u threads/core", sockets,
                              dies, cores, threads);
  seen = g_strdup_printf ("%u sockets, %u dies/socket, %u cores/die, %u threads/core",
                          distinct (report, cpus, "package", NULL),
                          distinct (report, cpus, "package", "die")
                            / MAX (distinct (report, cpus, "package", NULL), 1),
                          cpus / MAX (seen_threads, 1)
                            / MAX (distinct (report, cpus, "package", "die"), 1),
                          seen_threads);
  guest_rows_add (rows, GUEST, g_strcmp0 (expected, seen) == 0,
                  "<topology> (sysfs cpu*/topology)", expected, seen);

  /* /proc/cpuinfo: "cpu cores" counts cores per package, "siblings"
   * logical CPUs per package */
  g_clear_pointer (&expected, g_free);
  g_clear_pointer (&seen, g_free);
  expected = g_strdup_printf ("cpu cores %u, siblings %u", dies * cores, dies * cores * threads);
  seen = g_strdup_printf ("cpu cores %s, siblings %s",
                          guest_report_get (report, "cpu.0.cpu_cores"),
                          guest_report_get (report, "cpu.0.siblings"));
  guest_rows_add (rows, GUEST, g_strcmp0 (expected, seen) == 0, "<topology> (/proc/cpuinfo)",
                  expected, seen);
}

static void
check_memory (GPtrArray *rows, xmlDoc *live, const GuestReport *report)
{
  guint64 current = guest_xml_memory_kib (live, "currentMemory");
  guint64 memory = current != 0 ? current : guest_xml_memory_kib (live, "memory");
  guint64 total = report_uint (report, "mem.total_kb");
  g_autofree gchar *expected = g_strdup_printf ("%" G_GUINT64_FORMAT " KiB (MemTotal between 80%% "
                                                "and 100%%: the kernel keeps some)", memory);
  g_autofree gchar *seen = g_strdup_printf ("MemTotal %" G_GUINT64_FORMAT " kB", total);

  guest_rows_add (rows, GUEST, total <= memory && total * 10 >= memory * 8,
                  "<currentMemory> (/proc/meminfo)", expected, seen);
}

static void
check_firmware (GPtrArray *rows, xmlDoc *live, const GuestReport *report)
{
  g_autofree gchar *firmware = guest_xml_string (live, "/domain/os/@firmware");
  g_autofree gchar *loader_type = guest_xml_string (live, "/domain/os/loader/@type");
  gboolean efi = strcmp (firmware, "efi") == 0 || strcmp (loader_type, "pflash") == 0;
  const gchar *seen_efi = guest_report_get (report, "efi");
  GuestSecureBoot secure_boot;
  const gchar *state = guest_report_get (report, "efi.secureboot");
  const gchar *lockdown = guest_report_get (report, "lockdown");
  g_autofree gchar *expected_sb = NULL;
  g_autofree gchar *seen_sb = NULL;
  gboolean on;

  guest_rows_add (rows, GUEST, g_strcmp0 (seen_efi, efi ? "yes" : "no") == 0,
                  efi ? "UEFI firmware (/sys/firmware/efi)" : "BIOS firmware (no /sys/firmware/efi)",
                  efi ? "yes" : "no", seen_efi);
  if (!efi)
    return;
  secure_boot = guest_claims_secure_boot (live);
  on = g_strcmp0 (state, "1") == 0;
  expected_sb = g_strdup_printf ("%s (%s)", secure_boot.enforced ? "on" : "off",
                                 secure_boot.why);
  seen_sb = g_strdup_printf ("SecureBoot=%s, lockdown %s", state != NULL ? state : "?",
                             lockdown != NULL ? lockdown : "?");
  guest_rows_add (rows, GUEST, secure_boot.known && on == secure_boot.enforced,
                  "Secure Boot (SecureBoot efivar)", expected_sb, seen_sb);
  /* Debian's kernel locks itself down (integrity) under Secure Boot */
  guest_rows_add (rows, GUEST,
                  lockdown != NULL && (strstr (lockdown, "[none]") != NULL) == !secure_boot.enforced,
                  "kernel lockdown follows Secure Boot (securityfs)",
                  secure_boot.enforced ? "[integrity]" : "[none]", lockdown);
  g_free (secure_boot.why);
}

static void
check_tpm (GPtrArray *rows, xmlDoc *live, const GuestReport *report)
{
  g_autofree gchar *model = guest_xml_string (live, "/domain/devices/tpm[1]/@model");
  g_autofree gchar *version = guest_xml_string (live, "/domain/devices/tpm[1]/backend/@version");
  const gchar *tpm = guest_report_get (report, "tpm");
  g_autofree gchar *expected = NULL;
  g_autofree gchar *seen = NULL;
  const gchar *driver;

  if (*model == '\0') {
    guest_rows_add (rows, GUEST, g_strcmp0 (tpm, "no") == 0, "no <tpm> (no /sys/class/tpm/tpm0)",
                    "no TPM", tpm);
    return;
  }
  /* libvirt's default backend version for an emulator is 2.0 on x86 */
  if (*version == '\0') {
    g_free (version);
    version = g_strdup ("2.0");
  }
  driver = strcmp (model, "tpm-crb") == 0 ? "tpm_crb" : strcmp (model, "tpm-tis") == 0 ? "tpm_tis"
                                                                                        : "?";
  expected = g_strdup_printf ("TPM %c, driver %s", version[0], driver);
  seen = g_strcmp0 (tpm, "yes") == 0
         ? g_strdup_printf ("TPM %s, driver %s", guest_report_get (report, "tpm.version_major"),
                            guest_report_get (report, "tpm.driver"))
         : g_strdup ("no TPM");
  guest_rows_add (rows, GUEST, g_strcmp0 (expected, seen) == 0,
                  "<tpm> model and version (sysfs tpm0)", expected, seen);
}

static void
check_timer (GPtrArray *rows, xmlDoc *live, const gchar *available, const gchar *timer,
             const gchar *clocksource)
{
  g_autofree gchar *path = g_strdup_printf ("/domain/clock/timer[@name='%s']/@present", timer);
  g_autofree gchar *present = guest_xml_string (live, path);
  g_auto(GStrv) sources = g_strsplit (available != NULL ? available : "", " ", -1);
  gboolean has = g_strv_contains ((const gchar * const *) sources, clocksource);
  g_autofree gchar *claim = g_strdup_printf ("<timer name='%s' present='%s'>", timer, present);
  g_autofree gchar *expected = g_strdup_printf ("%s %s", clocksource,
                                                strcmp (present, "yes") == 0 ? "available"
                                                                             : "absent");

  if (*present == '\0')
    return;
  guest_rows_add (rows, GUEST, has == (strcmp (present, "yes") == 0), claim, expected, available);
}

static void
check_clock (GPtrArray *rows, xmlDoc *live, const GuestReport *report)
{
  const gchar *available = guest_report_get (report, "clocksource.available");

  check_timer (rows, live, available, "hpet", "hpet");
  check_timer (rows, live, available, "kvmclock", "kvm-clock");
  check_timer (rows, live, available, "hypervclock", "hyperv_clocksource_tsc_page");
}

static void
check_cpu_model (GPtrArray *rows, xmlDoc *live, const GuestReport *report)
{
  g_autofree gchar *mode = guest_xml_string (live, "/domain/cpu/@mode");
  g_autofree gchar *cpuinfo = NULL;
  g_autofree gchar *host_model = NULL;
  const gchar *line;

  if (strcmp (mode, "host-passthrough") != 0)
    return;
  if (g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL)
      && (line = strstr (cpuinfo, "model name")) != NULL) {
    const gchar *colon = strchr (line, ':');
    const gchar *end = strchr (line, '\n');

    if (colon != NULL && end != NULL && colon < end)
      host_model = g_strstrip (g_strndup (colon + 1, end - colon - 1));
  }
  guest_rows_add (rows, GUEST, g_strcmp0 (host_model, guest_report_get (report, "cpu.0.model")) == 0,
                  "<cpu mode='host-passthrough'> (model name)", host_model,
                  guest_report_get (report, "cpu.0.model"));
}

void
guest_claims_check_guest (GPtrArray *rows, xmlDoc *live, const GuestReport *report)
{
  check_vcpus (rows, live, report);
  check_topology (rows, live, report);
  check_cpu_model (rows, live, report);
  check_memory (rows, live, report);
  check_firmware (rows, live, report);
  check_tpm (rows, live, report);
  check_clock (rows, live, report);
  guest_claims_check_hypervisor (rows, live, report);
  guest_claims_check_pci (rows, live, report);
}
