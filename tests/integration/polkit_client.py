"""A D-Bus client for the authorization tests, run as the caller under test (root or an
unprivileged user through setpriv): reads a JSON list of calls on stdin, makes each on the bus
$DBUS_SYSTEM_BUS_ADDRESS names and prints one JSON result per call.

A call: {"path", "interface", "member", "signature", "args", "variant": optional bool for a
trailing 'v', "delay": optional seconds to sleep first, "interactive": when present, the call
is made with GDBus and carries ALLOW_INTERACTIVE_AUTHORIZATION set to that value, "burst": N
to send N copies at once on the one connection and wait for all}. A result: {"ok": true,
"value": ...} or {"ok": false, "error": name, "message": text}, plus "seconds" the call took;
for a burst, {"ok": every copy succeeded, "results": one result per copy}.

With the argument `listen SECONDS`, it instead subscribes to every signal org.libvirt sends,
calls virtbusd once, prints "ready" on a line of its own, and after SECONDS prints one JSON
list of what it received: {"path", "interface", "member", "args"}."""
import json
import os
import sys
import time

import dbus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import Gio, GLib


def call_gio(call):
    """GDBus can set the ALLOW_INTERACTIVE_AUTHORIZATION header flag; dbus-python cannot."""
    conn = Gio.DBusConnection.new_for_address_sync(
        os.environ["DBUS_SYSTEM_BUS_ADDRESS"],
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
    flags = Gio.DBusCallFlags.ALLOW_INTERACTIVE_AUTHORIZATION if call["interactive"] else Gio.DBusCallFlags.NONE
    params = GLib.Variant("(%s)" % call.get("signature", ""), tuple(call.get("args", [])))
    try:
        value = conn.call_sync("org.libvirt", call["path"], call["interface"], call["member"], params, None, flags,
                               30000, None)
        return {"ok": True, "value": plain(value.unpack())}
    except GLib.Error as e:
        name = Gio.DBusError.get_remote_error(e)
        prefix = "GDBus.Error:%s: " % name
        message = e.message[len(prefix):] if e.message.startswith(prefix) else e.message
        return {"ok": False, "error": name, "message": message}
    finally:
        conn.close_sync(None)


def plain(value):
    if isinstance(value, (dbus.Dictionary, dict)):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (dbus.Array, dbus.Struct, list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (dbus.Boolean, bool)):
        return bool(value)
    if isinstance(value, (int, float)):
        return value
    return str(value)


def burst(bus, call, args):
    """N copies of the call in flight at once on one connection (one peer, concurrent calls)."""
    loop = GLib.MainLoop()
    results = []

    def done(value=None, error=None):
        if error is None:
            results.append({"ok": True, "value": plain(value)})
        else:
            results.append({"ok": False, "error": error.get_dbus_name(), "message": error.get_dbus_message()})
        if len(results) == call["burst"]:
            loop.quit()

    for _ in range(call["burst"]):
        bus.call_async("org.libvirt", call["path"], call["interface"], call["member"], call.get("signature", ""),
                       args, lambda *v: done(v[0] if v else None), lambda e: done(error=e), timeout=30)
    GLib.timeout_add_seconds(40, loop.quit)
    loop.run()
    return {"ok": len(results) == call["burst"] and all(r["ok"] for r in results), "results": results}


def listen(seconds):
    bus = dbus.bus.BusConnection(os.environ["DBUS_SYSTEM_BUS_ADDRESS"], mainloop=DBusGMainLoop())
    seen = []

    def record(*args, **kw):
        seen.append({"path": kw["path"], "interface": kw["interface"], "member": kw["member"],
                     "args": plain(list(args))})

    owner = bus.get_name_owner("org.libvirt")
    bus.add_signal_receiver(record, sender_keyword="sender", path_keyword="path", interface_keyword="interface",
                            member_keyword="member", bus_name=owner)
    # On the system bus virtbusd sends domain signals to the clients it knows, those that have
    # called it: one Introspect makes this one known (and proves the match rule is in place).
    bus.call_blocking("org.libvirt", "/org/libvirt", "org.freedesktop.DBus.Introspectable", "Introspect", "", [])
    print("ready", flush=True)
    loop = GLib.MainLoop()
    GLib.timeout_add(int(seconds * 1000), loop.quit)
    loop.run()
    json.dump(seen, sys.stdout)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "listen":
        listen(float(sys.argv[2]))
        return
    calls = json.load(sys.stdin)
    bus = dbus.bus.BusConnection(os.environ["DBUS_SYSTEM_BUS_ADDRESS"], mainloop=DBusGMainLoop())
    results = []
    for call in calls:
        time.sleep(call.get("delay", 0))
        args = list(call.get("args", []))
        if "variant" in call:
            args.append(dbus.Boolean(call["variant"], variant_level=1))
        start = time.monotonic()
        if "burst" in call:
            results.append(burst(bus, call, args))
            results[-1]["seconds"] = time.monotonic() - start
            continue
        if "interactive" in call:
            results.append(call_gio(call))
            results[-1]["seconds"] = time.monotonic() - start
            continue
        try:
            value = bus.call_blocking("org.libvirt", call["path"], call["interface"], call["member"],
                                      call.get("signature", ""), args, timeout=30)
            results.append({"ok": True, "value": plain(value)})
        except dbus.DBusException as e:
            results.append({"ok": False, "error": e.get_dbus_name(), "message": e.get_dbus_message()})
        results[-1]["seconds"] = time.monotonic() - start
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
