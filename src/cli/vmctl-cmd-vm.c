/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmctl-cmd-vm.c: vmctl start|stop|destroy NAME...|--all, undefine NAME
 * [--remove-storage|--remove-all-storage] and autostart NAME [--disable]:
 * the commands that change a VM's state, one library call each
 * (vmctl-session-vm.h). Several names run concurrently in the library and
 * end here with a summary, one line per VM. */
#include "vmctl-output.h"

#include "vmctl-error.h"
#include "vmctl-session-vm.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* What one multi-name command is called in its summary. */
typedef enum {
  VERB_START,
  VERB_STOP,
  VERB_DESTROY,
} Verb;

typedef struct {
  const gchar *done_word;     /* "started" */
  const gchar *unchanged;     /* "already running" */
} VerbWords;

static const VerbWords verb_words[] = {
  [VERB_START] = { "started", "already running" },
  [VERB_STOP] = { "stopped", "already stopped" },
  [VERB_DESTROY] = { "destroyed", "already stopped" },
};

typedef struct {
  gint timeout_seconds;       /* --timeout, checked for < 0 after parsing */
  gboolean force;
  gboolean countdown;         /* stderr is a terminal */
  GMutex countdown_lock;
  gboolean countdown_shown;
  gboolean single_gpu;        /* start --single-gpu (issue 13) */
} ManyRun;

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
  fprintf (stderr, "%svmctl: note: %s%s%s\n", run->countdown ? "\r\033[K" : "",
           vm != NULL ? vm : "", vm != NULL ? ": " : "", line);
  fflush (stderr);
  g_mutex_unlock (&run->countdown_lock);
}

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

static void
print_results_json (Verb verb, GPtrArray *results)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "results");
  json_builder_begin_array (builder);
  for (guint i = 0; i < results->len; i++) {
    const VmctlVmResult *result = g_ptr_array_index (results, i);
    const GError *failure = result->error;

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "name");
    json_builder_add_string_value (builder, result->name);
    json_builder_set_member_name (builder, "ok");
    json_builder_add_boolean_value (builder, failure == NULL);
    json_builder_set_member_name (builder, "changed");
    json_builder_add_boolean_value (builder, failure == NULL && result->changed);
    vmctl_json_add_string_or_null (builder, "error", failure != NULL ? failure->message : NULL);
    /* stop: whether the guest had to be powered off, after how long */
    if (verb == VERB_STOP && failure == NULL) {
      json_builder_set_member_name (builder, "forced");
      json_builder_add_boolean_value (builder, result->forced);
      json_builder_set_member_name (builder, "waited_seconds");
      json_builder_add_int_value (builder, result->waited_seconds);
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
report_results (VmctlInvocation *invocation, Verb verb, GPtrArray *results, GError **error)
{
  guint n_names = results->len;
  guint failed = 0;
  guint unknown = 0;

  for (guint i = 0; i < n_names; i++) {
    const GError *failure = ((VmctlVmResult *) g_ptr_array_index (results, i))->error;

    if (failure != NULL) {
      failed++;
      unknown += g_error_matches (failure, VMCTL_ERROR, VMCTL_ERROR_NOT_FOUND);
    }
  }

  if (invocation->options->json) {
    print_results_json (verb, results);
  } else {
    for (guint i = 0; i < n_names; i++) {
      const VmctlVmResult *result = g_ptr_array_index (results, i);

      if (result->error == NULL && result->forced) {
        /* done as asked (exit 0), but not the clean shutdown "stopped"
         * means: the guest lost what it had not written */
        g_print ("%s: did not shut down within %u s; powered off\n", result->name,
                 result->waited_seconds);
      } else if (result->error == NULL) {
        g_print ("%s: %s\n", result->name,
                 result->changed ? verb_words[verb].done_word : verb_words[verb].unchanged);
      } else if (n_names > 1) {
        g_autofree gchar *message = one_line (result->error->message);

        g_print ("%s: failed: %s\n", result->name, message);
      }
    }
  }

  if (failed == 0)
    return TRUE;
  if (n_names == 1) {
    g_propagate_error (error, g_error_copy (((VmctlVmResult *) g_ptr_array_index (results, 0))->error));
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

static gboolean
run_many (VmctlInvocation *invocation, Verb verb, const GOptionEntry *extra,
          const gchar *description, gboolean *all, ManyRun *run, GError **error)
{
  g_autoptr(GArray) entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  const GOptionEntry all_entry = {
    "all", 0, 0, G_OPTION_ARG_NONE, all, "Every VM defined on the connection", NULL
  };
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(GPtrArray) results = NULL;
  const gchar * const *names;

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

  run->countdown = isatty (STDERR_FILENO) && !invocation->options->json;
  g_mutex_init (&run->countdown_lock);
  if (run->countdown)
    vmctl_session_set_progress_func (context->session, passthrough_progress, run);
  vmctl_session_set_note_func (context->session, print_notice, run);
  names = *all ? NULL : (const gchar * const *) invocation->arguments + 1;
  switch (verb) {
  case VERB_START:
    results = vmctl_session_start_full (context->session, names,
                                        run->single_gpu ? VMCTL_START_SINGLE_GPU
                                                        : VMCTL_START_FLAGS_NONE,
                                        error);
    break;
  case VERB_STOP:
    results = vmctl_session_stop (context->session, names, (guint) run->timeout_seconds,
                                  run->force, stop_progress, run, error);
    break;
  case VERB_DESTROY:
  default:
    results = vmctl_session_destroy (context->session, names, error);
    break;
  }
  if (run->countdown_shown) {
    fputs ("\r\033[K", stderr);
    fflush (stderr);
  }
  g_mutex_clear (&run->countdown_lock);
  if (results == NULL)
    return FALSE;
  return report_results (invocation, verb, results, error);
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

  return run_many (invocation, VERB_START, entries, description, &all, &run, error);
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

  return run_many (invocation, VERB_STOP, entries, description, &all, &run, error);
}

gboolean
vmctl_cmd_destroy (VmctlInvocation *invocation, GError **error)
{
  gboolean all = FALSE;
  ManyRun run = { 0 };
  g_autofree gchar *description = many_description (
    "Powers each VM off at once, like pulling the plug; the guest gets no\n"
    "chance to shut down. Use stop for a clean shutdown.\n\n", "destroyed");

  return run_many (invocation, VERB_DESTROY, NULL, description, &all, &run, error);
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

static const gchar undefine_description[] =
  "Removes the definition of a shut-off VM and its UEFI variables (NVRAM).\n"
  "Disks stay unless asked: --remove-storage deletes the volumes vmctl\n"
  "created for the VM (create --disk size=), --remove-all-storage its other\n"
  "disk images too. A disk another VM uses is never deleted: the command is\n"
  "refused, naming that VM, before anything changes. Every disk removed or\n"
  "kept is listed, with why. A running VM is refused: stop or destroy it\n"
  "first.";

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
  g_autoptr(VmctlContext) context = NULL;
  g_autoptr(VmctlUndefineReport) report = NULL;
  VmctlUndefineStorage storage = VMCTL_UNDEFINE_KEEP_STORAGE;
  const gchar *name;

  if (!vmctl_invocation_start (invocation, entries,
                               undefine_description, &context, error))
    return FALSE;
  if (context == NULL)
    return TRUE;  /* --help was printed */
  name = invocation->arguments[1];
  if (remove_all_storage)
    storage = VMCTL_UNDEFINE_REMOVE_ALL;
  else if (remove_storage)
    storage = VMCTL_UNDEFINE_REMOVE_CREATED;
  report = vmctl_session_undefine (context->session, name, storage, error);
  if (report == NULL)
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
  g_autoptr(VmctlContext) context = NULL;
  const gchar *name;

  if (!vmctl_invocation_start (invocation, entries,
                               "Starts the VM whenever libvirt starts (host boot), or stops doing so\n"
                               "with --disable.",
                               &context, error))
    return FALSE;
  if (context == NULL)
    return TRUE;  /* --help was printed */
  name = invocation->arguments[1];
  if (!vmctl_session_set_autostart (context->session, name, !disable, error))
    return FALSE;
  if (invocation->options->json)
    print_done_json (name, "autostart", !disable);
  else
    g_print ("%s: autostart %s\n", name, disable ? "disabled" : "enabled");
  return TRUE;
}
