/* SPDX-License-Identifier: GPL-2.0-or-later */
/* peak-rss.c: run a command, print "SECONDS KIB" (wall time, peak resident
 * set) to stderr. Linux carries a process's peak RSS across exec, so a child
 * forked from a big parent (Python) would report the parent's size: this
 * launcher is small enough that the command's own peak always dominates. */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  struct timespec start, end;
  struct rusage usage;
  int status;
  pid_t pid;

  if (argc < 2) {
    fprintf (stderr, "usage: peak-rss COMMAND [ARG...]\n");
    return 2;
  }
  clock_gettime (CLOCK_MONOTONIC, &start);
  pid = fork ();
  if (pid == 0) {
    execvp (argv[1], argv + 1);
    _exit (127);
  }
  if (pid < 0 || wait4 (pid, &status, 0, &usage) < 0)
    return 2;
  clock_gettime (CLOCK_MONOTONIC, &end);
  fprintf (stderr, "%.6f %ld\n",
           (double) (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9,
           usage.ru_maxrss);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 1;
}
