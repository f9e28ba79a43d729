#!/usr/bin/env bash
# Builds the .deb from a configured build tree (cpack) and inspects it: its declared dependencies,
# its files, its maintainer scripts, and its systemd unit (systemd-analyze verify, and the
# exposure systemd-analyze security gives it). Installing and starting it needs a machine that
# runs systemd: README, "Operating fieldserve", says how to check that by hand.
# Usage: packaging/check_deb.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "check_deb: $*" >&2; exit 1; }

cpack --config "$build/CPackConfig.cmake" -B "$work/out" -D CPACK_PACKAGING_INSTALL_PREFIX=/usr \
  > "$work/cpack.log" 2>&1 || { cat "$work/cpack.log" >&2; fail "cpack failed"; }
deb=$(ls "$work"/out/fieldserve_*.deb 2> /dev/null | head -1)
[ -n "$deb" ] || fail "no package made"

depends=$(dpkg-deb -f "$deb" Depends)
for need in libsqlite3-0 libcpp-httplib0.11 libgeographiclib libspdlog libssl3 libdate-tz tzdata \
            adduser systemd; do
  grep -q "$need" <<< "$depends" || fail "Depends lacks $need: $depends"
done

files=$(dpkg-deb -c "$deb" | awk '{print $6}')
for path in ./usr/bin/fieldserve ./usr/lib/systemd/system/fieldserve.service \
            ./usr/share/fieldserve/web/index.html ./usr/share/fieldserve/web/console/index.html \
            ./usr/share/fieldserve/web/tech/sw.js ./usr/share/fieldserve/sample_data/jobs.json \
            ./usr/share/doc/fieldserve/README.md ./etc/default/fieldserve; do
  grep -qx "$path" <<< "$files" || fail "the package lacks $path"
done

dpkg-deb -e "$deb" "$work/control"
grep -qx /etc/default/fieldserve "$work/control/conffiles" || fail "/etc/default/fieldserve is not a conffile"
for script in postinst prerm postrm; do
  [ -x "$work/control/$script" ] || fail "$script is missing or not executable"
  sh -n "$work/control/$script" || fail "$script does not parse"
done

dpkg-deb -x "$deb" "$work/root"
"$work/root/usr/bin/fieldserve" --version > /dev/null || fail "the packaged binary does not run"
unit="$work/root/usr/lib/systemd/system/fieldserve.service"
grep -q '^ExecStart=/usr/bin/fieldserve serve --db /var/lib/fieldserve/fieldserve.db' "$unit" \
  || fail "the unit does not run the packaged binary: $(grep ExecStart "$unit")"
# verify checks that the commands exist: point a copy of the unit at the unpacked binary.
mkdir -p "$work/unit"
sed "s|/usr/bin/fieldserve|$work/root/usr/bin/fieldserve|g" "$unit" > "$work/unit/fieldserve.service"
systemd-analyze verify "$work/unit/fieldserve.service" || fail "systemd-analyze verify failed"
exposure=$(systemd-analyze security --offline=yes "$work/unit/fieldserve.service" 2>&1 \
  | awk '/Overall exposure level/ {print $(NF-2)}')
awk -v e="$exposure" 'BEGIN { exit !(e != "" && e + 0 <= 4.0) }' \
  || fail "systemd-analyze security rates the unit's exposure ${exposure:-?} (more than 4.0)"
echo "check_deb: $(basename "$deb") ($(du -k "$deb" | cut -f1) KB), exposure $exposure, depends: $depends"
