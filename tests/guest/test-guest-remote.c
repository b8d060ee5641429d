/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-guest-remote.c: vmctl over a real remote connection. The test
 * starts an sshd on 127.0.0.1 (a free port, a host key and a client key
 * made for this run, root login by key only), and drives vmctl with
 *   -c 'qemu+ssh://root@127.0.0.1:PORT/system?keyfile=KEY&no_verify=1&command=SSH'
 * through host check, gpu list, create, start, info, destroy, undefine.
 * libvirt's client runs ssh, which runs virt-ssh-helper (or nc) on the
 * "remote" side to reach libvirtd's socket: the whole remote path, only
 * the network is the loopback. SSH is a wrapper that keeps the host keys
 * of these throwaway servers out of root's ~/.ssh/known_hosts.
 *
 * The sshd and the VM are removed on every path: the parent starts sshd
 * and runs the body in a subprocess, then destroys and undefines the VM
 * and stops sshd, whatever the body did. */
#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-host.h"
#include "guest-util.h"

typedef struct {
  const gchar *local_uri;
  gchar *name;
  gchar *directory;
  GPid sshd;      /* the parent's */
  guint port;
} RemoteFixture;

static void
run_checked (const gchar * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *err = NULL;
  gint status = 0;

  if (!g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    g_error ("%s: %s\n%s", argv[0], error->message, err != NULL ? err : "");
}

/* A port nobody listens on now; sshd binds it a moment later. */
static guint
free_port (void)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = 0 };
  socklen_t length = sizeof address;
  gint fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  guint port;

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &address, &length), ==, 0);
  port = ntohs (address.sin_port);
  close (fd);
  return port;
}

static gchar *
path_in (RemoteFixture *fixture, const gchar *name)
{
  return g_build_filename (fixture->directory, name, NULL);
}

/* Keys, config and the ssh wrapper; returns sshd's port once it listens. */
static guint
start_sshd (RemoteFixture *fixture)
{
  g_autofree gchar *host_key = path_in (fixture, "host_key");
  g_autofree gchar *client_key = path_in (fixture, "client_key");
  g_autofree gchar *client_public = path_in (fixture, "client_key.pub");
  g_autofree gchar *authorized = path_in (fixture, "authorized_keys");
  g_autofree gchar *config = path_in (fixture, "sshd_config");
  g_autofree gchar *known_hosts = path_in (fixture, "known_hosts");
  g_autofree gchar *wrapper = path_in (fixture, "ssh");
  g_autofree gchar *log = path_in (fixture, "sshd.log");
  /* the next run stops this sshd by its pid file if this one is killed
   * (guest-sweep.c) */
  g_autofree gchar *pid_file = path_in (fixture, "sshd.pid");
  g_autofree gchar *public_key = NULL;
  g_autofree gchar *config_text = NULL;
  g_autofree gchar *wrapper_text = NULL;
  g_autoptr(GError) error = NULL;
  guint port = free_port ();
  gint64 deadline;

  run_checked ((const gchar *[]) { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", host_key,
                                   NULL });
  run_checked ((const gchar *[]) { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", client_key,
                                   NULL });
  g_assert_true (g_file_get_contents (client_public, &public_key, NULL, NULL));
  g_assert_true (g_file_set_contents (authorized, public_key, -1, NULL));
  /* StrictModes off: the files live in a temporary directory, not ~/.ssh */
  config_text = g_strdup_printf ("ListenAddress 127.0.0.1\nPort %u\nHostKey %s\nPidFile %s\n"
                                 "AuthorizedKeysFile %s\nPermitRootLogin prohibit-password\n"
                                 "PubkeyAuthentication yes\nPasswordAuthentication no\n"
                                 "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
                                 "LogLevel VERBOSE\n",
                                 port, host_key, pid_file, authorized);
  g_assert_true (g_file_set_contents (config, config_text, -1, NULL));
  wrapper_text = g_strdup_printf ("#!/bin/sh\nexec ssh -o UserKnownHostsFile=%s "
                                  "-o GlobalKnownHostsFile=/dev/null \"$@\"\n", known_hosts);
  g_assert_true (g_file_set_contents (wrapper, wrapper_text, -1, NULL));
  g_assert_cmpint (g_chmod (wrapper, 0755), ==, 0);
  /* sshd refuses to start without its privilege separation directory,
   * which the package's service would have made */
  g_mkdir_with_parents ("/run/sshd", 0755);
  {
    const gchar *argv[] = { "/usr/sbin/sshd", "-D", "-f", config, "-E", log, NULL };

    if (!g_spawn_async (NULL, (gchar **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                        &fixture->sshd, &error))
      g_error ("cannot start /usr/sbin/sshd (openssh-server, see install-deps.sh): %s",
               error->message);
  }
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!guest_host_tcp_listening ("127.0.0.1", port)) {
    g_autofree gchar *text = NULL;

    if (g_get_monotonic_time () > deadline) {
      g_file_get_contents (log, &text, NULL, NULL);
      g_error ("sshd does not listen on 127.0.0.1:%u after 10 s:\n%s", port, text);
    }
    g_usleep (G_USEC_PER_SEC / 10);
  }
  return port;
}

static void
stop_sshd (RemoteFixture *fixture)
{
  if (fixture->sshd == 0)
    return;
  kill (fixture->sshd, SIGTERM);
  waitpid (fixture->sshd, NULL, 0);
  g_spawn_close_pid (fixture->sshd);
  fixture->sshd = 0;
}

static void
remote_setup (RemoteFixture *fixture, gconstpointer data)
{
  fixture->local_uri = guest_util_uri ();
  fixture->name = guest_util_vm_name ("remote");
  if (fixture->local_uri == NULL)
    return;  /* skipped */
  if (!g_test_subprocess ()) {
    g_autofree gchar *port = NULL;

    fixture->directory = guest_util_make_workdir ("remote");
    g_setenv ("VMCTL_GUEST_WORKDIR", fixture->directory, TRUE);
    fixture->port = start_sshd (fixture);
    port = g_strdup_printf ("%u", fixture->port);
    g_setenv ("VMCTL_GUEST_SSH_PORT", port, TRUE);
    return;
  }
  fixture->directory = g_strdup (g_getenv ("VMCTL_GUEST_WORKDIR"));
  fixture->port = (guint) g_ascii_strtoull (g_getenv ("VMCTL_GUEST_SSH_PORT"), NULL, 10);
}

static void
remote_teardown (RemoteFixture *fixture, gconstpointer data)
{
  if (!g_test_subprocess ()) {
    stop_sshd (fixture);
    if (fixture->directory != NULL)
      guest_util_remove_tree (fixture->directory);
  }
  g_free (fixture->name);
  g_free (fixture->directory);
}

static JsonObject *
parse_object (const gchar *text, JsonParser *parser)
{
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, text, -1, &error))
    g_error ("not JSON (%s):\n%s", error->message, text);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

static void
run_remote (RemoteFixture *fixture)
{
  guint port = fixture->port;
  g_autofree gchar *key = path_in (fixture, "client_key");
  g_autofree gchar *wrapper = path_in (fixture, "ssh");
  g_autofree gchar *uri = g_strdup_printf ("qemu+ssh://root@127.0.0.1:%u/system?keyfile=%s"
                                           "&no_verify=1&command=%s", port, key, wrapper);
  g_autofree gchar *started = g_strdup_printf ("%s: started\n", fixture->name);
  g_autofree gchar *destroyed = g_strdup_printf ("%s: destroyed\n", fixture->name);

  g_print ("# remote URI: %s\n", uri);
  {
    /* the libvirt connection check names the remote URI and reaches the
     * daemon through ssh; whatever else this host lacks is not at issue */
    g_autoptr(VmctlTestRun) check = GUEST_VMCTL (uri, "host", "check", "--json");
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *object;
    JsonArray *checks;
    gboolean connected = FALSE;

    g_assert_cmpint (check->exit_status, !=, 2);
    object = parse_object (check->out, parser);
    checks = json_object_get_array_member (object, "checks");
    for (guint i = 0; checks != NULL && i < json_array_get_length (checks); i++) {
      JsonObject *each = json_array_get_object_element (checks, i);

      if (g_strcmp0 (json_object_get_string_member (each, "id"), "libvirt.connection") == 0) {
        g_print ("# host check over ssh: %s %s\n", json_object_get_string_member (each, "status"),
                 json_object_get_string_member (each, "message"));
        connected = g_strcmp0 (json_object_get_string_member (each, "status"), "pass") == 0;
      }
    }
    if (!connected)
      g_error ("host check over %s did not reach libvirtd:\n%s\n%s", uri, check->out, check->err);
  }
  {
    /* the inventory comes from the remote host's node devices */
    g_autoptr(VmctlTestRun) gpus = GUEST_VMCTL (uri, "gpu", "list", "--json");

    guest_util_assert_exit (gpus, 0, "gpu list over ssh");
    g_print ("# gpu list over ssh: %s", gpus->out);
  }
  {
    g_autoptr(VmctlTestRun) create = GUEST_VMCTL (uri, "create", fixture->name, "--profile",
                                                  "minimal", "--firmware", "bios", "--virt-type",
                                                  "qemu", "--network", "none", "--cdrom",
                                                  guest_util_iso ());

    guest_util_assert_exit (create, 0, "create over ssh");
  }
  {
    g_autoptr(VmctlTestRun) start = GUEST_VMCTL (uri, "start", fixture->name);

    guest_util_assert_exit (start, 0, "start over ssh");
    g_assert_cmpstr (start->out, ==, started);
  }
  {
    g_autoptr(VmctlTestRun) info = GUEST_VMCTL (uri, "info", fixture->name, "--json");
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *object;

    guest_util_assert_exit (info, 0, "info over ssh");
    object = parse_object (info->out, parser);
    g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, fixture->name);
    g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "running");
  }
  {
    /* and the local daemon agrees: it is the same libvirtd */
    g_autoptr(VmctlTestRun) local = GUEST_VMCTL (fixture->local_uri, "info", fixture->name,
                                                 "--json");
    g_autoptr(JsonParser) parser = json_parser_new ();

    guest_util_assert_exit (local, 0, "info on the local URI");
    g_assert_cmpstr (json_object_get_string_member (parse_object (local->out, parser), "state"),
                     ==, "running");
  }
  {
    g_autoptr(VmctlTestRun) destroy = GUEST_VMCTL (uri, "destroy", fixture->name);

    guest_util_assert_exit (destroy, 0, "destroy over ssh");
    g_assert_cmpstr (destroy->out, ==, destroyed);
  }
  {
    g_autoptr(VmctlTestRun) undefine = GUEST_VMCTL (uri, "undefine", fixture->name);
    g_autoptr(VmctlTestRun) gone = GUEST_VMCTL (fixture->local_uri, "info", fixture->name);

    guest_util_assert_exit (undefine, 0, "undefine over ssh");
    /* an unknown VM is bad input: exit 2 */
    g_assert_cmpint (gone->exit_status, ==, 2);
  }
}

static void
test_remote (RemoteFixture *fixture, gconstpointer data)
{
  if (fixture->local_uri == NULL)
    return;
  if (!g_test_subprocess ()) {
    guest_util_require_guest ();
    g_test_trap_subprocess (NULL, 300 * G_USEC_PER_SEC,
                            G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
    guest_util_remove_vm (fixture->local_uri, fixture->name);
    g_test_trap_assert_passed ();
    return;
  }
  run_remote (fixture);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  guest_util_init ();
  g_test_add ("/vmctl/guest/remote/ssh", RemoteFixture, NULL, remote_setup, test_remote,
              remote_teardown);
  return g_test_run ();
}
