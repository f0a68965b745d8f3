"""The steps bench/qemu times, the same for virtbusd and for libvirt: a guest object with
create/shutdown/destroy/managed_save/state and a list of (time, event, detail) lifecycle events."""
import os
import time

STATE_RUNNING, STATE_SHUTOFF = 1, 5
EVENT_SHUTDOWN = 6            # VIR_DOMAIN_EVENT_SHUTDOWN: the guest powered off (qemu's SHUTDOWN)
EVENT_STOPPED = 5             # VIR_DOMAIN_EVENT_STOPPED: the domain is shut off
READY_MARKER = "VIRTBUS-GUEST-READY"


def wait(what, predicate, timeout=120, interval=0.002, pump=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pump:
            pump()
        if predicate():
            return time.monotonic()
        time.sleep(interval)
    raise RuntimeError("timed out waiting for " + what)


def console_ready_count(console):
    try:
        with open(console, errors="replace") as f:
            return f.read().count(READY_MARKER)
    except FileNotFoundError:
        return 0


def first_event_after(guest, since, event):
    for t, e, _ in guest.events:
        if t >= since and e == event:
            return t
    return None


def one_round(guest, console, pump=None):
    """Create → running, guest up, Shutdown → shutoff (and the part after the guest's power-off),
    Create again, managed save, restore (Create from the managed save), destroy."""
    r = {}
    booted = console_ready_count(console)
    t0 = time.monotonic()
    guest.create()
    r["create"] = time.monotonic() - t0
    wait("the guest's userspace", lambda: console_ready_count(console) > booted, pump=pump)

    t0 = time.monotonic()
    guest.shutdown()
    t_off = wait("shut off", lambda: first_event_after(guest, t0, EVENT_STOPPED) is not None, pump=pump)
    stopped = first_event_after(guest, t0, EVENT_STOPPED)
    powered_off = first_event_after(guest, t0, EVENT_SHUTDOWN)
    r["shutdown"] = stopped - t0
    r["after_poweroff"] = (stopped - powered_off) if powered_off is not None else None
    assert guest.state() == STATE_SHUTOFF, "state after the Stopped event"
    del t_off

    booted = console_ready_count(console)
    guest.create()
    wait("the guest's userspace again", lambda: console_ready_count(console) > booted, pump=pump)
    t0 = time.monotonic()
    guest.managed_save()
    r["managed_save"] = time.monotonic() - t0
    t0 = time.monotonic()
    guest.create()
    r["restore"] = time.monotonic() - t0
    assert guest.state() == STATE_RUNNING, "state after restore"
    guest.destroy()
    wait("shut off after destroy", lambda: guest.state() == STATE_SHUTOFF, pump=pump)
    return r


def run_rounds(guest, console, rounds, pump=None):
    results = {}
    for _ in range(rounds):
        for key, value in one_round(guest, console, pump).items():
            results.setdefault(key, []).append(value)
    return results
