"""bench/qemu's libvirt column: the same guest and the same steps through libvirt's own QEMU
driver (python3-libvirt, qemu:///session, Debian's libvirtd run as an unprivileged user).
Run by qemu-bench.py as that user; prints one JSON object of lists of seconds."""
import json
import os
import sys
import threading
import time

import libvirt

import bench_steps


class LibvirtGuest:
    """bench_steps' guest interface over python3-libvirt."""

    def __init__(self, conn, xml, name):
        self.conn = conn
        self.events = []  # (monotonic time, event, detail)
        self.dom = conn.defineXML(xml)
        conn.domainEventRegisterAny(self.dom, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, self._event, None)
        self.name = name

    def _event(self, conn, dom, event, detail, opaque):
        self.events.append((time.monotonic(), event, detail))

    def create(self):
        self.dom.create()

    def shutdown(self):
        self.dom.shutdown()

    def destroy(self):
        self.dom.destroy()

    def managed_save(self):
        self.dom.managedSave()

    def state(self):
        return self.dom.state()[0]

    def undefine(self):
        if self.dom.isActive():
            self.dom.destroy()
        self.dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE)


def main():
    xml, name, console, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    libvirt.virEventRegisterDefaultImpl()
    threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)], daemon=True).start()
    conn = libvirt.open("qemu:///session")
    guest = LibvirtGuest(conn, xml, name)
    try:
        print(json.dumps(bench_steps.run_rounds(guest, console, rounds)))
    finally:
        guest.undefine()
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
