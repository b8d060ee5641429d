#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark: VM lifecycle on a real libvirtd (qemu:///system), vmctl against
virsh doing the same work.

  1. one defined minimal VM: `vmctl start` + `vmctl destroy` against
     `virsh start` + `virsh destroy`; ratio of the medians (vmctl / virsh,
     the target is <= 1.05)
  2. 8 running VMs: one `vmctl destroy N1 ... N8` (concurrent through one
     connection) against 8 sequential `virsh destroy N` processes; speed-up
     (virsh / vmctl, the target is >= 5)
  3. 200 defined VMs: `vmctl list --all --json` against `virsh list --all`;
     ratio (vmctl / virsh)
  4. time from `vmctl start` to the guest's first console line against
     `virsh start` of the same domain (the XML `vmctl create` made for the
     test guest of tests/guest/build-guest.sh, timed on the serial log
     libvirt keeps for vmctl's console); ratio of the medians (vmctl / virsh, the target is <= 1.05)

The 8 VMs are named explicitly: `vmctl destroy --all` would also stop every
other VM on the daemon. Guests are SeaBIOS under TCG without disks (they
boot anywhere and sit at the BIOS). Every VM it defines is named
"vmctl-bench-PID-..." and removed at the end, also after a failure.

Usage: tests/bench/bench-lifecycle.py [BUILD_DIR]     (default: build)
Environment: R (timed runs, default 9), URI (default qemu:///system).
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
R = int(os.environ.get('R', '9'))
URI = os.environ.get('URI', 'qemu:///system')
PREFIX = f"vmctl-bench-{os.getpid()}"
# the build tree's vmctl reads the tree's data and templates, never an
# installed copy that may be older
ENV = dict(os.environ, VMCTL_DATA_DIR=os.path.join(REPO, 'data'),
           VMCTL_TEMPLATE_DIR=os.path.join(REPO, 'xml-templates'))
CONSOLE_TIMEOUT = 120


def die(message):
    print(f"bench-lifecycle: {message}", file=sys.stderr)
    sys.exit(1)


def run(argv, check=True):
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=ENV)
    if check and result.returncode != 0:
        die(f"{' '.join(argv)} exited {result.returncode}: {result.stderr.strip()}")
    return result


def timed(argv):
    start = time.perf_counter()
    run(argv)
    return time.perf_counter() - start


def virsh_batch(commands):
    """Several virsh commands in one process (one connection): set-up only."""
    if commands:
        run(['virsh', '-q', '-c', URI, '; '.join(commands)], check=False)


def domain_xml(name):
    # what `vmctl create --profile minimal --virt-type qemu --firmware bios
    # --network none` makes, trimmed to what libvirt needs: the list
    # benchmark defines 200 of these, and defining is not what it measures
    return (f"<domain type='qemu'><name>{name}</name><memory unit='MiB'>128</memory>"
            "<vcpu>1</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os>"
            "<devices><memballoon model='none'/></devices></domain>")


def define_plain(names):
    with tempfile.TemporaryDirectory() as directory:
        commands = []
        for name in names:
            path = os.path.join(directory, name + '.xml')
            with open(path, 'w') as f:
                f.write(domain_xml(name))
            commands.append(f"define {path}")
        # virsh's command line has no length limit worth worrying about at
        # 200, but keep batches small enough to read in an error
        for i in range(0, len(commands), 50):
            virsh_batch(commands[i:i + 50])


def cleanup():
    listed = run(['virsh', '-q', '-c', URI, 'list', '--all', '--name'], check=False)
    ours = [n for n in listed.stdout.split() if n.startswith(PREFIX)]
    commands = []
    for name in ours:
        commands.append(f"destroy {name}")
        commands.append(f"undefine {name} --nvram")
    for i in range(0, len(commands), 100):
        virsh_batch(commands[i:i + 100])


def median_ms(values):
    return statistics.median(values) * 1000


def bench_one(vmctl):
    name = f"{PREFIX}-one"
    run([vmctl, '-c', URI, 'create', name, '--profile', 'minimal', '--virt-type', 'qemu',
         '--firmware', 'bios', '--network', 'none'])
    ours, theirs = [], []
    for _ in range(R):
        ours.append(timed([vmctl, '-c', URI, 'start', name])
                    + timed([vmctl, '-c', URI, 'destroy', name]))
        theirs.append(timed(['virsh', '-q', '-c', URI, 'start', name])
                      + timed(['virsh', '-q', '-c', URI, 'destroy', name]))
    a, b = median_ms(ours), median_ms(theirs)
    print(f"1. start+destroy, one VM:   vmctl {a:7.1f} ms   virsh {b:7.1f} ms   "
          f"ratio vmctl/virsh {a / b:.2f}")


def bench_eight(vmctl):
    names = [f"{PREFIX}-many-{i}" for i in range(8)]
    define_plain(names)
    runs = max(3, R // 2)
    ours, theirs = [], []
    for _ in range(runs):
        virsh_batch([f"start {n}" for n in names])
        ours.append(timed([vmctl, '-c', URI, 'destroy'] + names))
        virsh_batch([f"start {n}" for n in names])
        start = time.perf_counter()
        for n in names:
            run(['virsh', '-q', '-c', URI, 'destroy', n])
        theirs.append(time.perf_counter() - start)
    a, b = median_ms(ours), median_ms(theirs)
    print(f"2. destroy 8 running VMs:   vmctl {a:7.1f} ms   virsh {b:7.1f} ms   "
          f"speed-up virsh/vmctl {b / a:.1f}x")


def bench_list(vmctl):
    names = [f"{PREFIX}-list-{i:03d}" for i in range(200)]
    define_plain(names)
    ours = [timed([vmctl, '-c', URI, 'list', '--all', '--json']) for _ in range(R)]
    theirs = [timed(['virsh', '-c', URI, 'list', '--all']) for _ in range(R)]
    a, b = median_ms(ours), median_ms(theirs)
    print(f"3. list --all, 200+ VMs:    vmctl {a:7.1f} ms   virsh {b:7.1f} ms   "
          f"ratio vmctl/virsh {a / b:.2f}")


def first_line_after(argv, log):
    """Runs the start command, then waits for the first whole line on the
    serial log; seconds from just before the command to that line."""
    if os.path.exists(log):
        os.unlink(log)
    start = time.perf_counter()
    run(argv)
    deadline = start + CONSOLE_TIMEOUT
    while time.perf_counter() < deadline:
        try:
            with open(log, 'rb') as f:
                if b'\n' in f.read():
                    return time.perf_counter() - start
        except FileNotFoundError:
            pass
        time.sleep(0.005)
    die(f"no console line in {log} within {CONSOLE_TIMEOUT} s")


def bench_console(vmctl):
    built = run(['sh', os.path.join(REPO, 'tests', 'guest', 'build-guest.sh')])
    iso = os.path.join(built.stdout.strip().splitlines()[-1], 'guest.iso')
    name = f"{PREFIX}-console"
    directory = tempfile.mkdtemp(prefix='vmctl-bench-')
    os.chmod(directory, 0o755)
    try:
        disk = os.path.join(directory, 'report.img')
        with open(disk, 'wb') as f:
            # the test guest's report disk (tests/guest/init): it writes its
            # report there, then waits for the power button
            f.write(b'VMCTL-GUEST-DISK 1\nacpi=obey\n'.ljust(1024 * 1024, b'\0'))
        run([vmctl, '-c', URI, 'create', name, '--profile', 'minimal', '--virt-type', 'qemu',
             '--firmware', 'bios', '--network', 'none', '--disk', disk, '--cdrom', iso])
        # the same definition for both: vmctl's own serial console, whose
        # output libvirt logs to a file (<serial><log file=...>)
        document = ElementTree.fromstring(run([vmctl, '-c', URI, 'xml', name]).stdout)
        log_element = document.find('devices/serial/log')
        if log_element is None or not log_element.get('file'):
            die(f"vmctl's XML for {name} has no serial log")
        log = log_element.get('file')
        # one untimed boot: the ISO and QEMU's binaries in the page cache
        first_line_after(['virsh', '-q', '-c', URI, 'start', name], log)
        run(['virsh', '-q', '-c', URI, 'destroy', name])
        ours, theirs = [], []
        for _ in range(R):
            ours.append(first_line_after([vmctl, '-c', URI, 'start', name], log))
            run(['virsh', '-q', '-c', URI, 'destroy', name])
            theirs.append(first_line_after(['virsh', '-q', '-c', URI, 'start', name], log))
            run(['virsh', '-q', '-c', URI, 'destroy', name])
        a, b = median_ms(ours), median_ms(theirs)
        print(f"4. start to console line:   vmctl {a:7.1f} ms   virsh {b:7.1f} ms   "
              f"ratio vmctl/virsh {a / b:.2f}")
    finally:
        run(['virsh', '-q', '-c', URI, 'destroy', name], check=False)
        run(['virsh', '-q', '-c', URI, 'undefine', name, '--nvram'], check=False)
        shutil.rmtree(directory, ignore_errors=True)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, 'build')
    vmctl = os.path.join(build, 'src', 'cli', 'vmctl')
    if not os.access(vmctl, os.X_OK):
        die(f"no vmctl at {vmctl}: build first (meson setup build && ninja -C build)")
    if run(['virsh', '-q', '-c', URI, 'version'], check=False).returncode != 0:
        die(f"libvirt does not answer on {URI}: run contrib/scripts/setup-libvirt.sh")
    print(f"bench-lifecycle: {URI}, median of {R} runs (8-VM case: {max(3, R // 2)})")
    try:
        bench_one(vmctl)
        bench_eight(vmctl)
        bench_list(vmctl)
        bench_console(vmctl)
    finally:
        cleanup()


if __name__ == '__main__':
    main()
