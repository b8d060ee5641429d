/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-domain-rules.c: the domain XML builder's rules one by one, on the
 * fixture hosts in tests/data/sysfs: firmware choice, CPU pinning and
 * topology, hugepage sizes, hostdev guest slots, disk names, devices by
 * profile. What the builder escapes or refuses (markup injection, control
 * characters, broken templates, libvirt's schema) is in
 * test-domain-input.c. */
#include <glib/gstdio.h>
#include <string.h>

#include "vmctl-host-facts.h"
#include "vmctl-test-domain.h"

/* ---- firmware ---- */

static void
test_firmware_efi_plain (DomainFixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;

  vmctl_test_domain_profile_minimal (fixture->spec, "plain");
  document = vmctl_test_domain_build_ok (fixture);
  /* Debian's 40-*-secure-enrolled sorts first: never for plain efi */
  assert_xpath (document, "/domain/os/loader", "/usr/share/OVMF/OVMF_CODE_4M.fd");
  assert_xpath (document, "/domain/os/loader/@secure", "no");
  assert_xpath (document, "/domain/os/loader/@type", "pflash");
  assert_xpath (document, "/domain/os/loader/@readonly", "yes");
  assert_xpath (document, "/domain/os/nvram/@template", "/usr/share/OVMF/OVMF_VARS_4M.fd");
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/features/smm"), ==, 0);
  assert_xpath (document, "/domain/metadata/vmctl:vmctl/vmctl:spec/@firmware-descriptor",
                "/usr/share/qemu/firmware/60-edk2-x86_64.json");
}

static void
test_firmware_efi_secure (DomainFixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;

  vmctl_test_domain_profile_minimal (fixture->spec, "secure");
  fixture->spec->firmware = VMCTL_FIRMWARE_KIND_EFI_SECURE;
  document = vmctl_test_domain_build_ok (fixture);
  /* enrolled keys preferred: Windows boots with Secure Boot on at once */
  assert_xpath (document, "/domain/os/loader", "/usr/share/OVMF/OVMF_CODE_4M.ms.fd");
  assert_xpath (document, "/domain/os/loader/@secure", "yes");
  assert_xpath (document, "/domain/os/nvram/@template", "/usr/share/OVMF/OVMF_VARS_4M.ms.fd");
  assert_xpath (document, "/domain/features/smm/@state", "on");
}

static void
test_firmware_secure_without_enrolled (DomainFixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;

  vmctl_test_unlink (fixture->root, "usr/share/qemu/firmware/40-edk2-x86_64-secure-enrolled.json");
  vmctl_test_domain_profile_minimal (fixture->spec, "secure");
  fixture->spec->firmware = VMCTL_FIRMWARE_KIND_EFI_SECURE;
  document = vmctl_test_domain_build_ok (fixture);
  assert_xpath (document, "/domain/os/loader", "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd");
  assert_xpath (document, "/domain/os/nvram/@template", "/usr/share/OVMF/OVMF_VARS_4M.fd");
}

static void
test_firmware_secure_missing (DomainFixture *fixture, gconstpointer data)
{
  vmctl_test_unlink (fixture->root, "usr/share/qemu/firmware/40-edk2-x86_64-secure-enrolled.json");
  vmctl_test_unlink (fixture->root, "usr/share/qemu/firmware/50-edk2-x86_64-secure.json");
  vmctl_test_domain_profile_minimal (fixture->spec, "secure");
  fixture->spec->firmware = VMCTL_FIRMWARE_KIND_EFI_SECURE;
  vmctl_test_domain_build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_FIRMWARE,
                                 "no UEFI firmware with secure-boot and requires-smm for pc-q35-* on x86_64 "
                                 "in /usr/share/qemu/firmware; install ovmf");
  /* plain efi still works there */
  fixture->spec->firmware = VMCTL_FIRMWARE_KIND_EFI;
  g_clear_pointer (&fixture->spec->name, g_free);
  fixture->spec->name = g_strdup ("plain");
  xmlFreeDoc (vmctl_test_domain_build_ok (fixture));
}

static void
setup_no_ovmf (DomainFixture *fixture, gconstpointer data)
{
  vmctl_test_domain_setup_scenario (fixture, "no-ovmf");
}

static void
test_firmware_none (DomainFixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;

  vmctl_test_domain_profile_minimal (fixture->spec, "plain");
  vmctl_test_domain_build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_FIRMWARE,
                                 "no UEFI firmware without secure-boot for pc-q35-* on x86_64");
  /* SeaBIOS needs no descriptor: no loader at all */
  fixture->spec->firmware = VMCTL_FIRMWARE_KIND_BIOS;
  document = vmctl_test_domain_build_ok (fixture);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/os/loader"), ==, 0);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/os/nvram"), ==, 0);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/os/@firmware"), ==, 0);
}

static void
test_firmware_image_missing (DomainFixture *fixture, gconstpointer data)
{
  vmctl_test_unlink (fixture->root, "usr/share/OVMF/OVMF_CODE_4M.fd");
  vmctl_test_domain_profile_minimal (fixture->spec, "plain");
  vmctl_test_domain_build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_FIRMWARE,
                                 "/usr/share/qemu/firmware/60-edk2-x86_64.json names "
                                 "/usr/share/OVMF/OVMF_CODE_4M.fd, which does not exist");
}

/* ---- CPU ---- */

static void
test_cpu_auto_pin (DomainFixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;
  static const gchar * const expected[] = { "1", "5", "2", "6", "3", "7" };

  vmctl_test_domain_profile_gaming (fixture->spec, "pinned");
  document = vmctl_test_domain_build_ok (fixture);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/cputune/vcpupin"), ==, 6);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++) {
    g_autofree gchar *vcpu = g_strdup_printf ("/domain/cputune/vcpupin[%u]/@vcpu", i + 1);
    g_autofree gchar *cpuset = g_strdup_printf ("/domain/cputune/vcpupin[%u]/@cpuset", i + 1);
    g_autofree gchar *number = g_strdup_printf ("%u", i);

    assert_xpath (document, vcpu, number);
    assert_xpath (document, cpuset, expected[i]);
  }
  assert_xpath (document, "/domain/cputune/emulatorpin/@cpuset", "0,4");
  /* no disk, no I/O thread */
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/iothreads"), ==, 0);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/cputune/iothreadpin"), ==, 0);
  g_clear_pointer (&document, xmlFreeDoc);
  vmctl_test_domain_spec_add_disk (fixture->spec, "/var/lib/libvirt/images/pinned.qcow2", 0, NULL, "qcow2");
  document = vmctl_test_domain_build_ok (fixture);
  assert_xpath (document, "/domain/iothreads", "1");
  assert_xpath (document, "/domain/cputune/iothreadpin/@iothread", "1");
  assert_xpath (document, "/domain/cputune/iothreadpin/@cpuset", "0,4");
  assert_xpath (document, "/domain/devices/disk/driver/@iothread", "1");
  assert_xpath (document, "/domain/cpu/topology/@cores", "3");
  assert_xpath (document, "/domain/cpu/topology/@threads", "2");
  assert_xpath (document, "/domain/cpu/@mode", "host-passthrough");
  assert_xpath (document, "/domain/cpu/@check", "none");
  assert_xpath (document, "/domain/cpu/@migratable", "off");
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/cpu/feature"), ==, 0);  /* Intel */
}

static void
test_cpu_auto_too_many (DomainFixture *fixture, gconstpointer data)
{
  vmctl_test_domain_profile_gaming (fixture->spec, "greedy");
  fixture->spec->vcpus = 8;
  vmctl_test_domain_build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_TOPOLOGY,
                                 "keeps the first core (CPUs 0,4) for the host, leaving 6 CPUs for 8 vCPUs");
  /* unpinned, the same request is fine */
  fixture->spec->cpu_pin = VMCTL_CPU_PIN_NONE;
  xmlFreeDoc (vmctl_test_domain_build_ok (fixture));
}

static void
test_cpu_odd_vcpus (DomainFixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;

  vmctl_test_domain_profile_gaming (fixture->spec, "odd");
  fixture->spec->vcpus = 3;
  document = vmctl_test_domain_build_ok (fixture);
  /* 3 vCPUs cannot be whole 2-thread cores: one per core, and the guest
   * sees 3 cores, which they are */
  assert_xpath (document, "/domain/cpu/topology/@cores", "3");
  assert_xpath (document, "/domain/cpu/topology/@threads", "1");
  assert_xpath (document, "/domain/cputune/vcpupin[1]/@cpuset", "1");
  assert_xpath (document, "/domain/cputune/vcpupin[2]/@cpuset", "2");
  assert_xpath (document, "/domain/cputune/vcpupin[3]/@cpuset", "3");
  g_clear_pointer (&document, xmlFreeDoc);
  /* 5 fits neither way on the 3 cores left: refused, not a false claim */
  fixture->spec->vcpus = 5;
  vmctl_test_domain_build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_TOPOLOGY,
                                 "give a multiple of 2 up to 6, or 3 or fewer");
}

static void
test_cpu_list_errors (DomainFixture *fixture, gconstpointer data)
{
  static const guint absent[] = { 1, 9 };
  static const guint twice[] = { 1, 1 };
  static const guint all[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
  g_autoptr(xmlDoc) document = NULL;

  vmctl_test_domain_profile_minimal (fixture->spec, "listed");
  fixture->spec->vcpus = 2;
  fixture->spec->cpu_pin = VMCTL_CPU_PIN_LIST;
  fixture->spec->cpu_pin_list = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_vals (fixture->spec->cpu_pin_list, absent, 2);
  vmctl_test_domain_build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_TOPOLOGY, "host CPU 9 is not present");
  g_array_set_size (fixture->spec->cpu_pin_list, 0);
  g_array_append_vals (fixture->spec->cpu_pin_list, twice, 2);
  vmctl_test_domain_build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_TOPOLOGY, "host CPU 1 is listed twice");
  g_array_set_size (fixture->spec->cpu_pin_list, 1);
  vmctl_test_domain_build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_TOPOLOGY, "lists 1 host CPUs for 2 vCPUs");

  /* every CPU for a vCPU: no CPU is left for the emulator, so no
   * emulatorpin; 0,1 are not siblings, so the guest sees no SMT */
  g_array_set_size (fixture->spec->cpu_pin_list, 0);
  g_array_append_vals (fixture->spec->cpu_pin_list, all, G_N_ELEMENTS (all));
  fixture->spec->vcpus = 8;
  fixture->spec->cpu_smt_topology = TRUE;
  document = vmctl_test_domain_build_ok (fixture);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/cputune/vcpupin"), ==, 8);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/cputune/emulatorpin"), ==, 0);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/iothreads"), ==, 0);
  assert_xpath (document, "/domain/cpu/topology/@threads", "1");
  assert_xpath (document, "/domain/metadata/vmctl:vmctl/vmctl:spec/@cpu-pin-list", "0,1,2,3,4,5,6,7");
}

static void
setup_amd (DomainFixture *fixture, gconstpointer data)
{
  vmctl_test_domain_setup_scenario (fixture, "amd-host");
}

static void
test_cpu_amd_topoext (DomainFixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;

  vmctl_test_domain_profile_gaming (fixture->spec, "ryzen");
  document = vmctl_test_domain_build_ok (fixture);
  assert_xpath (document, "/domain/cpu/feature/@name", "topoext");
  assert_xpath (document, "/domain/cpu/feature/@policy", "require");
  g_clear_pointer (&document, xmlFreeDoc);
  /* TCG's emulated CPU is not the host's: no topoext there */
  vmctl_test_domain_adjust_tcg (fixture->spec, fixture->plan);
  document = vmctl_test_domain_build_ok (fixture);
  assert_xpath (document, "/domain/cpu/@mode", "maximum");
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/cpu/feature"), ==, 0);
  assert_xpath (document, "/domain/@type", "qemu");
}

static void
test_cpu_unreadable_topology (DomainFixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;

  vmctl_test_unlink (fixture->root, "sys/devices/system/cpu/present");
  vmctl_test_domain_profile_gaming (fixture->spec, "blind");
  vmctl_test_domain_build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_TOPOLOGY, "cannot pin vCPUs without");
  /* without pinning the topology is only a refinement */
  fixture->spec->cpu_pin = VMCTL_CPU_PIN_NONE;
  document = vmctl_test_domain_build_ok (fixture);
  assert_xpath (document, "/domain/cpu/topology/@threads", "1");
  assert_xpath (document, "/domain/cpu/topology/@cores", "6");
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/cputune"), ==, 0);
}

/* ---- memory ---- */

/* The pools of a copied host root: 2 MiB and 1 GiB pages (nr, free), and
 * the hugetlbfs mounts /proc/mounts lists ("2M", "1G", "2M,1G", ""). */
static void
set_pools (DomainFixture *fixture, guint nr_2m, guint free_2m, guint nr_1g, guint free_1g,
           const gchar *mounts)
{
  static const gchar pools[] = "sys/kernel/mm/hugepages/hugepages-";
  g_auto(GStrv) sizes = g_strsplit (mounts, ",", -1);
  g_autoptr(GString) text = g_string_new ("proc /proc proc rw 0 0\n");
  g_autofree gchar *value = NULL;

#define WRITE_COUNT(size, file, count) \
  G_STMT_START { \
    g_autofree gchar *path_ = g_strconcat (pools, size, "/", file, NULL); \
    g_autofree gchar *count_ = g_strdup_printf ("%u\n", count); \
    vmctl_test_write (fixture->root, path_, count_); \
  } G_STMT_END
  WRITE_COUNT ("2048kB", "nr_hugepages", nr_2m);
  WRITE_COUNT ("2048kB", "free_hugepages", free_2m);
  WRITE_COUNT ("1048576kB", "nr_hugepages", nr_1g);
  WRITE_COUNT ("1048576kB", "free_hugepages", free_1g);
#undef WRITE_COUNT
  for (guint i = 0; sizes[i] != NULL; i++)
    if (sizes[i][0] != '\0')
      g_string_append_printf (text, "hugetlbfs /dev/hugepages%s hugetlbfs rw,relatime,pagesize=%s 0 0\n",
                              sizes[i], sizes[i]);
  vmctl_test_write (fixture->root, "proc/mounts", text->str);
}

static void
assert_page_size (DomainFixture *fixture, const gchar *expected)
{
  g_autoptr(xmlDoc) document = vmctl_test_domain_build_ok (fixture);

  assert_xpath (document, "/domain/memoryBacking/hugepages/page/@size", expected);
  assert_xpath (document, "/domain/memoryBacking/hugepages/page/@unit", "KiB");
  assert_xpath (document, "/domain/metadata/vmctl:vmctl/vmctl:spec/@hugepage-kib", expected);
  /* no <locked/> unless asked: libvirtd may not raise RLIMIT_MEMLOCK */
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/memoryBacking/locked"), ==, 0);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/memtune"), ==, 0);
}

static void
assert_no_page_size (DomainFixture *fixture, const gchar *fragment)
{
  g_autoptr(GError) error = NULL;
  xmlDocPtr document = vmctl_domain_xml_build (fixture->host, fixture->spec, fixture->plan, &error);

  g_assert_null (document);
  g_assert_error (error, VMCTL_HOST_FACTS_ERROR, VMCTL_HOST_FACTS_ERROR_HUGEPAGES);
  if (strstr (error->message, fragment) == NULL)
    g_error ("'%s' lacks '%s'", error->message, fragment);
}

/* The size whose pool has the free pages and a mount; never one with no
 * pages reserved (data/demo-host's case: 16 GiB of 2 MiB pages, 0 of
 * 1 GiB, only a 2 MiB mount). */
static void
test_hugepages_sizes (DomainFixture *fixture, gconstpointer data)
{
  vmctl_test_domain_profile_gaming (fixture->spec, "pages");

  /* 2 MiB only, as on the demo host: 1 GiB has no pages */
  set_pools (fixture, 8192, 8192, 0, 0, "2M");
  assert_page_size (fixture, "2048");
  /* 1 GiB pages reserved but no 1 GiB mount: libvirt could not use them */
  set_pools (fixture, 0, 0, 16, 16, "2M");
  assert_no_page_size (fixture, "mount -t hugetlbfs -o pagesize=1G");
  /* ... with the mount */
  set_pools (fixture, 0, 0, 16, 16, "2M,1G");
  assert_page_size (fixture, "1048576");
  /* both: 1 GiB first, for fewer TLB misses */
  set_pools (fixture, 8192, 8192, 16, 16, "2M,1G");
  assert_page_size (fixture, "1048576");
  /* 1 GiB pages taken by another VM: 2 MiB */
  set_pools (fixture, 8192, 8192, 16, 4, "2M,1G");
  assert_page_size (fixture, "2048");
  /* 12.5 GiB is not whole 1 GiB pages */
  fixture->spec->memory_kib = 12 * VMCTL_TEST_GIB_KIB + VMCTL_TEST_GIB_KIB / 2;
  set_pools (fixture, 8192, 8192, 16, 16, "2M,1G");
  assert_page_size (fixture, "2048");
  fixture->spec->memory_kib = 16 * VMCTL_TEST_GIB_KIB;
  /* a mount without pagesize= serves the default size (Hugepagesize) */
  set_pools (fixture, 8192, 8192, 0, 0, "");
  vmctl_test_write (fixture->root, "proc/mounts", "hugetlbfs /dev/hugepages hugetlbfs rw 0 0\n");
  assert_page_size (fixture, "2048");

  /* nothing fits: the fix names the pages to reserve */
  set_pools (fixture, 100, 100, 0, 0, "2M");
  assert_no_page_size (fixture, "echo 8192 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages");
  assert_no_page_size (fixture, "hugepagesz=2M hugepages=8192");
  assert_no_page_size (fixture, "--dynamic-hugepages");
  /* no mount at all */
  set_pools (fixture, 8192, 8192, 0, 0, "");
  assert_no_page_size (fixture, "mount -t hugetlbfs -o pagesize=2M");
  /* dynamic: start reserves the pages, a mounted size is enough */
  set_pools (fixture, 0, 0, 0, 0, "2M");
  fixture->spec->hugepages_dynamic = TRUE;
  assert_page_size (fixture, "2048");
  fixture->spec->hugepages_dynamic = FALSE;

  /* not even whole 2 MiB pages */
  set_pools (fixture, 8192, 8192, 0, 0, "2M");
  fixture->spec->memory_kib = 16 * VMCTL_TEST_GIB_KIB + 1024;
  assert_no_page_size (fixture, "not a whole number of 2 MiB pages");

  fixture->spec->hugepages = FALSE;
  {
    g_autoptr(xmlDoc) document = vmctl_test_domain_build_ok (fixture);

    g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/memoryBacking"), ==, 0);
    assert_xpath (document, "/domain/memory", "16778240");
    assert_xpath (document, "/domain/memory/@unit", "KiB");
    assert_xpath (document, "/domain/currentMemory", "16778240");
  }
}

/* --lock-memory: <locked/> with the hard limit libvirt's tuning guide
 * asks for: memory + 1 GiB for QEMU */
static void
test_memory_locked (DomainFixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;

  vmctl_test_domain_profile_gaming (fixture->spec, "locked");
  fixture->spec->memory_locked = TRUE;
  document = vmctl_test_domain_build_ok (fixture);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/memoryBacking/locked"), ==, 1);
  assert_xpath (document, "/domain/memtune/hard_limit", "17825792");
  assert_xpath (document, "/domain/memtune/hard_limit/@unit", "KiB");
  vmctl_test_domain_assert_validates (document);
  g_clear_pointer (&document, xmlFreeDoc);

  fixture->spec->hugepages = FALSE;
  document = vmctl_test_domain_build_ok (fixture);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/memoryBacking/locked"), ==, 1);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/memoryBacking/hugepages"), ==, 0);
  vmctl_test_domain_assert_validates (document);
}

/* ---- hostdevs ---- */

static void
setup_turing (DomainFixture *fixture, gconstpointer data)
{
  vmctl_test_domain_setup_scenario (fixture, "turing-4fn");
}

static void
test_hostdev_one_slot (DomainFixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;

  vmctl_test_domain_profile_minimal (fixture->spec, "turing");
  vmctl_test_domain_host_gpu (fixture->spec, fixture->plan, "turing-4fn");
  document = vmctl_test_domain_build_ok (fixture);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/devices/hostdev"), ==, 4);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/devices/hostdev[@managed='no']"
                                                  "[driver/@name='vfio']"), ==, 4);
  /* one root port, one guest slot, the host's function numbers */
  g_assert_cmpint (vmctl_test_domain_xpath_count (document,
                                                  "/domain/devices/controller[@model='pcie-root-port']"), ==, 1);
  assert_xpath (document, "/domain/devices/controller/@index", "1");
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/devices/hostdev/address"
                                                  "[@bus='0x01'][@slot='0x00']"), ==, 4);
  for (guint i = 0; i < 4; i++) {
    g_autofree gchar *host = g_strdup_printf ("/domain/devices/hostdev[%u]/source/address/@function", i + 1);
    g_autofree gchar *guest = g_strdup_printf ("/domain/devices/hostdev[%u]/address/@function", i + 1);
    g_autofree gchar *function = g_strdup_printf ("0x%u", i);

    assert_xpath (document, host, function);
    assert_xpath (document, guest, function);
  }
  /* multifunction only on function 0 */
  g_assert_cmpint (vmctl_test_domain_xpath_count (document,
                                                  "/domain/devices/hostdev/address[@multifunction]"), ==, 1);
  assert_xpath (document, "/domain/devices/hostdev[1]/address/@multifunction", "on");
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/devices/hostdev/rom"), ==, 0);
  assert_xpath (document, "/domain/devices/memballoon/@model", "none");
}

static void
test_hostdev_two_cards (DomainFixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;

  vmctl_test_domain_profile_minimal (fixture->spec, "two");
  vmctl_test_domain_host_gpu (fixture->spec, fixture->plan, "clean-gpu-audio");
  /* a USB controller by --hostdev, and a function without its function 0 */
  vmctl_test_domain_plan_add (fixture->plan, "0000:00:14.0", VMCTL_PLAN_ROLE_HOSTDEV, "0000:00:14.0",
                              "xhci_hcd", 4);
  vmctl_test_domain_plan_add (fixture->plan, "0000:03:00.2", VMCTL_PLAN_ROLE_HOSTDEV, "0000:03:00.2",
                              NULL, -1);
  document = vmctl_test_domain_build_ok (fixture);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document,
                                                  "/domain/devices/controller[@model='pcie-root-port']"), ==, 3);
  assert_xpath (document, "/domain/devices/controller[3]/@index", "3");
  assert_xpath (document, "/domain/devices/hostdev[3]/address/@bus", "0x02");
  assert_xpath (document, "/domain/devices/hostdev[3]/address/@function", "0x0");
  g_assert_cmpint (vmctl_test_domain_xpath_count (document,
                                                  "/domain/devices/hostdev[3]/address/@multifunction"), ==, 0);
  /* alone on its slot, 03:00.2 becomes guest function 0 so the guest
   * probes it at all */
  assert_xpath (document, "/domain/devices/hostdev[4]/source/address/@function", "0x2");
  assert_xpath (document, "/domain/devices/hostdev[4]/address/@bus", "0x03");
  assert_xpath (document, "/domain/devices/hostdev[4]/address/@function", "0x0");
  /* metadata: no driver, no group: attributes absent, not empty */
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "//vmctl:function"), ==, 4);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "//vmctl:function[4]/@driver"), ==, 0);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "//vmctl:function[4]/@group"), ==, 0);
  assert_xpath (document, "//vmctl:function[3]/@role", "hostdev");
  assert_xpath (document, "//vmctl:function[2]/@role", "companion");
  assert_xpath (document, "//vmctl:function[2]/@owner", "0000:01:00.0");
  assert_xpath (document, "//vmctl:function[2]/@group", "1");
  assert_xpath (document, "//vmctl:function[2]/@driver", "snd_hda_intel");
}

static void
test_hostdev_rom_unplanned (DomainFixture *fixture, gconstpointer data)
{
  vmctl_test_domain_profile_minimal (fixture->spec, "rom");
  vmctl_test_domain_spec_add_gpu (fixture->spec, "0000:01:00.0", "/roms/a.rom");
  vmctl_test_domain_build_fails (fixture, VMCTL_DOMAIN_XML_ERROR_INVALID,
                                 "a ROM file is given for 0000:01:00.0, but the plan does not assign it");
}

/* ---- disks ---- */

static void
test_disk_names (DomainFixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;
  g_autofree gchar *first = NULL;
  g_autofree gchar *second = NULL;
  g_autofree gchar *none = NULL;

  vmctl_test_domain_profile_minimal (fixture->spec, "disks");
  vmctl_test_domain_spec_add_disk (fixture->spec, NULL, 1 << 30, NULL, NULL);
  vmctl_test_domain_spec_add_disk (fixture->spec, "/var/lib/libvirt/images/data.qcow2", 0, NULL, NULL);
  vmctl_test_domain_spec_add_disk (fixture->spec, NULL, 1 << 30, "fast", "raw");
  vmctl_test_domain_spec_add_disk (fixture->spec, "/dev/sdb", 0, NULL, NULL);
  /* what finalize's stat() found: a block device, whatever the name */
  ((VmctlSpecDisk *) g_ptr_array_index (fixture->spec->disks, 3))->block = TRUE;
  vmctl_test_domain_set_string (&fixture->spec->cdrom, "/srv/iso/x.iso");
  first = vmctl_domain_xml_volume_name (fixture->spec, 0);
  second = vmctl_domain_xml_volume_name (fixture->spec, 2);
  none = vmctl_domain_xml_volume_name (fixture->spec, 1);
  g_assert_cmpstr (first, ==, "disks.qcow2");
  g_assert_cmpstr (second, ==, "disks-2.img");
  g_assert_null (none);

  document = vmctl_test_domain_build_ok (fixture);
  assert_xpath (document, "/domain/devices/disk[1]/@type", "volume");
  assert_xpath (document, "/domain/devices/disk[1]/source/@pool", "default");
  assert_xpath (document, "/domain/devices/disk[1]/source/@volume", "disks.qcow2");
  assert_xpath (document, "/domain/devices/disk[1]/driver/@type", "qcow2");
  assert_xpath (document, "/domain/devices/disk[1]/target/@dev", "vda");
  assert_xpath (document, "/domain/devices/disk[2]/@type", "file");
  assert_xpath (document, "/domain/devices/disk[2]/driver/@type", "qcow2");  /* from .qcow2 */
  assert_xpath (document, "/domain/devices/disk[2]/target/@dev", "vdb");
  assert_xpath (document, "/domain/devices/disk[3]/source/@pool", "fast");
  assert_xpath (document, "/domain/devices/disk[3]/source/@volume", "disks-2.img");
  assert_xpath (document, "/domain/devices/disk[4]/@type", "block");
  assert_xpath (document, "/domain/devices/disk[4]/source/@dev", "/dev/sdb");
  assert_xpath (document, "/domain/devices/disk[4]/driver/@type", "raw");
  assert_xpath (document, "/domain/devices/disk[4]/driver/@cache", "none");
  assert_xpath (document, "/domain/devices/disk[4]/driver/@io", "native");
  assert_xpath (document, "/domain/devices/disk[4]/driver/@discard", "unmap");
  /* unpinned: no I/O thread */
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/devices/disk/driver/@iothread"), ==, 0);
  assert_xpath (document, "/domain/devices/disk[5]/@device", "cdrom");
  assert_xpath (document, "/domain/devices/disk[5]/target/@dev", "sda");
  assert_xpath (document, "/domain/devices/disk[5]/target/@bus", "sata");
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/devices/disk[5]/readonly"), ==, 1);
  /* per-device boot order (issue 11): the cdrom, then the disks in order */
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/os/boot"), ==, 0);
  assert_xpath (document, "/domain/devices/disk[5]/boot/@order", "1");
  assert_xpath (document, "/domain/devices/disk[1]/boot/@order", "2");
  assert_xpath (document, "/domain/devices/disk[4]/boot/@order", "5");
  assert_xpath (document, "//vmctl:disk[1]/@size-bytes", "1073741824");
  assert_xpath (document, "//vmctl:disk[1]/@volume", "disks.qcow2");
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "//vmctl:disk[1]/@path"), ==, 0);
  assert_xpath (document, "//vmctl:disk[2]/@path", "/var/lib/libvirt/images/data.qcow2");
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "//vmctl:disk[2]/@pool"), ==, 0);
}

/* ---- devices by profile ---- */

static void
test_devices_by_profile (DomainFixture *fixture, gconstpointer data)
{
  g_autoptr(xmlDoc) document = NULL;

  vmctl_test_domain_profile_workstation (fixture->spec, "desk");
  fixture->spec->network = VMCTL_NETWORK_NONE;
  document = vmctl_test_domain_build_ok (fixture);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/devices/interface"), ==, 0);
  assert_xpath (document, "/domain/devices/graphics/@type", "spice");
  assert_xpath (document, "/domain/devices/graphics/listen/@type", "address");
  assert_xpath (document, "/domain/devices/graphics/listen/@address", "127.0.0.1");
  assert_xpath (document, "/domain/devices/channel/target/@name", "com.redhat.spice.0");
  assert_xpath (document, "/domain/devices/video/model/@type", "virtio");
  assert_xpath (document, "/domain/devices/memballoon/@model", "virtio");
  assert_xpath (document, "/domain/devices/rng/backend", "/dev/urandom");
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/devices/tpm"), ==, 0);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/features/hyperv"), ==, 0);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/features/kvm"), ==, 0);
  assert_xpath (document, "/domain/clock/@offset", "utc");
  g_assert_cmpint (vmctl_test_domain_xpath_count (document,
                                                  "/domain/clock/timer[@name='hypervclock']"), ==, 0);
  g_clear_pointer (&document, xmlFreeDoc);

  vmctl_test_domain_profile_gaming (fixture->spec, "game");
  vmctl_test_domain_set_string (&fixture->spec->hyperv_vendor_id, NULL);
  document = vmctl_test_domain_build_ok (fixture);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/features/hyperv/*"), ==, 11);
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/features/hyperv/vendor_id"), ==, 0);
  assert_xpath (document, "/domain/features/hyperv/spinlocks/@retries", "8191");
  assert_xpath (document, "/domain/features/hyperv/stimer/direct/@state", "on");
  assert_xpath (document, "/domain/features/vmport/@state", "off");
  assert_xpath (document, "/domain/features/kvm/hidden/@state", "on");
  assert_xpath (document, "/domain/clock/@offset", "localtime");
  assert_xpath (document, "/domain/clock/timer[@name='rtc']/@tickpolicy", "catchup");
  assert_xpath (document, "/domain/clock/timer[@name='pit']/@tickpolicy", "delay");
  assert_xpath (document, "/domain/clock/timer[@name='hpet']/@present", "no");
  assert_xpath (document, "/domain/clock/timer[@name='hypervclock']/@present", "yes");
  assert_xpath (document, "/domain/devices/tpm/@model", "tpm-crb");
  assert_xpath (document, "/domain/devices/tpm/backend/@version", "2.0");
  /* the GPU is the display */
  assert_xpath (document, "/domain/devices/video/model/@type", "none");
  g_assert_cmpint (vmctl_test_domain_xpath_count (document, "/domain/devices/graphics"), ==, 0);
}

/* ---- registration: under /vmctl/domain-xml/, as the golden cases ---- */

int
main (int argc, char **argv)
{
  vmctl_test_domain_init (&argc, &argv);

  vmctl_test_domain_add_clean ("/vmctl/domain-xml/firmware/efi-not-secure", test_firmware_efi_plain);
  vmctl_test_domain_add_clean ("/vmctl/domain-xml/firmware/efi-secure-enrolled", test_firmware_efi_secure);
  vmctl_test_domain_add_clean ("/vmctl/domain-xml/firmware/efi-secure-not-enrolled", test_firmware_secure_without_enrolled);
  vmctl_test_domain_add_clean ("/vmctl/domain-xml/firmware/secure-missing", test_firmware_secure_missing);
  vmctl_test_domain_add_clean ("/vmctl/domain-xml/firmware/image-missing", test_firmware_image_missing);
  g_test_add ("/vmctl/domain-xml/firmware/no-ovmf", DomainFixture, NULL, setup_no_ovmf,
              test_firmware_none, vmctl_test_domain_teardown);
  vmctl_test_domain_add_clean ("/vmctl/domain-xml/cpu/auto-pin", test_cpu_auto_pin);
  vmctl_test_domain_add_clean ("/vmctl/domain-xml/cpu/auto-too-many", test_cpu_auto_too_many);
  vmctl_test_domain_add_clean ("/vmctl/domain-xml/cpu/odd-vcpus", test_cpu_odd_vcpus);
  vmctl_test_domain_add_clean ("/vmctl/domain-xml/cpu/list-errors", test_cpu_list_errors);
  vmctl_test_domain_add_clean ("/vmctl/domain-xml/cpu/unreadable-topology", test_cpu_unreadable_topology);
  g_test_add ("/vmctl/domain-xml/cpu/amd-topoext", DomainFixture, NULL, setup_amd,
              test_cpu_amd_topoext, vmctl_test_domain_teardown);
  vmctl_test_domain_add_clean ("/vmctl/domain-xml/memory/hugepage-sizes", test_hugepages_sizes);
  vmctl_test_domain_add_clean ("/vmctl/domain-xml/memory/locked", test_memory_locked);
  g_test_add ("/vmctl/domain-xml/hostdev/one-slot", DomainFixture, NULL, setup_turing,
              test_hostdev_one_slot, vmctl_test_domain_teardown);
  vmctl_test_domain_add_clean ("/vmctl/domain-xml/hostdev/two-cards", test_hostdev_two_cards);
  vmctl_test_domain_add_clean ("/vmctl/domain-xml/hostdev/rom-unplanned", test_hostdev_rom_unplanned);
  vmctl_test_domain_add_clean ("/vmctl/domain-xml/disk/names", test_disk_names);
  vmctl_test_domain_add_clean ("/vmctl/domain-xml/devices/by-profile", test_devices_by_profile);
  return vmctl_test_domain_run ();
}
