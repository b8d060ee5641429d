#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-all.sh: every test vmctl has, the way CI runs them:
#   1. install missing dependencies (a no-op when all are there) and start
#      (or find) a real libvirtd for the end-to-end suite,
#   2. build with -Werror and run unit, integration and e2e suites,
#   3. boot real guests (suite 'guest', tests/guest/): every profile, BIOS
#      and UEFI, hugepages, pinning, stop and forced stop, each guest's
#      report compared with its domain XML; and vmctl over qemu+ssh:// to
#      an sshd on 127.0.0.1. Two guests at a time, a few minutes,
#   4. build again with AddressSanitizer + UndefinedBehaviorSanitizer and
#      run the suites of step 2,
#   5. build the libFuzzer harnesses with clang (-Dfuzzing=true) and run
#      each for FUZZ_SECONDS (default 20) from its committed seeds,
#   6. run the CLI under valgrind on every fixture host (what the
#      sanitizers cannot see inside libxml2, GLib and libvirt),
#   7. install into a scratch DESTDIR and build a program against the
#      installed libvmctl with pkg-config,
#   8. build the Debian packages in a scratch copy, install them, smoke
#      test them and purge them again (tests/package-check.sh),
#   9. print one closing line "N passed, N failed" (TAP test cases).
# Exit status 0 only when nothing failed.
set -eu
cd "$(dirname "$0")/.."

contrib/scripts/install-deps.sh
contrib/scripts/setup-libvirt.sh
export VMCTL_E2E_URI=qemu:///system
export VMCTL_E2E_REQUIRED=1

configure() {
  dir=$1
  shift
  if [ -f "$dir/build.ninja" ]; then
    meson configure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
}

status=0

echo "== build (-Werror)"
configure build -Dwerror=true
ninja -C build
echo "== tests"
meson test -C build --print-errorlogs --num-processes 2 || status=1
# the 'guest' setup is the only one that includes the suite (the default
# leaves its minutes out of every other 'meson test'); its log is
# testlog-guest.json, and BUILD/meson-logs/guest-claims/ has one table of
# XML claims against what each guest saw
echo "== real guests"
meson test -C build --setup guest --suite guest --print-errorlogs --num-processes 2 || status=1

echo "== build (ASan + UBSan)"
configure build-sanitize -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
  -Dbuildtype=debug
ninja -C build-sanitize
echo "== tests under sanitizers"
# ASan and UBSan make the CLI-driving tests several times slower (the
# agreement tests run ~200 commands): the time limits grow with them.
# LeakSanitizer: libvirt and libpci keep a few process-lifetime allocations;
# the suppressions name them so a leak of vmctl's own still fails the run.
# fast_unwind_on_malloc=0: Debian's GLib has no frame pointers, and without
# full stacks no suppression could name the library that leaked.
# intercept_tls_get_addr=0: with GCC 12's libasan on glibc 2.36 the tracked
# dynamic TLS of the dlopen()ed libvirt stack gets a bogus range (DTLS at
# 0x80), and LeakSanitizer's exit-time scan then crashes ("Tracer caught
# signal 11") in a vmctl that did nothing wrong; heap leaks are still found.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:fast_unwind_on_malloc=0:intercept_tls_get_addr=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
LSAN_OPTIONS=suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0 \
  meson test -C build-sanitize --print-errorlogs --num-processes 2 --timeout-multiplier 4 || status=1

echo "== fuzzing (clang, libFuzzer + ASan + UBSan, ${FUZZ_SECONDS:-20} s per harness)"
started=$(date +%s)
if [ -f build-fuzz/build.ninja ]; then
  meson configure build-fuzz -Dfuzzing=true >/dev/null
else
  CC=clang meson setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined \
    -Db_lundef=false >/dev/null
fi
ninja -C build-fuzz fuzzers
tests/fuzz/run.sh build-fuzz "${FUZZ_SECONDS:-20}" > build-fuzz/fuzz.tap || status=1
cat build-fuzz/fuzz.tap
echo "(fuzzing took $(($(date +%s) - started)) s)"

echo "== valgrind (memcheck over the CLI on every fixture host)"
started=$(date +%s)
tests/valgrind/run.sh build > build/valgrind.tap || status=1
cat build/valgrind.tap
echo "(valgrind took $(($(date +%s) - started)) s)"

echo "== installed library (pkg-config consumer, installed demo host)"
tests/install-check.sh build > build/install-check.tap || status=1
cat build/install-check.tap

echo "== Debian packages (build, lintian, install, smoke test, purge)"
# nocheck: the unit suite the package build would run (dh_auto_test) ran
# above already, on the same sources; building twice is enough
DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-nocheck} \
  tests/package-check.sh build/package-check > build/package-check.tap || status=1
cat build/package-check.tap

python3 tests/summarize-tests.py build/meson-logs/testlog.json \
  build/meson-logs/testlog-guest.json \
  build-sanitize/meson-logs/testlog.json --tap build/install-check.tap \
  --tap build-fuzz/fuzz.tap --tap build/valgrind.tap --tap build/package-check.tap || status=1
exit $status
