#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark: `vmctl create gamer --gpu ADDR --profile gaming --print-xml`
against `virt-install --print-xml --dry-run` with the closest equivalent
options, then a side-by-side of what each XML contains.

Usage: tests/bench/bench-create.py [BUILD_DIR]      (default: build)
Environment: R (timed runs, default 11), WARMUP (default 2).

vmctl reads the fixture host tests/data/sysfs/clean-gpu-audio (an RTX 3070 at
01:00.0 with its audio function). virt-install needs a hypervisor that
reports guest capabilities, which libvirt's test driver does not, so it runs
against qemu:///system (contrib/scripts/setup-libvirt.sh starts it) and
assigns a PCI device of this machine instead: the work is the same, building
one domain document with one host device. Wall time is the median over R
runs; peak memory is the median of each run's maximum resident set
(wait4's ru_maxrss, taken by tests/bench/peak-rss.c), the whole process for
both tools.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
R = int(os.environ.get('R', '11'))
WARMUP = int(os.environ.get('WARMUP', '2'))


def die(message):
    print(f"bench-create: {message}", file=sys.stderr)
    sys.exit(1)


def ensure_virt_install():
    if shutil.which('virt-install'):
        return
    if os.geteuid() != 0:
        die("virt-install is missing: apt-get install virtinst (as root)")
    subprocess.run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'virtinst'],
                   check=True, env=dict(os.environ, DEBIAN_FRONTEND='noninteractive'),
                   stdout=subprocess.DEVNULL)


def a_host_pci_device():
    """Any endpoint of this machine, as a node-device name for virt-install."""
    for name in sorted(os.listdir('/sys/bus/pci/devices')):
        with open(f'/sys/bus/pci/devices/{name}/config', 'rb') as config:
            if config.read(16)[14] & 0x7f == 0:
                return 'pci_' + name.replace(':', '_').replace('.', '_')
    die("this machine has no PCI endpoint for virt-install to assign")


def output_of(argv):
    """What one run prints; it must succeed."""
    process = subprocess.run(argv, capture_output=True)
    if process.returncode != 0:
        die(f"{argv[0]} failed ({process.returncode}): "
            f"{process.stderr.decode(errors='replace').strip()}")
    return process.stdout


def build_launcher(directory):
    """tests/bench/peak-rss.c, compiled once per run."""
    launcher = os.path.join(directory, 'peak-rss')
    subprocess.run(['cc', '-O2', '-o', launcher, os.path.join(HERE, 'peak-rss.c')], check=True)
    return launcher


LAUNCHER = None


def run_measured(argv):
    """Wall seconds and peak RSS (KiB) of one run, measured by the small
    launcher: a child forked from Python would inherit Python's peak."""
    process = subprocess.run([LAUNCHER] + argv, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    if process.returncode != 0:
        die(f"{argv[0]} failed: exit {process.returncode}")
    seconds, kib = process.stderr.decode().strip().splitlines()[-1].split()
    return float(seconds), int(kib)


def measure(argv):
    for _ in range(WARMUP):
        run_measured(argv)
    samples = [run_measured(argv) for _ in range(R)]
    return (statistics.median(s[0] for s in samples),
            statistics.median(s[1] for s in samples))


def features(xml_text):
    root = ET.fromstring(xml_text)
    hostdevs = root.findall('./devices/hostdev')
    guest_addresses = [h.find('address') for h in hostdevs]
    vcpupins = root.findall('./cputune/vcpupin')
    page = root.find('./memoryBacking/hugepages/page')
    loader = root.find('./os/loader')
    model = root.find('./devices/video/model')
    balloon = root.find('./devices/memballoon')
    return [
        ("host functions assigned for one --gpu", str(len(hostdevs))),
        ("GPU companions found by itself (audio with the GPU)",
         "yes" if len(hostdevs) > 1 else "no"),
        ("one guest slot, multifunction='on'",
         "yes" if any(a is not None and a.get('multifunction') == 'on'
                      for a in guest_addresses) else "no"),
        ("hostdev managed='no' (vmctl detaches and journals)",
         "yes" if hostdevs and all(h.get('managed') == 'no' for h in hostdevs) else "no"),
        ("Hyper-V vendor_id", "yes" if root.find('./features/hyperv/vendor_id') is not None else "no"),
        ("Hyper-V stimer/vpindex/tlbflush/ipi",
         "yes" if all(root.find(f'./features/hyperv/{n}') is not None
                      for n in ('stimer', 'vpindex', 'tlbflush', 'ipi')) else "no"),
        ("vCPU pinning (SMT siblings together)", f"{len(vcpupins)} vcpupin" if vcpupins else "no"),
        ("emulator pinned off the guest's cores",
         "yes" if root.find('./cputune/emulatorpin') is not None else "no"),
        ("hugepage size chosen (1G/2M)", f"{page.get('size')} {page.get('unit')}" if page is not None else "no"),
        ("explicit loader from firmware descriptors", loader.text.strip() if loader is not None and loader.text else "no"),
        ("emulated TPM", "yes" if root.find('./devices/tpm') is not None else "no"),
        ("no emulated video with a GPU", "yes" if model is not None and model.get('type') == 'none' else "no"),
        ("memballoon off with passthrough",
         "yes" if balloon is not None and balloon.get('model') == 'none' else "no"),
        ("the plan kept in <metadata> (what to detach)",
         "yes" if any('vmctl' in (c.tag or '') for m in root.findall('./metadata') for c in m) else "no"),
    ]


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else 'build'
    if not os.path.isabs(build):
        build = os.path.join(REPO, build)
    vmctl = os.path.join(build, 'src', 'cli', 'vmctl')
    if not os.access(vmctl, os.X_OK):
        die(f"vmctl binary not found at {vmctl} (build first)")
    ensure_virt_install()
    global LAUNCHER
    scratch = tempfile.mkdtemp(prefix='vmctl-bench-')
    LAUNCHER = build_launcher(scratch)
    subprocess.run([os.path.join(REPO, 'contrib', 'scripts', 'setup-libvirt.sh')], check=True,
                   stdout=subprocess.DEVNULL)

    host = os.path.join(REPO, 'tests', 'data', 'sysfs', 'clean-gpu-audio')
    vmctl_argv = [vmctl, '--host-root', host, 'create', 'gamer', '--gpu', '01:00.0',
                  '--profile', 'gaming', '--print-xml']
    device = a_host_pci_device()
    virt_install_argv = [
        'virt-install', '--connect', 'qemu:///system', '--name', 'gamer',
        '--memory', '16384', '--vcpus', '8',
        '--cpu', 'host-passthrough,cache.mode=passthrough,topology.sockets=1,'
                 'topology.cores=4,topology.threads=2',
        '--machine', 'q35',
        '--boot', 'uefi,firmware.feature0.name=secure-boot,firmware.feature0.enabled=yes,'
                  'firmware.feature1.name=enrolled-keys,firmware.feature1.enabled=yes',
        # virt-install 4.1 has no vendor_id, vpindex, stimer, tlbflush or ipi
        '--features', 'smm.state=on,kvm_hidden=on,vmport.state=off,hyperv.relaxed.state=on,'
                      'hyperv.vapic.state=on,hyperv.spinlocks.state=on,'
                      'hyperv.spinlocks.retries=8191,hyperv.synic.state=on,hyperv.reset.state=on',
        '--clock', 'offset=localtime,rtc_tickpolicy=catchup,pit_tickpolicy=delay,'
                   'hpet_present=no,hypervclock_present=yes',
        '--memorybacking', 'hugepages=on',
        '--host-device', device,
        '--network', 'network=default,model=virtio',
        '--osinfo', 'win11', '--disk', 'none', '--video', 'none', '--graphics', 'none',
        '--import', '--print-xml', '--dry-run', '--noautoconsole',
    ]

    vmctl_xml = output_of(vmctl_argv)
    virt_install_xml = output_of(virt_install_argv)

    print(f"runs: {R} timed after {WARMUP} warm-ups, medians")
    vmctl_time, vmctl_rss = measure(vmctl_argv)
    vi_time, vi_rss = measure(virt_install_argv)
    print(f"vmctl create --print-xml:     {vmctl_time * 1000:8.1f} ms  {vmctl_rss / 1024:6.1f} MiB peak RSS")
    print(f"virt-install --print-xml:     {vi_time * 1000:8.1f} ms  {vi_rss / 1024:6.1f} MiB peak RSS")
    shutil.rmtree(scratch)
    print(f"vmctl is {vi_time / vmctl_time:.1f}x faster (target >= 40x) "
          f"and uses {vmctl_rss / vi_rss:.2f} of the memory (target <= 0.10)")

    print()
    print("| in the XML | vmctl | virt-install |")
    print("|---|---|---|")
    for (label, ours), (_, theirs) in zip(features(vmctl_xml), features(virt_install_xml)):
        print(f"| {label} | {ours} | {theirs} |")


if __name__ == '__main__':
    main()
