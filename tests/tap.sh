# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tap.sh: TAP helpers for the shell tests, to be sourced.
#   tap_check DESCRIPTION COMMAND...   ok when COMMAND succeeds (its output
#                                      is shown as diagnostics when not)
#   tap_expect DESCRIPTION GOT WANTED  ok when the two strings are equal
#   tap_skip DESCRIPTION REASON
#   tap_done                           the plan line; exit 1 on any failure
# The test sets $tap_dir to a scratch directory first.

tap_count=0
tap_failed=0

tap_ok() {
  tap_count=$((tap_count + 1))
  printf 'ok %d - %s\n' "$tap_count" "$1"
}

tap_not_ok() {
  tap_count=$((tap_count + 1))
  tap_failed=1
  printf 'not ok %d - %s\n' "$tap_count" "$1"
}

# shellcheck disable=SC2154 # tap_dir is the sourcing test's
tap_check() {
  tap_description=$1
  shift
  if "$@" >"$tap_dir/tap.out" 2>&1; then
    tap_ok "$tap_description"
  else
    tap_not_ok "$tap_description"
    sed 's/^/# /' "$tap_dir/tap.out"
  fi
}

tap_expect() {
  if [ "$2" = "$3" ]; then
    tap_ok "$1"
  else
    tap_not_ok "$1"
    printf '#   got:    %s\n#   wanted: %s\n' "$2" "$3"
  fi
}

tap_skip() {
  tap_count=$((tap_count + 1))
  printf 'ok %d - %s # SKIP %s\n' "$tap_count" "$1" "$2"
}

tap_done() {
  printf '1..%d\n' "$tap_count"
  exit "$tap_failed"
}
