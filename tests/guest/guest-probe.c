/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-probe.c: the two things the test guest's /init cannot do with
 * busybox alone. Built statically by build-guest.sh and run inside the
 * guest, never on the host.
 *
 *   guest-probe cpuid
 *     prints the hypervisor CPUID leaves as report lines: every base from
 *     0x40000000 to 0x4000ff00 that answers with a signature (KVM puts its
 *     own at 0x40000100 when Hyper-V enlightenments take 0x40000000; a
 *     hidden KVM puts none), the vendor_id a domain sets in place of
 *     "Microsoft Hv", and the Hyper-V feature and hint words. A Linux guest
 *     does not say "Hyper-V" in dmesg when vendor_id is not "Microsoft Hv",
 *     so dmesg alone cannot show what the domain XML claims.
 *
 *   guest-probe wait-power-button
 *     blocks until an ACPI power button press arrives (EV_KEY KEY_POWER
 *     from an input device named "Power Button": the kernel's button
 *     driver), then exits 0. That is what 'virsh shutdown' / 'vmctl stop'
 *     send with the ACPI method; without acpid or systemd nothing else in
 *     the guest would act on it. */
#include <cpuid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MAX_BUTTONS 8

static void
print_signature (unsigned int base, unsigned int eax, unsigned int ebx, unsigned int ecx,
                 unsigned int edx)
{
  char signature[13];

  memcpy (signature, &ebx, 4);
  memcpy (signature + 4, &ecx, 4);
  memcpy (signature + 8, &edx, 4);
  signature[12] = '\0';
  /* keep the report one line per key: anything unprintable becomes '.' */
  for (int i = 0; i < 12; i++)
    if (signature[i] != '\0' && (signature[i] < 0x20 || signature[i] > 0x7e))
      signature[i] = '.';
  printf ("cpuid.hypervisor.0x%08x=%s\n", base, signature);
  printf ("cpuid.hypervisor.0x%08x.max=0x%08x\n", base, eax);
}

static int
probe_cpuid (void)
{
  unsigned int eax, ebx, ecx, edx;

  __cpuid (1, eax, ebx, ecx, edx);
  printf ("cpuid.hypervisor_bit=%u\n", (ecx >> 31) & 1);
  if (((ecx >> 31) & 1) == 0)
    return 0;
  for (unsigned int base = 0x40000000; base < 0x40010000; base += 0x100) {
    __cpuid (base, eax, ebx, ecx, edx);
    if (ebx == 0 && ecx == 0 && edx == 0)
      continue;
    /* a base past the last one echoes the highest basic leaf on Intel and
     * zeros on AMD; a real signature has printable bytes and eax >= base */
    if (eax < base || eax > base + 0xff)
      continue;
    print_signature (base, eax, ebx, ecx, edx);
    if (base == 0x40000000 && eax >= 0x40000004) {
      unsigned int a, b, c, d;

      /* TLFS: 0x40000003 EAX = partition privileges (features), EBX, EDX
       * feature flags; 0x40000004 EAX = recommendations (hints). Only
       * meaningful when the vendor set up the Hyper-V interface ("Hv#1"
       * in 0x40000001 EAX). */
      __cpuid (0x40000001, a, b, c, d);
      printf ("cpuid.hyperv.interface=0x%08x\n", a);
      __cpuid (0x40000003, a, b, c, d);
      printf ("cpuid.hyperv.features.eax=0x%08x\n", a);
      printf ("cpuid.hyperv.features.edx=0x%08x\n", d);
      __cpuid (0x40000004, a, b, c, d);
      printf ("cpuid.hyperv.hints.eax=0x%08x\n", a);
    }
  }
  return 0;
}

static int
is_power_button (int fd)
{
  char name[256] = "";
  unsigned long keys[(KEY_MAX + 8 * sizeof (unsigned long)) / (8 * sizeof (unsigned long))];

  if (ioctl (fd, EVIOCGNAME (sizeof name - 1), name) < 0)
    return 0;
  if (strstr (name, "Power Button") == NULL)
    return 0;
  memset (keys, 0, sizeof keys);
  if (ioctl (fd, EVIOCGBIT (EV_KEY, sizeof keys), keys) < 0)
    return 0;
  return (keys[KEY_POWER / (8 * sizeof (unsigned long))]
          >> (KEY_POWER % (8 * sizeof (unsigned long)))) & 1;
}

static int
wait_power_button (void)
{
  struct pollfd fds[MAX_BUTTONS];
  int count = 0;
  DIR *directory = opendir ("/dev/input");
  struct dirent *entry;

  if (directory == NULL) {
    perror ("guest-probe: /dev/input");
    return 1;
  }
  while ((entry = readdir (directory)) != NULL && count < MAX_BUTTONS) {
    char path[300];
    int fd;

    if (strncmp (entry->d_name, "event", 5) != 0)
      continue;
    snprintf (path, sizeof path, "/dev/input/%s", entry->d_name);
    fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      continue;
    if (!is_power_button (fd)) {
      close (fd);
      continue;
    }
    fds[count].fd = fd;
    fds[count].events = POLLIN;
    count++;
  }
  closedir (directory);
  if (count == 0) {
    fprintf (stderr, "guest-probe: no input device named 'Power Button' with KEY_POWER\n");
    return 1;
  }
  for (;;) {
    if (poll (fds, count, -1) < 0) {
      if (errno == EINTR)
        continue;
      perror ("guest-probe: poll");
      return 1;
    }
    for (int i = 0; i < count; i++) {
      struct input_event event;

      if ((fds[i].revents & POLLIN) == 0)
        continue;
      if (read (fds[i].fd, &event, sizeof event) != (ssize_t) sizeof event)
        continue;
      if (event.type == EV_KEY && event.code == KEY_POWER && event.value == 1)
        return 0;
    }
  }
}

int
main (int argc, char **argv)
{
  if (argc == 2 && strcmp (argv[1], "cpuid") == 0)
    return probe_cpuid ();
  if (argc == 2 && strcmp (argv[1], "wait-power-button") == 0)
    return wait_power_button ();
  fprintf (stderr, "usage: guest-probe cpuid | wait-power-button\n");
  return 2;
}
