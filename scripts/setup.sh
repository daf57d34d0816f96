#!/usr/bin/env bash
# Prepares a Debian 12 machine (as root) for building, testing and running flows:
# the packages the build and the lab need (tshark: the ground-truth lab test captures inside the lab's node namespaces; iptables: ./run-bench --datapath builds kube-proxy style rules to compare with; prometheus: the metrics lab test runs /usr/bin/prometheus
# itself, on loopback; the packaged service is not used), and a mounted bpffs. Idempotent and quiet when
# everything is already there.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  echo "flows setup: must run as root (it installs packages and loads BPF programs)" >&2
  exit 2
fi

need=()
for pkg in clang llvm gcc libc6-dev binutils libbpf-dev bpftool iproute2 maven openjdk-17-jdk-headless util-linux procps tmux prometheus iptables tshark; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "flows setup: installing ${need[*]}"
  apt-get update -qq
  # tshark's dumpcap asks whether non-root users may capture; they may not (the tests run as root)
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Debian starts the packaged Prometheus service on install; flows' tests run their own on
  # loopback, so the service we just caused to start is stopped again.
  if [[ " ${need[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null; then
    systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi

if ! grep -qs ' /sys/fs/bpf bpf ' /proc/mounts; then
  mount -t bpf bpf /sys/fs/bpf
fi
if [ ! -e /sys/kernel/btf/vmlinux ]; then
  echo "flows setup: this kernel has no BTF (/sys/kernel/btf/vmlinux); flows needs a BTF-enabled kernel" >&2
  exit 1
fi
