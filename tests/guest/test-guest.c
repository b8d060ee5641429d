/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-guest.c: real guests, booted. For each case vmctl creates a VM
 * from a profile and options, starts it on the real libvirtd, and a tiny
 * Debian guest (tests/guest/build-guest.sh) reports what it sees: CPUs and
 * topology, memory, firmware and Secure Boot, TPM, PCI devices, clock
 * sources, hypervisor leaves. Every claim of the live domain XML is
 * compared with that report and with what the host shows (QEMU's threads
 * and their affinity, the hugepages behind the memory, the tap device,
 * the display socket). Then vmctl stops it: gracefully (the guest powers
 * off on the ACPI power button), or, for a guest that ignores the button,
 * with --timeout and --force.
 *
 * The guests run under TCG (--virt-type qemu): on this project's CI
 * machines /dev/kvm is kvm_pvm, where a Linux kernel does not get going
 * and OVMF stops with a KVM internal error.
 *
 * Each case runs in a subprocess; the parent reserves the hugepages the
 * case needs before it and, whatever happened, destroys and undefines the
 * domain (with its NVRAM), gives the hugepages back and deletes the report
 * disk. Names are "vmctl-guest-PID-LABEL". VMCTL_GUEST_SHARD=I/N runs
 * every N-th case, so meson runs two guests at a time. Each case's table
 * "XML claim | XML says | seen | where" goes to the test log and to
 * BUILD/meson-logs/guest-claims/LABEL.md. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <string.h>
#include <unistd.h>

#include "guest-claims.h"
#include "guest-util.h"
#include "vmctl-autocleanups.h"

#define ODD_PINNED (-1)

typedef struct {
  const gchar *label;
  const gchar *profile;
  const gchar *firmware;     /* NULL: the profile's */
  const gchar *memory;       /* NULL: the profile's */
  gint vcpus;                /* 0: the profile's; ODD_PINNED: the largest odd count pinning allows */
  const gchar *hugepages;    /* "--hugepages", "--no-hugepages", NULL: the profile's */
  guint reserve_mib;         /* memory the parent backs with 2 MiB pages first */
  const gchar *cpu_pin;
  const gchar *network;
  gboolean ignore_acpi;
  guint shard;
  const gchar *extra[4];     /* more create options (issue 12), NULL-terminated */
} GuestCase;

/* Every claim at least once, two shards of about equal boot time (OVMF
 * under TCG takes about twice as long as SeaBIOS). */
static const GuestCase cases[] = {
  { "minimal-bios", "minimal", "bios", NULL, 0, NULL, 0, NULL, "none", FALSE, 0 },
  { "minimal-bios-hugepages-pinned-odd-ignores-acpi", "minimal", "bios", "512M", ODD_PINNED,
    "--hugepages", 512, "auto", "none", TRUE, 1 },
  { "minimal-uefi-2vcpus", "minimal", NULL, NULL, 2, NULL, 0, NULL, "none", FALSE, 0 },
  { "workstation-defaults", "workstation", NULL, NULL, 0, NULL, 0, NULL, "default", FALSE, 1 },
  /* a whole GiB: 1 GiB pages only if the host has them free; the test
   * reserved 2 MiB ones */
  { "workstation-uefi-hugepages-1g", "workstation", NULL, "1G", 0, "--hugepages", 1024, NULL,
    "default", FALSE, 0 },
  { "workstation-bios-hugepages", "workstation", "bios", "1536M", 0, "--hugepages", 1536, NULL,
    "none", FALSE, 1 },
  /* the gaming profile's own choices: Secure Boot, TPM 2.0, hugepages,
   * --cpu-pin auto, Hyper-V where the accelerator has it */
  { "gaming-hugepages", "gaming", NULL, "1G", 0, NULL, 1024, NULL, "none", FALSE, 0 },
  { "gaming-no-hugepages", "gaming", NULL, "2G", 0, "--no-hugepages", 0, NULL, "default", FALSE,
    1 },
  /* issue 12: Looking Glass's IVSHMEM (1af4:1110) and an ich9 sound card
   * (8086:293e), which the guest must see where libvirt put them; SPICE
   * plays the sound, as no sound server runs for a system daemon */
  { "minimal-bios-looking-glass-audio", "minimal", "bios", NULL, 0, NULL, 0, NULL, "none", FALSE,
    0, { "--looking-glass", "--audio=spice", NULL } },
};

typedef struct {
  const gchar *uri;
  gchar *name;
  gchar *directory;
  gchar *disk;
} GuestFixture;

static void
guest_setup (GuestFixture *fixture, gconstpointer data)
{
  const GuestCase *guest_case = data;

  if (!g_test_subprocess ()) {
    g_autofree gchar *directory = guest_util_make_workdir (guest_case->label);

    g_setenv ("VMCTL_GUEST_WORKDIR", directory, TRUE);
  }
  fixture->uri = guest_util_uri ();
  fixture->name = guest_util_vm_name (guest_case->label);
  fixture->directory = g_strdup (g_getenv ("VMCTL_GUEST_WORKDIR"));
  fixture->disk = g_build_filename (fixture->directory, "report.img", NULL);
}

static void
guest_teardown (GuestFixture *fixture, gconstpointer data)
{
  if (!g_test_subprocess ())
    guest_util_remove_tree (fixture->directory);
  g_free (fixture->name);
  g_free (fixture->directory);
  g_free (fixture->disk);
}

static guint
odd_pinned_vcpus (void)
{
  g_autofree gchar *online_text = guest_host_online_cpus ();
  g_autoptr(GArray) online = guest_cpu_list_parse (online_text);
  g_autofree gchar *first_core_text = guest_host_thread_siblings (g_array_index (online, guint, 0));
  g_autoptr(GArray) first_core = guest_cpu_list_parse (first_core_text);
  guint left = online->len - MIN (online->len - 1, first_core != NULL ? first_core->len : 1);

  /* --cpu-pin auto leaves the first core to the host; a host with a
   * single core leaves nothing, and vmctl refuses: ask for 1 anyway */
  if (left <= 1)
    return 1;
  return left % 2 == 1 ? left : left - 1;
}

static void
create_vm (GuestFixture *fixture, const GuestCase *guest_case)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(VmctlTestRun) run = NULL;

  g_ptr_array_add (argv, g_strdup ("create"));
  g_ptr_array_add (argv, g_strdup (fixture->name));
  g_ptr_array_add (argv, g_strdup_printf ("--profile=%s", guest_case->profile));
  g_ptr_array_add (argv, g_strdup ("--virt-type=qemu"));
  g_ptr_array_add (argv, g_strdup_printf ("--network=%s", guest_case->network));
  g_ptr_array_add (argv, g_strdup_printf ("--disk=%s", fixture->disk));
  g_ptr_array_add (argv, g_strdup_printf ("--cdrom=%s", guest_util_iso ()));
  if (guest_case->firmware != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--firmware=%s", guest_case->firmware));
  if (guest_case->memory != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--memory=%s", guest_case->memory));
  if (guest_case->vcpus == ODD_PINNED)
    g_ptr_array_add (argv, g_strdup_printf ("--vcpus=%u", odd_pinned_vcpus ()));
  else if (guest_case->vcpus > 0)
    g_ptr_array_add (argv, g_strdup_printf ("--vcpus=%d", guest_case->vcpus));
  if (guest_case->hugepages != NULL)
    g_ptr_array_add (argv, g_strdup (guest_case->hugepages));
  if (guest_case->cpu_pin != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--cpu-pin=%s", guest_case->cpu_pin));
  for (guint i = 0; guest_case->extra[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (guest_case->extra[i]));
  g_ptr_array_add (argv, NULL);
  run = guest_util_vmctl (fixture->uri, (const gchar * const *) argv->pdata);
  guest_util_assert_exit (run, 0, "create");
}

/* The graceful stop, or for a guest that ignores ACPI the refused one and
 * the forced one; rows for what each did. */
static void
stop_vm (GuestFixture *fixture, const GuestCase *guest_case, virDomainPtr domain, GPtrArray *rows)
{
  g_autofree gchar *stopped = g_strdup_printf ("%s: stopped\n", fixture->name);

  if (!guest_case->ignore_acpi) {
    g_autoptr(VmctlTestRun) stop = GUEST_VMCTL (fixture->uri, "stop", fixture->name,
                                                "--timeout", "120");
    gboolean said_stopped = g_strcmp0 (stop->out, stopped) == 0;
    g_autofree gchar *state = guest_util_state (domain);
    g_autofree gchar *status = guest_util_status_words (fixture->disk);
    g_autofree gchar *seen = g_strdup_printf ("exit %d, '%s', %s, guest status: %s",
                                              stop->exit_status, g_strstrip (stop->out), state,
                                              status);

    guest_rows_add (rows, "guest", stop->exit_status == 0 && said_stopped
                    && guest_disk_status_has (fixture->disk, "power-button")
                    && guest_util_state_is (domain, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SHUTDOWN),
                    "vmctl stop: ACPI power button, the guest powers off",
                    "exit 0, 'NAME: stopped', shut off (shutdown), guest saw power-button", seen);
    return;
  }
  {
    g_autoptr(VmctlTestRun) refused = GUEST_VMCTL (fixture->uri, "stop", fixture->name,
                                                   "--timeout", "5");
    g_autofree gchar *state = guest_util_state (domain);
    g_autofree gchar *seen = g_strdup_printf ("exit %d, %s", refused->exit_status, state);

    guest_rows_add (rows, "host", refused->exit_status == 1
                    && guest_util_state_is (domain, VIR_DOMAIN_RUNNING, -1),
                    "vmctl stop --timeout 5, guest ignores ACPI", "exit 1, still running", seen);
  }
  {
    g_autoptr(VmctlTestRun) forced = GUEST_VMCTL (fixture->uri, "stop", fixture->name,
                                                  "--timeout", "5", "--force");
    /* a forced power-off is not a clean stop, and must not be reported
     * as one */
    gboolean said_forced = g_strcmp0 (forced->out, stopped) != 0
                           && (strstr (forced->out, "forc") != NULL
                               || strstr (forced->out, "power") != NULL
                               || strstr (forced->out, "destroy") != NULL);
    g_autofree gchar *state = guest_util_state (domain);
    g_autofree gchar *status = guest_util_status_words (fixture->disk);
    g_autofree gchar *seen = g_strdup_printf ("exit %d, '%s', %s, guest status: %s",
                                              forced->exit_status, g_strstrip (forced->out),
                                              state, status);

    guest_rows_add (rows, "host", forced->exit_status == 0 && said_forced
                    && guest_util_state_is (domain, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED)
                    && !guest_disk_status_has (fixture->disk, "power-button"),
                    "vmctl stop --timeout 5 --force",
                    "exit 0, shut off (destroyed), reported as forced, not as 'stopped'", seen);
  }
}

static void
run_case (GuestFixture *fixture, const GuestCase *guest_case)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlConnect) connection = virConnectOpen (fixture->uri);
  g_autoptr(VmctlDomain) domain = NULL;
  g_autoptr(GPtrArray) rows = guest_rows_new ();
  g_autoptr(xmlDoc) inactive = NULL;
  g_autoptr(xmlDoc) live = NULL;
  g_autoptr(GuestReport) report = NULL;
  GuestHugepagePool pool_before = { 0 };
  guint64 page_kib;
  gint case_lock = -1;
  g_autofree gchar *nvram = NULL;

  g_assert_nonnull (connection);
  g_assert_true (guest_disk_create (fixture->disk, guest_case->ignore_acpi, &error));
  g_assert_no_error (error);
  create_vm (fixture, guest_case);
  domain = virDomainLookupByName (connection, fixture->name);
  g_assert_nonnull (domain);
  inactive = guest_util_domain_xml (domain, VIR_DOMAIN_XML_INACTIVE);
  page_kib = guest_xml_hugepage_kib (inactive);
  if (page_kib != 0) {
    case_lock = guest_host_hugepages_case_lock ();
    guest_host_hugepage_pool (page_kib, &pool_before);
  }

  {
    g_autoptr(VmctlTestRun) start = GUEST_VMCTL (fixture->uri, "start", fixture->name);

    guest_util_assert_exit (start, 0, "start");
  }
  guest_util_wait_for_report (domain, fixture->name, fixture->disk);
  live = guest_util_domain_xml (domain, 0);
  nvram = guest_xml_string (live, "/domain/os/nvram");
  guest_claims_check_host (rows, live, guest_host_qemu_pid (fixture->name), &pool_before);
  report = guest_disk_read_report (fixture->disk, &error);
  g_assert_no_error (error);

  stop_vm (fixture, guest_case, domain, rows);
  if (page_kib != 0) {
    GuestHugepagePool pool_after = { 0 };
    gboolean read = guest_host_hugepage_pool (page_kib, &pool_after);
    g_autofree gchar *expected = g_strdup_printf ("%" G_GUINT64_FORMAT " pages in use again",
                                                  guest_hugepage_pool_committed (&pool_before));
    g_autofree gchar *seen = g_strdup_printf ("%" G_GUINT64_FORMAT " pages in use",
                                              read ? guest_hugepage_pool_committed (&pool_after) : 0);

    guest_rows_add (rows, "host", read && guest_hugepage_pool_committed (&pool_after)
                                           == guest_hugepage_pool_committed (&pool_before),
                    "hugepages given back after stop", expected, seen);
    guest_host_hugepages_case_unlock (case_lock);
  }
  guest_claims_check_guest (rows, live, report);

  {
    g_autoptr(VmctlTestRun) undefine = GUEST_VMCTL (fixture->uri, "undefine", fixture->name);

    guest_util_assert_exit (undefine, 0, "undefine");
    if (*nvram != '\0')
      guest_rows_add (rows, "host", !g_file_test (nvram, G_FILE_TEST_EXISTS),
                      "undefine removes the UEFI variables", nvram,
                      g_file_test (nvram, G_FILE_TEST_EXISTS) ? "still there" : "gone");
  }
  guest_util_finish_table (rows, guest_case->label, report);
}

static void
test_case (GuestFixture *fixture, gconstpointer data)
{
  const GuestCase *guest_case = data;

  if (fixture->uri == NULL)
    return;
  if (!g_test_subprocess ()) {
    g_autoptr(GError) error = NULL;
    gint64 pages = (gint64) guest_case->reserve_mib / 2;

    guest_util_require_guest ();
    if (pages > 0 && !guest_host_hugepages_adjust (2048, pages, &error))
      g_error ("%s: cannot reserve %u MiB of 2 MiB hugepages for the test: %s", guest_case->label,
               guest_case->reserve_mib, error->message);
    g_test_trap_subprocess (NULL, 900 * G_USEC_PER_SEC,
                            G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
    guest_util_remove_vm (fixture->uri, fixture->name);
    if (pages > 0 && !guest_host_hugepages_adjust (2048, -pages, &error))
      g_warning ("%s: giving back %" G_GINT64_FORMAT " hugepages: %s", guest_case->label, pages,
                 error->message);
    g_test_trap_assert_passed ();
    return;
  }
  run_case (fixture, guest_case);
}

int
main (int argc, char **argv)
{
  const gchar *shard = g_getenv ("VMCTL_GUEST_SHARD");
  guint64 index = 0;
  guint64 count = 1;

  g_test_init (&argc, &argv, NULL);
  /* one case failing must not keep the others from running (and from
   * being cleaned up); a case's own checks run in its subprocess */
  g_test_set_nonfatal_assertions ();
  guest_util_init ();
  if (shard != NULL) {
    g_auto(GStrv) parts = g_strsplit (shard, "/", 2);

    if (parts[1] == NULL || !g_ascii_string_to_unsigned (parts[1], 10, 1, 16, &count, NULL)
        || !g_ascii_string_to_unsigned (parts[0], 10, 0, count - 1, &index, NULL))
      g_error ("VMCTL_GUEST_SHARD='%s': want I/N", shard);
  }
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *path = g_strdup_printf ("/vmctl/guest/%s", cases[i].label);

    if (cases[i].shard % count != index)
      continue;
    g_test_add (path, GuestFixture, &cases[i], guest_setup, test_case, guest_teardown);
  }
  return g_test_run ();
}
