"""bench/qemu's libvirt column: the same guest and the same steps through libvirt's own QEMU
driver (python3-libvirt, qemu:///session, Debian's libvirtd autostarted for an unprivileged user).
Run by qemu-bench.py as that user, driven over stdin/stdout, one JSON line each way:
  argv: XML CONSOLE       -> {"ready": true, "version": N}
  "warmup"                -> {}          (one create and destroy, not timed)
  "round"                 -> {"create": s, "shutdown": s, ...}  (bench_steps.one_round)
  "create"                -> {"create": s}  (bench_steps.one_create)
  "quit"                  -> the domain is undefined (with its managed save image) and we exit
An error answers {"error": "..."}."""
import json
import sys
import threading
import time
import xml.etree.ElementTree as ET

import libvirt

import bench_steps


class LibvirtGuest:
    side = "libvirt"

    def __init__(self, conn, xml):
        self.conn = conn
        self.events = []
        self.new_event = threading.Event()
        name = ET.fromstring(xml).findtext("name")
        self._undefine_leftover(name)
        self.dom = conn.defineXML(xml)
        self.callback = conn.domainEventRegisterAny(self.dom, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                    self._on_event, None)

    def _undefine_leftover(self, name):
        """A run that was interrupted may have left its domain behind."""
        try:
            old = self.conn.lookupByName(name)
        except libvirt.libvirtError:
            return
        if old.isActive():
            old.destroy()
        old.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE)

    def _on_event(self, conn, dom, event, detail, opaque):
        now = time.monotonic()
        if event == libvirt.VIR_DOMAIN_EVENT_SHUTDOWN:
            self.events.append((now, bench_steps.POWERED_OFF))
        elif event == libvirt.VIR_DOMAIN_EVENT_STOPPED:
            self.events.append((now, bench_steps.STOPPED))
        self.new_event.set()

    def pump(self, timeout):
        self.new_event.wait(timeout)
        self.new_event.clear()

    def create(self):
        self.dom.create()

    def shutdown(self):
        self.dom.shutdown()

    def managed_save(self):
        self.dom.managedSave()

    def destroy(self):
        self.dom.destroy()

    def undefine(self):
        self.conn.domainEventDeregisterAny(self.callback)
        if self.dom.isActive():
            self.dom.destroy()
        self.dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE)


def answer(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def serve(guest, console):
    for line in sys.stdin:
        request = line.strip()
        if request == "quit":
            return
        try:
            if request == "warmup":
                bench_steps.warm_up(guest)
                answer({})
            elif request == "round":
                answer(bench_steps.one_round(guest, console))
            elif request == "create":
                answer({"create": bench_steps.one_create(guest)})
            else:
                answer({"error": "unknown request %r" % request})
        except Exception as e:  # the bench reports it and goes on with the other sides
            answer({"error": "%s: %s" % (type(e).__name__, e)})


def main():
    xml, console = sys.argv[1], sys.argv[2]
    libvirt.virEventRegisterDefaultImpl()
    loop = threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)], daemon=True)
    loop.start()
    conn = libvirt.open("qemu:///session")
    guest = LibvirtGuest(conn, xml)
    try:
        answer({"ready": True, "version": conn.getLibVersion()})
        serve(guest, console)
    finally:
        guest.undefine()
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
