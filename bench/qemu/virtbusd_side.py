"""bench/qemu's virtbusd column: the guest through /org/libvirt/QEMU on a private session bus
(dbus-python, signals through the GLib main loop, as a real client receives them)."""
import dbus
from gi.repository import GLib

import bench_steps

QEMU_PATH = "/org/libvirt/QEMU"
EVENT_STOPPED, EVENT_SHUTDOWN = 5, 6
NO_SUPPORT = "not supported"  # libvirt's VIR_ERR_NO_SUPPORT wording, as the core answers a NULL slot


class VirtbusdGuest:
    side = "virtbusd"

    def __init__(self, bus, xml):
        self.bus = bus
        self.events = []
        conn = dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")
        self.path = conn.DomainDefineXML(xml)
        self.dom = dbus.Interface(bus.get_object("org.libvirt", self.path), "org.libvirt.Domain")
        self.match = bus.add_signal_receiver(self._on_event, signal_name="DomainEvent",
                                             dbus_interface="org.libvirt.Connect")

    def _on_event(self, path, event, detail):
        now = GLib.get_monotonic_time() / 1e6  # the same clock as time.monotonic()
        if path != self.path:
            return
        if event == EVENT_SHUTDOWN:
            self.events.append((now, bench_steps.POWERED_OFF))
        elif event == EVENT_STOPPED:
            self.events.append((now, bench_steps.STOPPED))

    def pump(self, timeout):
        """Dispatches what is queued, else blocks in the loop until a message or the timeout."""
        context = GLib.MainContext.default()
        if context.iteration(False):
            return
        expired = []
        source = GLib.timeout_add(max(1, int(timeout * 1000)), lambda: expired.append(1) and False)
        context.iteration(True)
        if not expired:
            GLib.source_remove(source)

    def create(self):
        self.dom.Create(0)

    def shutdown(self):
        self.dom.Shutdown(0)

    def managed_save(self):
        try:
            self.dom.ManagedSave(0)
        except dbus.DBusException as e:
            if NO_SUPPORT in (e.get_dbus_message() or ""):
                raise bench_steps.NotSupported(e.get_dbus_message())
            raise

    def destroy(self):
        self.dom.Destroy(0)

    def undefine(self):
        if self.dom.GetState(0)[0] != 5:
            self.dom.Destroy(0)
        self.dom.Undefine(0)
        self.match.remove()
