/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-hostcheck-agree.c: `vmctl host check` and what `create` decides
 * from (the host facts) read each host fact through one reader and apply
 * each rule through one function, so on every fixture host in
 * tests/data/sysfs they say the same: the CPU vendor, flags and count
 * (/proc/cpuinfo, the sysfs topology), MemTotal, the hugepage pools and
 * mounts, swtpm, kvm_pvm, libvirt's TPM 2.0, and which firmware builds
 * vmctl can use. Before the readers were folded the host check parsed
 * /proc/cpuinfo, /proc/meminfo, the pools and /proc/mounts itself and
 * counted firmware by its own rule; the cases below where the two
 * disagreed then are pinned (kvm_pvm beside kvm_intel, a host whose pools
 * only /proc/meminfo shows, a remote TPM without version 2.0, a Secure
 * Boot build without SMM, a qcow2-only build). The readers' parsers are
 * tested directly too. */
#include <string.h>

#include "vmctl-firmware.h"
#include "vmctl-host-facts-private.h"
#include "vmctl-hostcheck-private.h"
#include "vmctl-hugepages-private.h"
#include "vmctl-spec.h"
#include "vmctl-test-hostcheck.h"

static void
assert_contains (const gchar *text, const gchar *needle)
{
  if (text == NULL || strstr (text, needle) == NULL)
    g_error ("'%s' not in '%s'", needle, text != NULL ? text : "(null)");
}

static gboolean
mentions (const VmctlCheckResult *result, const gchar *needle)
{
  return strstr (result->message, needle) != NULL
         || (result->fix != NULL && strstr (result->fix, needle) != NULL);
}

/* what the hugepages check suggests reserving: 16 GiB of the smallest
 * pages, never more than half of MemTotal (whole GiB, at least one) */
static guint64
expected_suggestion (guint64 memory_kib)
{
  guint64 target_kib = G_GUINT64_CONSTANT (16) << 20;
  guint64 half_kib = MAX ((memory_kib / 2) >> 20, 1) << 20;

  if (memory_kib > 0 && half_kib < target_kib)
    target_kib = half_kib;
  return target_kib / VMCTL_HUGEPAGES_SMALLEST_KIB;
}

/* firmware.ovmf passes exactly when create finds a UEFI build for q35,
 * and offers Secure Boot exactly when --firmware efi-secure finds one */
static void
check_firmware_agrees (HostFixture *fixture)
{
  const VmctlCheckResult *ovmf = vmctl_test_hostcheck_result (fixture, "firmware.ovmf");
  g_autoptr(VmctlFirmware) plain = vmctl_firmware_choose (fixture->host, FALSE, "q35", "x86_64", NULL);
  g_autoptr(VmctlFirmware) secure = vmctl_firmware_choose (fixture->host, TRUE, "q35", "x86_64", NULL);

  g_assert_cmpint (ovmf->status != VMCTL_CHECK_FAIL, ==, plain != NULL || secure != NULL);
  g_assert_cmpint (strstr (ovmf->message, "Secure Boot build available") != NULL
                   || strstr (ovmf->message, "(Secure Boot available)") != NULL, ==, secure != NULL);
}

/* ---- every fixture host: the check's findings are the facts' ---- */

static void
test_fixture_host (HostFixture *fixture, gconstpointer scenario)
{
  g_autoptr(VmctlHostFacts) facts = vmctl_host_facts_new_from_files (fixture->host);
  g_autoptr(GArray) sizes = vmctl_host_facts_page_sizes (facts);
  const VmctlCheckResult *cpu;
  const VmctlCheckResult *modules;
  g_autofree gchar *suggestion = NULL;

  vmctl_test_hostcheck_run (fixture, NULL);

  /* /proc/cpuinfo and the topology */
  cpu = vmctl_test_hostcheck_result (fixture, "cpu.virtualization");
  g_assert_nonnull (facts->cpu_vendor);
  g_assert_true (g_str_has_prefix (cpu->message, facts->cpu_vendor));
  g_assert_nonnull (facts->topology);
  g_assert_cmpstr (facts->topology->vendor, ==, facts->cpu_vendor);
  if (cpu->status == VMCTL_CHECK_PASS) {
    g_autofree gchar *count = g_strdup_printf (", %u logical CPU", facts->topology->n_cpus);

    assert_contains (cpu->message, count);
  }
  g_assert_cmpint (cpu->status == VMCTL_CHECK_PASS, ==,
                   vmctl_host_facts_has_cpu_feature (facts, "vmx")
                   || vmctl_host_facts_has_cpu_feature (facts, "svm"));
  g_assert_cmpint (strstr (cpu->message, "vmx (Intel VT-x) present") != NULL, ==,
                   vmctl_host_facts_has_cpu_feature (facts, "vmx"));
  /* the vendor rule: kvm_amd and topoext for the same hosts */
  modules = vmctl_test_hostcheck_result (fixture, "kvm.modules");
  g_assert_cmpint (mentions (modules, "kvm_amd"), ==, vmctl_host_facts_is_amd (facts));
  g_assert_cmpint (vmctl_cpu_topology_is_amd (facts->topology), ==, vmctl_host_facts_is_amd (facts));

  /* the pools and mounts */
  for (guint i = 0; i < sizes->len; i++) {
    guint64 size = g_array_index (sizes, guint64, i);
    guint64 total = 0, free = 0;
    g_autofree gchar *pool = NULL;

    vmctl_host_facts_pool (facts, size, NULL, &total, &free);
    pool = g_strdup_printf ("%" G_GUINT64_FORMAT " kB: %" G_GUINT64_FORMAT " total, %"
                            G_GUINT64_FORMAT " free", size, total, free);
    assert_contains (vmctl_test_hostcheck_result (fixture, "hugepages")->message, pool);
  }
  g_assert_cmpint (vmctl_test_hostcheck_result (fixture, "hugepages.mount")->status == VMCTL_CHECK_PASS,
                   ==, facts->hugetlbfs_mounts->len > 0);

  /* firmware: the builds create could choose */
  check_firmware_agrees (fixture);

  /* swtpm: the TPM rule create applies */
  g_assert_cmpint (vmctl_test_hostcheck_result (fixture, "firmware.tpm")->status == VMCTL_CHECK_PASS,
                   ==, vmctl_host_facts_has_tpm2 (facts, VMCTL_VIRT_TYPE_KVM));

  /* MemTotal: no free pages, so the check suggests a reservation sized
   * by the memory the facts (and create's --memory limit) see */
  g_assert_cmpuint (facts->memory_kib, >, 0);
  for (guint i = 0; i < sizes->len; i++) {
    g_autofree gchar *path = g_strdup_printf ("sys/kernel/mm/hugepages/hugepages-%" G_GUINT64_FORMAT
                                              "kB/free_hugepages", g_array_index (sizes, guint64, i));

    vmctl_test_write (fixture->root, path, "0\n");
  }
  vmctl_test_hostcheck_run (fixture, NULL);
  suggestion = g_strdup_printf ("echo %" G_GUINT64_FORMAT " > /proc/sys/vm/nr_hugepages",
                                expected_suggestion (facts->memory_kib));
  vmctl_test_assert_fix_contains (fixture, "hugepages", suggestion);
}

/* ---- where the two disagreed before ---- */

/* kvm_pvm next to kvm_intel (the kernel loads one vendor module at a
 * time, so kvm_pvm serves /dev/kvm): create picks TCG, and the host check
 * says nested guests are out of reach instead of proposing nested=1 for
 * kvm_intel. It asked for kvm_intel's nested=1 before. */
static void
test_kvm_pvm (HostFixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlSpec) spec = vmctl_spec_new_from_profile ("pvm", "minimal", &error);
  g_autoptr(VmctlHostFacts) facts = NULL;

  g_assert_no_error (error);
  vmctl_test_write (fixture->root, "sys/module/kvm_pvm/refcnt", "0\n");
  facts = vmctl_host_facts_new_from_files (fixture->host);
  g_assert_cmpint (facts->kvm_software, ==, VMCTL_FACT_YES);
  g_assert_true (vmctl_spec_finalize_with_facts (spec, facts, &error));
  g_assert_no_error (error);
  g_assert_cmpint (spec->virt_type, ==, VMCTL_VIRT_TYPE_QEMU);

  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "kvm.nested", VMCTL_CHECK_WARN);
  vmctl_test_assert_message_contains (fixture, "kvm.nested", "kvm_pvm");
  vmctl_test_assert_fix_lacks (fixture, "kvm.nested", "nested=1");
}

/* No /sys/kernel/mm/hugepages (some containers): /proc/meminfo shows the
 * default pool, and start reserves from it (vmctl_hugepages_read()). The
 * host check said "the kernel has no hugepage support" before. */
static void
test_meminfo_pool (HostFixture *fixture, gconstpointer data)
{
  g_autofree gchar *pools = g_build_filename (fixture->root, "sys/kernel/mm/hugepages", NULL);
  g_autoptr(VmctlHostFacts) facts = NULL;
  g_autoptr(GError) error = NULL;
  guint64 total = 0, free = 0;

  vmctl_test_remove_tree (pools);
  facts = vmctl_host_facts_new_from_files (fixture->host);
  g_assert_true (vmctl_host_facts_pool (facts, 2048, NULL, &total, &free));
  g_assert_cmpuint (total, ==, 8192);
  g_assert_cmpuint (free, ==, 8192);
  g_assert_true (vmctl_hugepages_read (fixture->host, 2048, &total, &free, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 8192);

  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "hugepages", VMCTL_CHECK_PASS);
  vmctl_test_assert_message_contains (fixture, "hugepages", "2048 kB: 8192 total, 8192 free");
}

/* A libvirt whose swtpm offers TPM 1.2 only: create leaves the TPM out
 * (libvirt refuses version 2.0 there), and the remote host check warns.
 * It passed before ("libvirt offers an emulated TPM"). */
static gchar *
facts_document (const gchar *name)
{
  g_autofree gchar *relative = g_strconcat ("tests/data/libvirt-facts/", name, NULL);
  g_autofree gchar *path = vmctl_test_source_path (relative);
  g_autoptr(GError) error = NULL;
  gchar *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

static void
check_remote_tpm (const gchar *domcaps, gboolean expect_tpm)
{
  g_autofree gchar *capabilities = facts_document ("this-machine-capabilities.xml");
  g_autoptr(GError) error = NULL;
  g_autoptr(VmctlHostFacts) facts = vmctl_host_facts_new_from_xml ("qemu+ssh://far/system",
                                                                   capabilities, domcaps, NULL,
                                                                   NULL, &error);
  g_autoptr(VmctlHostReport) report = NULL;
  g_autoptr(VmctlSpec) spec = vmctl_spec_new_from_profile ("tpm", "minimal", &error);
  const VmctlCheckResult *tpm = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (facts);
  report = vmctl_host_check_run_remote (facts, "qemu+ssh://far/system", NULL);
  for (guint i = 0; i < report->results->len; i++)
    if (g_strcmp0 (((VmctlCheckResult *) g_ptr_array_index (report->results, i))->id, "firmware.tpm") == 0)
      tpm = g_ptr_array_index (report->results, i);
  g_assert_nonnull (tpm);

  /* the TPM Windows 11 requires, as the gaming profile asks for it */
  spec->tpm = TRUE;
  g_assert_true (vmctl_spec_set_virt_type (spec, "kvm", &error));
  g_assert_true (vmctl_spec_finalize_with_facts (spec, facts, &error));
  g_assert_no_error (error);
  g_assert_true (spec->tpm == expect_tpm);
  g_assert_true ((tpm->status == VMCTL_CHECK_PASS) == expect_tpm);
}

static void
test_remote_tpm (void)
{
  g_autofree gchar *with_2 = facts_document ("this-machine-domcaps-kvm-swtpm.xml");
  g_auto(GStrv) parts = g_strsplit (with_2, "<value>2.0</value>", -1);
  g_autofree gchar *only_1_2 = g_strjoinv ("", parts);

  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  check_remote_tpm (with_2, TRUE);
  check_remote_tpm (only_1_2, FALSE);
}

/* A Secure Boot build that does not require SMM lets the guest write its
 * variable store, so create never picks it for efi-secure; the check
 * said "Secure Boot build available" on its strength before. And a build
 * vmctl cannot write as split flash (qcow2 here, which libvirt before 9.2
 * does not take for pflash) made the check pass where create failed. */
static void
test_firmware_rule (HostFixture *fixture, gconstpointer data)
{
  static const gchar insecure[] =
    "{ \"description\": \"Secure Boot without SMM\", \"interface-types\": [\"uefi\"],"
    "  \"mapping\": { \"device\": \"flash\","
    "    \"executable\": { \"filename\": \"/usr/share/OVMF/OVMF_CODE_4M.fd\", \"format\": \"raw\" },"
    "    \"nvram-template\": { \"filename\": \"/usr/share/OVMF/OVMF_VARS_4M.fd\", \"format\": \"raw\" } },"
    "  \"targets\": [ { \"architecture\": \"x86_64\", \"machines\": [\"pc-q35-*\"] } ],"
    "  \"features\": [\"secure-boot\"], \"tags\": [] }";
  static const gchar qcow2[] =
    "{ \"description\": \"qcow2 build\", \"interface-types\": [\"uefi\"],"
    "  \"mapping\": { \"device\": \"flash\","
    "    \"executable\": { \"filename\": \"/usr/share/OVMF/OVMF_CODE_4M.fd\", \"format\": \"qcow2\" },"
    "    \"nvram-template\": { \"filename\": \"/usr/share/OVMF/OVMF_VARS_4M.fd\", \"format\": \"qcow2\" } },"
    "  \"targets\": [ { \"architecture\": \"x86_64\", \"machines\": [\"pc-q35-*\"] } ],"
    "  \"features\": [], \"tags\": [] }";

  vmctl_test_hostcheck_remove (fixture, "usr/share/qemu/firmware/40-edk2-x86_64-secure-enrolled.json");
  vmctl_test_hostcheck_remove (fixture, "usr/share/qemu/firmware/50-edk2-x86_64-secure.json");
  vmctl_test_hostcheck_write (fixture, "usr/share/qemu/firmware/45-insecure.json", insecure);
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "firmware.ovmf", VMCTL_CHECK_PASS);
  vmctl_test_assert_message_contains (fixture, "firmware.ovmf", "no Secure Boot build");
  check_firmware_agrees (fixture);

  vmctl_test_hostcheck_remove (fixture, "usr/share/qemu/firmware/45-insecure.json");
  vmctl_test_hostcheck_remove (fixture, "usr/share/qemu/firmware/60-edk2-x86_64.json");
  vmctl_test_hostcheck_write (fixture, "usr/share/qemu/firmware/60-qcow2.json", qcow2);
  vmctl_test_hostcheck_run (fixture, NULL);
  assert_status (fixture, "firmware.ovmf", VMCTL_CHECK_FAIL);
  vmctl_test_assert_message_contains (fixture, "firmware.ovmf", "vmctl cannot use");
  check_firmware_agrees (fixture);
}

/* ---- the readers ---- */

static void
test_cpuinfo_parse (void)
{
  g_autoptr(VmctlCpuinfo) intel = vmctl_cpuinfo_parse ("processor\t: 0\n"
                                                       "vendor_id\t: GenuineIntel\n"
                                                       "flags\t\t: fpu  vmx\tsse2 \n"
                                                       "\n"
                                                       "processor\t: 1\n"
                                                       "vendor_id\t: AuthenticAMD\n"
                                                       "flags\t\t: svm\n");
  g_autoptr(VmctlCpuinfo) empty_flags = vmctl_cpuinfo_parse ("vendor_id : HygonGenuine\nflags :\n");
  g_autoptr(VmctlCpuinfo) none = vmctl_cpuinfo_parse ("garbage without colons\n");

  /* the first processor block counts; no empty words from runs of blanks */
  g_assert_cmpstr (intel->vendor, ==, "GenuineIntel");
  g_assert_cmpuint (g_strv_length (intel->flags), ==, 3);
  g_assert_true (vmctl_cpuinfo_has_flag (intel, "vmx"));
  g_assert_false (vmctl_cpuinfo_has_flag (intel, "svm"));
  g_assert_false (vmctl_cpuinfo_has_flag (intel, ""));
  /* a flags line without flags is not a missing one */
  g_assert_nonnull (empty_flags->flags);
  g_assert_cmpuint (g_strv_length (empty_flags->flags), ==, 0);
  g_assert_true (vmctl_cpu_vendor_is_amd (empty_flags->vendor));
  g_assert_null (none->vendor);
  g_assert_null (none->flags);
  g_assert_false (vmctl_cpu_vendor_is_amd (NULL));
  g_assert_false (vmctl_cpu_vendor_is_amd ("GenuineIntel"));
}

static void
test_meminfo_parse (void)
{
  VmctlMeminfo meminfo;

  vmctl_meminfo_parse ("Hugepagesize:    1048576 kB\n"
                       "MemTotal:       32734884 kB\n"
                       "AnonHugePages_Total: 7\n"
                       "HugePages_Total:      16\n"
                       "HugePages_Free:        4\n", &meminfo);
  /* the first line counts too; a key inside another is not the key */
  g_assert_cmpuint (meminfo.hugepage_kib, ==, 1048576);
  g_assert_cmpuint (meminfo.total_kib, ==, 32734884);
  g_assert_true (meminfo.hugepage_counts);
  g_assert_cmpuint (meminfo.hugepages_total, ==, 16);
  g_assert_cmpuint (meminfo.hugepages_free, ==, 4);

  vmctl_meminfo_parse ("MemTotal: 1024 kB\nHugePages_Total: 3\n", &meminfo);
  g_assert_false (meminfo.hugepage_counts);
  g_assert_cmpuint (meminfo.hugepages_total, ==, 0);
  vmctl_meminfo_parse (NULL, &meminfo);
  g_assert_cmpuint (meminfo.total_kib, ==, 0);
}

static void
test_mounts_read (HostFixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) mounts = NULL;
  const VmctlHugetlbfsMount *mount;

  vmctl_test_hostcheck_write (fixture, "proc/mounts",
                              "proc /proc proc rw 0 0\n"
                              "hugetlbfs /dev/hugepages hugetlbfs rw,relatime 0 0\n"
                              "hugetlbfs /mnt/huge\\0401G hugetlbfs rw,pagesize=1G 0 0\n"
                              "none /odd hugetlbfs\n"
                              "hugetlbfs /bad hugetlbfs rw,pagesize=lots 0 0\n");
  mounts = vmctl_hugepages_read_mounts (fixture->host);
  g_assert_nonnull (mounts);
  g_assert_cmpuint (mounts->len, ==, 4);
  mount = g_ptr_array_index (mounts, 0);
  /* no pagesize=: the default size */
  g_assert_cmpstr (mount->mount_point, ==, "/dev/hugepages");
  g_assert_cmpuint (mount->page_kib, ==, 2048);
  mount = g_ptr_array_index (mounts, 1);
  g_assert_cmpstr (mount->mount_point, ==, "/mnt/huge 1G");
  g_assert_cmpuint (mount->page_kib, ==, 1048576);
  mount = g_ptr_array_index (mounts, 2);
  g_assert_cmpstr (mount->mount_point, ==, "/odd");
  g_assert_cmpuint (mount->page_kib, ==, 2048);
  mount = g_ptr_array_index (mounts, 3);
  g_assert_cmpuint (mount->page_kib, ==, 0);

  vmctl_test_hostcheck_remove (fixture, "proc/mounts");
  g_clear_pointer (&mounts, g_ptr_array_unref);
  g_assert_null (vmctl_hugepages_read_mounts (fixture->host));
}

int
main (int argc, char **argv)
{
  g_autoptr(GPtrArray) hosts = NULL;

  g_test_init (&argc, &argv, NULL);
  hosts = vmctl_test_scenarios ();
  g_assert_cmpuint (hosts->len, >, 10);
  for (guint i = 0; i < hosts->len; i++) {
    g_autofree gchar *path = g_strdup_printf ("/vmctl/hostcheck-agree/host/%s",
                                              (const gchar *) g_ptr_array_index (hosts, i));

    vmctl_test_hostcheck_add (path, g_ptr_array_index (hosts, i), test_fixture_host);
  }
  vmctl_test_hostcheck_add ("/vmctl/hostcheck-agree/kvm-pvm", "nested-off", test_kvm_pvm);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck-agree/meminfo-pool", "clean-gpu-audio",
                            test_meminfo_pool);
  g_test_add_func ("/vmctl/hostcheck-agree/remote-tpm", test_remote_tpm);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck-agree/firmware-rule", "clean-gpu-audio",
                            test_firmware_rule);
  g_test_add_func ("/vmctl/hostcheck-agree/reader/cpuinfo", test_cpuinfo_parse);
  g_test_add_func ("/vmctl/hostcheck-agree/reader/meminfo", test_meminfo_parse);
  vmctl_test_hostcheck_add ("/vmctl/hostcheck-agree/reader/mounts", "clean-gpu-audio",
                            test_mounts_read);
  return g_test_run ();
}
