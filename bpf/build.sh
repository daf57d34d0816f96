#!/usr/bin/env bash
# Compiles every attach point's program (bpf/*.c) into a BPF object with BTF, into $1.
# Called by the collector's Maven build; nothing compiles at run time.
set -euo pipefail
shopt -s nullglob
out=${1:?usage: build.sh OUTPUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
arch_inc=/usr/include/$(uname -m)-linux-gnu
for src in "$here"/*.c; do
  obj="$out/$(basename "${src%.c}").bpf.o"
  if [ ! -e "$obj" ] || [ -n "$(find "$here" -name '*.[ch]' -newer "$obj" -print -quit)" ]; then
    clang -O2 -g -Wall -Werror -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 \
      -I"$here/include" -I"$arch_inc" -c "$src" -o "$obj"
  fi
done
