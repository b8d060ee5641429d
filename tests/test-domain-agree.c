/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-domain-agree.c: rules that the spec (vmctl_spec_finalize()) and
 * the domain layout (the XML builder) both apply are decided in one place
 * each, so on every fixture host in tests/data/sysfs the two agree:
 *  - QEMU without KVM means CPU mode maximum (vmctl_virt_type_cpu_mode()):
 *    the <cpu mode> of the XML is the finalized spec's cpu_mode, also when
 *    the builder gets the spec before finalize;
 *  - the hugepage multiple (vmctl_hugepages_whole()): finalize accepts a
 *    --memory with --hugepages exactly when the layout finds a page size
 *    that backs it whole;
 *  - the q35 family (vmctl_machine_is_q35()): Secure Boot is accepted for
 *    exactly the machines the layout gives PCIe root ports.
 * Each test would fail if one of the two places decided on its own and
 * differently (a rule changed in one place only). */
#include <string.h>

#include "vmctl-host-facts.h"
#include "vmctl-hugepages-private.h"
#include "vmctl-spec-private.h"
#include "vmctl-test-domain.h"

#define MIB_KIB G_GUINT64_CONSTANT (1024)
#define GIB_KIB (G_GUINT64_CONSTANT (1024) * 1024)

/* what changes between otherwise equal hosts: whether and how KVM works */
typedef enum {
  VARIANT_AS_IS,
  VARIANT_NO_KVM,       /* no /dev/kvm: VMs default to TCG */
  VARIANT_KVM_PVM,      /* KVM served by kvm_pvm: VMs default to TCG too */
  N_VARIANTS,
} HostVariant;

static const gchar * const variant_names[N_VARIANTS] = { "as is", "without /dev/kvm", "with kvm_pvm" };
static const gchar * const profiles[] = { "minimal", "workstation", "gaming" };

typedef struct {
  gchar *root;
  VmctlHost *host;
} AgreeFixture;

static void
agree_setup (AgreeFixture *fixture, gconstpointer scenario)
{
  g_autoptr(GError) error = NULL;

  fixture->root = vmctl_test_copy_scenario (scenario);
  fixture->host = vmctl_host_new (fixture->root, &error);
  g_assert_no_error (error);
}

static void
agree_teardown (AgreeFixture *fixture, gconstpointer scenario)
{
  g_clear_pointer (&fixture->host, vmctl_host_unref);
  vmctl_test_remove_tree (fixture->root);
  g_free (fixture->root);
}

static void
apply_variant (AgreeFixture *fixture, HostVariant variant)
{
  if (variant == VARIANT_NO_KVM && vmctl_host_exists (fixture->host, "/dev/kvm"))
    vmctl_test_unlink (fixture->root, "dev/kvm");
  if (variant == VARIANT_KVM_PVM) {
    vmctl_test_write (fixture->root, "dev/kvm", "");
    vmctl_test_write (fixture->root, "sys/module/kvm_pvm/refcnt", "0\n");
  }
}

/* @profile's spec, with what other rules would refuse on some fixture
 * (no OVMF, a broken topology, no free pages) out of the way */
static VmctlSpec *
spec_for (const gchar *profile, const gchar *virt_type)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlSpec) spec = vmctl_spec_new_from_profile ("agree", profile, &error);

  g_assert_no_error (error);
  g_assert_true (vmctl_spec_set_firmware (spec, "bios", &error));
  g_assert_true (vmctl_spec_set_cpu_pin (spec, "none", &error));
  vmctl_spec_set_hugepages (spec, FALSE);
  if (virt_type != NULL)
    g_assert_true (vmctl_spec_set_virt_type (spec, virt_type, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&spec);
}

static xmlDocPtr
build (VmctlHostFacts *facts, const VmctlSpec *spec, GError **error)
{
  return vmctl_domain_xml_build_with_facts (facts, spec, NULL, error);
}

/* ---- QEMU without KVM means CPU mode maximum ---- */

static void
check_cpu_mode (VmctlHostFacts *facts, const gchar *where, const gchar *profile,
                const gchar *virt_type, const gchar *requested_mode)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlSpec) spec = spec_for (profile, virt_type);
  g_autoptr(VmctlSpec) raw = spec_for (profile, virt_type);
  g_autoptr(xmlDoc) finalized_document = NULL;
  g_autoptr(xmlDoc) raw_document = NULL;
  g_autofree gchar *finalized_mode = NULL;
  g_autofree gchar *raw_mode = NULL;
  g_autofree gchar *type = NULL;

  if (requested_mode != NULL) {
    vmctl_test_domain_set_string (&spec->cpu_mode, requested_mode);
    vmctl_test_domain_set_string (&raw->cpu_mode, requested_mode);
  }
  if (!vmctl_spec_finalize_with_facts (spec, facts, &error))
    g_error ("%s, %s, --virt-type %s: %s", where, profile, virt_type, error->message);
  finalized_document = build (facts, spec, &error);
  g_assert_no_error (error);
  finalized_mode = vmctl_test_domain_xpath_string (finalized_document, "/domain/cpu/@mode");
  type = vmctl_test_domain_xpath_string (finalized_document, "/domain/@type");

  /* the spec's decision is the document's */
  if (g_strcmp0 (finalized_mode, spec->cpu_mode) != 0)
    g_error ("%s, %s, --virt-type %s: the spec says CPU mode %s, the XML %s", where, profile,
             virt_type, spec->cpu_mode, finalized_mode);
  g_assert_cmpstr (type, ==, vmctl_virt_type_to_string (spec->virt_type));
  g_assert_cmpstr (spec->cpu_mode, ==,
                   vmctl_virt_type_cpu_mode (spec->virt_type,
                                             requested_mode != NULL ? requested_mode
                                                                    : raw->cpu_mode));
  if (spec->virt_type == VMCTL_VIRT_TYPE_QEMU)
    g_assert_cmpstr (finalized_mode, ==, "maximum");

  /* and the builder reaches it by itself from a spec never finalized,
   * once it has the same virt type */
  raw->virt_type = spec->virt_type;
  raw_document = build (facts, raw, &error);
  g_assert_no_error (error);
  raw_mode = vmctl_test_domain_xpath_string (raw_document, "/domain/cpu/@mode");
  if (g_strcmp0 (raw_mode, finalized_mode) != 0)
    g_error ("%s, %s, --virt-type %s: finalized CPU mode %s, unfinalized %s", where, profile,
             virt_type, finalized_mode, raw_mode);
}

static void
test_cpu_mode (AgreeFixture *fixture, gconstpointer scenario)
{
  static const gchar * const virt_types[] = { NULL, "kvm", "qemu" };
  static const gchar * const modes[] = { NULL, "host-model" };

  for (guint v = 0; v < N_VARIANTS; v++) {
    g_autoptr(VmctlHostFacts) facts = NULL;
    g_autofree gchar *where = g_strdup_printf ("%s %s", (const gchar *) scenario, variant_names[v]);

    apply_variant (fixture, v);
    facts = vmctl_host_facts_new_from_files (fixture->host);
    for (gsize p = 0; p < G_N_ELEMENTS (profiles); p++)
      for (gsize t = 0; t < G_N_ELEMENTS (virt_types); t++)
        for (gsize m = 0; m < G_N_ELEMENTS (modes); m++)
          check_cpu_mode (facts, where, profiles[p], virt_types[t], modes[m]);
  }
}

/* ---- the hugepage multiple ---- */

/* a hugetlbfs for each size the host has pools of, so that only the
 * multiple decides; dynamic hugepages, so that free pages do not */
static void
mount_every_size (AgreeFixture *fixture)
{
  g_autoptr(GString) mounts = g_string_new ("proc /proc proc rw 0 0\n");

  g_string_append (mounts, "hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n");
  g_string_append (mounts, "hugetlbfs /dev/hugepages1G hugetlbfs rw,relatime,pagesize=1G 0 0\n");
  vmctl_test_write (fixture->root, "proc/mounts", mounts->str);
}

static void
test_hugepage_multiple (AgreeFixture *fixture, gconstpointer scenario)
{
  static const guint64 memories[] = {
    512 * MIB_KIB, GIB_KIB, GIB_KIB + 2 * MIB_KIB, GIB_KIB + MIB_KIB, GIB_KIB + 4,
    3 * GIB_KIB, 2 * GIB_KIB + 6 * MIB_KIB, 4 * GIB_KIB - 4, 130 * MIB_KIB,
  };
  g_autoptr(VmctlHostFacts) facts = NULL;
  gboolean some_refused = FALSE;
  gboolean some_accepted = FALSE;

  mount_every_size (fixture);
  facts = vmctl_host_facts_new_from_files (fixture->host);
  for (gsize i = 0; i < G_N_ELEMENTS (memories); i++) {
    g_autoptr(GError) spec_error = NULL;
    g_autoptr(GError) layout_error = NULL;
    g_autoptr(VmctlSpec) spec = spec_for ("minimal", "qemu");
    g_autoptr(VmctlSpec) raw = spec_for ("minimal", "qemu");
    g_autoptr(xmlDoc) document = NULL;
    g_autofree gchar *memory = g_strdup_printf ("%" G_GUINT64_FORMAT "K", memories[i]);
    gboolean spec_ok;
    gboolean layout_ok;

    g_assert_true (vmctl_spec_set_memory (spec, memory, NULL));
    vmctl_spec_set_hugepages (spec, TRUE);
    spec->hugepages_dynamic = TRUE;
    spec_ok = vmctl_spec_finalize_with_facts (spec, facts, &spec_error);
    if (!spec_ok) {
      g_assert_error (spec_error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_INVALID);
      g_assert_nonnull (strstr (spec_error->message, "with hugepages the memory must be a multiple of 2 MiB"));
    }

    /* the builder, never told what finalize thinks */
    raw->memory_kib = memories[i];
    raw->hugepages = TRUE;
    raw->hugepages_dynamic = TRUE;
    document = build (facts, raw, &layout_error);
    layout_ok = document != NULL;
    if (spec_ok != layout_ok)
      g_error ("%s, %s of memory: finalize %s it, the layout %s (%s)", (const gchar *) scenario,
               memory, spec_ok ? "accepts" : "refuses", layout_ok ? "backs it" : "cannot",
               spec_ok ? layout_error->message : spec_error->message);
    if (layout_ok) {
      g_autofree gchar *page = vmctl_test_domain_xpath_string (document,
                                                               "/domain/memoryBacking/hugepages/page/@size");
      guint64 page_kib = g_ascii_strtoull (page, NULL, 10);

      g_assert_cmpuint (page_kib, >, 0);
      g_assert_true (vmctl_hugepages_whole (memories[i], page_kib));
    } else {
      g_assert_error (layout_error, VMCTL_HOST_FACTS_ERROR, VMCTL_HOST_FACTS_ERROR_HUGEPAGES);
    }
    g_assert_cmpint (spec_ok, ==, vmctl_hugepages_whole (memories[i], VMCTL_HUGEPAGES_SMALLEST_KIB));
    some_accepted |= spec_ok;
    some_refused |= !spec_ok;
  }
  g_assert_true (some_accepted && some_refused);
}

static void
test_hugepages_whole (void)
{
  g_assert_true (vmctl_hugepages_whole (GIB_KIB, 2048));
  g_assert_true (vmctl_hugepages_whole (GIB_KIB, GIB_KIB));
  g_assert_false (vmctl_hugepages_whole (GIB_KIB + 2048, GIB_KIB));
  g_assert_false (vmctl_hugepages_whole (GIB_KIB + 1024, 2048));
  g_assert_false (vmctl_hugepages_whole (0, 2048));
  g_assert_cmpuint (vmctl_hugepages_needed (GIB_KIB, 2048), ==, 512);
  g_assert_cmpuint (vmctl_hugepages_needed (GIB_KIB + 1, 2048), ==, 513);
  g_assert_cmpuint (vmctl_hugepages_needed (GIB_KIB + 2048, GIB_KIB), ==, 2);
}

/* ---- the q35 family ---- */

/* a plan filled by hand, freed as vmctl-test-domain.c made it */
typedef VmctlPlan TestPlan;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestPlan, vmctl_test_domain_plan_free)

/* Secure Boot needs q35's SMM, and q35 gets a PCIe root port per host
 * slot: one test for both (vmctl_machine_is_q35()), so a versioned q35
 * machine is q35 to the spec as to the layout. The spec refused
 * efi-secure on "pc-q35-7.2" before, which the layout took for q35. */
static void
test_q35 (AgreeFixture *fixture, gconstpointer scenario)
{
  static const gchar * const machines[] = { "q35", "pc-q35-7.2", "pc", "pc-i440fx-7.2" };
  g_autoptr(VmctlHostFacts) facts = vmctl_host_facts_new_from_files (fixture->host);

  for (gsize i = 0; i < G_N_ELEMENTS (machines); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VmctlSpec) spec = spec_for ("minimal", "kvm");
    g_autoptr(TestPlan) plan = vmctl_test_domain_plan_new ();
    g_autoptr(xmlDoc) document = NULL;
    gboolean secure_ok;
    gint root_ports;

    vmctl_test_domain_set_string (&spec->machine, machines[i]);
    vmctl_test_domain_host_gpu (spec, plan, scenario);
    g_assert_true (vmctl_spec_set_firmware (spec, "efi-secure", NULL));
    secure_ok = vmctl_spec_finalize_with_facts (spec, facts, &error);
    g_assert_cmpint (secure_ok, ==, vmctl_machine_is_q35 (machines[i]));
    if (!secure_ok) {
      g_assert_error (error, VMCTL_SPEC_ERROR, VMCTL_SPEC_ERROR_CONFLICT);
      continue;
    }
    document = vmctl_domain_xml_build_with_facts (facts, spec, plan, &error);
    g_assert_no_error (error);
    root_ports = vmctl_test_domain_xpath_count (document,
                                                "/domain/devices/controller[@model='pcie-root-port']");
    if (root_ports == 0)
      g_error ("%s: Secure Boot accepted, but no PCIe root port for the GPU", machines[i]);
    assert_xpath (document, "/domain/os/loader/@secure", "yes");
  }
}

/* ---- every fixture host ---- */

int
main (int argc, char **argv)
{
  g_autoptr(GPtrArray) hosts = NULL;
  int status;

  vmctl_test_domain_init (&argc, &argv);
  hosts = vmctl_test_scenarios ();
  g_assert_cmpuint (hosts->len, >, 10);
  g_test_add_func ("/vmctl/domain-agree/hugepages/whole", test_hugepages_whole);
  for (guint i = 0; i < hosts->len; i++) {
    const gchar *host = g_ptr_array_index (hosts, i);
    g_autofree gchar *cpu_path = g_strdup_printf ("/vmctl/domain-agree/cpu-mode/%s", host);
    g_autofree gchar *pages_path = g_strdup_printf ("/vmctl/domain-agree/hugepage-multiple/%s", host);

    g_test_add (cpu_path, AgreeFixture, host, agree_setup, test_cpu_mode, agree_teardown);
    g_test_add (pages_path, AgreeFixture, host, agree_setup, test_hugepage_multiple,
                agree_teardown);
  }
  g_test_add ("/vmctl/domain-agree/q35", AgreeFixture, "clean-gpu-audio", agree_setup, test_q35,
              agree_teardown);
  status = vmctl_test_domain_run ();
  return status;
}
