#!/bin/sh
# The README's first command ends here: one real THP munmap measurement
# on this machine, stored in the default database, then the stored run.
set -eu
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
# A size that fits any lab machine but still covers hundreds of huge pages.
$SUDO ./build/mmstorm run thp-munmap --size=1G --repeat=1
echo
$SUDO ./build/mmstorm runs --limit 5
