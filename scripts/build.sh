#!/usr/bin/env bash
# Installs dependencies and builds virtbus out of tree.
# Usage: build.sh BUILD_DIR [configure arguments...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${1:?usage: build.sh BUILD_DIR [configure arguments...]}
shift
bash "$top/scripts/install-deps.sh"
cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
  autoreconf -fi >/dev/null
fi
mkdir -p "$builddir"
cd "$builddir"
if [ ! -f Makefile ] || [ "$*" != "$(cat .configure-args 2>/dev/null)" ]; then
  "$top/configure" -q "$@"
  printf '%s' "$*" > .configure-args
  make -s clean >/dev/null  # objects built with other flags must not be linked together
fi
make -s -j"$(nproc)"
