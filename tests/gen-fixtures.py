#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate vmctl's host fixtures: fake host roots and libvirt node-device XML.

Each scenario is a host: a dict of "base" facts (CPU, kernel command line,
IOMMU, modules, hugepages, firmware) plus a list of PCI functions.  The writer
renders a scenario into

  * a host root (sysfs, procfs, /dev stand-ins, QEMU firmware descriptors)
    laid out as tests/data/README.md describes, and
  * libvirt test-driver XML (<node> with one <device> per PCI function, as
    `virsh nodedev-dumpxml` prints them on a udev host).

Usage:
  tests/gen-fixtures.py                 rewrite every committed fixture
  tests/gen-fixtures.py --only NAME     rewrite one scenario
  tests/gen-fixtures.py --out DIR       write DIR/sysfs/<name>/ and DIR/libvirt/<name>.xml
  tests/gen-fixtures.py --big N --out DIR
                                        one synthetic host "big" with >= N functions
  tests/gen-fixtures.py --list          list the scenarios

Output is deterministic: the same bytes on every run.  Python 3 stdlib only.
"""

import argparse
import os
import shutil
import struct
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures_host  # noqa: E402  (issue 13: boot configuration, runtime state)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OSRELEASE = "6.1.0-27-amd64"
UUID_NS = uuid.UUID("6f1c0c6e-3b0a-4d59-9a57-766d63746c00")  # vmctl fixtures

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB

# ---------------------------------------------------------------------------
# PCI id names (pci.ids spelling, which is what udev/libvirt report)
# ---------------------------------------------------------------------------

VENDORS = {
    0x8086: "Intel Corporation",
    0x10DE: "NVIDIA Corporation",
    0x1002: "Advanced Micro Devices, Inc. [AMD/ATI]",
    0x1022: "Advanced Micro Devices, Inc. [AMD]",
    0x144D: "Samsung Electronics Co Ltd",
    0x1B21: "ASMedia Technology Inc.",
    0x1912: "Renesas Technology Corp.",
    0x10B5: "PLX Technology, Inc.",
    0x1043: "ASUSTeK Computer Inc.",
    0x1458: "Gigabyte Technology Co., Ltd",
    0x1462: "Micro-Star International Co., Ltd. [MSI]",
    0x3842: "eVga.com. Corp.",
    0x1DA2: "Sapphire Technology Limited",
    0x1849: "ASRock Incorporation",
    0x17AA: "Lenovo",
}

PRODUCTS = {
    # Intel, Coffee Lake / Cannon Lake PCH (Z390) and friends
    (0x8086, 0x3E30): "8th/9th Gen Core 8-core Desktop Processor Host Bridge/DRAM Registers [Coffee Lake S]",
    (0x8086, 0xA36D): "Cannon Lake PCH USB 3.1 xHCI Host Controller",
    (0x8086, 0xA352): "Cannon Lake PCH SATA AHCI Controller",
    (0x8086, 0xA305): "Z390 Chipset LPC/eSPI Controller",
    (0x8086, 0xA348): "Cannon Lake PCH cAVS",
    (0x8086, 0xA323): "Cannon Lake PCH SMBus Controller",
    (0x8086, 0xA330): "Cannon Lake PCH PCI Express Root Port #9",
    (0x8086, 0xA338): "Cannon Lake PCH PCI Express Root Port #1",
    (0x8086, 0xA339): "Cannon Lake PCH PCI Express Root Port #2",
    (0x8086, 0xA33C): "Cannon Lake PCH PCI Express Root Port #5",
    (0x8086, 0xA340): "Cannon Lake PCH PCI Express Root Port #17",
    (0x8086, 0xA370): "Cannon Lake PCH CNVi WiFi",
    (0x8086, 0xA360): "Cannon Lake PCH HECI Controller",
    (0x8086, 0x1901): "6th-10th Gen Core Processor PCIe Controller (x16)",
    (0x8086, 0x1905): "Xeon E3-1200 v5/E3-1500 v5/6th Gen Core Processor PCIe Controller (x8)",
    (0x8086, 0x1909): "Xeon E3-1200 v5/E3-1500 v5/6th Gen Core Processor PCIe Controller (x4)",
    (0x8086, 0x3E92): "CoffeeLake-S GT2 [UHD Graphics 630]",
    (0x8086, 0x9BC4): "CometLake-H GT2 [UHD Graphics]",
    (0x8086, 0xA290): "200 Series PCH PCI Express Root Port #1",
    (0x8086, 0xA294): "200 Series PCH PCI Express Root Port #5",
    (0x8086, 0x1539): "I211 Gigabit Network Connection",
    (0x8086, 0x1533): "I210 Gigabit Network Connection",
    # Intel, Alder Lake / Z690
    (0x8086, 0x4660): "12th Gen Core Processor Host Bridge/DRAM Registers",
    (0x8086, 0x460D): "12th Gen Core Processor PCI Express x16 Controller #1",
    (0x8086, 0x464D): "12th Gen Core Processor PCI Express x4 Controller #0",
    (0x8086, 0x4680): "AlderLake-S GT1",
    (0x8086, 0x467D): "Platform Monitoring Technology",
    (0x8086, 0x7AE0): "Alder Lake-S PCH USB 3.2 Gen 2x2 XHCI Controller",
    (0x8086, 0x7AA7): "Alder Lake-S PCH Shared SRAM",
    (0x8086, 0x7AF0): "Alder Lake-S PCH CNVi WiFi",
    (0x8086, 0x7ACC): "Alder Lake-S PCH Serial IO I2C Controller #0",
    (0x8086, 0x7AE8): "Alder Lake-S PCH HECI Controller #1",
    (0x8086, 0x7AE2): "Alder Lake-S PCH SATA Controller [AHCI Mode]",
    (0x8086, 0x7AC8): "Alder Lake-S PCH PCI Express Root Port #25",
    (0x8086, 0x7AB8): "Alder Lake-S PCH PCI Express Root Port #1",
    (0x8086, 0x7ABC): "Alder Lake-S PCH PCI Express Root Port #5",
    (0x8086, 0x7A84): "Z690 Chipset LPC/eSPI Controller",
    (0x8086, 0x7AD0): "Alder Lake-S HD Audio Controller",
    (0x8086, 0x7AA3): "Alder Lake-S PCH SMBus Controller",
    (0x8086, 0x7AA4): "Alder Lake-S PCH SPI Controller",
    (0x8086, 0x15F3): "Ethernet Controller I225-V",
    (0x8086, 0x1136): "Thunderbolt 4 Bridge [Maple Ridge 4C 2020]",
    (0x8086, 0x1137): "Thunderbolt 4 NHI [Maple Ridge 4C 2020]",
    (0x8086, 0x1138): "Thunderbolt 4 USB Controller [Maple Ridge 4C 2020]",
    (0x8086, 0x2723): "Wi-Fi 6 AX200",
    # NVIDIA
    (0x10DE, 0x2484): "GA104 [GeForce RTX 3070]",
    (0x10DE, 0x228B): "GA104 High Definition Audio Controller",
    (0x10DE, 0x1E87): "TU104 [GeForce RTX 2080 Rev. A]",
    (0x10DE, 0x10F8): "TU104 HD Audio Controller",
    (0x10DE, 0x1AD8): "TU104 USB 3.1 Host Controller",
    (0x10DE, 0x1AD9): "TU104 USB Type-C UCSI Controller",
    (0x10DE, 0x1C82): "GP107 [GeForce GTX 1050 Ti]",
    (0x10DE, 0x0FB9): "GP107GL High Definition Audio Controller",
    (0x10DE, 0x2504): "GA106 [GeForce RTX 3060 Lite Hash Rate]",
    (0x10DE, 0x228E): "GA106 High Definition Audio Controller",
    (0x10DE, 0x1F95): "TU117M [GeForce GTX 1650 Ti Mobile]",
    (0x10DE, 0x1B80): "GP104 [GeForce GTX 1080]",
    (0x10DE, 0x10F0): "GP104 High Definition Audio Controller",
    (0x10DE, 0x2204): "GA102 [GeForce RTX 3090]",
    (0x10DE, 0x1AEF): "GA102 High Definition Audio Controller",
    (0x10DE, 0x2704): "AD103 [GeForce RTX 4080]",
    (0x10DE, 0x22BB): "AD103 High Definition Audio Controller",
    # AMD CPU / chipset
    (0x1022, 0x1480): "Starship/Matisse Root Complex",
    (0x1022, 0x1482): "Starship/Matisse PCIe Dummy Host Bridge",
    (0x1022, 0x1483): "Starship/Matisse GPP Bridge",
    (0x1022, 0x1484): "Starship/Matisse Internal PCIe GPP Bridge 0 to bus[E:B]",
    (0x1022, 0x148A): "Starship/Matisse PCIe Dummy Function",
    (0x1022, 0x149C): "Matisse USB 3.0 Host Controller",
    (0x1022, 0x790B): "FCH SMBus Controller",
    (0x1022, 0x790E): "FCH LPC Bridge",
    # AMD GPU
    (0x1002, 0x1478): "Navi 10 XL Upstream Port of PCI Express Switch",
    (0x1002, 0x1479): "Navi 10 XL Downstream Port of PCI Express Switch",
    (0x1002, 0x73BF): "Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]",
    (0x1002, 0xAB28): "Navi 21/23 HDMI/DP Audio Controller",
    (0x1002, 0x67DF): "Ellesmere [Radeon RX 470/480/570/570X/580/580X/590]",
    (0x1002, 0xAAF0): "Ellesmere HDMI Audio [Radeon RX 470/480 / 570/580/590]",
    # others
    (0x144D, 0xA808): "NVMe SSD Controller SM981/PM981/PM983",
    (0x144D, 0xA80A): "NVMe SSD Controller PM9A1/PM9A3/980PRO",
    (0x1B21, 0x0612): "ASM1062 Serial ATA Controller",
    (0x1912, 0x0014): "uPD720201 USB 3.0 Host Controller",
    (0x10B5, 0x8747): "PEX 8747 48-Lane, 5-Port PCI Express Gen 3 (8.0 GT/s) Switch",
}

# driver name (as in sys/bus/pci/drivers) -> module name (None = built in)
DRIVER_MODULE = {
    "pcieport": None,
    "nvidia": "nvidia",
    "nvidia-gpu": "i2c_nvidia_gpu",
    "snd_hda_intel": "snd_hda_intel",
    "xhci_hcd": "xhci_pci",
    "ahci": "ahci",
    "i801_smbus": "i2c_i801",
    "piix4_smbus": "i2c_piix4",
    "nvme": "nvme",
    "i915": "i915",
    "amdgpu": "amdgpu",
    "igb": "igb",
    "igc": "igc",
    "iwlwifi": "iwlwifi",
    "pci-stub": "pci_stub",
    "vfio-pci": "vfio_pci",
    "thunderbolt": "thunderbolt",
    "mei_me": "mei_me",
    "intel_vsec": "intel_vsec",
    "intel-lpss": "intel_lpss_pci",
    "intel-spi": "spi_intel_pci",
}

# module -> (path under lib/modules/<rel>/, [dependencies])
MODULE_FILES = {
    "irqbypass": ("kernel/virt/lib/irqbypass.ko", []),
    "kvm": ("kernel/arch/x86/kvm/kvm.ko", ["irqbypass"]),
    "kvm_intel": ("kernel/arch/x86/kvm/kvm-intel.ko", ["kvm", "irqbypass"]),
    "ccp": ("kernel/drivers/crypto/ccp/ccp.ko", []),
    "kvm_amd": ("kernel/arch/x86/kvm/kvm-amd.ko", ["ccp", "kvm", "irqbypass"]),
    "vfio": ("kernel/drivers/vfio/vfio.ko", []),
    "vfio_virqfd": ("kernel/drivers/vfio/vfio_virqfd.ko", []),
    "vfio_iommu_type1": ("kernel/drivers/vfio/vfio_iommu_type1.ko", ["vfio"]),
    "vfio_pci_core": ("kernel/drivers/vfio/pci/vfio-pci-core.ko", ["vfio_virqfd", "irqbypass", "vfio"]),
    "vfio_pci": ("kernel/drivers/vfio/pci/vfio-pci.ko", ["vfio_pci_core", "vfio_virqfd", "irqbypass", "vfio"]),
    "mdev": ("kernel/drivers/vfio/mdev/mdev.ko", ["vfio"]),
    "tun": ("kernel/drivers/net/tun.ko", []),
    "tap": ("kernel/drivers/net/tap.ko", []),
    "vhost_iotlb": ("kernel/drivers/vhost/vhost_iotlb.ko", []),
    "vhost": ("kernel/drivers/vhost/vhost.ko", ["vhost_iotlb"]),
    "vhost_net": ("kernel/drivers/vhost/vhost_net.ko", ["tun", "vhost", "vhost_iotlb", "tap"]),
    "pci_stub": ("kernel/drivers/pci/pci-stub.ko", []),
    "nvidia": ("updates/dkms/nvidia.ko", []),
    "i2c_nvidia_gpu": ("kernel/drivers/i2c/busses/i2c-nvidia-gpu.ko", []),
    "snd_hda_intel": ("kernel/sound/pci/hda/snd-hda-intel.ko",
                      ["snd_intel_dspcfg", "snd_hda_codec", "snd_hda_core", "snd_pcm", "snd"]),
    "snd_intel_dspcfg": ("kernel/sound/hda/snd-intel-dspcfg.ko", []),
    "snd_hda_codec": ("kernel/sound/pci/hda/snd-hda-codec.ko", ["snd_hda_core", "snd_pcm", "snd"]),
    "snd_hda_core": ("kernel/sound/hda/snd-hda-core.ko", ["snd_pcm", "snd"]),
    "snd_pcm": ("kernel/sound/core/snd-pcm.ko", ["snd"]),
    "snd": ("kernel/sound/core/snd.ko", []),
    "xhci_pci": ("kernel/drivers/usb/host/xhci-pci.ko", ["xhci_hcd", "usbcore"]),
    "xhci_hcd": ("kernel/drivers/usb/host/xhci-hcd.ko", ["usbcore"]),
    "usbcore": ("kernel/drivers/usb/core/usbcore.ko", []),
    "ahci": ("kernel/drivers/ata/ahci.ko", ["libahci", "libata"]),
    "libahci": ("kernel/drivers/ata/libahci.ko", ["libata"]),
    "libata": ("kernel/drivers/ata/libata.ko", []),
    "i2c_i801": ("kernel/drivers/i2c/busses/i2c-i801.ko", ["i2c_smbus"]),
    "i2c_piix4": ("kernel/drivers/i2c/busses/i2c-piix4.ko", []),
    "i2c_smbus": ("kernel/drivers/i2c/i2c-smbus.ko", []),
    "nvme": ("kernel/drivers/nvme/host/nvme.ko", ["nvme_core"]),
    "nvme_core": ("kernel/drivers/nvme/host/nvme-core.ko", []),
    "drm": ("kernel/drivers/gpu/drm/drm.ko", []),
    "drm_kms_helper": ("kernel/drivers/gpu/drm/drm_kms_helper.ko", ["drm"]),
    "i915": ("kernel/drivers/gpu/drm/i915/i915.ko", ["drm_kms_helper", "drm"]),
    "amdgpu": ("kernel/drivers/gpu/drm/amd/amdgpu/amdgpu.ko", ["drm_kms_helper", "drm"]),
    "igb": ("kernel/drivers/net/ethernet/intel/igb/igb.ko", ["dca"]),
    "dca": ("kernel/drivers/dca/dca.ko", []),
    "igc": ("kernel/drivers/net/ethernet/intel/igc/igc.ko", []),
    "cfg80211": ("kernel/net/wireless/cfg80211.ko", []),
    "iwlwifi": ("kernel/drivers/net/wireless/intel/iwlwifi/iwlwifi.ko", ["cfg80211"]),
    "thunderbolt": ("kernel/drivers/thunderbolt/thunderbolt.ko", []),
    "mei": ("kernel/drivers/misc/mei/mei.ko", []),
    "mei_me": ("kernel/drivers/misc/mei/mei-me.ko", ["mei"]),
    "intel_vsec": ("kernel/drivers/platform/x86/intel/intel_vsec.ko", []),
    "intel_lpss": ("kernel/drivers/mfd/intel-lpss.ko", []),
    "intel_lpss_pci": ("kernel/drivers/mfd/intel-lpss-pci.ko", ["intel_lpss"]),
    "spi_intel": ("kernel/drivers/spi/spi-intel.ko", []),
    "spi_intel_pci": ("kernel/drivers/spi/spi-intel-pci.ko", ["spi_intel"]),
}

MODULES_BUILTIN = [
    "kernel/arch/x86/events/intel/intel-uncore.ko",
    "kernel/crypto/crypto.ko",
    "kernel/crypto/crypto_algapi.ko",
    "kernel/drivers/acpi/button.ko",
    "kernel/drivers/char/tpm/tpm.ko",
    "kernel/drivers/firmware/efi/efivars.ko",
    "kernel/drivers/input/keyboard/atkbd.ko",
    "kernel/drivers/input/serio/i8042.ko",
    "kernel/drivers/input/serio/serio.ko",
    "kernel/drivers/tty/serial/8250/8250.ko",
    "kernel/drivers/video/fbdev/core/fb.ko",
    "kernel/drivers/video/fbdev/efifb.ko",
    "kernel/fs/binfmt_script.ko",
    "kernel/mm/zswap.ko",
]

MODULE_PARAMS = {
    "kvm": {"ignore_msrs": "N", "report_ignored_msrs": "Y", "halt_poll_ns": "200000"},
    "kvm_intel": {"ept": "Y", "enable_apicv": "Y", "unrestricted_guest": "Y"},  # + nested
    "kvm_amd": {"npt": "1", "avic": "1", "sev": "0"},  # + nested; AVIC on, as Zen 3 hosts run it
    "vfio": {"enable_unsafe_noiommu_mode": "N"},
    "vfio_iommu_type1": {"allow_unsafe_interrupts": "N", "dma_entry_limit": "65535"},
    "vfio_pci": {"disable_vga": "N", "disable_idle_d3": "N", "nointxmask": "N",
                 "disable_denylist": "N", "enable_sriov": "N"},
    "vhost_net": {"experimental_zcopytx": "0"},
    "vhost": {"max_mem_regions": "64", "max_iotlb_entries": "2048"},
}

# ---------------------------------------------------------------------------
# Host "base" facts
# ---------------------------------------------------------------------------

INTEL_COFFEE_FLAGS = (
    "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 "
    "clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm "
    "constant_tsc art arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc "
    "cpuid aperfmperf pni pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 "
    "sdbg fma cx16 xtpr pdcm pcid sse4_1 sse4_2 x2apic movbe popcnt "
    "tsc_deadline_timer aes xsave avx f16c rdrand lahf_lm abm 3dnowprefetch "
    "cpuid_fault epb invpcid_single ssbd ibrs ibpb stibp ibrs_enhanced tpr_shadow "
    "vnmi flexpriority ept vpid ept_ad fsgsbase tsc_adjust sgx bmi1 avx2 smep bmi2 "
    "erms invpcid mpx rdseed adx smap clflushopt intel_pt xsaveopt xsavec xgetbv1 "
    "xsaves dtherm ida arat pln pts hwp hwp_notify hwp_act_window hwp_epp md_clear "
    "flush_l1d arch_capabilities")
INTEL_ADL_FLAGS = (
    "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 "
    "clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm "
    "constant_tsc art arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc "
    "cpuid aperfmperf tsc_known_freq pni pclmulqdq dtes64 monitor ds_cpl vmx smx "
    "est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid sse4_1 sse4_2 x2apic movbe popcnt "
    "tsc_deadline_timer aes xsave avx f16c rdrand lahf_lm abm 3dnowprefetch "
    "cpuid_fault epb ssbd ibrs ibpb stibp ibrs_enhanced tpr_shadow vnmi "
    "flexpriority ept vpid ept_ad fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms "
    "invpcid rdseed adx smap clflushopt clwb intel_pt sha_ni xsaveopt xsavec "
    "xgetbv1 xsaves split_lock_detect avx_vnni dtherm ida arat pln pts hwp "
    "hwp_notify hwp_act_window hwp_epp hwp_pkg_req hfi umip pku ospke waitpkg gfni "
    "vaes vpclmulqdq tme rdpid movdiri movdir64b fsrm md_clear serialize pconfig "
    "arch_lbr ibt flush_l1d arch_capabilities")
INTEL_VMX_SYNTH = {"vmx", "tpr_shadow", "vnmi", "flexpriority", "ept", "vpid", "ept_ad"}
INTEL_VMX_FLAGS = ("vnmi preemption_timer invvpid ept_x_only ept_ad ept_1gb flexpriority "
                   "tsc_offset vtpr mtf vapic ept vpid unrestricted_guest ple pml "
                   "ept_mode_based_exec")
AMD_ZEN3_FLAGS = (
    "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 "
    "clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm "
    "constant_tsc rep_good nopl nonstop_tsc cpuid extd_apicid aperfmperf rapl pni "
    "pclmulqdq monitor ssse3 fma cx16 sse4_1 sse4_2 x2apic movbe popcnt aes xsave "
    "avx f16c rdrand lahf_lm cmp_legacy svm extapic cr8_legacy abm sse4a "
    "misalignsse 3dnowprefetch osvw ibs skinit wdt tce topoext perfctr_core "
    "perfctr_nb bpext perfctr_llc mwaitx cpb cat_l3 cdp_l3 hw_pstate ssbd mba ibrs "
    "ibpb stibp vmmcall fsgsbase bmi1 avx2 smep bmi2 erms invpcid cqm rdt_a rdseed "
    "adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 xsaves cqm_llc "
    "cqm_occup_llc cqm_mbm_total cqm_mbm_local clzero irperf xsaveerptr rdpru "
    "wbnoinvd arat npt lbrv svm_lock nrip_save tsc_scale vmcb_clean flushbyasid "
    "decodeassists pausefilter pfthreshold avic v_vmsave_vmload vgif v_spec_ctrl "
    "umip pku ospke vaes vpclmulqdq rdpid overflow_recov succor smca fsrm")
AMD_SVM_SYNTH = {"svm", "npt", "lbrv", "svm_lock", "nrip_save", "tsc_scale", "vmcb_clean",
                 "flushbyasid", "decodeassists", "pausefilter", "pfthreshold", "avic",
                 "v_vmsave_vmload", "vgif", "v_spec_ctrl"}

CPU_I7_9700K = dict(
    vendor="GenuineIntel", family=6, model=158, stepping=13, microcode="0xf8",
    model_name="Intel(R) Core(TM) i7-9700K CPU @ 3.60GHz", mhz="3600.000",
    cache="12288 KB", cores=4, threads=2, cpuid_level=22,
    flags=INTEL_COFFEE_FLAGS, vmx_flags=INTEL_VMX_FLAGS,
    bugs="spectre_v1 spectre_v2 spec_store_bypass swapgs taa itlb_multihit srbds mmio_stale_data retbleed gds",
    bogomips="7200.00", address_sizes="39 bits physical, 48 bits virtual", power="")
CPU_I9_12900K = dict(
    vendor="GenuineIntel", family=6, model=151, stepping=2, microcode="0x2c",
    model_name="12th Gen Intel(R) Core(TM) i9-12900K", mhz="3200.000",
    cache="30720 KB", cores=8, threads=2, cpuid_level=32,
    flags=INTEL_ADL_FLAGS, vmx_flags=INTEL_VMX_FLAGS + " ept_violation_ve",
    bugs="spectre_v1 spectre_v2 spec_store_bypass swapgs eibrs_pbrsb rfds bhi",
    bogomips="6374.40", address_sizes="46 bits physical, 48 bits virtual", power="")
CPU_R9_5900X = dict(
    vendor="AuthenticAMD", family=25, model=33, stepping=0, microcode="0xa201016",
    model_name="AMD Ryzen 9 5900X 12-Core Processor", mhz="3700.000",
    cache="512 KB", cores=4, threads=2, cpuid_level=16,
    flags=AMD_ZEN3_FLAGS, vmx_flags=None,
    bugs="sysret_ss_attrs spectre_v1 spectre_v2 spec_store_bypass srso",
    bogomips="7400.00", address_sizes="48 bits physical, 48 bits virtual",
    power="ts ttp tm hwpstate cpb eff_freq_ro [13] [14]", tlb="2560 4K pages")

ROOT_UUID = "3f9c1e4a-7b2d-4c8e-9a51-6d0e2b8f4c17"
BOOT = "BOOT_IMAGE=/vmlinuz-%s root=UUID=%s ro quiet" % (OSRELEASE, ROOT_UUID)


def intel_host(**over):
    h = dict(
        cpu=CPU_I7_9700K,
        kvm=True,                 # virtualization enabled in firmware, kvm loaded
        nested="Y",
        iommu="intel",            # which IOMMU hardware / ACPI table
        iommu_on=True,            # kernel enabled it: groups, sys/class/iommu
        intremap=True,
        cmdline=BOOT + " intel_iommu=on iommu=pt",
        vfio=True,                # vfio modules exist and are loaded
        hugepages=(8192, 8192),   # 2M pages: nr, free
        hugetlbfs=True,
        ovmf=True,
        numa=-1,
        mem_kb=32734884,
        board=dict(vendor="ASUSTeK COMPUTER INC.", product="ROG STRIX Z390-E GAMING",
                   bios_vendor="American Megatrends Inc.", bios_version="1302",
                   bios_date="03/15/2019", serial="System Serial Number",
                   uuid="a5c2e1f0-5d3b-11e9-8647-d663bd873d93"),
        board_subsys=(0x1043, 0x8694),
        bootfb="efifb",
        mmio32=(0x80000000, 0xDFFFFFFF),
        mmcfg=(0xE0000000, 0xEFFFFFFF),
        low_ram_end=0x7A3FFFFF,
        mmio64=(0x4000000000, 0x7FFFFFFFFF),
        etc=None,                 # (files, dirs) of boot configuration (fixtures_host)
        runtime=False,            # vtconsoles, framebuffer, cgroups, cpufreq, IRQs
        extra_modules=(),         # more loaded modules (the NVIDIA stack)
        holders={},               # module -> modules using it
    )
    h.update(over)
    return h


def amd_host(**over):
    h = intel_host(
        cpu=CPU_R9_5900X, nested="1", iommu="amd",
        cmdline=BOOT + " iommu=pt", numa=0, mem_kb=32827460,
        board=dict(vendor="Micro-Star International Co., Ltd.", product="MS-7C84",
                   bios_vendor="American Megatrends International, LLC.",
                   bios_version="1.H0", bios_date="12/08/2021",
                   serial="To be filled by O.E.M.",
                   uuid="2b8f6a10-7c3d-11eb-9d1a-2cf05d0a1b2c"),
        board_subsys=(0x1462, 0x7C84), bootfb="BOOTFB",
        mmio32=(0xD0000000, 0xF7FFFFFF), mmcfg=(0xF8000000, 0xFBFFFFFF),
        low_ram_end=0xC9FFFFFF, mmio64=(0x7C00000000, 0x7FFFFFFFFF))
    h.update(over)
    return h


# ---------------------------------------------------------------------------
# PCI functions
# ---------------------------------------------------------------------------

class Fn:
    """One PCI function.  Only addr/ids/class are required."""

    def __init__(self, addr, ids, cls, driver=None, group=None, **kw):
        if addr.count(":") == 1:
            addr = "0000:" + addr
        self.addr = addr
        dom, bus, sf = addr.split(":")
        slot, func = sf.split(".")
        self.domain, self.bus, self.slot, self.func = int(dom, 16), int(bus, 16), int(slot, 16), int(func)
        v, d = ids.split(":")
        self.vendor, self.device = int(v, 16), int(d, 16)
        self.cls = cls
        self.driver = driver
        self.group = group
        self.hdr = kw.pop("hdr", 1 if (cls >> 8) == 0x0604 else 0)
        self.sec = kw.pop("sec", None)            # bridges: secondary bus
        self.sub = kw.pop("sub", None)            # bridges: subordinate override (hotplug)
        self.subsys = kw.pop("subsys", None)      # (vendor, device)
        self.rev = kw.pop("rev", 0)
        self.boot_vga = kw.pop("boot_vga", None)
        self.reset = kw.pop("reset", None)        # reset_method text, e.g. "flr bus"
        self.bars = kw.pop("bars", None)          # [(index, kind, size)]
        self.link = kw.pop("link", None)          # (GT/s, width) capability
        # Resizable BAR: [(bar index, current size, largest supported size)]
        self.rebar = kw.pop("rebar", None)
        # deliberate breakage (broken-sysfs)
        self.omit = set(kw.pop("omit", ()))       # files not written
        self.empty = set(kw.pop("empty", ()))     # files written empty
        self.dangling_driver = kw.pop("dangling_driver", False)
        self.no_group_link = kw.pop("no_group_link", False)
        if kw:
            raise TypeError("unknown Fn fields: %s" % ", ".join(kw))
        if self.hdr == 1 and self.sec is None:
            raise ValueError("%s: bridge needs sec=" % addr)
        if (cls >> 8) == 0x0300 and self.boot_vga is None:
            self.boot_vga = 0

    @property
    def name(self):
        return "pci_%04x_%02x_%02x_%d" % (self.domain, self.bus, self.slot, self.func)

    def is_bridge(self):
        return self.hdr == 1


def F(addr, ids, cls, driver=None, group=None, **kw):
    return Fn(addr, ids, cls, driver, group, **kw)


def intel_base_fns(nvme_bus=2, usb_group=3, sata_group=4, lpc_group=5, port_group=6,
                   nvme_group=7):
    """Base devices of every Intel host (Z390 board). Scenarios whose own
    devices use groups 3-7 move these out of the way: a group number shared
    by accident would merge unrelated devices into one group."""
    return [
        F("00:00.0", "8086:3e30", 0x060000, None, 0, rev=0x0D),
        F("00:14.0", "8086:a36d", 0x0C0330, "xhci_hcd", usb_group, rev=0x10, reset="pm"),
        F("00:17.0", "8086:a352", 0x010601, "ahci", sata_group, rev=0x10, reset="pm"),
        F("00:1d.0", "8086:a330", 0x060400, "pcieport", port_group, rev=0xF0, sec=nvme_bus,
          reset="pm", link=(8, 4)),
        F("%02x:00.0" % nvme_bus, "144d:a808", 0x010802, "nvme", nvme_group,
          subsys=(0x144D, 0xA801), reset="flr bus", link=(8, 4)),
        F("00:1f.0", "8086:a305", 0x060100, None, lpc_group, rev=0x10),
        F("00:1f.3", "8086:a348", 0x040300, "snd_hda_intel", lpc_group, rev=0x10),
        F("00:1f.4", "8086:a323", 0x0C0500, "i801_smbus", lpc_group, rev=0x10),
    ]


def rtx3070(bus=1, group=1):
    sub = (0x1458, 0x403D)
    return [
        F("%02x:00.0" % bus, "10de:2484", 0x030000, "nvidia", group, rev=0xA1, subsys=sub,
          boot_vga=0, reset="bus", link=(16, 16)),
        F("%02x:00.1" % bus, "10de:228b", 0x040300, "snd_hda_intel", group, rev=0xA1, subsys=sub,
          reset="bus", link=(16, 16)),
    ]


def clean_gpu_audio_fns():
    return intel_base_fns() + [
        F("00:01.0", "8086:1901", 0x060400, "pcieport", 1, rev=0x0D, sec=1, reset="pm",
          link=(8, 16)),
        F("00:02.0", "8086:3e92", 0x030000, "i915", 2, rev=0x02, boot_vga=1, reset="flr"),
    ] + rtx3070()


def scenario(name, desc, host, fns, dest=None):
    return dict(name=name, desc=desc, host=host, fns=fns, dest=dest)


def variant(name, desc, host_over, fn_edit=None):
    fns = clean_gpu_audio_fns()
    if fn_edit:
        fn_edit(fns)
    return scenario(name, desc, intel_host(**host_over), fns)


def find(fns, addr):
    if addr.count(":") == 1:
        addr = "0000:" + addr
    for f in fns:
        if f.addr == addr:
            return f
    raise KeyError(addr)


def _broken(fns):
    a = find(fns, "01:00.1")
    a.omit.add("config")
    a.empty.add("class")
    find(fns, "00:14.0").dangling_driver = True
    find(fns, "00:17.0").no_group_link = True


def scenarios():
    return scenarios_base(extra=True)


def scenarios_base(extra=False):
    S = []
    S.append(scenario(
        "clean-gpu-audio",
        "RTX 3070 + HDMI audio alone with their root port; Intel iGPU is the boot display",
        intel_host(), clean_gpu_audio_fns()))

    tu = (0x3842, 0x2183)
    S.append(scenario(
        "turing-4fn", "RTX 2080 with audio, USB and UCSI functions, boot display",
        intel_host(),
        intel_base_fns() + [
            F("00:01.0", "8086:1901", 0x060400, "pcieport", 1, rev=0x0D, sec=1, reset="pm",
              link=(8, 16)),
            F("01:00.0", "10de:1e87", 0x030000, "nvidia", 1, rev=0xA1, subsys=tu, boot_vga=1,
              reset="flr bus", link=(8, 16)),
            F("01:00.1", "10de:10f8", 0x040300, "snd_hda_intel", 1, rev=0xA1, subsys=tu,
              reset="flr bus", link=(8, 16)),
            F("01:00.2", "10de:1ad8", 0x0C0330, "xhci_hcd", 1, rev=0xA1, subsys=tu,
              reset="flr bus", link=(8, 16)),
            F("01:00.3", "10de:1ad9", 0x0C8000, "nvidia-gpu", 1, rev=0xA1, subsys=tu,
              reset="flr bus", link=(8, 16)),
        ]))

    gp = (0x1458, 0x3765)
    S.append(scenario(
        "shared-chipset",
        "GTX 1050 Ti behind a PCH root port: its group holds USB, SATA, NIC and two root ports",
        intel_host(),
        intel_base_fns(usb_group=8, sata_group=8) + [
            F("00:1c.0", "8086:a290", 0x060400, "pcieport", 8, rev=0xF0, sec=3, reset="pm",
              link=(8, 1)),
            F("00:1c.4", "8086:a294", 0x060400, "pcieport", 8, rev=0xF0, sec=5, reset="pm",
              link=(8, 4)),
            F("03:00.0", "8086:1539", 0x020000, "igb", 8, rev=0x03, subsys=(0x1043, 0x85F0),
              reset="flr bus", link=(2.5, 1)),
            F("05:00.0", "10de:1c82", 0x030000, "nvidia", 8, rev=0xA1, subsys=gp, boot_vga=1,
              reset="bus", link=(8, 16)),
            F("05:00.1", "10de:0fb9", 0x040300, "snd_hda_intel", 8, rev=0xA1, subsys=gp,
              reset="bus", link=(8, 16)),
        ]))

    twin = (0x1462, 0x397D)
    S.append(scenario(
        "twin-gpus", "two identical RTX 3060 cards (same vendor:device and subsystem ids)",
        intel_host(),
        intel_base_fns(nvme_bus=3) + [
            F("00:01.0", "8086:1901", 0x060400, "pcieport", 1, rev=0x0D, sec=1, reset="pm",
              link=(8, 8)),
            F("00:01.1", "8086:1905", 0x060400, "pcieport", 2, rev=0x0D, sec=2, reset="pm",
              link=(8, 8)),
            F("01:00.0", "10de:2504", 0x030000, "nvidia", 1, rev=0xA1, subsys=twin, boot_vga=1,
              reset="bus", link=(16, 16)),
            F("01:00.1", "10de:228e", 0x040300, "snd_hda_intel", 1, rev=0xA1, subsys=twin,
              reset="bus", link=(16, 16)),
            F("02:00.0", "10de:2504", 0x030000, "nvidia", 2, rev=0xA1, subsys=twin, boot_vga=0,
              reset="bus", link=(16, 16)),
            F("02:00.1", "10de:228e", 0x040300, "snd_hda_intel", 2, rev=0xA1, subsys=twin,
              reset="bus", link=(16, 16)),
        ]))

    S.append(scenario(
        "intel-igpu-boot", "laptop-style: Intel iGPU boots, GTX 1650 Ti without audio function",
        intel_host(),
        intel_base_fns() + [
            F("00:01.0", "8086:1901", 0x060400, "pcieport", 1, rev=0x02, sec=1, reset="pm",
              link=(8, 16)),
            F("00:02.0", "8086:9bc4", 0x030000, "i915", 2, rev=0x05, subsys=(0x17AA, 0x22C1),
              boot_vga=1, reset="flr"),
            F("01:00.0", "10de:1f95", 0x030000, "nvidia", 1, rev=0xA1, subsys=(0x17AA, 0x22C1),
              boot_vga=0, reset="bus", link=(8, 16)),
        ]))

    navi = (0x1DA2, 0xE438)
    pol = (0x1DA2, 0xE366)
    S.append(scenario(
        "amd-host",
        "Ryzen 9 5900X: RX 6800 XT behind its Navi switch (HDMI audio in its own group), "
        "RX 580 boots",
        amd_host(),
        [
            F("00:00.0", "1022:1480", 0x060000, None, 0, subsys=(0x1462, 0x7C84)),
            F("00:01.0", "1022:1482", 0x060000, None, 1),
            F("00:01.1", "1022:1483", 0x060400, "pcieport", 2, sec=0x0A, reset="pm",
              link=(16, 16)),
            F("0a:00.0", "1002:1478", 0x060400, "pcieport", 3, rev=0xC1, sec=0x0B, reset="pm",
              link=(16, 16)),
            F("0b:00.0", "1002:1479", 0x060400, "pcieport", 4, sec=0x0C, reset="pm",
              link=(16, 16)),
            F("0c:00.0", "1002:73bf", 0x030000, "amdgpu", 5, rev=0xC1, subsys=navi, boot_vga=0,
              reset="bus", link=(16, 16)),
            F("0c:00.1", "1002:ab28", 0x040300, "snd_hda_intel", 6, subsys=(0x1002, 0xAB28),
              reset="bus", link=(16, 16)),
            F("00:03.0", "1022:1482", 0x060000, None, 11),
            F("00:03.1", "1022:1483", 0x060400, "pcieport", 7, sec=0x0E, reset="pm",
              link=(16, 8)),
            F("0e:00.0", "1002:67df", 0x030000, "amdgpu", 8, rev=0xE7, subsys=pol, boot_vga=1,
              reset="bus", link=(8, 16)),
            F("0e:00.1", "1002:aaf0", 0x040300, "snd_hda_intel", 8, subsys=(0x1002, 0xAAF0),
              reset="bus", link=(8, 16)),
            F("00:08.0", "1022:1482", 0x060000, None, 12),
            F("00:08.1", "1022:1484", 0x060400, "pcieport", 13, sec=0x10, reset="pm",
              link=(16, 16)),
            F("10:00.0", "1022:148a", 0x130000, None, 14, subsys=(0x1462, 0x7C84),
              link=(16, 16)),
            F("10:00.3", "1022:149c", 0x0C0330, "xhci_hcd", 9, subsys=(0x1462, 0x7C84),
              reset="flr", link=(16, 16)),
            F("00:14.0", "1022:790b", 0x0C0500, "piix4_smbus", 10, rev=0x61,
              subsys=(0x1462, 0x7C84)),
            F("00:14.3", "1022:790e", 0x060100, None, 10, rev=0x51, subsys=(0x1462, 0x7C84)),
        ]))

    S.append(scenario(
        "idle-peer",
        "GTX 1080 shares group 1 with an unbound SATA controller and a pci-stub USB controller",
        intel_host(),
        intel_base_fns(nvme_bus=4) + [
            F("00:01.0", "8086:1901", 0x060400, "pcieport", 1, rev=0x0D, sec=1, reset="pm",
              link=(8, 8)),
            F("00:01.1", "8086:1905", 0x060400, "pcieport", 1, rev=0x0D, sec=2, reset="pm",
              link=(8, 4)),
            F("00:01.2", "8086:1909", 0x060400, "pcieport", 1, rev=0x0D, sec=3, reset="pm",
              link=(8, 4)),
            F("01:00.0", "10de:1b80", 0x030000, "nvidia", 1, rev=0xA1, subsys=(0x3842, 0x6180),
              boot_vga=1, reset="bus", link=(8, 16)),
            F("01:00.1", "10de:10f0", 0x040300, "snd_hda_intel", 1, rev=0xA1,
              subsys=(0x3842, 0x6180), reset="bus", link=(8, 16)),
            F("02:00.0", "1b21:0612", 0x010601, None, 1, rev=0x01, subsys=(0x1043, 0x8553),
              reset="bus", link=(5, 1)),
            F("03:00.0", "1912:0014", 0x0C0330, "pci-stub", 1, rev=0x03,
              subsys=(0x1912, 0x0014), reset="pm bus", link=(5, 1)),
        ]))

    S.append(scenario(
        "pcie-switch", "RTX 3090 and an I210 NIC behind a PLX PEX 8747 switch",
        intel_host(),
        intel_base_fns(nvme_bus=6, usb_group=13, sata_group=14, lpc_group=15, port_group=16,
                       nvme_group=17) + [
            F("00:01.0", "8086:1901", 0x060400, "pcieport", 1, rev=0x0D, sec=2, reset="pm",
              link=(8, 16)),
            F("02:00.0", "10b5:8747", 0x060400, "pcieport", 2, rev=0xCA, sec=3, reset="pm",
              link=(8, 16)),
            F("03:08.0", "10b5:8747", 0x060400, "pcieport", 3, rev=0xCA, sec=4, reset="pm",
              link=(8, 16)),
            F("03:10.0", "10b5:8747", 0x060400, "pcieport", 4, rev=0xCA, sec=5, reset="pm",
              link=(8, 16)),
            F("04:00.0", "10de:2204", 0x030000, "nvidia", 5, rev=0xA1, subsys=(0x3842, 0x3987),
              boot_vga=1, reset="bus", link=(16, 16)),
            F("04:00.1", "10de:1aef", 0x040300, "snd_hda_intel", 5, rev=0xA1,
              subsys=(0x3842, 0x3987), reset="bus", link=(16, 16)),
            F("05:00.0", "8086:1533", 0x020000, "igb", 6, rev=0x03, subsys=(0x8086, 0x0001),
              reset="flr bus", link=(2.5, 1)),
        ]))

    S.append(variant(
        "iommu-off", "clean-gpu-audio with the IOMMU disabled (no intel_iommu=on)",
        dict(iommu_on=False, cmdline=BOOT)))
    S.append(variant(
        "nested-off", "clean-gpu-audio with kvm_intel nested=N", dict(nested="N")))
    S.append(variant(
        "vfio-missing", "clean-gpu-audio on a kernel without VFIO", dict(vfio=False)))
    S.append(variant(
        "no-hugepages", "clean-gpu-audio with no hugepages reserved and hugetlbfs unmounted",
        dict(hugepages=(0, 0), hugetlbfs=False)))
    S.append(variant(
        "no-ovmf", "clean-gpu-audio without OVMF / QEMU firmware descriptors", dict(ovmf=False)))
    S.append(variant(
        "no-kvm", "clean-gpu-audio with VT-x disabled in firmware (no vmx, no kvm)",
        dict(kvm=False)))
    S.append(variant(
        "no-intremap", "clean-gpu-audio without interrupt remapping",
        dict(intremap=False, cmdline=BOOT + " intel_iommu=on iommu=pt intremap=off")))
    S.append(variant(
        "broken-sysfs",
        "clean-gpu-audio with damage: 01:00.1 lacks config and has an empty class, "
        "00:14.0's driver link dangles, 00:17.0 lacks its iommu_group link",
        {}, _broken))

    S.append(desk_host())
    if extra:
        S.extend(host_setup_scenarios())
    S.append(demo_host())
    return S


def host_setup_scenarios():
    """issue 13: the hosts `vmctl host setup` edits, and the single-GPU host"""
    S = []
    S.append(scenario(
        "grub-host",
        "Debian: GRUB and initramfs-tools, the IOMMU not on the command line, nested off",
        intel_host(iommu_on=False, cmdline=BOOT, nested="N",
                   etc=fixtures_host.etc_grub_debian(OSRELEASE)),
        clean_gpu_audio_fns()))
    amd = [f for f in scenarios_by_name("amd-host")["fns"]]
    S.append(scenario(
        "systemd-boot-host",
        "Arch-like: systemd-boot with kernel-install and /etc/kernel/cmdline, mkinitcpio, "
        "no iommu=pt yet",
        amd_host(cmdline=BOOT, etc=fixtures_host.etc_systemd_boot(
            OSRELEASE, "root=UUID=%s rw quiet" % fixtures_host.ROOT_UUID)),
        amd))
    S.append(scenario(
        "dracut-host",
        "Fedora-like: GRUB2 (grub2-mkconfig) and dracut, the IOMMU on already",
        intel_host(etc=fixtures_host.etc_fedora_dracut(OSRELEASE)),
        clean_gpu_audio_fns()))
    S.append(scenario(
        "single-gpu",
        "one RTX 3070 drives the console (efifb, vtcon1, nvidia_drm) and is the boot VGA",
        intel_host(runtime=True, extra_modules=("nvidia_modeset", "nvidia_drm"),
                   holders={"nvidia": ["nvidia_modeset"], "nvidia_modeset": ["nvidia_drm"],
                            "nvidia_drm": []}),
        intel_base_fns() + [
            F("00:01.0", "8086:1901", 0x060400, "pcieport", 1, rev=0x0D, sec=1, reset="pm",
              link=(8, 16)),
        ] + single_boot_gpu()))
    return S


def single_boot_gpu():
    fns = rtx3070()
    fns[0].boot_vga = 1
    return fns


def scenarios_by_name(name):
    for sc in scenarios_base():
        if sc["name"] == name:
            return sc
    raise KeyError(name)


# NVIDIA cards with Resizable BAR: BAR 1 as large as the VRAM (rounded
# up to a power of two: 32 GiB for 24 GB)
RTX4080_REBAR_BARS = [(0, "mem32", 16 * MiB), (1, "pref64", 16 * GiB), (3, "pref64", 32 * MiB)]
RTX3090_REBAR_BARS = [(0, "mem32", 16 * MiB), (1, "pref64", 32 * GiB), (3, "pref64", 32 * MiB)]

KBD = (0x03, 1, 1)      # HID boot keyboard
MOUSE = (0x03, 1, 2)    # HID boot mouse
HID = (0x03, 0, 0)

# The demo host's desk: on the PCH's xHCI (00:14.0) a Logitech Unifying
# receiver, a Corsair keyboard and a G502 mouse; on the Thunderbolt
# controller's xHCI (37:00.0) an Xbox controller.
def demo_usb():
    return [
    dict(pci="00:14.0", buses=[(1, "480", 14), (2, "10000", 10)], devices=[
        Usb(1, "2", "046d:c52b", 3, "USB Receiver", "Logitech", ifaces=[KBD, MOUSE, HID],
            events=[(0, "usb-Logitech_USB_Receiver-event-kbd", "kbd"),
                    (1, "usb-Logitech_USB_Receiver-if01-event-mouse", "mouse")]),
        Usb(1, "3", "1b1c:1b49", 4, "CORSAIR K70 RGB PRO Mechanical Gaming Keyboard", "Corsair",
            ifaces=[KBD, HID], speed="480",
            events=[(0, "usb-Corsair_CORSAIR_K70_RGB_PRO_Mechanical_Gaming_Keyboard_"
                        "0801D03CAF0B4CA9AF8F5D9A6F8D3A2B-event-kbd", "kbd")]),
        Usb(1, "4", "046d:c08b", 5, "G502 HERO Gaming Mouse", "Logitech", ifaces=[MOUSE, KBD],
            events=[(0, "usb-Logitech_G502_HERO_Gaming_Mouse_0E6D395D3333-event-mouse", "mouse"),
                    (1, "usb-Logitech_G502_HERO_Gaming_Mouse_0E6D395D3333-if01-event-kbd",
                     "kbd")]),
    ]),
    dict(pci="37:00.0", buses=[(3, "480", 2), (4, "10000", 2)], devices=[
        Usb(3, "1", "045e:0b12", 2, "Controller", "Microsoft", cls=0xFF,
            ifaces=[(0xFF, 0x47, 0xD0)],
            events=[(0, "usb-Microsoft_Controller_3039373130373431393437343032-event-joystick",
                     "joystick")]),
    ]),
]

# The desk fixture's USB: a keyboard, a receiver, a mouse, a hub with two
# identical gamepads (udev gives them one by-id name: only their ports tell
# them apart), and a USB stick behind the USB 3 root hub.
def desk_usb():
    return [
    dict(pci="00:14.0", buses=[(1, "480", 16), (2, "10000", 10)], devices=[
        Usb(1, "1", "046a:0011", 2, "Mechanical Keyboard", "CHERRY",
            events=[(0, "usb-CHERRY_Mechanical_Keyboard-event-kbd", "kbd")]),
        Usb(1, "2", "046d:c52b", 3, "USB Receiver", "Logitech", ifaces=[KBD, MOUSE, HID],
            events=[(0, "usb-Logitech_USB_Receiver-event-kbd", "kbd"),
                    (1, "usb-Logitech_USB_Receiver-if01-event-mouse", "mouse")]),
        Usb(1, "3", "05e3:0610", 4, "USB2.1 Hub", "GenesysLogic", cls=0x09,
            ifaces=[(0x09, 0, 1)], hub_ports=4, speed="480"),
        Usb(1, "3.1", "045e:028e", 6, "Controller", "\u00a9Microsoft Corporation", cls=0xFF,
            ifaces=[(0xFF, 0x5D, 0x01)], events=[(0, None, "joystick")]),
        Usb(1, "3.2", "045e:028e", 7, "Controller", "\u00a9Microsoft Corporation", cls=0xFF,
            ifaces=[(0xFF, 0x5D, 0x01)],
            events=[(0, "usb-\u00a9Microsoft_Corporation_Controller-event-joystick",
                     "joystick")]),
        Usb(1, "4", "046d:c08b", 5, "G502 HERO Gaming Mouse", "Logitech", ifaces=[MOUSE, KBD],
            events=[(0, "usb-Logitech_G502_HERO_Gaming_Mouse_0E6D395D3333-event-mouse", "mouse")]),
        Usb(2, "1", "0781:5581", 2, " SanDisk 3.2Gen1", "USB", ifaces=[(0x08, 0x06, 0x50)],
            speed="5000"),
    ]),
]


def desk_host():
    """Issue 12's fixture: two large-BAR GPUs and a USB desk."""
    sub = (0x1043, 0x88A2)
    return scenario(
        "desk",
        "gaming desk: RTX 4080 (16 GiB BAR) and RTX 3090 (32 GiB BAR) with Resizable BAR, "
        "a keyboard, a mouse, a receiver and two identical gamepads on USB",
        intel_host(usb=desk_usb(), desktop_user=("gamer", 1000)),
        intel_base_fns(nvme_bus=3) + [
            F("00:01.0", "8086:1901", 0x060400, "pcieport", 1, rev=0x0D, sec=1, reset="pm",
              link=(8, 8)),
            F("00:01.1", "8086:1905", 0x060400, "pcieport", 2, rev=0x0D, sec=2, reset="pm",
              link=(8, 8)),
            F("00:02.0", "8086:3e92", 0x030000, "i915", 8, rev=0x02, boot_vga=1, reset="flr"),
            F("01:00.0", "10de:2704", 0x030000, "nvidia", 1, rev=0xA1, subsys=sub, boot_vga=0,
              reset="bus", link=(16, 16), bars=RTX4080_REBAR_BARS,
              rebar=[(1, 16 * GiB, 16 * GiB)]),
            F("01:00.1", "10de:22bb", 0x040300, "snd_hda_intel", 1, rev=0xA1, subsys=sub,
              reset="bus", link=(16, 16)),
            F("02:00.0", "10de:2204", 0x030000, "nvidia", 2, rev=0xA1, subsys=(0x3842, 0x3987),
              boot_vga=0, reset="bus", link=(16, 16), bars=RTX3090_REBAR_BARS,
              rebar=[(1, 32 * GiB, 32 * GiB)]),
            F("02:00.1", "10de:1aef", 0x040300, "snd_hda_intel", 2, rev=0xA1,
              subsys=(0x3842, 0x3987), reset="bus", link=(16, 16)),
        ])


def demo_host():
    sub = (0x1043, 0x8882)
    ada = (0x1043, 0x88A2)
    fns = [
        F("00:00.0", "8086:4660", 0x060000, None, 0, rev=0x02, subsys=sub),
        F("00:01.0", "8086:460d", 0x060400, "pcieport", 1, rev=0x02, sec=1, reset="pm",
          link=(16, 16)),
        # Resizable BAR on in the firmware: BAR 1 spans the 16 GiB of VRAM
        F("01:00.0", "10de:2704", 0x030000, "nvidia", 1, rev=0xA1, subsys=ada, boot_vga=0,
          reset="bus", link=(16, 16), bars=RTX4080_REBAR_BARS, rebar=[(1, 16 * GiB, 16 * GiB)]),
        F("01:00.1", "10de:22bb", 0x040300, "snd_hda_intel", 1, rev=0xA1, subsys=ada,
          reset="bus", link=(16, 16)),
        F("00:02.0", "8086:4680", 0x030000, "i915", 2, rev=0x0C, subsys=sub, boot_vga=1,
          reset="flr"),
        F("00:06.0", "8086:464d", 0x060400, "pcieport", 3, rev=0x02, sec=2, reset="pm",
          link=(16, 4)),
        F("02:00.0", "144d:a80a", 0x010802, "nvme", 4, subsys=(0x144D, 0xA801),
          reset="flr bus", link=(16, 4)),
        F("00:0a.0", "8086:467d", 0x118000, "intel_vsec", 5, rev=0x01, subsys=sub),
        F("00:14.0", "8086:7ae0", 0x0C0330, "xhci_hcd", 6, rev=0x11, subsys=sub, reset="pm"),
        F("00:14.2", "8086:7aa7", 0x050000, None, 6, rev=0x11, subsys=sub),
        F("00:14.3", "8086:7af0", 0x028000, "iwlwifi", 6, rev=0x11, subsys=(0x8086, 0x0094),
          reset="flr"),
        F("00:15.0", "8086:7acc", 0x0C8000, "intel-lpss", 7, rev=0x11, subsys=sub),
        F("00:16.0", "8086:7ae8", 0x078000, "mei_me", 8, rev=0x11, subsys=sub, reset="pm"),
        F("00:17.0", "8086:7ae2", 0x010601, "ahci", 9, rev=0x11, subsys=sub, reset="pm"),
        F("00:1a.0", "8086:7ac8", 0x060400, "pcieport", 10, rev=0x11, sec=3, reset="pm",
          link=(16, 4)),
        F("03:00.0", "144d:a808", 0x010802, "nvme", 11, subsys=(0x144D, 0xA801),
          reset="flr bus", link=(8, 4)),
        F("00:1c.0", "8086:7ab8", 0x060400, "pcieport", 12, rev=0x11, sec=4, reset="pm",
          link=(8, 1)),
        F("04:00.0", "8086:15f3", 0x020000, "igc", 13, rev=0x03, subsys=sub,
          reset="flr bus", link=(5, 1)),
        F("00:1c.4", "8086:7abc", 0x060400, "pcieport", 14, rev=0x11, sec=5, reset="pm",
          link=(8, 4)),
        F("05:00.0", "8086:1136", 0x060400, "pcieport", 15, rev=0x02, sec=6, reset="pm",
          link=(8, 4)),
        F("06:00.0", "8086:1136", 0x060400, "pcieport", 16, rev=0x02, sec=7, reset="pm",
          link=(8, 4)),
        F("06:01.0", "8086:1136", 0x060400, "pcieport", 17, rev=0x02, sec=8, sub=0x36,
          reset="pm", link=(8, 4)),
        F("06:02.0", "8086:1136", 0x060400, "pcieport", 18, rev=0x02, sec=0x37, reset="pm",
          link=(8, 4)),
        F("06:03.0", "8086:1136", 0x060400, "pcieport", 19, rev=0x02, sec=0x38, sub=0x66,
          reset="pm", link=(8, 4)),
        F("07:00.0", "8086:1137", 0x0C0340, "thunderbolt", 20, rev=0x02, subsys=sub,
          reset="flr bus", link=(8, 4)),
        F("37:00.0", "8086:1138", 0x0C0330, "xhci_hcd", 21, rev=0x02, subsys=sub,
          reset="flr bus", link=(8, 4)),
        F("00:1f.0", "8086:7a84", 0x060100, None, 22, rev=0x11, subsys=sub),
        F("00:1f.3", "8086:7ad0", 0x040300, "snd_hda_intel", 22, rev=0x11, subsys=sub),
        F("00:1f.4", "8086:7aa3", 0x0C0500, "i801_smbus", 22, rev=0x11, subsys=sub),
        F("00:1f.5", "8086:7aa4", 0x0C8000, "intel-spi", 22, rev=0x11, subsys=sub),
    ]
    host = intel_host(
        cpu=CPU_I9_12900K, mem_kb=65665012,
        board=dict(vendor="ASUSTeK COMPUTER INC.", product="ROG STRIX Z690-A GAMING WIFI D4",
                   bios_vendor="American Megatrends Inc.", bios_version="2103",
                   bios_date="09/30/2022", serial="System Serial Number",
                   uuid="c0a8e4b6-1f2d-4e3a-8b7c-9d0e1f2a3b4c"),
        board_subsys=sub, mmio32=(0x80000000, 0xBFFFFFFF), mmcfg=(0xC0000000, 0xCFFFFFFF),
        usb=demo_usb(), desktop_user=("alex", 1000))
    return scenario("demo-host", "a typical gaming workstation (README demo)", host, fns,
                    dest=("data/demo-host", "data/demo-host.xml"))


def big_host(n):
    """Synthetic host with at least n PCI functions for benchmarks."""
    fns = []
    group = [20]

    def g():
        group[0] += 1
        return group[0]

    cards = [
        # (ids per function, classes, drivers, subsys, reset, link)
        (["10de:2484", "10de:228b"], [0x030000, 0x040300], ["nvidia", "snd_hda_intel"],
         (0x1458, 0x403D), "bus", (16, 16)),
        (["10de:1e87", "10de:10f8", "10de:1ad8", "10de:1ad9"],
         [0x030000, 0x040300, 0x0C0330, 0x0C8000],
         ["nvidia", "snd_hda_intel", "xhci_hcd", "nvidia-gpu"], (0x3842, 0x2183),
         "flr bus", (8, 16)),
        (["1002:73bf", "1002:ab28"], [0x030000, 0x040300], ["amdgpu", "snd_hda_intel"],
         (0x1DA2, 0xE438), "bus", (16, 16)),
        (["10de:2204", "10de:1aef"], [0x030000, 0x040300], ["vfio-pci", "vfio-pci"],
         (0x3842, 0x3987), "bus", (16, 16)),
        (["10de:1b80", "10de:10f0"], [0x030000, 0x040300], ["nvidia", "snd_hda_intel"],
         (0x3842, 0x6180), "bus", (8, 16)),
    ]
    bus = [1]

    def newbus():
        b = bus[0]
        bus[0] += 1
        if b > 0xFF:
            raise SystemExit("--big: ran out of bus numbers (about 400 functions is the limit)")
        return b

    first_vga = [True]
    cardno = [0]

    def add_card(b, grp):
        ids, classes, drivers, sub, reset, link = cards[cardno[0] % len(cards)]
        cardno[0] += 1
        for i, (idv, c, d) in enumerate(zip(ids, classes, drivers)):
            kw = {}
            if c >> 8 == 0x0300:
                kw["boot_vga"] = 1 if first_vga[0] else 0
                first_vga[0] = False
            fns.append(F("%02x:00.%d" % (b, i), idv, c, d, grp, rev=0xA1, subsys=sub,
                         reset=reset, link=link, **kw))

    # CPU root ports 00:01.x each with a card, then PLX switches on further root ports
    root_slots = [(1, 0), (1, 1), (1, 2)] + [(s, fn) for s in range(3, 0x14) for fn in range(4)]
    rp_ids = ["8086:1901", "8086:1905", "8086:1909"]
    ri = 0
    nbase = len(intel_base_fns())
    while len(fns) + nbase < n:
        if ri >= len(root_slots):
            raise SystemExit("--big: ran out of root ports")
        slot, func = root_slots[ri]
        rp_bus = newbus()
        rp = F("00:%02x.%d" % (slot, func), rp_ids[ri % 3] if ri < 3 else "8086:a338", 0x060400,
               "pcieport", g(), sec=rp_bus, reset="pm", link=(8, 16))
        fns.append(rp)
        if ri < 3:
            add_card(rp_bus, rp.group)
        else:
            # switch: upstream port + 8 downstream ports, each with a card
            up = F("%02x:00.0" % rp_bus, "10b5:8747", 0x060400, "pcieport", g(), rev=0xCA,
                   sec=newbus(), reset="pm", link=(8, 16))
            fns.append(up)
            for k in range(8):
                if len(fns) + nbase >= n:
                    break
                cb = newbus()
                fns.append(F("%02x:%02x.0" % (up.sec, k * 2), "10b5:8747", 0x060400, "pcieport",
                             g(), rev=0xCA, sec=cb, reset="pm", link=(8, 16)))
                add_card(cb, g())
        ri += 1
    fns += intel_base_fns(nvme_bus=newbus())
    host = intel_host(mmio32=(0x10000000, 0xDFFFFFFF), low_ram_end=0x0FFFFFFF)
    return scenario("big", "synthetic benchmark host with %d PCI functions" % len(fns), host, fns)


# ---------------------------------------------------------------------------
# Topology helpers
# ---------------------------------------------------------------------------

SPEED_CODE = {2.5: 1, 5: 2, 8: 3, 16: 4, 32: 5}
SPEED_TEXT = {2.5: "2.5", 5: "5", 8: "8", 16: "16", 32: "32"}          # libvirt
SPEED_SYSFS = {2.5: "2.5", 5: "5.0", 8: "8.0", 16: "16.0", 32: "32.0"}  # pci_speed_string()


class Topo:
    def __init__(self, sc):
        self.sc = sc
        self.host = sc["host"]
        self.fns = sorted(sc["fns"], key=lambda f: (f.domain, f.bus, f.slot, f.func))
        seen = set()
        for f in self.fns:
            if f.addr in seen:
                raise ValueError("%s: duplicate %s" % (sc["name"], f.addr))
            seen.add(f.addr)
        self.by_sec = {}
        for f in self.fns:
            if f.is_bridge():
                if f.sec in self.by_sec:
                    raise ValueError("%s: bus %02x behind two bridges" % (sc["name"], f.sec))
                self.by_sec[f.sec] = f
        self.parent = {}
        for f in self.fns:
            if f.bus == 0:
                self.parent[f.addr] = None
            else:
                if f.bus not in self.by_sec:
                    raise ValueError("%s: %s has no bridge to bus %02x" % (sc["name"], f.addr, f.bus))
                self.parent[f.addr] = self.by_sec[f.bus]
        self.children = {}
        for f in self.fns:
            p = self.parent[f.addr]
            self.children.setdefault(p.addr if p else None, []).append(f)
        slots = {}
        for f in self.fns:
            slots.setdefault((f.domain, f.bus, f.slot), []).append(f)
        self.multifn = {f.addr: len(slots[(f.domain, f.bus, f.slot)]) > 1 for f in self.fns}
        for (d, b, s), lst in slots.items():
            if not any(x.func == 0 for x in lst):
                raise ValueError("%s: %04x:%02x:%02x has no function 0" % (sc["name"], d, b, s))
        # boot VGA path (bridges with VGA Enable)
        self.vga_path = set()
        for f in self.fns:
            if f.boot_vga:
                p = self.parent[f.addr]
                while p:
                    self.vga_path.add(p.addr)
                    p = self.parent[p.addr]
        self.groups = {}
        if self.host["iommu_on"]:
            for f in self.fns:
                if f.group is None:
                    raise ValueError("%s: %s has no group" % (sc["name"], f.addr))
                self.groups.setdefault(f.group, []).append(f)
        self.alloc_bars()

    def subordinate(self, f):
        if f.sub is not None:
            return f.sub
        m = f.sec
        for c in self.children.get(f.addr, []):
            if c.is_bridge():
                m = max(m, self.subordinate(c))
        return m

    def relpath(self, f):
        chain = []
        x = f
        while x:
            chain.append(x.addr)
            x = self.parent[x.addr]
        return "devices/pci%04x:00/" % f.domain + "/".join(reversed(chain))

    def port_type(self, f):
        if f.is_bridge():
            if f.bus == 0:
                return 4
            p = self.parent[f.addr]
            if p and self.port_type(p) == 5:
                return 6
            return 5
        if f.bus == 0:
            return 9
        return 0

    def has_pcie(self, f):
        if f.is_bridge() or f.bus != 0:
            return True
        return (f.cls >> 16) == 0x03   # integrated GPU: RC integrated endpoint

    def link_cap(self, f):
        if f.link:
            return f.link
        return (8, 16) if f.is_bridge() else (2.5, 1)

    def link_sta(self, f):
        sp, w = self.link_cap(f)
        p = self.parent[f.addr]
        if p and p.is_bridge():
            psp, pw = self.link_cap(p)
            sp, w = min(sp, psp), min(w, pw)
        return sp, w

    # --- BARs ---------------------------------------------------------------
    def default_bars(self, f):
        if f.bars is not None:
            return f.bars
        if f.is_bridge():
            return []
        base, sub = f.cls >> 16, (f.cls >> 8) & 0xFF
        if base == 0x03:
            if f.vendor == 0x10DE:
                return [(0, "mem32", 16 * MiB), (1, "pref64", 256 * MiB), (3, "pref64", 32 * MiB)]
            if f.vendor == 0x1002:
                return [(0, "pref64", 256 * MiB), (2, "pref64", 2 * MiB), (5, "mem32", 512 * KiB)]
            return [(0, "mem64", 16 * MiB), (2, "pref64", 256 * MiB)]
        if base == 0x06 or base == 0x13:
            return []
        if base == 0x04:
            return [(0, "mem64" if f.bus == 0 else "mem32", 16 * KiB)]
        if f.cls == 0x0C0330:
            if f.vendor == 0x10DE:
                return [(0, "pref64", 256 * KiB), (3, "mem32", 64 * KiB)]
            return [(0, "mem64", 64 * KiB)]
        if f.cls == 0x010601:
            return [(0, "mem32", 8 * KiB), (5, "mem32", 2 * KiB)]
        if f.cls == 0x010802:
            return [(0, "mem64", 16 * KiB)]
        if f.cls == 0x0C0500:
            return [(0, "mem64", 256)]
        if base == 0x02 and sub == 0x00:
            return [(0, "mem32", 1 * MiB if f.device == 0x15F3 else 128 * KiB),
                    (3, "mem32", 16 * KiB)]
        if f.cls == 0x0C0340:
            return [(0, "mem64", 256 * KiB), (2, "mem64", 4 * KiB)]
        return [(0, "mem64", 16 * KiB)]

    def alloc_bars(self):
        h = self.host
        self.res = {}      # addr -> {index: (start, end, kind)}
        self.win = {}      # bridge addr -> {"mem": (s,e), "pref": (s,e)}
        cur = {"mem": h["mmio32"][0], "pref": h["mmio64"][0]}

        def pool(kind):
            return "pref" if kind == "pref64" else "mem"

        def need(f, p):
            a = 0
            for _, kind, size in self.default_bars(f):
                if pool(kind) == p:
                    a = max(a, size)
            for c in self.children.get(f.addr, []):
                a = max(a, need(c, p))
            return a

        def align(x, a):
            return (x + a - 1) // a * a

        def walk(parent_addr):
            for f in self.children.get(parent_addr, []):
                if f.is_bridge():
                    start = {}
                    for p in ("mem", "pref"):
                        cur[p] = align(cur[p], max(need(f, p), MiB))
                        start[p] = cur[p]
                    walk(f.addr)
                    self.win[f.addr] = {}
                    for p in ("mem", "pref"):
                        end = align(cur[p], MiB)
                        if end > start[p]:
                            self.win[f.addr][p] = (start[p], end - 1)
                        cur[p] = end
                else:
                    r = {}
                    for idx, kind, size in self.default_bars(f):
                        p = pool(kind)
                        cur[p] = align(cur[p], max(size, 16))
                        r[idx] = (cur[p], cur[p] + size - 1, kind)
                        cur[p] += size
                    self.res[f.addr] = r

        walk(None)
        if cur["mem"] - 1 > h["mmio32"][1]:
            raise SystemExit("%s: 32-bit MMIO window overflow (too many devices; --big tops out near 400)" % self.sc["name"])


# ---------------------------------------------------------------------------
# Config space
# ---------------------------------------------------------------------------

RES_FLAGS = {"mem32": 0x40200, "mem64": 0x140204, "pref64": 0x14220C}


def build_config(t, f):
    c = bytearray(256)

    def w8(o, v):
        c[o] = v & 0xFF

    def w16(o, v):
        struct.pack_into("<H", c, o, v & 0xFFFF)

    def w32(o, v):
        struct.pack_into("<I", c, o, v & 0xFFFFFFFF)

    w16(0x00, f.vendor)
    w16(0x02, f.device)
    if f.is_bridge():
        cmd = 0x0407
    elif f.driver:
        cmd = 0x0407 if (f.cls >> 16) == 0x03 else 0x0406
    else:
        cmd = 0x0006 if (f.cls >> 8) == 0x0600 else 0x0002
    w16(0x04, cmd)
    w16(0x06, 0x0010)
    w8(0x08, f.rev)
    w8(0x09, f.cls & 0xFF)
    w8(0x0A, (f.cls >> 8) & 0xFF)
    w8(0x0B, (f.cls >> 16) & 0xFF)
    w8(0x0C, 0x10 if f.bus or f.is_bridge() else 0x00)
    w8(0x0E, f.hdr | (0x80 if t.multifn[f.addr] else 0))
    irq_line = 16 + (f.slot + f.func) % 4
    if f.is_bridge():
        w8(0x18, f.bus)
        w8(0x19, f.sec)
        w8(0x1A, t.subordinate(f))
        w8(0x1C, 0xF0)          # I/O window disabled
        w8(0x1D, 0x00)
        w16(0x1E, 0x2000)       # secondary status: received master abort cleared
        win = t.win.get(f.addr, {})
        if "mem" in win:
            s, e = win["mem"]
            w16(0x20, (s >> 16) & 0xFFF0)
            w16(0x22, (e >> 16) & 0xFFF0)
        else:
            w16(0x20, 0xFFF0)
            w16(0x22, 0x0000)
        if "pref" in win:
            s, e = win["pref"]
            w16(0x24, ((s >> 16) & 0xFFF0) | 1)
            w16(0x26, ((e >> 16) & 0xFFF0) | 1)
            w32(0x28, s >> 32)
            w32(0x2C, e >> 32)
        else:
            w16(0x24, 0xFFF1)
            w16(0x26, 0x0001)
        w8(0x3C, 0xFF)
        w8(0x3D, 0x01)
        w16(0x3E, 0x0002 | (0x0008 if f.addr in t.vga_path else 0) | 0x0010)
    else:
        for idx, (s, e, kind) in t.res.get(f.addr, {}).items():
            bits = {"mem32": 0x0, "mem64": 0x4, "pref64": 0xC}[kind]
            w32(0x10 + 4 * idx, (s & 0xFFFFFFF0) | bits)
            if kind != "mem32":
                w32(0x10 + 4 * (idx + 1), s >> 32)
        sv, sd = f.subsys or t.host["board_subsys"]
        w16(0x2C, sv)
        w16(0x2E, sd)
        if (f.cls >> 8) != 0x0600:
            w8(0x3C, irq_line)
            w8(0x3D, 0x01 if (f.cls >> 8) not in (0x0601,) else 0x00)

    # capability list
    methods = (f.reset or "").split()
    caps = []
    if (f.cls >> 8) == 0x0600 and not f.is_bridge():
        caps.append((0xE0, "vendor"))
    else:
        caps.append((0x40, "pm"))
        if f.is_bridge():
            caps.append((0x48, "ssvid"))
        caps.append((0x50, "msi"))
        if t.has_pcie(f):
            caps.append((0x70, "pcie"))
    w8(0x34, caps[0][0])
    for i, (off, kind) in enumerate(caps):
        nxt = caps[i + 1][0] if i + 1 < len(caps) else 0
        if kind == "vendor":
            w8(off, 0x09)
            w8(off + 1, nxt)
            w8(off + 2, 0x0C)
        elif kind == "pm":
            w8(off, 0x01)
            w8(off + 1, nxt)
            w16(off + 2, 0x0003 if f.is_bridge() else 0xC9C3 & 0xFFFF)
            w16(off + 4, 0x0000 if "pm" in methods else 0x0008)   # No_Soft_Reset
        elif kind == "ssvid":
            w8(off, 0x0D)
            w8(off + 1, nxt)
            sv, sd = f.subsys or t.host["board_subsys"]
            w16(off + 4, sv)
            w16(off + 6, sd)
        elif kind == "msi":
            w8(off, 0x05)
            w8(off + 1, nxt)
            enabled = 1 if f.driver else 0
            w16(off + 2, 0x0080 | enabled)          # 64-bit capable
            if enabled:
                w32(off + 4, 0xFEE00000 | ((f.slot * 8 + f.func) << 12 & 0xFF000))
                w16(off + 12, 0x4020 + f.bus)
        elif kind == "pcie":
            w8(off, 0x10)
            w8(off + 1, nxt)
            ptype = t.port_type(f)
            slot_impl = 0x0100 if ptype in (4, 6) else 0
            w16(off + 2, 0x0002 | (ptype << 4) | slot_impl)
            devcap = 0x00008001 if ptype != 9 else 0x00000000   # 256B payload, RBER
            if "flr" in methods and not f.is_bridge():
                devcap |= 1 << 28
            w32(off + 4, devcap)
            w16(off + 8, 0x2810 | 0x000F)   # MRRS 512, MPS 128, error reporting
            if ptype != 9:
                sp, wd = t.link_cap(f)
                port = (f.slot + 1) if ptype in (4, 6) else 0
                w32(off + 0x0C, SPEED_CODE[sp] | (wd << 4) | (port << 24))
                ssp, swd = t.link_sta(f)
                w16(off + 0x10, 0x0040)
                dlactive = 0x2000 if ptype in (4, 6) and t.children.get(f.addr) else 0
                w16(off + 0x12, SPEED_CODE[ssp] | (swd << 4) | 0x1000 | dlactive)
                w32(off + 0x24, 0x00000010 if ptype in (4, 6) else 0)  # ARI fwd (ports)
                w16(off + 0x30, SPEED_CODE[sp])                      # target link speed
                w32(off + 0x2C, ((1 << SPEED_CODE[sp]) - 1) << 1)   # supported speeds
    if f.rebar:
        c += rebar_capability(f.rebar)
    return bytes(c)


def rebar_capability(entries):
    """Config space 0x100-0xfff with one extended capability, Resizable BAR
    (PCIe base spec 7.8.6; PCI_EXT_CAP_ID_REBAR 0x15, version 1, last in
    the list). Per BAR: the capability register's bits 31:4 set for every
    size from 64 MiB up to the largest (bit 4 = 1 MiB, doubling), then the
    control register: BAR index, the count of resizable BARs (first entry
    only), the current size as log2(MiB) in bits 13:8."""
    ext = bytearray(4096 - 256)
    struct.pack_into("<I", ext, 0, 0x15 | (1 << 16))
    for i, (bar, current, largest) in enumerate(entries):
        sizes = 0
        n = 6                                   # 64 MiB
        while (MiB << n) <= largest:
            sizes |= 1 << (n + 4)
            n += 1
        ctrl = bar | ((current // MiB).bit_length() - 1) << 8
        if i == 0:
            ctrl |= len(entries) << 5
        struct.pack_into("<II", ext, 4 + 8 * i, sizes, ctrl)
    return ext


def resource_text(t, f):
    n = 17 if f.is_bridge() else 13      # CONFIG_PCI_IOV=y: 6 BARs, ROM, 6 IOV (+4 windows)
    lines = [(0, 0, 0)] * n
    for idx, (s, e, kind) in t.res.get(f.addr, {}).items():
        lines[idx] = (s, e, RES_FLAGS[kind])
    if f.is_bridge():
        win = t.win.get(f.addr, {})
        if "mem" in win:
            lines[14] = (win["mem"][0], win["mem"][1], 0x200)
        if "pref" in win:
            lines[15] = (win["pref"][0], win["pref"][1], 0x102201)
    return "".join("0x%016x 0x%016x 0x%016x\n" % x for x in lines)


# ---------------------------------------------------------------------------
# Writer
# ---------------------------------------------------------------------------

class Tree:
    def __init__(self, root):
        self.root = root
        self.files = {}     # rel -> bytes
        self.links = {}     # rel -> target
        self.dirs = set()

    def file(self, rel, data=""):
        if isinstance(data, str):
            data = data.encode()
        self.files[rel] = data

    def link(self, rel, target):
        self.links[rel] = target

    def dir(self, rel):
        self.dirs.add(rel)

    def write(self):
        tmp = self.root + ".gen-tmp"
        if os.path.lexists(tmp):
            shutil.rmtree(tmp)
        os.makedirs(tmp)
        alldirs = set(self.dirs)
        for rel in list(self.files) + list(self.links):
            d = os.path.dirname(rel)
            while d:
                alldirs.add(d)
                d = os.path.dirname(d)
        # directories that would be empty get a .keep so git keeps them
        parents = set()
        for rel in list(self.files) + list(self.links) + list(alldirs):
            parents.add(os.path.dirname(rel))
        for d in sorted(alldirs):
            if d not in parents:
                self.files[d + "/.keep"] = b""
        for d in sorted(alldirs):
            os.makedirs(os.path.join(tmp, d), exist_ok=True)
        for rel in sorted(self.files):
            p = os.path.join(tmp, rel)
            with open(p, "wb") as fh:
                fh.write(self.files[rel])
            os.chmod(p, 0o644)
        for rel in sorted(self.links):
            os.symlink(self.links[rel], os.path.join(tmp, rel))
        if os.path.lexists(self.root):
            shutil.rmtree(self.root)
        os.rename(tmp, self.root)


def up(rel_dir):
    """'../' repeated to climb out of rel_dir (a path with that many components)."""
    return "../" * len([p for p in rel_dir.split("/") if p])


def write_sysfs(t, tree):
    sc, h = t.sc, t.host
    drivers_used = set()
    driver_dirs = set()
    for f in t.fns:
        if f.driver:
            drivers_used.add(f.driver)
            if not f.dangling_driver:
                driver_dirs.add(f.driver)
    for f in t.fns:
        if f.dangling_driver and f.driver in driver_dirs:
            raise ValueError("dangling driver %s is used elsewhere" % f.driver)
    if h["vfio"]:
        driver_dirs.add("vfio-pci")
    driver_dirs.add("pcieport")
    loaded = loaded_modules(t, driver_dirs)

    ncpu = h["cpu"]["cores"] * h["cpu"]["threads"]
    cpulist = "0-%d" % (ncpu - 1)
    irq_seq = [120]

    tree.file("sys/devices/pci0000:00/pci_bus/0000:00/cpulistaffinity", cpulist + "\n")
    for f in t.fns:
        rel = "sys/" + t.relpath(f)
        files = {}
        files["vendor"] = "0x%04x\n" % f.vendor
        files["device"] = "0x%04x\n" % f.device
        sv, sd = f.subsys or h["board_subsys"]
        if f.is_bridge():
            sv, sd = f.subsys or h["board_subsys"]
        files["subsystem_vendor"] = "0x%04x\n" % sv
        files["subsystem_device"] = "0x%04x\n" % sd
        files["class"] = "0x%06x\n" % f.cls
        files["revision"] = "0x%02x\n" % f.rev
        files["config"] = build_config(t, f)
        files["driver_override"] = "(null)\n"
        if f.driver:
            files["irq"] = "%d\n" % irq_seq[0]
            irq_seq[0] += 1
        else:
            files["irq"] = "%d\n" % (16 + (f.slot + f.func) % 4)
        files["enable"] = "1\n" if f.driver else "0\n"
        files["numa_node"] = "%d\n" % h["numa"]
        files["local_cpulist"] = cpulist + "\n"
        files["local_cpus"] = "%x\n" % ((1 << ncpu) - 1)
        files["resource"] = resource_text(t, f)
        files["modalias"] = "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n" % (
            f.vendor, f.device, sv, sd, f.cls >> 16, (f.cls >> 8) & 0xFF, f.cls & 0xFF)
        files["remove"] = ""
        files["rescan"] = ""
        if f.is_bridge():
            files["secondary_bus_number"] = "%d\n" % f.sec
            files["subordinate_bus_number"] = "%d\n" % t.subordinate(f)
        if (f.cls >> 8) == 0x0300:
            files["boot_vga"] = "%d\n" % (1 if f.boot_vga else 0)
        if f.reset:
            files["reset_method"] = f.reset + "\n"
            files["reset"] = ""
        if t.has_pcie(f) and t.port_type(f) != 9:
            sp, wd = t.link_cap(f)
            ssp, swd = t.link_sta(f)
            files["max_link_speed"] = "%s GT/s PCIe\n" % SPEED_SYSFS[sp]
            files["max_link_width"] = "%d\n" % wd
            files["current_link_speed"] = "%s GT/s PCIe\n" % SPEED_SYSFS[ssp]
            files["current_link_width"] = "%d\n" % swd
        for name, data in files.items():
            if name in f.omit:
                continue
            if name in f.empty:
                data = ""
            tree.file(rel + "/" + name, data)
        tosys = up(t.relpath(f))        # climb from the device dir to sys/
        tree.link(rel + "/subsystem", tosys + "bus/pci")
        if f.driver:
            tree.link(rel + "/driver", tosys + "bus/pci/drivers/" + f.driver)
            if not f.dangling_driver:
                tree.link("sys/bus/pci/drivers/%s/%s" % (f.driver, f.addr),
                          "../../../../" + t.relpath(f))
        if h["iommu_on"] and not f.no_group_link:
            tree.link(rel + "/iommu_group", tosys + "kernel/iommu_groups/%d" % f.group)
        if f.is_bridge():
            tree.file(rel + "/pci_bus/%04x:%02x/cpulistaffinity" % (f.domain, f.sec),
                      cpulist + "\n")
        tree.link("sys/bus/pci/devices/" + f.addr, "../../../" + t.relpath(f))

    write_block_devices(t, tree)
    write_usb(t, tree)
    write_desktop(h, tree)

    tree.file("sys/bus/pci/drivers_probe", "")
    tree.file("sys/bus/pci/drivers_autoprobe", "1\n")
    tree.file("sys/bus/pci/rescan", "")
    tree.file("sys/bus/pci/resource_alignment", "\n")
    for d in sorted(driver_dirs):
        base = "sys/bus/pci/drivers/" + d
        for n in ("bind", "unbind", "new_id", "remove_id", "uevent"):
            tree.file(base + "/" + n, "")
        mod = DRIVER_MODULE.get(d)
        if mod:
            tree.link(base + "/module", "../../../../module/" + mod)
            tree.link("sys/module/%s/drivers/pci:%s" % (mod, d), "../../../bus/pci/drivers/" + d)

    # modules
    for m in sorted(loaded):
        tree.file("sys/module/%s/initstate" % m, "live\n")
        params = dict(MODULE_PARAMS.get(m, {}))
        if m in ("kvm_intel", "kvm_amd"):
            params["nested"] = h["nested"]
        for k, v in sorted(params.items()):
            tree.file("sys/module/%s/parameters/%s" % (m, k), v + "\n")
    libmod = "lib/modules/%s/" % OSRELEASE
    tree.file(libmod + "modules.builtin", "".join(x + "\n" for x in MODULES_BUILTIN))
    dep_mods = [m for m in MODULE_FILES if h["vfio"] or not (m.startswith("vfio") or m == "mdev")]
    tree.file(libmod + "modules.dep", "".join(
        "%s:%s\n" % (MODULE_FILES[m][0], "".join(" " + MODULE_FILES[d][0] for d in MODULE_FILES[m][1]))
        for m in dep_mods))

    # IOMMU
    if h["iommu_on"]:
        gtype = "identity" if "iommu=pt" in h["cmdline"].split() else "DMA-FQ"
        resv = "0x00000000fee00000 0x00000000feefffff msi\n"
        if h["iommu"] == "amd":
            resv += "0x000000fd00000000 0x000000ffffffffff reserved\n"
        for g, members in sorted(t.groups.items()):
            base = "sys/kernel/iommu_groups/%d" % g
            tree.file(base + "/type", gtype + "\n")
            tree.file(base + "/reserved_regions", resv)
            for f in members:
                tree.link(base + "/devices/" + f.addr, "../../../../" + t.relpath(f))
        if h["iommu"] == "intel":
            unit = "dmar0"
            ecap = 0xF050DA if h["intremap"] else 0xF050DA & ~0x8
            tree.file("sys/devices/virtual/iommu/dmar0/intel-iommu/ecap", "%x\n" % ecap)
            tree.file("sys/devices/virtual/iommu/dmar0/intel-iommu/cap", "d2008c40660462\n")
            tree.file("sys/devices/virtual/iommu/dmar0/intel-iommu/version", "1:0\n")
            tree.file("sys/devices/virtual/iommu/dmar0/intel-iommu/address", "fed91000\n")
        else:
            unit = "ivhd0"
            tree.file("sys/devices/virtual/iommu/ivhd0/amd-iommu/features", "58f77ef22294a5a\n")
            tree.file("sys/devices/virtual/iommu/ivhd0/amd-iommu/cap", "190b0d9\n")
        tree.link("sys/class/iommu/" + unit, "../../devices/virtual/iommu/" + unit)
    else:
        tree.dir("sys/kernel/iommu_groups")
        tree.dir("sys/class/iommu")
    if h["iommu"] == "intel":
        tree.file("sys/firmware/acpi/tables/DMAR", dmar_table(h["intremap"]))
    else:
        tree.file("sys/firmware/acpi/tables/IVRS", ivrs_table())

    # hugepages
    nr, free = h["hugepages"]
    hp = "sys/kernel/mm/hugepages/hugepages-2048kB/"
    for k, v in (("nr_hugepages", nr), ("free_hugepages", free), ("resv_hugepages", 0),
                 ("surplus_hugepages", 0), ("nr_overcommit_hugepages", 0)):
        tree.file(hp + k, "%d\n" % v)
    if "pdpe1gb" in h["cpu"]["flags"].split():
        hp = "sys/kernel/mm/hugepages/hugepages-1048576kB/"
        for k in ("nr_hugepages", "free_hugepages", "resv_hugepages", "surplus_hugepages",
                  "nr_overcommit_hugepages"):
            tree.file(hp + k, "0\n")

    # CPU topology
    cpu = h["cpu"]
    cores, threads = cpu["cores"], cpu["threads"]
    for i in range(ncpu):
        core = i % cores
        sibs = [core + k * cores for k in range(threads)]
        base = "sys/devices/system/cpu/cpu%d/topology/" % i
        tree.file(base + "core_id", "%d\n" % core)
        tree.file(base + "physical_package_id", "0\n")
        tree.file(base + "die_id", "0\n")
        tree.file(base + "thread_siblings_list", ",".join(map(str, sibs)) + "\n")
        tree.file(base + "thread_siblings", "%x\n" % sum(1 << s for s in sibs))
        tree.file(base + "core_cpus_list", ",".join(map(str, sibs)) + "\n")
        tree.file(base + "core_siblings_list", cpulist + "\n")
        tree.file(base + "package_cpus_list", cpulist + "\n")
    for n in ("online", "possible", "present"):
        tree.file("sys/devices/system/cpu/" + n, cpulist + "\n")

    # DMI (what libvirt's "computer" node device reports)
    b = h["board"]
    dmi = "sys/devices/virtual/dmi/id/"
    for k, v in (("sys_vendor", b["vendor"]), ("product_name", b["product"]),
                 ("board_vendor", b["vendor"]), ("board_name", b["product"]),
                 ("bios_vendor", b["bios_vendor"]), ("bios_version", b["bios_version"]),
                 ("bios_date", b["bios_date"])):
        tree.file(dmi + k, v + "\n")
    tree.link("sys/class/dmi/id", "../../devices/virtual/dmi/id")

    # /proc
    tree.file("proc/cpuinfo", cpuinfo(h))
    tree.file("proc/cmdline", h["cmdline"] + "\n")
    tree.file("proc/mounts", mounts(h))
    tree.file("proc/swaps", swaps(h))
    tree.file("proc/meminfo", meminfo(h))
    tree.file("proc/iomem", iomem(t))
    tree.file("proc/sys/kernel/random/boot_id",
              str(uuid.uuid5(UUID_NS, "boot/" + sc["name"])) + "\n")
    tree.file("proc/sys/kernel/osrelease", OSRELEASE + "\n")

    # /dev stand-ins
    if h["kvm"]:
        tree.file("dev/kvm", "")
    if h["vfio"]:
        tree.file("dev/vfio/vfio", "")
    tree.file("dev/vhost-net", "")
    tree.file("dev/net/tun", "")
    tree.dir("dev/hugepages")

    # firmware
    if h["ovmf"]:
        for name, text in ovmf_descriptors().items():
            tree.file("usr/share/qemu/firmware/" + name, text)
        for fd in ("OVMF_CODE_4M.fd", "OVMF_CODE_4M.ms.fd", "OVMF_CODE_4M.secboot.fd",
                   "OVMF_VARS_4M.fd", "OVMF_VARS_4M.ms.fd"):
            tree.file("usr/share/OVMF/" + fd, "vmctl test stand-in for %s\n" % fd)

    # boot configuration and runtime state (issue 13)
    if h.get("etc"):
        files, dirs = h["etc"]
        for rel, text in sorted(files.items()):
            tree.file(rel, text)
        for rel in dirs:
            tree.dir(rel)
    if h.get("runtime"):
        irqs = [0, 1, 8, 9] + list(range(120, irq_seq[0]))
        fixtures_host.write_runtime(tree, ncpu, irqs, "powersave", h.get("holders", {}))


# Block devices below the storage controllers, laid out as the kernel does
# (Documentation/ABI/stable/sysfs-block): NVMe namespaces under
# <fn>/nvme/nvmeN/, SATA disks under <fn>/ataN/hostM/targetM:0:0/M:0:0:0/block/,
# partitions as subdirectories of their disk, and sys/class/block/* plus
# sys/block/<disk> as relative links into sys/devices.
NVME_MODELS = {0xA808: ("SAMSUNG MZVLB512HBJQ-00000", 1000215216),   # PM981 512 GB
               0xA80A: ("Samsung SSD 980 PRO 1TB", 1953525168)}
SATA_DISK_SECTORS = 976773168       # 500 GB Samsung 860 EVO
# the first namespace holds the ESP and the root file system that mounts() names
NVME_PARTITIONS = [(2048, 1048576), (1050624, 999163904)]


def block_dir(tree, dev_rel, name, devnum, sectors, extra):
    """One disk or partition directory; dev_rel is relative to sys/."""
    rel = "sys/" + dev_rel
    major, minor = devnum
    files = {"dev": "%d:%d\n" % devnum, "size": "%d\n" % sectors, "ro": "0\n",
             "uevent": "MAJOR=%d\nMINOR=%d\nDEVNAME=%s\nDEVTYPE=%s\n%s" % (
                 major, minor, name, "partition" if "partition" in extra else "disk",
                 "PARTN=%s" % extra["partition"] if "partition" in extra else "")}
    files.update(extra)
    for k, v in files.items():
        tree.file(rel + "/" + k, v)
    tree.link(rel + "/subsystem", up(dev_rel) + "class/block")
    tree.link("sys/class/block/" + name, "../../" + dev_rel)


def disk(tree, dev_rel, name, devnum, sectors, parts, part_name):
    block_dir(tree, dev_rel, name, devnum, sectors,
              {"removable": "0\n", "hidden": "0\n", "range": "0\n", "ext_range": "256\n",
               "capability": "0\n"})
    tree.link("sys/block/" + name, "../" + dev_rel)
    for i, (start, size) in enumerate(parts, 1):
        pname = part_name(i)
        block_dir(tree, dev_rel + "/" + pname, pname, (devnum[0], devnum[1] + i), size,
                  {"partition": "%d\n" % i, "start": "%d\n" % start})


def write_block_devices(t, tree):
    nvme_minor = 0
    nvme = [f for f in t.fns if f.driver == "nvme"]
    for n, f in enumerate(nvme):
        ctrl = t.relpath(f) + "/nvme/nvme%d" % n
        model, sectors = NVME_MODELS[f.device]
        for k, v in (("model", model), ("serial", "S4GENX0N%06d" % (n + 417201)),
                     ("firmware_rev", "EXA7301Q"), ("transport", "pcie"), ("address", f.addr),
                     ("state", "live"), ("cntlid", "4"), ("dev", "241:%d" % n)):
            tree.file("sys/%s/%s" % (ctrl, k), v + "\n")
        tree.link("sys/%s/device" % ctrl, "../../../" + f.addr)
        tree.link("sys/%s/subsystem" % ctrl, up(ctrl) + "class/nvme")
        tree.link("sys/class/nvme/nvme%d" % n, "../../" + ctrl)
        name = "nvme%dn1" % n
        parts = NVME_PARTITIONS if n == 0 else []
        disk(tree, ctrl + "/" + name, name, (259, nvme_minor), sectors, parts,
             lambda i, name=name: "%sp%d" % (name, i))
        tree.link("sys/%s/%s/device" % (ctrl, name), "../../nvme%d" % n)
        nvme_minor += 1 + len(parts)
    sata = [f for f in t.fns if f.driver == "ahci"][:1]
    for f in sata:
        # not mounted: it must never make the SATA controller look in use
        sdev = t.relpath(f) + "/ata1/host0/target0:0:0/0:0:0:0"
        for k, v in (("vendor", "ATA     "), ("model", "Samsung SSD 860 "), ("rev", "4B6Q"),
                     ("type", "0"), ("state", "running")):
            tree.file("sys/%s/%s" % (sdev, k), v + "\n")
        disk(tree, sdev + "/block/sda", "sda", (8, 0), SATA_DISK_SECTORS, [], None)
        tree.link("sys/%s/block/sda/device" % sdev, "../../../0:0:0:0")


# ---------------------------------------------------------------------------
# USB and input (Documentation/ABI/stable/sysfs-bus-usb, udev's
# 60-persistent-input.rules)
# ---------------------------------------------------------------------------

class Usb:
    """One USB device: bus, port path ("2", "3.1"), ids, class, strings,
    interfaces [(class, subclass, protocol)], and the event devices udev
    names for it [(interface index, by-id name or None, kind)]."""

    def __init__(self, bus, port, ids, devnum, product, manufacturer=None, cls=0,
                 ifaces=((0x03, 1, 1),), events=(), hub_ports=0, speed="12"):
        self.bus, self.port, self.devnum = bus, port, devnum
        v, p = ids.split(":")
        self.vendor, self.product_id = int(v, 16), int(p, 16)
        self.product, self.manufacturer = product, manufacturer
        self.cls, self.ifaces, self.events = cls, list(ifaces), list(events)
        self.hub_ports, self.speed = hub_ports, speed

    @property
    def name(self):
        return "%d-%s" % (self.bus, self.port)


def write_usb(t, tree):
    """Root hubs as children of their xHCI function (usbN), devices nested
    under the hubs of their port path, interfaces under each device, the
    /sys/bus/usb/devices links, and for HID interfaces the input device
    with its event node: sys/class/input/eventN, /dev/input/eventN and the
    /dev/input/by-id link udev makes."""
    h = t.host
    event = [h.get("first_event", 3)]
    for ctrl in h.get("usb", []):
        f = find(t.fns, ctrl["pci"])
        base = "sys/" + t.relpath(f)
        for bus, speed, ports in ctrl["buses"]:
            rh = "%s/usb%d" % (base, bus)
            for k, v in (("busnum", bus), ("devnum", 1), ("devpath", "0"), ("idVendor", "1d6b"),
                         ("idProduct", "0003" if speed != "480" else "0002"),
                         ("bDeviceClass", "09"), ("maxchild", ports), ("speed", speed),
                         ("product", "xHCI Host Controller"),
                         ("manufacturer", "Linux %s xhci-hcd" % OSRELEASE),
                         ("serial", f.addr)):
                tree.file("%s/%s" % (rh, k), "%s\n" % v)
            tree.link("sys/bus/usb/devices/usb%d" % bus, "../../../" + rh[len("sys/"):])
        for d in ctrl["devices"]:
            parts = d.port.split(".")
            rel = "%s/usb%d" % (base, d.bus)
            for i in range(len(parts)):
                rel += "/%d-%s" % (d.bus, ".".join(parts[:i + 1]))
            for k, v in (("busnum", d.bus), ("devnum", d.devnum), ("devpath", d.port),
                         ("idVendor", "%04x" % d.vendor), ("idProduct", "%04x" % d.product_id),
                         ("bDeviceClass", "%02x" % d.cls), ("maxchild", d.hub_ports),
                         ("speed", d.speed), ("version", " 2.00"), ("product", d.product),
                         ("manufacturer", d.manufacturer)):
                if v is not None:
                    tree.file("%s/%s" % (rel, k), "%s\n" % v)
            tree.link("sys/bus/usb/devices/" + d.name, "../../../" + rel[len("sys/"):])
            for n, (icls, isub, iproto) in enumerate(d.ifaces):
                iname = "%s:1.%d" % (d.name, n)
                irel = "%s/%s" % (rel, iname)
                for k, v in (("bInterfaceClass", "%02x" % icls),
                             ("bInterfaceSubClass", "%02x" % isub),
                             ("bInterfaceProtocol", "%02x" % iproto),
                             ("bInterfaceNumber", "%02x" % n)):
                    tree.file("%s/%s" % (irel, k), v + "\n")
                tree.link("sys/bus/usb/devices/" + iname, "../../../" + irel[len("sys/"):])
            for iface, byid, kind in d.events:
                n = event[0]
                event[0] += 1
                erel = "%s/%s:1.%d/0003:%04X:%04X.%04X/input/input%d/event%d" % (
                    rel, d.name, iface, d.vendor, d.product_id, n, n + 4, n)
                tree.file(erel + "/dev", "13:%d\n" % (64 + n))
                tree.link("sys/class/input/event%d" % n, "../../" + erel[len("sys/"):])
                tree.file("dev/input/event%d" % n, "")
                if byid:
                    tree.link("dev/input/by-id/" + byid, "../event%d" % n)


def write_desktop(h, tree):
    """The desktop user: /etc/passwd and the sound server sockets under
    /run/user/UID, as a logged-in PipeWire desktop has them."""
    user = h.get("desktop_user")
    if not user:
        return
    name, uid = user
    tree.file("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"
              "libvirt-qemu:x:64055:993:Libvirt Qemu,,,:/var/lib/libvirt:/usr/sbin/nologin\n"
              "%s:x:%d:%d:%s,,,:/home/%s:/bin/bash\n" % (name, uid, uid, name, name))
    tree.file("run/user/%d/pulse/native" % uid, "")
    tree.file("run/user/%d/pipewire-0" % uid, "")


def swaps(h):
    """/proc/swaps as mm/swapfile.c prints it: the swap file meminfo counts."""
    size = 999420
    name = "/swapfile"
    return ("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
            "%s%*s%s\t%d\t%s%d\t%s%d\n" % (name, 40 - len(name), " ", "file", size, "\t", 0,
                                             "\t", -2))


def loaded_modules(t, driver_dirs):
    h = t.host
    mods = set()
    if h["kvm"]:
        mods |= {"kvm", "irqbypass", "kvm_intel" if h["cpu"]["vendor"] == "GenuineIntel" else "kvm_amd"}
    if h["vfio"]:
        mods |= {"vfio", "vfio_iommu_type1", "vfio_pci", "vfio_pci_core", "vfio_virqfd", "irqbypass"}
    mods |= {"vhost_net", "vhost", "vhost_iotlb", "tap", "tun"}
    mods |= set(h.get("extra_modules", ()))
    for d in driver_dirs:
        m = DRIVER_MODULE.get(d)
        if m:
            mods.add(m)
    return mods


def dmar_table(intremap):
    # DRHD: type 0, length 16, flags INCLUDE_PCI_ALL, segment 0, register base
    drhd = struct.pack("<HHBBHQ", 0, 16, 0x01, 0, 0, 0xFED91000)
    body = struct.pack("<BB10x", 38, 0x01 if intremap else 0x00) + drhd  # HAW-1, flags
    return acpi_table(b"DMAR", 1, body)


def ivrs_table():
    # IVinfo: EFRSup, 48-bit VA, 48-bit PA; one IVHD type 0x11 covering all devices
    ivinfo = struct.pack("<I8x", (0x30 << 15) | (0x30 << 8) | (0x40 << 5) | 1)
    entries = struct.pack("<BHB", 3, 0x0000, 0) + struct.pack("<BHB", 4, 0xFFFF, 0)
    ivhd = struct.pack("<BBHHHQHHIQ", 0x11, 0xB0, 40 + len(entries), 0x0002, 0x40,
                       0xFD200000, 0, 0, 0, 0x58F77EF22294A5A) + entries
    return acpi_table(b"IVRS", 2, ivinfo + ivhd)


def acpi_table(sig, rev, body):
    length = 36 + len(body)
    hdr = struct.pack("<4sIBB6s8sI4sI", sig, length, rev, 0, b"ALASKA", b"A M I   ",
                      0x01072009, b"INTL", 0x20200717)
    data = bytearray(hdr + body)
    data[9] = (-sum(data)) & 0xFF
    return bytes(data)


def cpuinfo(h):
    cpu = h["cpu"]
    flags = cpu["flags"].split()
    vmx_flags = cpu["vmx_flags"]
    if not h["kvm"]:
        drop = INTEL_VMX_SYNTH if cpu["vendor"] == "GenuineIntel" else AMD_SVM_SYNTH
        flags = [x for x in flags if x not in drop]
        vmx_flags = None
    cores, threads = cpu["cores"], cpu["threads"]
    out = []
    for i in range(cores * threads):
        core, thr = i % cores, i // cores
        apic = core * 2 + thr
        lines = [
            ("processor", str(i)), ("vendor_id", cpu["vendor"]),
            ("cpu family", str(cpu["family"])), ("model", str(cpu["model"])),
            ("model name", cpu["model_name"]), ("stepping", str(cpu["stepping"])),
            ("microcode", cpu["microcode"]), ("cpu MHz", cpu["mhz"]),
            ("cache size", cpu["cache"]), ("physical id", "0"),
            ("siblings", str(cores * threads)), ("core id", str(core)),
            ("cpu cores", str(cores)), ("apicid", str(apic)), ("initial apicid", str(apic)),
            ("fpu", "yes"), ("fpu_exception", "yes"), ("cpuid level", str(cpu["cpuid_level"])),
            ("wp", "yes"), ("flags", " ".join(flags)),
        ]
        if vmx_flags:
            lines.append(("vmx flags", vmx_flags))
        lines += [("bugs", cpu["bugs"]), ("bogomips", cpu["bogomips"])]
        if cpu.get("tlb"):
            lines.append(("TLB size", cpu["tlb"]))
        lines += [("clflush size", "64"), ("cache_alignment", "64"),
                  ("address sizes", cpu["address_sizes"]), ("power management", cpu["power"])]
        for k, v in lines:
            tabs = "\t" if len(k) >= 8 else "\t\t"
            out.append("%s%s: %s" % (k, tabs, v) if v else "%s%s:" % (k, tabs))
        out.append("")
    return "\n".join(out) + "\n"


def mounts(h):
    lines = [
        "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0",
        "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0",
        "udev /dev devtmpfs rw,nosuid,relatime,size=16338052k,nr_inodes=4084513,mode=755,inode64 0 0",
        "devpts /dev/pts devpts rw,nosuid,noexec,relatime,gid=5,mode=620,ptmxmode=000 0 0",
        "tmpfs /run tmpfs rw,nosuid,nodev,noexec,relatime,size=3273488k,mode=755,inode64 0 0",
        "/dev/nvme0n1p2 / ext4 rw,relatime,errors=remount-ro 0 0",
        "securityfs /sys/kernel/security securityfs rw,nosuid,nodev,noexec,relatime 0 0",
        "tmpfs /dev/shm tmpfs rw,nosuid,nodev,inode64 0 0",
        "tmpfs /run/lock tmpfs rw,nosuid,nodev,noexec,relatime,size=5120k,inode64 0 0",
        "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0",
        "pstore /sys/fs/pstore pstore rw,nosuid,nodev,noexec,relatime 0 0",
        "efivarfs /sys/firmware/efi/efivars efivarfs rw,nosuid,nodev,noexec,relatime 0 0",
        "bpf /sys/fs/bpf bpf rw,nosuid,nodev,noexec,relatime,mode=700 0 0",
        "systemd-1 /proc/sys/fs/binfmt_misc autofs rw,relatime,fd=30,pgrp=1,timeout=0,minproto=5,maxproto=5,direct,pipe_ino=16015 0 0",
    ]
    if h["hugetlbfs"]:
        lines.append("hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0")
    lines += [
        "mqueue /dev/mqueue mqueue rw,nosuid,nodev,noexec,relatime 0 0",
        "debugfs /sys/kernel/debug debugfs rw,nosuid,nodev,noexec,relatime 0 0",
        "tracefs /sys/kernel/tracing tracefs rw,nosuid,nodev,noexec,relatime 0 0",
        "fusectl /sys/fs/fuse/connections fusectl rw,nosuid,nodev,noexec,relatime 0 0",
        "configfs /sys/kernel/config configfs rw,nosuid,nodev,noexec,relatime 0 0",
        "/dev/nvme0n1p1 /boot/efi vfat rw,relatime,fmask=0077,dmask=0077,codepage=437,iocharset=ascii,shortname=mixed,utf8,errors=remount-ro 0 0",
        "tmpfs /run/user/1000 tmpfs rw,nosuid,nodev,relatime,size=3273484k,nr_inodes=818371,mode=700,uid=1000,gid=1000,inode64 0 0",
    ]
    return "\n".join(lines) + "\n"


def meminfo(h):
    total = h["mem_kb"]
    nr, free = h["hugepages"]
    huge_kb = nr * 2048
    memfree = max(total - huge_kb - 4200000, 512000)
    rows = [
        ("MemTotal", total), ("MemFree", memfree), ("MemAvailable", memfree + 2600000),
        ("Buffers", 212844), ("Cached", 2987340), ("SwapCached", 0), ("Active", 1503212),
        ("Inactive", 2399488), ("Active(anon)", 6352), ("Inactive(anon)", 812604),
        ("Active(file)", 1496860), ("Inactive(file)", 1586884), ("Unevictable", 0),
        ("Mlocked", 0), ("SwapTotal", 999420), ("SwapFree", 999420), ("Zswap", 0),
        ("Zswapped", 0), ("Dirty", 244), ("Writeback", 0), ("AnonPages", 702516),
        ("Mapped", 371092), ("Shmem", 116440), ("KReclaimable", 123044), ("Slab", 245516),
        ("SReclaimable", 123044), ("SUnreclaim", 122472), ("KernelStack", 12592),
        ("PageTables", 18804), ("SecPageTables", 0), ("NFS_Unstable", 0), ("Bounce", 0),
        ("WritebackTmp", 0), ("CommitLimit", (total - huge_kb) // 2 + 999420),
        ("Committed_AS", 4633104), ("VmallocTotal", 34359738367), ("VmallocUsed", 61200),
        ("VmallocChunk", 0), ("Percpu", 9216), ("HardwareCorrupted", 0),
        ("AnonHugePages", 0), ("ShmemHugePages", 0), ("ShmemPmdMapped", 0),
        ("FileHugePages", 0), ("FilePmdMapped", 0),
    ]
    out = ["%-16s%8d kB" % (k + ":", v) for k, v in rows]
    out += [
        "%-16s%8d" % ("HugePages_Total:", nr),
        "%-16s%8d" % ("HugePages_Free:", free),
        "%-16s%8d" % ("HugePages_Rsvd:", 0),
        "%-16s%8d" % ("HugePages_Surp:", 0),
        "%-16s%8d kB" % ("Hugepagesize:", 2048),
        "%-16s%8d kB" % ("Hugetlb:", huge_kb),
        "%-16s%8d kB" % ("DirectMap4k:", 512336),
        "%-16s%8d kB" % ("DirectMap2M:", 9590784),
        "%-16s%8d kB" % ("DirectMap1G:", 24117248),
    ]
    return "\n".join(out) + "\n"


def iomem(t):
    h = t.host
    ents = []   # (start, end, name)
    ram_top = 0x100000000 + (h["mem_kb"] * 1024 - (h["low_ram_end"] + 1) + GiB - 1) // GiB * GiB - 1
    ents += [
        (0x0, 0xFFF, "Reserved"),
        (0x1000, 0x9FFFF, "System RAM"),
        (0xA0000, 0xFFFFF, "Reserved"),
        (0xA0000, 0xBFFFF, "PCI Bus 0000:00"),
        (0xF0000, 0xFFFFF, "System ROM"),
        (0x100000, h["low_ram_end"], "System RAM"),
        (h["low_ram_end"] + 1, h["mmio32"][0] - 1, "Reserved"),
        (h["mmio32"][0], h["mmio32"][1], "PCI Bus 0000:00"),
        (h["mmcfg"][0], h["mmcfg"][1], "PCI MMCONFIG 0000 [bus 00-%02x]" %
         ((h["mmcfg"][1] - h["mmcfg"][0] + 1) // MiB - 1)),
        (0xFEC00000, 0xFEC003FF, "IOAPIC 0"),
        (0xFED00000, 0xFED003FF, "HPET 0"),
        (0xFEE00000, 0xFEE00FFF, "Local APIC"),
        (0x100000000, ram_top, "System RAM"),
        (h["mmio64"][0], h["mmio64"][1], "PCI Bus 0000:00"),
    ]
    if h["iommu"] == "intel" and h["iommu_on"]:
        ents.append((0xFED91000, 0xFED91FFF, "dmar0"))
    if h["iommu"] == "amd":
        ents.append((0xFD200000, 0xFD27FFFF, "amd_iommu"))
    for f in t.fns:
        if f.is_bridge():
            for p, (s, e) in sorted(t.win.get(f.addr, {}).items()):
                ents.append((s, e, "PCI Bus %04x:%02x" % (f.domain, f.sec)))
        bars = t.res.get(f.addr, {})
        for idx, (s, e, kind) in sorted(bars.items()):
            ents.append((s, e, f.addr))
        if f.boot_vga:
            pref = [(s, e) for idx, (s, e, kind) in sorted(bars.items()) if kind == "pref64"]
            if pref:
                s = pref[0][0]
                ents.append((s, s + 1920 * 1080 * 4 - 1, h["bootfb"]))
    # nest by containment; parents sort before children
    ents.sort(key=lambda x: (x[0], -x[1]))
    out = []
    stack = []
    for s, e, name in ents:
        while stack and not (stack[-1][0] <= s and e <= stack[-1][1]):
            stack.pop()
        width = 8
        out.append("%s%0*x-%0*x : %s" % ("  " * len(stack), width, s, width, e, name))
        stack.append((s, e))
    return "\n".join(out) + "\n"


OVMF_DESC = [
    ("40-edk2-x86_64-secure-enrolled.json",
     "UEFI firmware for x86_64, with Secure Boot and SMM, SB enabled, MS certs enrolled",
     "OVMF_CODE_4M.ms.fd", "OVMF_VARS_4M.ms.fd", ["pc-q35-*"],
     ["acpi-s3", "amd-sev", "enrolled-keys", "requires-smm", "secure-boot", "verbose-dynamic"]),
    ("50-edk2-x86_64-secure.json",
     "UEFI firmware for x86_64, with Secure Boot and SMM, empty varstore",
     "OVMF_CODE_4M.secboot.fd", "OVMF_VARS_4M.fd", ["pc-q35-*"],
     ["acpi-s3", "amd-sev", "requires-smm", "secure-boot", "verbose-dynamic"]),
    ("60-edk2-x86_64.json",
     "UEFI firmware for x86_64, without Secure Boot without SMM, with empty varstore",
     "OVMF_CODE_4M.fd", "OVMF_VARS_4M.fd", ["pc-i440fx-*", "pc-q35-*"],
     ["acpi-s3", "amd-sev", "verbose-dynamic"]),
]


def ovmf_descriptors():
    """Debian 12 ovmf's descriptors, byte-for-byte in layout (paths are host paths)."""
    res = {}
    for name, desc, code, vars_, machines, feats in OVMF_DESC:
        q = lambda xs, ind: ",\n".join(" " * ind + '"%s"' % x for x in xs)
        res[name] = (
            '{\n'
            '    "description": "%s",\n'
            '    "interface-types": [\n'
            '        "uefi"\n'
            '    ],\n'
            '    "mapping": {\n'
            '        "device": "flash",\n'
            '        "executable": {\n'
            '            "filename": "/usr/share/OVMF/%s",\n'
            '            "format": "raw"\n'
            '        },\n'
            '        "nvram-template": {\n'
            '            "filename": "/usr/share/OVMF/%s",\n'
            '            "format": "raw"\n'
            '        }\n'
            '    },\n'
            '    "targets": [\n'
            '        {\n'
            '            "architecture": "x86_64",\n'
            '            "machines": [\n'
            '%s\n'
            '            ]\n'
            '        }\n'
            '    ],\n'
            '    "features": [\n'
            '%s\n'
            '    ],\n'
            '    "tags": [\n'
            '\n'
            '    ]\n'
            '}\n') % (desc, code, vars_, q(machines, 16), q(feats, 8))
    return res


# ---------------------------------------------------------------------------
# libvirt node-device XML
# ---------------------------------------------------------------------------

def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;")


def write_xml(t, path):
    h = t.host
    b = h["board"]
    o = ["<node>",
         "  <device>",
         "    <name>computer</name>",
         "    <capability type='system'>",
         "      <product>%s</product>" % xml_escape(b["product"]),
         "      <hardware>",
         "        <vendor>%s</vendor>" % xml_escape(b["vendor"]),
         "        <version>Rev 1.xx</version>",
         "        <serial>%s</serial>" % xml_escape(b["serial"]),
         "        <uuid>%s</uuid>" % b["uuid"],
         "      </hardware>",
         "      <firmware>",
         "        <vendor>%s</vendor>" % xml_escape(b["bios_vendor"]),
         "        <version>%s</version>" % xml_escape(b["bios_version"]),
         "        <release_date>%s</release_date>" % b["bios_date"],
         "      </firmware>",
         "    </capability>",
         "  </device>"]
    for f in t.fns:
        p = t.parent[f.addr]
        o += ["  <device>",
              "    <name>%s</name>" % f.name,
              "    <path>/sys/%s</path>" % t.relpath(f),
              "    <parent>%s</parent>" % (p.name if p else "computer")]
        if f.driver:
            o += ["    <driver>", "      <name>%s</name>" % f.driver, "    </driver>"]
        o.append("    <capability type='pci'>")
        if "class" not in f.empty and "class" not in f.omit:
            o.append("      <class>0x%06x</class>" % f.cls)
        o += ["      <domain>%d</domain>" % f.domain,
              "      <bus>%d</bus>" % f.bus,
              "      <slot>%d</slot>" % f.slot,
              "      <function>%d</function>" % f.func,
              "      <product id='0x%04x'>%s</product>" % (
                  f.device, xml_escape(PRODUCTS.get((f.vendor, f.device), ""))),
              "      <vendor id='0x%04x'>%s</vendor>" % (
                  f.vendor, xml_escape(VENDORS.get(f.vendor, "")))]
        if f.is_bridge():
            o.append("      <capability type='pci-bridge'/>")
        if h["iommu_on"] and not f.no_group_link:
            o.append("      <iommuGroup number='%d'>" % f.group)
            for m in t.groups[f.group]:
                o.append("        <address domain='0x%04x' bus='0x%02x' slot='0x%02x' "
                         "function='0x%d'/>" % (m.domain, m.bus, m.slot, m.func))
            o.append("      </iommuGroup>")
        if h["numa"] >= 0:
            o.append("      <numa node='%d'/>" % h["numa"])
        if t.has_pcie(f) and t.port_type(f) != 9 and "config" not in f.omit:
            sp, wd = t.link_cap(f)
            ssp, swd = t.link_sta(f)
            port = (f.slot + 1) if t.port_type(f) in (4, 6) else 0
            o += ["      <pci-express>",
                  "        <link validity='cap' port='%d' speed='%s' width='%d'/>" % (
                      port, SPEED_TEXT[sp], wd),
                  "        <link validity='sta' speed='%s' width='%d'/>" % (SPEED_TEXT[ssp], swd),
                  "      </pci-express>"]
        o += ["    </capability>", "  </device>"]
    o.append("</node>")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write("\n".join(o) + "\n")


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------

def render(sc, out=None):
    t = Topo(sc)
    if out is None and sc["dest"]:
        root = os.path.join(REPO, sc["dest"][0])
        xml = os.path.join(REPO, sc["dest"][1])
    else:
        base = out or os.path.join(REPO, "tests", "data")
        root = os.path.join(base, "sysfs", sc["name"])
        xml = os.path.join(base, "libvirt", sc["name"] + ".xml")
    os.makedirs(os.path.dirname(root), exist_ok=True)
    tree = Tree(root)
    write_sysfs(t, tree)
    tree.write()
    write_xml(t, xml)
    return root, xml, len(t.fns)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", metavar="NAME", help="write only this scenario")
    ap.add_argument("--out", metavar="DIR",
                    help="write DIR/sysfs/<name>/ and DIR/libvirt/<name>.xml "
                         "(default: tests/data, and data/ for demo-host)")
    ap.add_argument("--big", metavar="N", type=int,
                    help="write one synthetic host 'big' with at least N PCI functions "
                         "(needs --out)")
    ap.add_argument("--list", action="store_true", help="list scenarios")
    ap.add_argument("-q", "--quiet", action="store_true")
    a = ap.parse_args()

    if a.big is not None:
        if not a.out:
            ap.error("--big needs --out DIR")
        root, xml, n = render(big_host(a.big), os.path.abspath(a.out))
        if not a.quiet:
            print("big: %d functions -> %s, %s" % (n, root, xml))
        return 0
    S = scenarios()
    if a.list:
        for sc in S:
            print("%-16s %s" % (sc["name"], sc["desc"]))
        return 0
    if a.only:
        S = [sc for sc in S if sc["name"] == a.only]
        if not S:
            ap.error("unknown scenario %r (see --list)" % a.only)
    for sc in S:
        root, xml, n = render(sc, os.path.abspath(a.out) if a.out else None)
        if not a.quiet:
            print("%-16s %3d functions -> %s" % (sc["name"], n, os.path.relpath(root, os.getcwd())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
