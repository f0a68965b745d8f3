"""bench/qemu: a real guest's lifecycle (Create, ACPI Shutdown, ManagedSave, restore) through
virtbusd, through libvirt, and on bare qemu (the floor), side by side; one Markdown table of
median and p90 per operation with the targets. See run.sh and bench/README.md."""
import argparse
import json
import os
import pwd
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRCDIR, "tests", "integration"))

import dbus  # noqa: E402

from conftest import Daemon, PrivateBus  # noqa: E402
import bench_steps  # noqa: E402
from floor_side import FloorGuest  # noqa: E402
from virtbusd_side import VirtbusdGuest  # noqa: E402

NAME = "vbbench-tiny"
ROWS = [  # key, operation
    ("create", "Create → running"),
    ("shutdown", "Shutdown → shutoff (ACPI, from the call)"),
    ("after_poweroff", "… from the guest's power-off to shutoff"),
    ("managed_save", "ManagedSave → saved"),
    ("restore", "restore (Create of the saved domain) → running"),
]


def guest_xml(kernel, initramfs, serial):
    """tests/integration/test_qemu_lifecycle.py's guest, without a USB controller: libvirt adds
    one on `pc` unless told not to, and virtbusd would not, so both start the same machine."""
    return ("<domain type='qemu'><name>%s</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>"
            "<os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel><initrd>%s</initrd>"
            "<cmdline>console=ttyS0 quiet panic=-1</cmdline></os><features><acpi/></features>"
            "<devices><controller type='usb' model='none'/>"
            "<serial type='file'><source path='%s'/><target port='0'/></serial>"
            "<memballoon model='none'/></devices></domain>" % (NAME, kernel, initramfs, serial))


def build_guest(builddir):
    out = subprocess.run(["bash", os.path.join(SRCDIR, "tests/guest/build-tiny-guest.sh"),
                          os.path.join(builddir, "tests/guest-cache")],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    return (out[2] if len(out) > 2 and out[2] else out[0]), out[1]  # vmlinux boots faster


def virtbusd_argv(qemu_root):
    """The command line virtbusd last started qemu with, from its log file (the line after
    "starting up", shell-quoted by qemu_argv_to_string)."""
    log = os.path.join(qemu_root, "run", "qemu", "log", NAME + ".log")
    lines = open(log).read().splitlines()
    starts = [i for i, line in enumerate(lines) if line.endswith(": starting up")]
    return shlex.split(lines[starts[-1] + 1]), log


def floor_argv(argv, replacements):
    out = []
    for arg in argv:
        for old, new in replacements:
            arg = arg.replace(old, new)
        out.append(arg)
    return out


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


class LibvirtSide:
    """libvirt_side.py run as the unprivileged user (qemu:///session is per user)."""

    def __init__(self, xml, console, user, runtime_dir):
        env = ["HOME=" + pwd.getpwnam(user).pw_dir, "XDG_RUNTIME_DIR=" + runtime_dir, "PYTHONDONTWRITEBYTECODE=1",
               "PATH=/usr/sbin:/usr/bin:/sbin:/bin"]
        command = ["env", *env, "/usr/bin/python3", os.path.join(HERE, "libvirt_side.py"), xml, console]
        if os.getuid() == 0:
            command = ["runuser", "-u", user, "--", *command]
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(command, cwd=HERE, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, text=True)
        self.hello = self.ask(None)

    def ask(self, request):
        if request:
            self.proc.stdin.write(request + "\n")
            self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            self.stderr.seek(0)
            raise RuntimeError("libvirt_side.py ended: " + self.stderr.read().strip()[-400:])
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=60)


def start_libvirt(args, xml, console, notes):
    try:
        libvirt = LibvirtSide(xml, console, args.user, args.runtime_dir)
        libvirt.ask("warmup")
        return libvirt
    except Exception as e:
        notes.add("libvirt: not measured: %s" % e)
        return None


def run_local(guest, step):
    """A step's results, or the error that ended it (the guest destroyed if it still runs)."""
    try:
        return step()
    except Exception as e:
        try:
            guest.destroy()
        except Exception:
            pass
        return {"error": "%s: %s" % (type(e).__name__, e)}


def ask_libvirt(libvirt, request):
    try:
        return libvirt.ask(request)
    except RuntimeError as e:
        return {"error": str(e)}


def step(side, sides, libvirt, what):
    """A whole round ("round") or one more Create sample ("create") of one side."""
    if side == "libvirt":
        return ask_libvirt(libvirt, what)
    guest, console = sides[side]
    if what == "round":
        return run_local(guest, lambda: bench_steps.one_round(guest, console))
    return run_local(guest, lambda: {"create": bench_steps.one_create(guest)})


def add(results, side, r, notes):
    if "error" in r:
        notes.add("%s: a round failed: %s" % (side, r["error"]))
        return
    if "not_supported" in r:
        notes.add("%s: ManagedSave: %s" % (side, r.pop("not_supported")))
    for key, value in r.items():
        if value is not None:
            results.setdefault(side, {}).setdefault(key, []).append(value)


def cell(values):
    if not values:
        return "n/a"
    return "%.0f / %.0f" % (statistics.median(values) * 1000, percentile(values, 90) * 1000)


def ratio(a, b):
    if not a or not b:
        return None
    return statistics.median(a) / statistics.median(b)


def fmt_ratio(x):
    return "n/a" if x is None else "%.2f" % x


def verdict(value, limit):
    if value is None:
        return "n/a"
    return "met" if value < limit else "missed"


def targets(key, ours, vs_floor, vs_libvirt):
    if key == "create":
        return ("≤ 1.5× floor; < 0.4× libvirt",
                "%s; %s" % (verdict(vs_floor, 1.5 + 1e-9), verdict(vs_libvirt, 0.4)))
    if key == "after_poweroff":
        return "< 300 ms", verdict(statistics.median(ours) if ours else None, 0.3)
    if key == "restore":
        return "< 0.5× libvirt", verdict(vs_libvirt, 0.5)
    return "", "(info)"


def detail(results):
    """Every sample, in ms, in the order taken: the medians hide how noisy a shared machine is."""
    lines = ["", "Samples (ms, in order):", ""]
    for key, label in ROWS:
        for side in ("floor", "virtbusd", "libvirt"):
            values = results.get(side, {}).get(key)
            if values:
                lines.append("- %s, %s: %s" % (label, side, " ".join("%.0f" % (v * 1000) for v in values)))
    return "\n".join(lines)


def table(results):
    lines = ["| operation (ms, median / p90) | floor | virtbusd | libvirt | virtbusd / floor | "
             "virtbusd / libvirt | target | result |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    for key, label in ROWS:
        floor, ours, theirs = (results.get(s, {}).get(key, []) for s in ("floor", "virtbusd", "libvirt"))
        vs_floor, vs_libvirt = ratio(ours, floor), ratio(ours, theirs)
        target, result = targets(key, ours, vs_floor, vs_libvirt)
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            label, cell(floor), cell(ours), cell(theirs), fmt_ratio(vs_floor), fmt_ratio(vs_libvirt), target, result))
    greeting = results.get("floor", {}).get("greeting", [])
    lines.append("| floor: spawn → QMP greeting (information) | %s | | | | | | |" % cell(greeting))
    return "\n".join(lines)


def header(args, qemu_log, libvirt_version, load_before):
    qemu = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    lv = "libvirt %d.%d.%d" % (libvirt_version // 1000000, libvirt_version // 1000 % 1000, libvirt_version % 1000) \
        if libvirt_version else "libvirt n/a"
    samples = args.rounds * (1 + args.creates)
    return ("## bench/qemu: %s, %d rounds (Create: %d samples per column)\n\n"
            "%s; %s (qemu:///session as %s); virtbusd %s.\n"
            "Floor: bare qemu with the command line virtbusd built, read from its log %s.\n"
            "Load average before: %s; after: %s.\n" % (
                time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), args.rounds, samples, qemu, lv, args.user,
                os.environ.get("VIRTBUSD"), os.path.basename(qemu_log), load_before,
                " ".join(open("/proc/loadavg").read().split()[:3])))


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--creates", type=int, default=3, help="extra Create samples per round")
    parser.add_argument("--user", default=os.environ.get("VBBENCH_USER", "vbbench"))
    parser.add_argument("--no-libvirt", action="store_true", help="leave the libvirt column out")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs) for a post-mortem")
    parser.add_argument("--runtime-dir", default=os.environ.get("VBBENCH_RUNTIME_DIR", "/tmp/vbb/run"))
    args = parser.parse_args()
    if os.getuid() != 0:  # no runuser: libvirt's side runs as ourselves, in our own session
        args.user = pwd.getpwuid(os.getuid()).pw_name
        args.runtime_dir = os.environ.get("XDG_RUNTIME_DIR", args.runtime_dir)
    return args


def make_dirs(args):
    """The work directory (readable by libvirt's user, who also owns its libvirt/ part), and that
    user's XDG_RUNTIME_DIR if it is missing."""
    workdir = tempfile.mkdtemp(prefix="virtbus-bench-qemu-")
    os.chmod(workdir, 0o755)
    os.mkdir(os.path.join(workdir, "libvirt"))
    if os.getuid() == 0 and not args.no_libvirt:
        shutil.chown(os.path.join(workdir, "libvirt"), args.user)
        if not os.path.isdir(args.runtime_dir):
            os.makedirs(args.runtime_dir, mode=0o700)
            shutil.chown(args.runtime_dir, args.user, args.user)
    return workdir


def start_floor(workdir, consoles):
    """Bare qemu with virtbusd's last command line, its monitor and console moved to our files."""
    argv, qemu_log = virtbusd_argv(os.path.join(workdir, "qemu"))
    monitor = os.path.join(workdir, "qemu", "run", "qemu", NAME + ".monitor")
    floor = FloorGuest(floor_argv(argv, [(monitor, os.path.join(workdir, "floor.monitor")),
                                         (consoles["virtbusd"], consoles["floor"])]),
                       workdir, os.path.join(workdir, "floor-qemu.log"))
    bench_steps.warm_up(floor)
    del floor.greeting[:]
    return floor, qemu_log


def run_rounds(args, sides, libvirt, results, notes):
    """Each round: a whole round per side, then --creates turns of one Create per side, the side
    that goes first rotating, so load that comes and goes falls on every column alike."""
    order = ["floor", "virtbusd", "libvirt"] if libvirt else ["floor", "virtbusd"]
    for i in range(args.rounds):
        print("[bench] round %d of %d" % (i + 1, args.rounds), file=sys.stderr)
        for turn in range(1 + args.creates):
            k = (i + turn) % len(order)
            for side in order[k:] + order[:k]:
                add(results, side, step(side, sides, libvirt, "round" if turn == 0 else "create"), notes)


def main():
    args = parse_args()
    load_before = " ".join(open("/proc/loadavg").read().split()[:3])
    kernel, initramfs = build_guest(os.environ["top_builddir"])
    workdir = make_dirs(args)
    consoles = {s: os.path.join(workdir, "libvirt" if s == "libvirt" else "", s + "-serial.log")
                for s in ("floor", "virtbusd", "libvirt")}
    results, notes = {}, set()
    bus = daemon = client = guest = libvirt = None
    try:
        bus = PrivateBus(workdir)
        daemon = Daemon(bus, workdir).start()
        client = dbus.bus.BusConnection(bus.address)
        guest = VirtbusdGuest(client, guest_xml(kernel, initramfs, consoles["virtbusd"]))
        bench_steps.warm_up(guest)
        floor, qemu_log = start_floor(workdir, consoles)
        if args.no_libvirt:
            notes.add("libvirt: not measured (--no-libvirt)")
        else:
            libvirt = start_libvirt(args, guest_xml(kernel, initramfs, consoles["libvirt"]), consoles["libvirt"], notes)
        run_rounds(args, {"floor": (floor, consoles["floor"]), "virtbusd": (guest, consoles["virtbusd"])},
                   libvirt, results, notes)
        results.setdefault("floor", {})["greeting"] = floor.greeting
    finally:
        stop_all(libvirt, guest, client, daemon, bus, notes)
        if args.keep:
            print("[bench] kept %s" % workdir, file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print(header(args, qemu_log, libvirt.hello.get("version") if libvirt else None, load_before))
    print(table(results))
    if notes:
        print("\nNotes:\n" + "\n".join("- " + n for n in sorted(notes)))
    print(detail(results))
    return 0


def stop_all(libvirt, guest, client, daemon, bus, notes):
    if libvirt:
        libvirt.close()
    if guest:
        try:
            guest.undefine()
        except dbus.DBusException as e:
            notes.add("virtbusd: undefine: %s" % e)
    if client:
        client.close()
    if daemon:
        daemon.stop()
    if bus:
        bus.stop()


if __name__ == "__main__":
    sys.exit(main())
