#!/bin/sh
# Static analysis as part of the test suite: cppcheck must report nothing on our C sources.
set -eu
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$srcdir"
if ! command -v cppcheck >/dev/null 2>&1; then
  echo "cppcheck is not installed (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
dirs=""
for d in util conf events drivers api dbus daemon tools policy bus bridges bench fuzz tests/unit; do
  [ -d "$d" ] && dirs="$dirs $d"
done
# shellcheck disable=SC2086
cppcheck --enable=warning,style,performance,portability --error-exitcode=1 --suppress=missingIncludeSystem \
  --inline-suppr -q -j2 -I. $dirs
echo "cppcheck: no findings"
