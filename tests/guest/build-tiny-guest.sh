#!/usr/bin/env bash
# Builds a tiny bootable test guest (Debian kernel + busybox initramfs reacting to the ACPI power button).
# Usage: build-tiny-guest.sh OUTDIR
#
# See ../shared/docs/tiny-guest.md. The kernel is the package linux-image-amd64 depends on,
# fetched with `apt-get download` and unpacked (never installed: its initramfs triggers take
# minutes). Outputs, reused while newer than this script:
#   OUTDIR/vmlinuz             the kernel (bzImage)
#   OUTDIR/initramfs.cpio.gz   busybox, the modules (power button, virtio balloon), the init
#   OUTDIR/vmlinux             the same kernel decompressed (ELF): qemu boots it through PVH,
#                              skipping the decompression that takes seconds under TCG (absent
#                              when the payload could not be extracted)
#   OUTDIR/guest.env           VMLINUZ=... INITRAMFS=... VMLINUX=... KERNEL_VERSION=... (shell syntax)
# and prints the paths of vmlinuz, initramfs and (when there is one) vmlinux, one a line. The guest
# prints these markers on its console:
#   VIRTBUS-GUEST-READY         userspace is up and acpid is listening
#   VIRTBUS-GUEST-POWERDOWN     the power button was pressed; it syncs and powers off
#   VIRTBUS-GUEST-NO-BALLOON    a module of the virtio balloon driver did not load (printed
#                               before READY; a guest without a balloon device loads it anyway)
set -euo pipefail

out=${1:?usage: build-tiny-guest.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
self=$(readlink -f "$0")

up_to_date() {
  local f
  for f in vmlinuz initramfs.cpio.gz guest.env; do
    [ -s "$out/$f" ] && [ "$out/$f" -nt "$self" ] || return 1
  done
}

print_paths() {
  printf '%s\n%s\n' "$out/vmlinuz" "$out/initramfs.cpio.gz"
  if [ -s "$out/vmlinux" ]; then printf '%s\n' "$out/vmlinux"; fi
}

# Tests running in parallel (make -j) may ask for the guest at once: one builds, the others wait.
exec 9>"$out/.lock"
flock 9

if up_to_date; then
  print_paths
  exit 0
fi

for tool in apt-get apt-cache dpkg-deb cpio gzip; do
  command -v "$tool" >/dev/null || { echo "build-tiny-guest: $tool not found" >&2; exit 1; }
done
busybox=/bin/busybox
if [ ! -x "$busybox" ] || LC_ALL=C readelf -d "$busybox" 2>/dev/null | grep -q NEEDED; then
  echo "build-tiny-guest: $busybox is not a static busybox (install busybox-static)" >&2
  exit 1
fi

work=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The kernel package linux-image-amd64 points at, e.g. linux-image-6.1.0-57-amd64.
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1)
if [ -z "$kpkg" ]; then
  echo "build-tiny-guest: cannot tell which kernel linux-image-amd64 depends on (apt-get update?)" >&2
  exit 1
fi
kver=${kpkg#linux-image-}
(cd "$work" && apt-get download -q "$kpkg" >/dev/null 2>"$work/download.log") || {
  cat "$work/download.log" >&2
  echo "build-tiny-guest: apt-get download $kpkg failed" >&2
  exit 1
}
deb=$(ls "$work"/"$kpkg"_*.deb)

# The modules the init loads, in dependency order (each module's `depends=` field: the package
# ships no modules.dep). Debian builds all of them as modules (config-$kver: CONFIG_VIRTIO=m,
# CONFIG_VIRTIO_PCI=m, CONFIG_VIRTIO_BALLOON=m); the virtio PCI transport needs both its legacy
# and modern device helpers. ACPI CPU hotplug (CONFIG_ACPI_HOTPLUG_CPU) is built in.
modules="acpi/button input/evdev virtio/virtio_ring virtio/virtio virtio/virtio_pci_legacy_dev
virtio/virtio_pci_modern_dev virtio/virtio_pci virtio/virtio_balloon"

# Only the kernel and the modules are unpacked (the whole package is ~400 MB unpacked).
moddir=./lib/modules/$kver/kernel/drivers
patterns=()
for m in $modules; do patterns+=("$moddir/$m.ko*"); done
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards "./boot/vmlinuz-$kver" "${patterns[@]}"
rm -f "$deb"

root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,etc/acpi/PWRF,lib/modules,var/log}
cp "$busybox" "$root/bin/busybox"
for applet in sh mount insmod acpid poweroff sync sleep cat echo cut grep ls; do
  ln -s busybox "$root/bin/$applet"
done

# Modules may be compressed: insmod of busybox wants them plain.
for m in $modules; do
  src=$(ls "$work/$moddir/$m".ko* | head -n1)
  dst=$root/lib/modules/$(basename "$m").ko
  case $src in
    *.ko.xz) xz -dc "$src" > "$dst" ;;
    *.ko.zst) zstd -qdc "$src" > "$dst" ;;
    *.ko.gz) gzip -dc "$src" > "$dst" ;;
    *) cp "$src" "$dst" ;;
  esac
done

cat > "$root/init" <<'INIT'
#!/bin/sh
# Tiny guest init: power button -> acpid -> /etc/acpi/PWRF/00000080 -> poweroff; virtio balloon.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
insmod /lib/modules/button.ko
insmod /lib/modules/evdev.ko
# The virtio balloon driver: SetMemory and balloon stats need a guest that answers.
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_balloon; do
  insmod /lib/modules/$m.ko || echo "VIRTBUS-GUEST-NO-BALLOON $m"
done
# Wait (at most 5 s) for the "Power Button" input device's event node.
n=0
while [ $n -lt 50 ]; do
  found=
  for d in /sys/class/input/event*; do
    [ -e "$d/device/name" ] || continue
    if grep -q "Power Button" "$d/device/name"; then
      found=/dev/input/${d##*/}
    fi
  done
  [ -n "$found" ] && [ -e "$found" ] && break
  sleep 0.1
  n=$((n + 1))
done
[ -n "$found" ] || echo "VIRTBUS-GUEST-NO-POWER-BUTTON"
# Ready only once acpid holds the event device open: a button pressed before is lost.
acpid -f -c /etc/acpi -l /var/log/acpid.log &
acpid_pid=$!
n=0
while [ $n -lt 50 ] && ! ls -l /proc/$acpid_pid/fd 2>/dev/null | grep -q /dev/input/event; do
  sleep 0.1
  n=$((n + 1))
done
[ $n -lt 50 ] || echo "VIRTBUS-GUEST-ACPID-NOT-LISTENING"
echo "VIRTBUS-GUEST-READY"
while true; do sleep 3600; done
INIT
cat > "$root/etc/acpi/PWRF/00000080" <<'ACTION'
#!/bin/sh
echo "VIRTBUS-GUEST-POWERDOWN" >/dev/console
sync
poweroff -f
ACTION
chmod 755 "$root/init" "$root/etc/acpi/PWRF/00000080"

# The bzImage's payload, decompressed: the ELF vmlinux with its PVH entry note. Tried at each
# offset where a compressor's magic appears, as the kernel's scripts/extract-vmlinux does.
extract_vmlinux() {
  local image=$1 dest=$2 pair magic tool offset
  for pair in '\xfd7zXZ\x00:xz -dcq --single-stream' '\x28\xb5\x2f\xfd:zstd -dcq' '\x1f\x8b\x08:gzip -dcq'; do
    magic=${pair%%:*}
    tool=${pair#*:}
    for offset in $(LC_ALL=C grep -obaP "$magic" "$image" 2>/dev/null | cut -d: -f1 | head -n 5); do
      tail -c +$((offset + 1)) "$image" | $tool > "$dest" 2>/dev/null || true
      if [ "$(head -c 4 "$dest" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
        return 0
      fi
    done
  done
  rm -f "$dest"
  return 1
}
extract_vmlinux "$work/boot/vmlinuz-$kver" "$work/vmlinux" || echo "build-tiny-guest: no vmlinux extracted; vmlinuz only" >&2

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -6) > "$work/initramfs.cpio.gz"
mv "$work/boot/vmlinuz-$kver" "$out/vmlinuz"
touch "$out/vmlinuz"  # the package dates it; the cache check compares with this script
mv "$work/initramfs.cpio.gz" "$out/initramfs.cpio.gz"
vmlinux=
rm -f "$out/vmlinux"
if [ -s "$work/vmlinux" ]; then
  mv "$work/vmlinux" "$out/vmlinux"
  vmlinux=$out/vmlinux
fi
printf 'VMLINUZ=%q\nINITRAMFS=%q\nVMLINUX=%q\nKERNEL_VERSION=%q\n' "$out/vmlinuz" "$out/initramfs.cpio.gz" \
  "$vmlinux" "$kver" > "$work/guest.env"
mv "$work/guest.env" "$out/guest.env"
print_paths
