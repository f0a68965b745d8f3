"""The steps bench/qemu times, the same for the floor, virtbusd and libvirt. A side is a guest
object with create/shutdown/managed_save/destroy, a list `events` of (monotonic time, kind) with
kind POWERED_OFF (the guest powered off: qemu's SHUTDOWN, libvirt's Shutdown event) or STOPPED (the
domain is shut off), and pump(timeout), which waits up to timeout for the next event and stamps it
as it arrives (so an event's time is when the side learnt of it, not when we looked)."""
import os
import time

POWERED_OFF, STOPPED = "powered-off", "stopped"
READY_MARKER = "VIRTBUS-GUEST-READY"
BOOT_TIMEOUT = 90  # a TCG boot takes 2-5 s, several times that on a saturated machine


class NotSupported(Exception):
    """The side does not implement the operation (virtbusd before ManagedSave lands): n/a."""


def console_ready_count(console):
    try:
        with open(console, errors="replace") as f:
            return f.read().count(READY_MARKER)
    except FileNotFoundError:
        return 0


def forget_console(console):
    """Before a start: qemu truncates a serial file when virtbusd starts it, appends to it under
    libvirt (append=on); without the old file both begin empty."""
    try:
        os.unlink(console)
    except FileNotFoundError:
        pass


def wait_for_boot(guest, console):
    """The guest's userspace printed its ready marker (its acpid listens: ACPI works)."""
    deadline = time.monotonic() + BOOT_TIMEOUT
    while console_ready_count(console) == 0:
        if time.monotonic() > deadline:
            raise RuntimeError("%s: the guest did not boot within %d s" % (guest.side, BOOT_TIMEOUT))
        guest.pump(0.01)


def wait_for_event(guest, kind, since, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        for t, k in guest.events:
            if k == kind and t >= since:
                return t
        if time.monotonic() > deadline:
            raise RuntimeError("%s: no %s event within %d s" % (guest.side, kind, timeout))
        guest.pump(0.05)


def timed(call):
    t0 = time.monotonic()
    call()
    return time.monotonic() - t0


def shutdown_round(guest, console, r):
    """Create → running; the guest boots; Shutdown → shutoff, and the part after its power-off."""
    forget_console(console)
    r["create"] = timed(guest.create)
    wait_for_boot(guest, console)
    t0 = time.monotonic()
    guest.shutdown()
    stopped = wait_for_event(guest, STOPPED, t0)
    powered_off = wait_for_event(guest, POWERED_OFF, t0, timeout=0)
    r["shutdown"] = stopped - t0
    r["after_poweroff"] = stopped - powered_off


def save_round(guest, console, r):
    """Create; the guest boots; ManagedSave → saved; Create again restores it → running; destroy."""
    forget_console(console)
    guest.create()
    wait_for_boot(guest, console)
    try:
        r["managed_save"] = timed(guest.managed_save)
    except NotSupported as e:
        r["managed_save"] = r["restore"] = None
        r["not_supported"] = str(e)
        guest.destroy()
        return
    r["restore"] = timed(guest.create)
    guest.destroy()


def one_create(guest):
    """One more Create → running sample, then a destroy (not timed)."""
    seconds = timed(guest.create)
    guest.destroy()
    return seconds


def one_round(guest, console):
    r = {}
    shutdown_round(guest, console, r)
    save_round(guest, console, r)
    return r


def warm_up(guest):
    """One create and destroy, not timed: the first start pays for cold caches (the kernel and
    initramfs read from disk, libvirt's capability probe)."""
    guest.create()
    guest.destroy()
