#!/usr/bin/env bash
# Installs dependencies and builds virtbus out of tree in ./build. Extra arguments go to configure.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/install-deps.sh"
cd "$top"
[ -x configure ] && [ configure -nt configure.ac ] && [ Makefile.in -nt Makefile.am ] || autoreconf -fi >/dev/null
mkdir -p build
cd build
if [ ! -f Makefile ] || [ "$*" != "$(cat .configure-args 2>/dev/null)" ]; then
  ../configure -q "$@"
  printf '%s' "$*" > .configure-args
fi
make -s -j"$(nproc)"
