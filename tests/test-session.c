/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-session.c: the library driven the way a third party drives it,
 * through VmctlSession and nothing process-wide, under the simulated
 * kernel (LD_PRELOAD) with the fake libvirt (VMCTL_LIBVIRT_SONAME) over
 * libvirt's test driver:
 *   - two sessions in one process, each with its own host root and state
 *     directory, never see each other's choices (start, stop, progress);
 *   - the one after-stop policy: stop, destroy, a failed start,
 *     `gpu reattach --vm` and the hook's release all give back what they
 *     can and release the VM's dynamic hugepages, even when a function
 *     cannot be given back;
 *   - one call per command does all of it: vmctl_session_create() makes
 *     exactly what `vmctl create` makes (the XML, the notes, the VM), the
 *     gpu calls judge, detach and reattach a plan, and every error leaves
 *     as VMCTL_ERROR. */
#include "vmctl-test-lifecycle.h"
#include "vmctl-test-sim.h"
#include "vmctl-test-util.h"

#include "vmctl-error.h"
#include "vmctl-lifecycle-hook.h"
#include "vmctl-session-gpu.h"
#include "vmctl-session-vm.h"
#include "vmctl-vfio.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  LifecycleFixture lifecycle;
  gchar *state;
  GPtrArray *progress;                /* "VM: line" the session's progress got */
} Host;

static void
collect_line (const gchar *subject, const gchar *line, gpointer user_data)
{
  g_ptr_array_add (user_data, g_strdup_printf ("%s: %s", subject, line));
}

/* a copy of clean-gpu-audio with its own state directory and session */
static void
host_open (Host *host)
{
  g_autofree gchar *sim = NULL;

  vmctl_test_lifecycle_reset_spec (&host->lifecycle, "gamer");
  sim = g_build_filename (host->lifecycle.domain.root, ".sim", NULL);
  g_assert_cmpint (g_mkdir (sim, 0755), ==, 0);
  host->state = g_dir_make_tmp ("vmctl-session-XXXXXX", NULL);
  vmctl_test_lifecycle_open (&host->lifecycle, NULL, host->lifecycle.domain.root, host->state);
  host->progress = g_ptr_array_new_with_free_func (g_free);
  vmctl_session_set_progress_func (host->lifecycle.session, collect_line, host->progress);
}

static void
host_close (Host *host)
{
  vmctl_test_lifecycle_teardown (&host->lifecycle, NULL);
  vmctl_test_remove_tree (host->state);
  g_free (host->state);
  g_clear_pointer (&host->progress, g_ptr_array_unref);
}

/* the simulated kernel acts on one tree at a time: this host's */
static void
host_simulate (Host *host)
{
  g_setenv ("VMCTL_SIM_ROOT", host->lifecycle.domain.root, TRUE);
}

static void
host_define_gamer (Host *host)
{
  vmctl_test_lifecycle_define_gpu (&host->lifecycle);
}

static void
assert_driver (Host *host, const gchar *address, const gchar *expected)
{
  g_autofree gchar *driver = vmctl_test_sim_driver (host->lifecycle.domain.root, address);

  g_assert_cmpstr (driver, ==, expected);
}

static void
assert_gpu_on (Host *host, const gchar *gpu_driver, const gchar *audio_driver)
{
  assert_driver (host, "0000:01:00.0", gpu_driver);
  assert_driver (host, "0000:01:00.1", audio_driver);
}

/* ---- two sessions ---- */

/* Session A and session B live in one process, each with its own host
 * root and state directory (a daemon serving two hosts, a test). What one
 * does happens on its host only, is journaled in its state directory only,
 * and is reported to its own progress function only. */
static void
test_isolated (void)
{
  Host a = { 0 }, b = { 0 };
  g_autoptr(GError) error = NULL;

  g_unsetenv ("VMCTL_SIM_ROOT");
  g_setenv ("VMCTL_BIND_TIMEOUT_MS", "300", TRUE);
  host_open (&a);
  host_define_gamer (&a);
  /* B is made after A, as the second command of a daemon would be */
  host_open (&b);
  host_define_gamer (&b);

  host_simulate (&a);
  g_assert_true (vmctl_vm_start (a.lifecycle.session, "gamer", NULL, &error));
  g_assert_no_error (error);
  assert_gpu_on (&a, "vfio-pci", "vfio-pci");
  assert_gpu_on (&b, "nvidia", "snd_hda_intel");
  g_assert_cmpint (vmctl_test_journal_files (a.state), ==, 2);
  g_assert_cmpint (vmctl_test_journal_files (b.state), <=, 0);
  g_assert_cmpuint (a.progress->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (a.progress, 0), ==, "gamer: 0000:01:00.0: nvidia -> vfio-pci");
  g_assert_cmpuint (b.progress->len, ==, 0);

  host_simulate (&b);
  g_assert_true (vmctl_vm_start (b.lifecycle.session, "gamer", NULL, &error));
  g_assert_no_error (error);
  assert_gpu_on (&b, "vfio-pci", "vfio-pci");
  g_assert_cmpint (vmctl_test_journal_files (b.state), ==, 2);
  g_assert_cmpuint (b.progress->len, ==, 2);

  host_simulate (&a);
  g_assert_true (vmctl_vm_destroy (a.lifecycle.session, "gamer", NULL, &error));
  g_assert_no_error (error);
  assert_gpu_on (&a, "nvidia", "snd_hda_intel");
  assert_gpu_on (&b, "vfio-pci", "vfio-pci");
  g_assert_cmpint (vmctl_test_journal_files (a.state), ==, 0);
  g_assert_cmpint (vmctl_test_journal_files (b.state), ==, 2);

  host_simulate (&b);
  g_assert_true (vmctl_vm_destroy (b.lifecycle.session, "gamer", NULL, &error));
  g_assert_no_error (error);
  assert_gpu_on (&b, "nvidia", "snd_hda_intel");
  g_assert_cmpint (vmctl_test_journal_files (b.state), ==, 0);

  g_unsetenv ("VMCTL_SIM_ROOT");
  host_close (&a);
  host_close (&b);
}

/* ---- the after-stop policy ---- */

typedef enum {
  END_STOP,
  END_DESTROY,
  END_FAILED_START,
  END_REATTACH_VM,
  END_HOOK,
} Ending;

typedef struct {
  Host host;
  gchar *nr_hugepages;
} ReleaseFixture;

static void
assert_pool (ReleaseFixture *fixture, const gchar *expected)
{
  g_autofree gchar *contents = NULL;

  g_assert_true (g_file_get_contents (fixture->nr_hugepages, &contents, NULL, NULL));
  g_assert_cmpstr (g_strstrip (contents), ==, expected);
}

static void
release_setup (ReleaseFixture *fixture, gconstpointer data)
{
  VmctlSpec *spec;

  g_setenv ("VMCTL_BIND_TIMEOUT_MS", "300", TRUE);
  g_unsetenv ("VMCTL_FAKE_LIBVIRT_CREATE_FAIL");
  host_open (&fixture->host);
  host_simulate (&fixture->host);
  fixture->nr_hugepages = vmctl_test_lifecycle_empty_pool (fixture->host.lifecycle.domain.root);
  /* reserved at each start, released after each stop */
  spec = fixture->host.lifecycle.domain.spec;
  spec->memory_kib = 128 * 1024;
  spec->hugepages = TRUE;
  spec->hugepages_dynamic = TRUE;
  host_define_gamer (&fixture->host);
}

static void
release_teardown (ReleaseFixture *fixture, gconstpointer data)
{
  g_unsetenv ("VMCTL_SIM_ROOT");
  g_unsetenv ("VMCTL_FAKE_LIBVIRT_CREATE_FAIL");
  host_close (&fixture->host);
  g_free (fixture->nr_hugepages);
}

/* what libvirt would run the hook's prepare with: the VM's functions on
 * vfio-pci and its pages reserved, with no domain running */
static void
prepare_as_hook (ReleaseFixture *fixture)
{
  g_autoptr(VmctlDomain) domain = virDomainLookupByName (fixture->host.lifecycle.connection,
                                                         "gamer");
  g_autofree gchar *xml = virDomainGetXMLDesc (domain, 0);
  g_autoptr(GError) error = NULL;

  g_assert_true (vmctl_lifecycle_hook_prepare (fixture->host.lifecycle.session, "gamer", xml,
                                               strlen (xml), &error));
  g_assert_no_error (error);
}

/* vfio-pci refuses to let go of the functions from now on */
static void
break_give_back (ReleaseFixture *fixture)
{
  vmctl_test_write (fixture->host.lifecycle.domain.root, ".sim/fail-write",
                    "drivers/vfio-pci/unbind 16\n");
}

static gboolean
end_vm (ReleaseFixture *fixture, Ending ending, GError **error)
{
  VmctlSession *session = fixture->host.lifecycle.session;

  switch (ending) {
  case END_STOP:
    return vmctl_vm_stop (session, "gamer", 5, FALSE, NULL, NULL, NULL, error);
  case END_DESTROY:
    return vmctl_vm_destroy (session, "gamer", NULL, error);
  case END_FAILED_START:
    /* QEMU refuses once the functions moved: the start undoes them */
    g_setenv ("VMCTL_FAKE_LIBVIRT_CREATE_FAIL", "gamer", TRUE);
    return vmctl_vm_start (session, "gamer", NULL, error);
  case END_REATTACH_VM:
    return vmctl_vm_release (session, "gamer", VMCTL_RELEASE_CHECK_USERS, NULL, error);
  case END_HOOK:
  default:
    return vmctl_vm_release (session, "gamer", VMCTL_RELEASE_HOOK, NULL, error);
  }
}

/* the VM holds its functions and pages, however it came to */
static void
take (ReleaseFixture *fixture, Ending ending)
{
  g_autoptr(GError) error = NULL;

  if (ending == END_FAILED_START)
    return;
  if (ending == END_REATTACH_VM || ending == END_HOOK) {
    prepare_as_hook (fixture);
  } else {
    g_assert_true (vmctl_vm_start (fixture->host.lifecycle.session, "gamer", NULL, &error));
    g_assert_no_error (error);
  }
  assert_gpu_on (&fixture->host, "vfio-pci", "vfio-pci");
  assert_pool (fixture, "64");
}

/* everything given back, pages released */
static void
test_release_clean (ReleaseFixture *fixture, gconstpointer data)
{
  Ending ending = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  take (fixture, ending);
  ok = end_vm (fixture, ending, &error);
  if (ending == END_FAILED_START) {
    g_assert_false (ok);
    vmctl_test_lifecycle_assert_message_has (error, "VMCTL_FAKE_LIBVIRT_CREATE_FAIL");
  } else {
    g_assert_no_error (error);
    g_assert_true (ok);
  }
  assert_gpu_on (&fixture->host, "nvidia", "snd_hda_intel");
  g_assert_cmpint (vmctl_test_journal_files (fixture->host.state), ==, 0);
  assert_pool (fixture, "0");
}

/* a function vfio-pci will not let go of: the journal keeps the plan for
 * `gpu recover`, the error says so, and the pages go back all the same */
static void
test_release_stuck (ReleaseFixture *fixture, gconstpointer data)
{
  Ending ending = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;

  take (fixture, ending);
  break_give_back (fixture);
  g_assert_false (end_vm (fixture, ending, &error));
  if (ending == END_FAILED_START)
    /* the start's own error is the one to report */
    vmctl_test_lifecycle_assert_message_has (error, "VMCTL_FAKE_LIBVIRT_CREATE_FAIL");
  else
    vmctl_test_lifecycle_assert_message_has (error, "vmctl gpu recover");
  g_assert_cmpint (vmctl_test_journal_files (fixture->host.state), ==, 2);
  assert_pool (fixture, "0");
  g_assert_cmpint (vmctl_test_lifecycle_state_of (&fixture->host.lifecycle, "gamer"), ==,
                   VMCTL_VM_STATE_SHUTOFF);
}

/* `gpu reattach --vm` while the VM runs: refused, and the VM keeps its
 * functions and its pages */
static void
test_release_running (ReleaseFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  take (fixture, END_STOP);
  g_assert_false (end_vm (fixture, END_REATTACH_VM, &error));
  g_assert_error (error, VMCTL_VFIO_ERROR, VMCTL_VFIO_ERROR_RUNNING);
  vmctl_test_lifecycle_assert_message_has (error, "in use by running VM 'gamer'");
  assert_gpu_on (&fixture->host, "vfio-pci", "vfio-pci");
  assert_pool (fixture, "64");
  g_clear_error (&error);
  g_assert_true (end_vm (fixture, END_DESTROY, &error));
  g_assert_no_error (error);
  assert_gpu_on (&fixture->host, "nvidia", "snd_hda_intel");
  assert_pool (fixture, "0");
}

/* ---- one call per command ---- */

typedef struct {
  Host host;
  GPtrArray *notes;
} CommandFixture;

/* create's notes are about the command as a whole: no subject */
static void
collect_note (const gchar *subject, const gchar *line, gpointer user_data)
{
  g_assert_null (subject);
  g_ptr_array_add (user_data, g_strdup (line));
}

static void
command_setup (CommandFixture *fixture, gconstpointer data)
{
  g_setenv ("VMCTL_BIND_TIMEOUT_MS", "300", TRUE);
  host_open (&fixture->host);
  host_simulate (&fixture->host);
  fixture->notes = g_ptr_array_new_with_free_func (g_free);
  vmctl_session_set_note_func (fixture->host.lifecycle.session, collect_note, fixture->notes);
}

static void
command_teardown (CommandFixture *fixture, gconstpointer data)
{
  g_unsetenv ("VMCTL_SIM_ROOT");
  host_close (&fixture->host);
  g_clear_pointer (&fixture->notes, g_ptr_array_unref);
}

/* `vmctl create` through the binary, on the same host and libvirt */
static VmctlTestRun *
run_cli (CommandFixture *fixture, const gchar *first, ...) G_GNUC_NULL_TERMINATED;

static VmctlTestRun *
run_cli (CommandFixture *fixture, const gchar *first, ...)
{
  g_autofree gchar *uri = vmctl_test_libvirt_uri ("lifecycle");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;

  g_ptr_array_add (argv, (gpointer) "--host-root");
  g_ptr_array_add (argv, fixture->host.lifecycle.domain.root);
  g_ptr_array_add (argv, (gpointer) "--state-dir");
  g_ptr_array_add (argv, fixture->host.state);
  g_ptr_array_add (argv, (gpointer) "-c");
  g_ptr_array_add (argv, uri);
  va_start (args, first);
  for (const gchar *word = first; word != NULL; word = va_arg (args, const gchar *))
    g_ptr_array_add (argv, (gpointer) word);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  return vmctl_test_run_vmctl ((const gchar * const *) argv->pdata);
}

/* what the session made of the gaming profile with the card: the XML and
 * the notes `vmctl create --print-xml` prints, to the byte */
static void
test_create_print_xml (CommandFixture *fixture, gconstpointer data)
{
  g_autoptr(VmctlTestRun) cli = run_cli (fixture, "create", "gamer", "--profile", "gaming",
                                         "--gpu", "01:00.0", "--print-xml", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlSpec) spec = vmctl_spec_new_from_profile ("gamer", "gaming", &error);
  g_autoptr(GString) notes = g_string_new (NULL);
  g_autofree gchar *xml = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (cli->exit_status, ==, 0);
  g_assert_true (vmctl_spec_add_gpu (spec, "01:00.0", &error));
  xml = vmctl_session_create (fixture->host.lifecycle.session, spec, VMCTL_CREATE_PRINT_XML,
                              &error);
  g_assert_no_error (error);
  g_assert_nonnull (xml);
  g_assert_cmpstr (cli->out, ==, xml);
  /* the notes: no subject, and the CLI prints exactly them */
  g_assert_cmpuint (fixture->notes->len, >, 0);
  for (guint i = 0; i < fixture->notes->len; i++)
    g_string_append_printf (notes, "vmctl: note: %s\n",
                            (const gchar *) g_ptr_array_index (fixture->notes, i));
  g_assert_cmpstr (cli->err, ==, notes->str);
  /* nothing defined */
  g_assert_false (vmctl_test_lifecycle_domain_exists (&fixture->host.lifecycle, "gamer"));
}

/* defined on the session's connection, the plan in its metadata; what
 * goes wrong arrives as VMCTL_ERROR with the code a caller acts on */
static void
test_create_define (CommandFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlSpec) spec = vmctl_spec_new_from_profile ("gamer", "minimal", &error);
  g_autoptr(VmctlSpec) again = vmctl_spec_new_from_profile ("gamer", "minimal", &error);
  g_autoptr(VmctlSpec) bridge = vmctl_spec_new_from_profile ("bridged", "minimal", &error);
  g_autoptr(VmctlVmInfo) info = NULL;
  g_autofree gchar *xml = NULL;
  g_autofree gchar *refused = NULL;

  g_assert_true (vmctl_spec_add_gpu (spec, "01:00.0", &error));
  xml = vmctl_session_create (fixture->host.lifecycle.session, spec, VMCTL_CREATE_FLAGS_NONE,
                              &error);
  g_assert_no_error (error);
  info = vmctl_session_info (fixture->host.lifecycle.session, "gamer", &error);
  g_assert_no_error (error);
  g_assert_true (info->managed_by_vmctl);
  g_assert_cmpuint (info->hostdevs->len, ==, 2);

  refused = vmctl_session_create (fixture->host.lifecycle.session, again,
                                  VMCTL_CREATE_FLAGS_NONE, &error);
  g_assert_null (refused);
  g_assert_error (error, VMCTL_ERROR, VMCTL_ERROR_EXISTS);
  g_clear_error (&error);

  g_assert_true (vmctl_spec_add_gpu (bridge, "00:01.0", &error));
  g_assert_null (vmctl_session_create (fixture->host.lifecycle.session, bridge,
                                       VMCTL_CREATE_PRINT_XML, &error));
  g_assert_error (error, VMCTL_ERROR, VMCTL_ERROR_NOT_PASSABLE);
  vmctl_test_lifecycle_assert_message_has (error, "is a PCI bridge: bridges stay with the host");
}

static void
test_gpu_check (CommandFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlGpuReport) report = NULL;
  g_autoptr(VmctlGpuReport) list = NULL;
  const VmctlVerdict *verdict;
  VmctlPciAddress gpu, missing;

  g_assert_true (vmctl_pci_address_parse ("0000:01:00.0", &gpu, NULL));
  g_assert_true (vmctl_pci_address_parse ("0000:0a:00.0", &missing, NULL));
  report = vmctl_session_gpu_check (fixture->host.lifecycle.session, &gpu, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->verdicts->len, ==, 1);
  verdict = g_ptr_array_index (report->verdicts, 0);
  g_assert_true (verdict->passable);
  g_assert_cmpuint (verdict->companions->len, ==, 1);
  /* host use was looked at: known, and none */
  g_assert_nonnull (verdict->host_use);

  g_assert_null (vmctl_session_gpu_check (fixture->host.lifecycle.session, &missing, &error));
  g_assert_error (error, VMCTL_ERROR, VMCTL_ERROR_NOT_FOUND);
  g_clear_error (&error);

  list = vmctl_session_gpu_list (fixture->host.lifecycle.session, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->verdicts->len, >=, 1);
}

/* Every session call answers in VMCTL_ERROR, also when what failed was
 * GLib's (a data file that cannot be read): a consumer switches on one
 * enum. An empty data directory has no host-critical.conf. */
static void
test_gpu_check_foreign_error (CommandFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *empty = g_dir_make_tmp ("vmctl-data-XXXXXX", NULL);
  g_autofree gchar *saved = g_strdup (g_getenv ("VMCTL_DATA_DIR"));
  VmctlPciAddress gpu;
  VmctlGpuReport *report;

  g_assert_true (vmctl_pci_address_parse ("0000:01:00.0", &gpu, NULL));
  g_setenv ("VMCTL_DATA_DIR", empty, TRUE);
  report = vmctl_session_gpu_check (fixture->host.lifecycle.session, &gpu, &error);
  if (saved != NULL)
    g_setenv ("VMCTL_DATA_DIR", saved, TRUE);
  else
    g_unsetenv ("VMCTL_DATA_DIR");
  g_rmdir (empty);
  g_assert_null (report);
  g_assert_error (error, VMCTL_ERROR, VMCTL_ERROR_HOST);
  vmctl_test_lifecycle_assert_message_has (error, "host-critical.conf");
}

/* a manual detach and reattach of the card, each one call, under the
 * simulated kernel */
static void
test_gpu_detach_reattach (CommandFixture *fixture, gconstpointer data)
{
  VmctlSession *session = fixture->host.lifecycle.session;
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlMoves) dry = NULL;
  g_autoptr(VmctlMoves) detached = NULL;
  g_autoptr(VmctlMoves) reattached = NULL;
  g_autoptr(VmctlGpuStatus) status = NULL;
  const VmctlMovedFunction *first;
  VmctlPciAddress gpu, bridge;

  g_assert_true (vmctl_pci_address_parse ("0000:01:00.0", &gpu, NULL));
  g_assert_true (vmctl_pci_address_parse ("0000:00:01.0", &bridge, NULL));

  dry = vmctl_session_gpu_detach (session, &gpu, NULL, 0, VMCTL_GPU_DRY_RUN, &error);
  g_assert_no_error (error);
  g_assert_true (dry->dry_run);
  g_assert_cmpuint (dry->actions->len, >, 0);
  assert_gpu_on (&fixture->host, "nvidia", "snd_hda_intel");

  detached = vmctl_session_gpu_detach (session, &gpu, NULL, 0, VMCTL_GPU_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_false (detached->remote);
  g_assert_cmpuint (detached->functions->len, ==, 2);
  first = &g_array_index (detached->functions, VmctlMovedFunction, 0);
  g_assert_cmpstr (first->from, ==, "nvidia");
  g_assert_cmpstr (first->to, ==, "vfio-pci");
  assert_gpu_on (&fixture->host, "vfio-pci", "vfio-pci");
  /* the steps reached the session's progress function, with no VM */
  g_assert_cmpuint (fixture->host.progress->len, >, 0);

  status = vmctl_session_gpu_status (session, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status->functions->len, ==, 2);
  g_assert_cmpstr (((VmctlHeldFunction *) g_ptr_array_index (status->functions, 0))->driver, ==,
                   "vfio-pci");

  g_assert_null (vmctl_session_gpu_detach (session, &bridge, NULL, 0, VMCTL_GPU_FLAGS_NONE,
                                           &error));
  g_assert_error (error, VMCTL_ERROR, VMCTL_ERROR_INVALID_INPUT);
  vmctl_test_lifecycle_assert_message_has (error, "0000:00:01.0 is a PCI bridge");
  g_clear_error (&error);

  /* nobody runs it, and libvirt says so */
  reattached = vmctl_session_gpu_reattach (session, &gpu, VMCTL_GPU_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reattached->functions->len, ==, 2);
  assert_gpu_on (&fixture->host, "nvidia", "snd_hda_intel");
  g_assert_cmpint (vmctl_test_journal_files (fixture->host.state), ==, 0);

  g_assert_null (vmctl_session_gpu_reattach (session, &gpu, VMCTL_GPU_FLAGS_NONE, &error));
  g_assert_error (error, VMCTL_ERROR, VMCTL_ERROR_INVALID_INPUT);
  vmctl_test_lifecycle_assert_message_has (error, "was not detached by vmctl");
}

int
main (int argc, char **argv)
{
  static const struct {
    const gchar *name;
    Ending ending;
  } endings[] = {
    { "stop", END_STOP },
    { "destroy", END_DESTROY },
    { "failed-start", END_FAILED_START },
    { "reattach-vm", END_REATTACH_VM },
    { "hook", END_HOOK },
  };

  vmctl_test_domain_init (&argc, &argv);
  vmctl_test_require_sim ("test-session");
  g_unsetenv ("VMCTL_SIM_ROOT");
  if (g_strrstr (g_getenv ("VMCTL_LIBVIRT_SONAME") != NULL ? g_getenv ("VMCTL_LIBVIRT_SONAME")
                                                            : "", "fake-libvirt") == NULL) {
    g_printerr ("test-session needs VMCTL_LIBVIRT_SONAME=libvmctl-fake-libvirt.so "
                "(see tests/meson.build)\n");
    return 1;
  }
  g_test_add_func ("/vmctl/session/isolated", test_isolated);
  for (gsize i = 0; i < G_N_ELEMENTS (endings); i++) {
    g_autofree gchar *clean = g_strdup_printf ("/vmctl/session/release/%s", endings[i].name);
    g_autofree gchar *stuck = g_strdup_printf ("/vmctl/session/release/%s/stuck",
                                               endings[i].name);

    g_test_add (clean, ReleaseFixture, GINT_TO_POINTER (endings[i].ending), release_setup,
                test_release_clean, release_teardown);
    g_test_add (stuck, ReleaseFixture, GINT_TO_POINTER (endings[i].ending), release_setup,
                test_release_stuck, release_teardown);
  }
  g_test_add ("/vmctl/session/release/running", ReleaseFixture, NULL, release_setup,
              test_release_running, release_teardown);
  g_test_add ("/vmctl/session/create/print-xml", CommandFixture, NULL, command_setup,
              test_create_print_xml, command_teardown);
  g_test_add ("/vmctl/session/create/define", CommandFixture, NULL, command_setup,
              test_create_define, command_teardown);
  g_test_add ("/vmctl/session/gpu/check", CommandFixture, NULL, command_setup, test_gpu_check,
              command_teardown);
  g_test_add ("/vmctl/session/gpu/foreign-error", CommandFixture, NULL, command_setup,
              test_gpu_check_foreign_error, command_teardown);
  g_test_add ("/vmctl/session/gpu/detach-reattach", CommandFixture, NULL, command_setup,
              test_gpu_detach_reattach, command_teardown);
  return g_test_run ();
}
