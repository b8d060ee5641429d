/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-vm.c: vmctl start|stop|destroy NAME...|--all, undefine NAME
 * [--remove-storage|--remove-all-storage] and autostart NAME [--disable]: the commands that
 * change a VM's state. Several names run concurrently through one
 * connection (vmctl_vm_run_many) and end with a summary, one line per VM. */
#include "vmctl-output.h"

#include "vmctl-autocleanups.h"
#include "vmctl-connect.h"
#include "vmctl-lifecycle.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* What one multi-name command does, and the words its summary uses. */
typedef struct {
  const gchar *done_word;     /* "started" */
  const gchar *unchanged;     /* "already running" */
  VmctlVmOperation operation;
} ManyVerb;

typedef struct {
  const gchar * const *names;
  gboolean *changed;          /* one per name; each worker writes its own */
  VmctlStopResult *stops;     /* stop: one per name, likewise */
  gint timeout_seconds;       /* --timeout, checked for < 0 after parsing */
  gboolean force;
  gboolean countdown;         /* stderr is a terminal */
  GMutex countdown_lock;
  gboolean countdown_shown;
  gboolean single_gpu;        /* start --single-gpu (issue 13) */
} ManyRun;

static gboolean *
changed_slot (ManyRun *run, const gchar *name)
{
  for (guint i = 0; run->names[i] != NULL; i++)
    if (strcmp (run->names[i], name) == 0)
      return &run->changed[i];
  g_assert_not_reached ();
}

static gboolean
start_one (virConnectPtr connection, const gchar *name, gpointer user_data, GError **error)
{
  ManyRun *run = user_data;

  if (run->single_gpu && !vmctl_vm_set_single_gpu (connection, name, error))
    return FALSE;
  return vmctl_vm_start (connection, name, changed_slot (user_data, name), error);
}

static gboolean
destroy_one (virConnectPtr connection, const gchar *name, gpointer user_data, GError **error)
{
  return vmctl_vm_destroy (connection, name, changed_slot (user_data, name), error);
}

/* Workers report from their own threads: one line on the terminal,
 * overwritten in place, the latest report winning. */
static void
stop_progress (const gchar *name, guint seconds_left, gpointer user_data)
{
  ManyRun *run = user_data;

  if (!run->countdown)
    return;
  g_mutex_lock (&run->countdown_lock);
  fprintf (stderr, "\r\033[Kvmctl: waiting for %s to shut down: %u s", name, seconds_left);
  fflush (stderr);
  run->countdown_shown = TRUE;
  g_mutex_unlock (&run->countdown_lock);
}

/* the passthrough steps of start and stop, on a terminal: each on its own
 * line, above any countdown (which the next tick redraws) */
static void
passthrough_progress (const gchar *vm, const gchar *line, gpointer user_data)
{
  ManyRun *run = user_data;

  g_mutex_lock (&run->countdown_lock);
  fprintf (stderr, "\r\033[Kvmctl: %s: %s\n", vm, line);
  fflush (stderr);
  g_mutex_unlock (&run->countdown_lock);
}

/* what a start did beyond the VM (a network it started): always on stderr */
static void
print_notice (const gchar *vm, const gchar *line, gpointer user_data)
{
  ManyRun *run = user_data;

  g_mutex_lock (&run->countdown_lock);
  fprintf (stderr, "%svmctl: note: %s: %s\n", run->countdown ? "\r\033[K" : "", vm, line);
  fflush (stderr);
  g_mutex_unlock (&run->countdown_lock);
}

static gboolean
stop_one (virConnectPtr connection, const gchar *name, gpointer user_data, GError **error)
{
  ManyRun *run = user_data;
  gboolean *changed = changed_slot (run, name);
  VmctlStopResult *result = &run->stops[changed - run->changed];

  if (!vmctl_vm_stop_full (connection, name, (guint) run->timeout_seconds, run->force,
                           stop_progress, run, result, error))
    return FALSE;
  *changed = result->changed;
  return TRUE;
}

static const ManyVerb start_verb = { "started", "already running", start_one };
static const ManyVerb stop_verb = { "stopped", "already stopped", stop_one };
static const ManyVerb destroy_verb = { "destroyed", "already stopped", destroy_one };

/* libvirt messages sometimes span lines; a summary line must not. */
static gchar *
one_line (const gchar *message)
{
  g_autoptr(GString) line = g_string_new (message);

  for (gsize i = 0; i < line->len; i++)
    if (line->str[i] == '\n' || line->str[i] == '\r' || line->str[i] == '\t')
      line->str[i] = ' ';
  return g_string_free (g_steal_pointer (&line), FALSE);
}

static gboolean
is_no_vm (const GError *error)
{
  return g_error_matches (error, VMCTL_LIFECYCLE_ERROR, VMCTL_LIFECYCLE_ERROR_NO_VM)
    || g_error_matches (error, VMCTL_VIRT_ERROR, VMCTL_VIRT_ERROR_NO_DOMAIN);
}

static void
print_results_json (const gchar * const *names, const gboolean *changed,
                    const VmctlStopResult *stops, GPtrArray *errors)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "results");
  json_builder_begin_array (builder);
  for (guint i = 0; names[i] != NULL; i++) {
    const GError *failure = g_ptr_array_index (errors, i);

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "name");
    json_builder_add_string_value (builder, names[i]);
    json_builder_set_member_name (builder, "ok");
    json_builder_add_boolean_value (builder, failure == NULL);
    json_builder_set_member_name (builder, "changed");
    json_builder_add_boolean_value (builder, failure == NULL && changed[i]);
    vmctl_json_add_string_or_null (builder, "error", failure != NULL ? failure->message : NULL);
    /* stop: whether the guest had to be powered off, after how long */
    if (stops != NULL && failure == NULL) {
      json_builder_set_member_name (builder, "forced");
      json_builder_add_boolean_value (builder, stops[i].forced);
      json_builder_set_member_name (builder, "waited_seconds");
      json_builder_add_int_value (builder, stops[i].waited_seconds);
    }
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  vmctl_json_print (builder);
}

/* The summary on stdout, and the error that gives the exit status: a lone
 * name fails with its own error (exit 2 when unknown); with several, any
 * failure exits 1, unless every name was unknown (2). */
static gboolean
report_results (VmctlInvocation *invocation, const ManyVerb *verb,
                const gchar * const *names, const gboolean *changed,
                const VmctlStopResult *stops, GPtrArray *errors, GError **error)
{
  guint n_names = g_strv_length ((gchar **) names);
  guint failed = 0;
  guint unknown = 0;

  for (guint i = 0; i < n_names; i++) {
    const GError *failure = g_ptr_array_index (errors, i);

    if (failure != NULL) {
      failed++;
      unknown += is_no_vm (failure);
    }
  }

  if (invocation->options->json) {
    print_results_json (names, changed, stops, errors);
  } else {
    for (guint i = 0; i < n_names; i++) {
      const GError *failure = g_ptr_array_index (errors, i);

      if (failure == NULL && stops != NULL && stops[i].forced) {
        /* done as asked (exit 0), but not the clean shutdown "stopped"
         * means: the guest lost what it had not written */
        g_print ("%s: did not shut down within %u s; powered off\n", names[i],
                 stops[i].waited_seconds);
      } else if (failure == NULL) {
        g_print ("%s: %s\n", names[i], changed[i] ? verb->done_word : verb->unchanged);
      } else if (n_names > 1) {
        g_autofree gchar *message = one_line (failure->message);

        g_print ("%s: failed: %s\n", names[i], message);
      }
    }
  }

  if (failed == 0)
    return TRUE;
  if (n_names == 1) {
    g_propagate_error (error, g_error_copy (g_ptr_array_index (errors, 0)));
    return FALSE;
  }
  if (unknown == n_names) {
    g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_USAGE,
                 "none of the %u VMs named exists", n_names);
    return FALSE;
  }
  g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_FAILED,
               "%u of %u VMs failed", failed, n_names);
  return FALSE;
}

/* Bad usage is reported before anything is opened. */
static gboolean
check_selection (VmctlInvocation *invocation, gboolean all, const ManyRun *run, GError **error)
{
  const gchar *command = invocation->command->name;
  gboolean given = invocation->arguments[1] != NULL;

  if (run->timeout_seconds < 0) {
    g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_USAGE,
                 "%s: --timeout %d: want 0 or more seconds", command, run->timeout_seconds);
    return FALSE;
  }
  if (all && given) {
    g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_USAGE,
                 "%s: give VM names or --all, not both", command);
    return FALSE;
  }
  if (!all && !given) {
    g_set_error (error, VMCTL_CLI_ERROR, VMCTL_CLI_ERROR_USAGE,
                 "%s: missing NAME (usage: vmctl %s NAME...|--all)", command, command);
    return FALSE;
  }
  return TRUE;
}

/* The names given, without repeats (one VM is never worked on twice at
 * once), or every defined VM for --all. */
static gchar **
select_names (VmctlInvocation *invocation, virConnectPtr connection, gboolean all,
              GError **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  gchar **given = invocation->arguments + 1;

  if (all)
    return vmctl_vm_all_names (connection, error);
  for (guint i = 0; given[i] != NULL; i++)
    if (!g_ptr_array_find_with_equal_func (names, given[i], g_str_equal, NULL))
      g_ptr_array_add (names, g_strdup (given[i]));
  g_ptr_array_add (names, NULL);
  return (gchar **) g_ptr_array_steal (names, NULL);
}

static virConnectPtr
connect_for (VmctlInvocation *invocation, const GOptionEntry *entries, const gchar *description,
             gboolean read_only, GError **error)
{
  g_autoptr(VmctlContext) context = NULL;

  if (!vmctl_invocation_start (invocation, entries, description, &context, error))
    return NULL;
  if (invocation->done)
    return NULL;
  return vmctl_connect_open (vmctl_session_get_uri (context->session), read_only, error);
}

static gboolean
run_many (VmctlInvocation *invocation, const ManyVerb *verb, const GOptionEntry *extra,
          const gchar *description, gboolean *all, ManyRun *run, GError **error)
{
  g_autoptr(GArray) entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  const GOptionEntry all_entry = {
    "all", 0, 0, G_OPTION_ARG_NONE, all, "Every VM defined on the connection", NULL
  };
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(VmctlConnect) connection = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree gboolean *changed = NULL;
  g_autofree VmctlStopResult *stops = NULL;
  g_autoptr(GPtrArray) errors = NULL;   /* frees the errors it holds */

  g_array_append_val (entries, all_entry);
  for (guint i = 0; extra != NULL && extra[i].long_name != NULL; i++)
    g_array_append_val (entries, extra[i]);

  if (!vmctl_invocation_parse (invocation, (const GOptionEntry *) entries->data, description,
                               error))
    return FALSE;
  if (invocation->done)
    return TRUE;
  if (!check_selection (invocation, *all, run, error))
    return FALSE;
  context = vmctl_invocation_open_context (invocation, error);
  if (context == NULL)
    return FALSE;
  /* the planned functions: under the host root through sysfs, or on the
   * remote host through libvirt */
  vmctl_lifecycle_set_passthrough (vmctl_session_get_host (context->session), vmctl_session_get_state_dir (context->session),
                                   !vmctl_session_uses_nodedev (context->session));
  connection = vmctl_connect_open (vmctl_session_get_uri (context->session), FALSE, error);
  if (connection == NULL)
    return FALSE;
  names = select_names (invocation, connection, *all, error);
  if (names == NULL)
    return FALSE;

  changed = g_new0 (gboolean, g_strv_length (names) + 1);
  if (verb == &stop_verb)
    stops = g_new0 (VmctlStopResult, g_strv_length (names) + 1);
  run->names = (const gchar * const *) names;
  run->changed = changed;
  run->stops = stops;
  run->countdown = isatty (STDERR_FILENO) && !invocation->options->json;
  g_mutex_init (&run->countdown_lock);
  if (run->countdown)
    vmctl_lifecycle_set_progress (passthrough_progress, run);
  vmctl_lifecycle_set_notice (print_notice, run);
  errors = vmctl_vm_run_many (connection, (const gchar * const *) names, verb->operation, run);
  vmctl_lifecycle_set_notice (NULL, NULL);
  vmctl_lifecycle_set_progress (NULL, NULL);
  if (run->countdown_shown) {
    fputs ("\r\033[K", stderr);
    fflush (stderr);
  }
  g_mutex_clear (&run->countdown_lock);

  return report_results (invocation, verb, (const gchar * const *) names, changed, stops, errors,
                         error);
}

/* the help text of start, stop and destroy: @intro, then what they share */
static gchar *
many_description (const gchar *intro, const gchar *done_word)
{
  return g_strconcat (intro,
                      "NAME...: one or more VMs, worked on at the same time; --all: every VM\n"
                      "defined on the connection. One line per VM says what happened:\n"
                      "  gamer: ", done_word, "\n"
                      "  web: failed: <why>\n"
                      "Exit status 1 when any VM failed, 2 when no VM named exists.", NULL);
}

gboolean
vmctl_cmd_start (VmctlInvocation *invocation, GError **error)
{
  gboolean all = FALSE;
  ManyRun run = { 0 };
  g_autofree gchar *description = many_description ("Boots each VM.\n\n", "started");
  const GOptionEntry entries[] = {
    { "single-gpu", 0, 0, G_OPTION_ARG_NONE, &run.single_gpu,
      "The GPU is the host's only display: stop the display manager, unbind the consoles and "
      "framebuffer, hand it over, and give it all back at stop (kept for later starts)", NULL },
    { NULL },
  };

  return run_many (invocation, &start_verb, entries, description, &all, &run, error);
}

gboolean
vmctl_cmd_stop (VmctlInvocation *invocation, GError **error)
{
  gboolean all = FALSE;
  ManyRun run = { .timeout_seconds = 60 };
  const GOptionEntry entries[] = {
    { "timeout", 0, 0, G_OPTION_ARG_INT, &run.timeout_seconds,
      "Seconds to wait for the guest to shut down (default: 60)", "SEC" },
    { "force", 0, 0, G_OPTION_ARG_NONE, &run.force,
      "Power off a guest still running after the timeout", NULL },
    { NULL },
  };
  g_autofree gchar *description = many_description (
    "Asks each guest to shut down (ACPI), waits up to --timeout seconds (a\n"
    "countdown on a terminal), then powers it off only with --force (the line\n"
    "then says 'did not shut down within N s; powered off', exit 0); a guest\n"
    "still running without --force fails. A VM already shut off is not an error.\n\n",
    "stopped");

  return run_many (invocation, &stop_verb, entries, description, &all, &run, error);
}

gboolean
vmctl_cmd_destroy (VmctlInvocation *invocation, GError **error)
{
  gboolean all = FALSE;
  ManyRun run = { 0 };
  g_autofree gchar *description = many_description (
    "Powers each VM off at once, like pulling the plug; the guest gets no\n"
    "chance to shut down. Use stop for a clean shutdown.\n\n", "destroyed");

  return run_many (invocation, &destroy_verb, NULL, description, &all, &run, error);
}

static void
print_done_json (const gchar *name, const gchar *member, gboolean value)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, member);
  json_builder_add_boolean_value (builder, value);
  json_builder_end_object (builder);
  vmctl_json_print (builder);
}

static void
print_undefine_json (const gchar *name, const VmctlUndefineReport *report)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "undefined");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "removed");
  json_builder_begin_array (builder);
  for (guint i = 0; i < report->removed->len; i++)
    json_builder_add_string_value (builder,
                                   ((VmctlStorageOutcome *) g_ptr_array_index (report->removed, i))->path);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "kept");
  json_builder_begin_array (builder);
  for (guint i = 0; i < report->kept->len; i++) {
    const VmctlStorageOutcome *kept = g_ptr_array_index (report->kept, i);

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "path");
    json_builder_add_string_value (builder, kept->path);
    json_builder_set_member_name (builder, "reason");
    json_builder_add_string_value (builder, kept->reason);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  vmctl_json_print (builder);
}

gboolean
vmctl_cmd_undefine (VmctlInvocation *invocation, GError **error)
{
  gboolean remove_storage = FALSE;
  gboolean remove_all_storage = FALSE;
  const GOptionEntry entries[] = {
    { "remove-storage", 0, 0, G_OPTION_ARG_NONE, &remove_storage,
      "Also delete the volumes vmctl created for the VM", NULL },
    { "remove-all-storage", 0, 0, G_OPTION_ARG_NONE, &remove_all_storage,
      "Also delete the VM's other disk images and volumes (never a cdrom or a block device)",
      NULL },
    { NULL },
  };
  g_autoptr(VmctlConnect) connection = NULL;
  g_autoptr(VmctlUndefineReport) report = NULL;
  VmctlUndefineStorage storage = VMCTL_UNDEFINE_KEEP_STORAGE;
  const gchar *name;

  connection = connect_for (invocation, entries,
                            "Removes the definition of a shut-off VM and its UEFI variables (NVRAM).\n"
                            "Disks stay unless asked: --remove-storage deletes the volumes vmctl\n"
                            "created for the VM (create --disk size=), --remove-all-storage its other\n"
                            "disk images too. A disk another VM uses is never deleted: the command is\n"
                            "refused, naming that VM, before anything changes. Every disk removed or\n"
                            "kept is listed, with why. A running VM is refused: stop or destroy it\n"
                            "first.",
                            FALSE, error);
  if (connection == NULL)
    return invocation->done;
  name = invocation->arguments[1];
  if (remove_all_storage)
    storage = VMCTL_UNDEFINE_REMOVE_ALL;
  else if (remove_storage)
    storage = VMCTL_UNDEFINE_REMOVE_CREATED;
  if (!vmctl_vm_undefine (connection, name, storage, &report, error))
    return FALSE;
  if (invocation->options->json) {
    print_undefine_json (name, report);
    return TRUE;
  }
  g_print ("%s: undefined\n", name);
  for (guint i = 0; i < report->removed->len; i++)
    g_print ("%s: removed %s\n", name,
             ((VmctlStorageOutcome *) g_ptr_array_index (report->removed, i))->path);
  for (guint i = 0; i < report->kept->len; i++) {
    const VmctlStorageOutcome *kept = g_ptr_array_index (report->kept, i);

    g_print ("%s: kept %s: %s\n", name, kept->path, kept->reason);
  }
  return TRUE;
}

gboolean
vmctl_cmd_autostart (VmctlInvocation *invocation, GError **error)
{
  gboolean disable = FALSE;
  const GOptionEntry entries[] = {
    { "disable", 0, 0, G_OPTION_ARG_NONE, &disable,
      "Do not start the VM when the host boots", NULL },
    { NULL },
  };
  g_autoptr(VmctlConnect) connection = NULL;
  const gchar *name;

  connection = connect_for (invocation, entries,
                            "Starts the VM whenever libvirt starts (host boot), or stops doing so\n"
                            "with --disable.",
                            FALSE, error);
  if (connection == NULL)
    return invocation->done;
  name = invocation->arguments[1];
  if (!vmctl_vm_set_autostart (connection, name, !disable, error))
    return FALSE;
  if (invocation->options->json)
    print_done_json (name, "autostart", !disable);
  else
    g_print ("%s: autostart %s\n", name, disable ? "disabled" : "enabled");
  return TRUE;
}
