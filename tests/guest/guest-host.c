/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-host.c: the host's side of a running test guest. Everything here
 * reads the kernel's own files (no libvirt), so it checks what libvirt and
 * QEMU did, not what they say they did. */
#include "guest-host.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static gint
compare_uint (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a;
  guint y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

GArray *
guest_cpu_list_parse (const gchar *text)
{
  g_autoptr(GArray) cpus = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree gchar *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));
  g_auto(GStrv) ranges = g_strsplit (trimmed, ",", -1);

  if (*trimmed == '\0')
    return NULL;
  for (guint i = 0; ranges[i] != NULL; i++) {
    g_auto(GStrv) ends = g_strsplit (ranges[i], "-", 2);
    guint64 first;
    guint64 last;

    if (!g_ascii_string_to_unsigned (ends[0], 10, 0, 4095, &first, NULL))
      return NULL;
    last = first;
    if (ends[1] != NULL && !g_ascii_string_to_unsigned (ends[1], 10, first, 4095, &last, NULL))
      return NULL;
    for (guint64 cpu = first; cpu <= last; cpu++) {
      guint value = (guint) cpu;

      g_array_append_val (cpus, value);
    }
  }
  g_array_sort (cpus, compare_uint);
  for (guint i = 1; i < cpus->len;)
    if (g_array_index (cpus, guint, i) == g_array_index (cpus, guint, i - 1))
      g_array_remove_index (cpus, i);
    else
      i++;
  return g_steal_pointer (&cpus);
}

gboolean
guest_cpu_list_equal (GArray *a, GArray *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return a->len == b->len && memcmp (a->data, b->data, a->len * sizeof (guint)) == 0;
}

static gchar *
first_line (const gchar *path)
{
  g_autofree gchar *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return g_strstrip (g_steal_pointer (&contents));
}

gchar *
guest_host_online_cpus (void)
{
  return first_line ("/sys/devices/system/cpu/online");
}

gchar *
guest_host_thread_siblings (guint cpu)
{
  g_autofree gchar *path = g_strdup_printf (
    "/sys/devices/system/cpu/cpu%u/topology/thread_siblings_list", cpu);

  return first_line (path);
}

gint
guest_host_qemu_pid (const gchar *name)
{
  g_autofree gchar *path = g_strdup_printf ("/run/libvirt/qemu/%s.pid", name);
  g_autofree gchar *contents = NULL;
  guint64 pid = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  g_strstrip (contents);
  if (!g_ascii_string_to_unsigned (contents, 10, 1, G_MAXINT, &pid, NULL))
    return 0;
  return (gint) pid;
}

void
guest_thread_free (GuestThread *thread)
{
  g_free (thread->comm);
  g_free (thread->cpus_allowed);
  g_free (thread);
}

/* the value of "Field:" in a /proc status file */
static gchar *
status_field (const gchar *contents, const gchar *field)
{
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  g_autofree gchar *prefix = g_strconcat (field, ":", NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strstrip (g_strdup (lines[i] + strlen (prefix)));
  return NULL;
}

GPtrArray *
guest_host_threads (gint pid)
{
  GPtrArray *threads = g_ptr_array_new_with_free_func ((GDestroyNotify) guest_thread_free);
  g_autofree gchar *task = g_strdup_printf ("/proc/%d/task", pid);
  g_autoptr(GDir) dir = g_dir_open (task, 0, NULL);
  const gchar *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *comm_path = g_build_filename (task, entry, "comm", NULL);
    g_autofree gchar *status_path = g_build_filename (task, entry, "status", NULL);
    g_autofree gchar *comm = NULL;
    g_autofree gchar *status = NULL;
    GuestThread *thread;

    if (!g_file_get_contents (comm_path, &comm, NULL, NULL)
        || !g_file_get_contents (status_path, &status, NULL, NULL))
      continue;  /* the thread ended meanwhile */
    thread = g_new0 (GuestThread, 1);
    thread->tid = atoi (entry);
    thread->comm = g_strstrip (g_steal_pointer (&comm));
    thread->cpus_allowed = status_field (status, "Cpus_allowed_list");
    g_ptr_array_add (threads, thread);
  }
  return threads;
}

/* smaps: a mapping header, then "Size:", ..., "KernelPageSize:" lines */
static guint64
sum_smaps (gint pid, guint64 page_kib, gboolean above)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/smaps", pid);
  g_autofree gchar *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint64 size = 0;
  guint64 total = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    guint64 page;

    if (g_str_has_prefix (lines[i], "Size:"))
      size = g_ascii_strtoull (lines[i] + 5, NULL, 10);
    else if (g_str_has_prefix (lines[i], "KernelPageSize:")) {
      page = g_ascii_strtoull (lines[i] + 15, NULL, 10);
      if (above ? page > page_kib : page == page_kib)
        total += size;
    }
  }
  return total;
}

guint64
guest_host_mapped_kib (gint pid, guint64 page_kib)
{
  return sum_smaps (pid, page_kib, FALSE);
}

guint64
guest_host_hugetlb_kib (gint pid)
{
  return sum_smaps (pid, 4, TRUE);
}

guint
guest_host_numa_huge_lines (gint pid)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/numa_maps", pid);
  g_autofree gchar *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint count = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], " huge ") != NULL)
      count++;
  return count;
}

gchar *
guest_host_bridge_of (const gchar *interface)
{
  g_autofree gchar *path = g_build_filename ("/sys/class/net", interface, "master", NULL);
  g_autofree gchar *target = g_file_read_link (path, NULL);

  return target != NULL ? g_path_get_basename (target) : NULL;
}

gboolean
guest_host_tcp_listening (const gchar *address, guint port)
{
  g_autofree gchar *contents = NULL;
  g_auto(GStrv) lines = NULL;
  struct in_addr parsed;
  g_autofree gchar *local = NULL;

  if (inet_pton (AF_INET, address, &parsed) != 1
      || !g_file_get_contents ("/proc/net/tcp", &contents, NULL, NULL))
    return FALSE;
  /* the kernel prints the address as the host-order value of the
   * network-order word, the port in network order, both in hex */
  local = g_strdup_printf ("%08X:%04X", parsed.s_addr, port);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++) {
    g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
    GPtrArray *words = g_ptr_array_new ();
    gboolean match;

    for (guint j = 0; fields[j] != NULL; j++)
      if (*fields[j] != '\0')
        g_ptr_array_add (words, fields[j]);
    /* sl local_address rem_address st: 0A is LISTEN */
    match = words->len > 3 && g_ascii_strcasecmp (g_ptr_array_index (words, 1), local) == 0
            && strcmp (g_ptr_array_index (words, 3), "0A") == 0;
    g_ptr_array_unref (words);
    if (match)
      return TRUE;
  }
  return FALSE;
}
