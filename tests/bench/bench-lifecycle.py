#!/usr/bin/env python3
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

The 8 VMs are named explicitly: `vmctl destroy --all` would also stop every
other VM on the daemon. Guests are SeaBIOS under TCG without disks (they
boot anywhere and sit at the BIOS). Every VM it defines is named
"vmctl-bench-PID-..." and removed at the end, also after a failure.

Usage: tests/bench/bench-lifecycle.py [BUILD_DIR]     (default: build)
Environment: R (timed runs, default 9), URI (default qemu:///system).
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
R = int(os.environ.get('R', '9'))
URI = os.environ.get('URI', 'qemu:///system')
PREFIX = f"vmctl-bench-{os.getpid()}"


def die(message):
    print(f"bench-lifecycle: {message}", file=sys.stderr)
    sys.exit(1)


def run(argv, check=True):
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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
    finally:
        cleanup()


if __name__ == '__main__':
    main()
