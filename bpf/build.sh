#!/usr/bin/env bash
# Compiles every attach point's program (bpf/*.c) into a BPF object with BTF, into $1.
# Called by the collector's Maven build; nothing compiles at run time.
#
# The objects are built from kernel headers only: UAPI (linux/, asm/, asm-generic/), libbpf's
# bpf/ helpers, the compiler's own headers and ours. A C-library header does not belong in a BPF
# object: glibc's headers assume the host's ABI, and for the bpf target they ask for 32-bit stubs
# (libc6-dev-i386) that a fresh machine does not have. Before compiling, the include chain of each
# object is listed (clang -M) and any other header fails the build, naming it and the object.
set -euo pipefail
shopt -s nullglob
out=${1:?usage: build.sh OUTPUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
arch_inc=/usr/include/$(uname -m)-linux-gnu
clang_inc=$(clang -print-resource-dir)/include
flags=(-target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -I"$here/include" -I"$arch_inc")

kernel_headers_only() { # SRC: fails naming every header of SRC's chain that is not allowed
  local src=$1 bad=0 dep
  for dep in $(clang -M -MG "${flags[@]}" "$src" | sed -e 's/\\$//' -e 's/^[^:]*://'); do
    dep=$(realpath -m "$dep")
    case $dep in
      "$src" | "$here"/include/* | /usr/include/linux/* | /usr/include/asm-generic/* | \
        "$arch_inc"/asm/* | /usr/include/bpf/* | "$(realpath -m "$clang_inc")"/*) ;;
      *) echo "bpf/build.sh: $(basename "$src") includes $dep, which is not a kernel, libbpf or compiler header (C-library headers must not reach a BPF object)" >&2
        bad=1 ;;
    esac
  done
  return $bad
}

for src in "$here"/*.c; do
  kernel_headers_only "$src"
  obj="$out/$(basename "${src%.c}").bpf.o"
  if [ ! -e "$obj" ] || [ -n "$(find "$here" -name '*.[ch]' -newer "$obj" -print -quit)" ]; then
    clang -O2 -g -Wall -Werror "${flags[@]}" -c "$src" -o "$obj"
  fi
done
