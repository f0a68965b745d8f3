"""Save, restore and managed save of a real qemu guest through /org/libvirt/QEMU
(drivers/qemu/qemu_domain_save.c, qemu_domain_restore.c): states, DomainEvent signals, the
guest carrying on where it was, the loop answering other calls while a save runs, and
images that are missing, corrupt or belong to a running domain. Boots the tiny guest."""
import os
import shutil
import struct

import dbus
import pytest
from gi.repository import GLib

from conftest import SignalRecorder
from test_qemu_lifecycle import (QEMU_PATH, domain, guest_files, guest_xml, lifecycle,  # noqa: F401
                                 wait_for_event, wait_for_file_text, wait_for_state)

STARTED, SUSPENDED, RESUMED, STOPPED = 2, 3, 4, 5
RUNNING, PAUSED, SHUTOFF = 1, 3, 5
RUNNING_RESTORED, SHUTOFF_SAVED, SHUTOFF_SHUTDOWN = 3, 5, 1
STARTED_BOOTED, STARTED_RESTORED = 0, 2
SUSPENDED_PAUSED, SUSPENDED_RESTORED, STOPPED_SAVED = 0, 4, 4
SAVE_PAUSED, UNDEFINE_MANAGED_SAVE = 4, 1
READY, POWERDOWN = "VIRTBUS-GUEST-READY", "VIRTBUS-GUEST-POWERDOWN"

pytestmark = pytest.mark.skipif(shutil.which("qemu-system-x86_64") is None,
                                reason="qemu-system-x86_64 is not installed (scripts/install-deps.sh)")


def connect(bus):
    return dbus.Interface(bus.get_object("org.libvirt", QEMU_PATH), "org.libvirt.Connect")


def boot(conn, bus, name, guest_files, workdir):
    kernel, initramfs = guest_files
    serial = os.path.join(workdir, name + ".serial")
    path = conn.DomainDefineXML(guest_xml(name, kernel, initramfs, serial))
    dom = domain(bus, path)
    dom.Create(0)
    assert wait_for_file_text(serial, READY, 40), "guest not ready"
    return path, dom, serial


def error_of(call):
    with pytest.raises(dbus.DBusException) as excinfo:
        call()
    return excinfo.value.get_dbus_message()


def forget(events):
    """Drops the signals so far, those still queued from earlier blocking calls included."""
    events.settle(0.1)
    del events.items[:]


def started_and_suspended(events, path):
    """The Started and Suspended events (a late Defined from setup may sit before them)."""
    return [(e, d) for e, d in lifecycle(events, path) if e in (STARTED, SUSPENDED)]


def pump_until(done, timeout=30.0):
    context = GLib.MainContext.default()
    loop_until = GLib.get_monotonic_time() + int(timeout * 1e6)
    while not done() and GLib.get_monotonic_time() < loop_until:
        context.iteration(True)


def test_save_then_restore_the_guest_carries_on_and_the_loop_answers_meanwhile(bus, workdir, guest_files):
    conn = connect(bus)
    other = domain(bus, conn.DomainDefineXML(guest_xml("other", *guest_files, os.path.join(workdir, "o.log"))))
    events = SignalRecorder(bus, "DomainEvent")
    path, dom, serial = boot(conn, bus, "saver", guest_files, workdir)
    image = os.path.join(workdir, "saver.img")

    # Paths it cannot use are refused before anything happens: the guest keeps running.
    assert "must be absolute" in error_of(lambda: dom.Save("relative.img", "", 0))
    message = error_of(lambda: dom.Save(os.path.join(workdir, "no-such-dir", "x.img"), "", 0))
    assert "Failed to create domain save file" in message and "No such file or directory" in message, message
    assert tuple(dom.GetState(0))[0] == RUNNING

    # Save asynchronously; list the domains and ask another domain's state while it runs.
    order = []
    dom.Save(image, "", 0, reply_handler=lambda: order.append("save"),
             error_handler=lambda e: order.append("save failed: %s" % e))
    conn.ListDomains(0, reply_handler=lambda names: order.append("list"),
                     error_handler=lambda e: order.append("list failed: %s" % e))
    other.GetState(0, reply_handler=lambda s: order.append("state"),
                   error_handler=lambda e: order.append("state failed: %s" % e))
    pump_until(lambda: len(order) == 3)
    assert order == ["list", "state", "save"], order

    assert tuple(dom.GetState(0)) == (SHUTOFF, SHUTOFF_SAVED)
    assert wait_for_event(events, path, STOPPED)
    got = lifecycle(events, path)
    assert got.index((SUSPENDED, SUSPENDED_PAUSED)) < got.index((STOPPED, STOPPED_SAVED)), got
    assert open(image, "rb").read(16) == b"VirtbusQemuSave\n"
    assert not os.path.exists(os.path.join(workdir, "qemu", "run", "qemu", "saver.pid"))

    # The image's XML can be read and replaced (same domain only); restore runs the new one.
    xml = conn.DomainSaveImageGetXMLDesc(image, 0)
    assert "<name>saver</name>" in xml and "<description>" not in xml, xml
    conn.DomainSaveImageDefineXML(image, xml.replace("</name>", "</name><description>edited</description>", 1), 0)
    assert "<description>edited</description>" in conn.DomainSaveImageGetXMLDesc(image, 0)
    message = error_of(lambda: conn.DomainSaveImageDefineXML(image, other.GetXMLDesc(0), 0))
    assert "describes another domain" in message, message

    # Restore with SAVE_PAUSED: paused, Started/Restored then Suspended/Paused; once resumed the
    # same guest (no second boot) still reacts to the power button.
    forget(events)
    conn.DomainRestore(image, "", SAVE_PAUSED)
    assert tuple(dom.GetState(0)) == (PAUSED, 1)
    assert wait_for_event(events, path, SUSPENDED)
    assert started_and_suspended(events, path) == [(STARTED, STARTED_RESTORED), (SUSPENDED, SUSPENDED_PAUSED)]
    assert "<description>edited</description>" in dom.GetXMLDesc(0)
    dom.Resume()
    assert tuple(dom.GetState(0))[0] == RUNNING

    # A domain that runs is not restored over.
    message = error_of(lambda: conn.DomainRestore(image, "", 0))
    assert "domain 'saver' is already active" in message, message

    dom.Shutdown(0)
    assert wait_for_state(dom, SHUTOFF, 30) == (SHUTOFF, SHUTOFF_SHUTDOWN)
    text = open(serial, errors="replace").read()
    assert POWERDOWN in text and READY not in text, text


def test_managed_save_then_create_restores_and_removes_the_image(bus, workdir, guest_files):
    conn = connect(bus)
    events = SignalRecorder(bus, "DomainEvent")
    path, dom, serial = boot(conn, bus, "managed", guest_files, workdir)
    image = os.path.join(workdir, "qemu", "lib", "qemu", "save", "managed.save")

    dom.ManagedSave(0)
    assert tuple(dom.GetState(0)) == (SHUTOFF, SHUTOFF_SAVED)
    assert dom.HasManagedSaveImage(0) and os.path.exists(image)
    message = error_of(lambda: dom.Undefine(0))
    assert "Refusing to undefine while domain managed save image exists" in message, message

    forget(events)
    dom.Create(0)
    assert tuple(dom.GetState(0)) == (RUNNING, RUNNING_RESTORED)
    assert not dom.HasManagedSaveImage(0) and not os.path.exists(image)
    assert wait_for_event(events, path, STARTED)
    assert started_and_suspended(events, path) == [(STARTED, STARTED_RESTORED)]

    # Saved paused by flag: Create leaves it paused (Suspended/Restored); it resumes and lives.
    dom.ManagedSave(SAVE_PAUSED)
    forget(events)
    dom.Create(0)
    assert tuple(dom.GetState(0)) == (PAUSED, 1)
    assert wait_for_event(events, path, SUSPENDED)
    assert started_and_suspended(events, path) == [(STARTED, STARTED_RESTORED), (SUSPENDED, SUSPENDED_RESTORED)]
    dom.Resume()
    dom.Shutdown(0)
    assert wait_for_state(dom, SHUTOFF, 30) == (SHUTOFF, SHUTOFF_SHUTDOWN)
    text = open(serial, errors="replace").read()
    assert POWERDOWN in text and READY not in text, text

    # ManagedSaveRemove forgets it; Undefine with MANAGED_SAVE removes it with the domain.
    dom.Create(0)
    dom.ManagedSave(0)
    dom.ManagedSaveRemove(0)
    assert not dom.HasManagedSaveImage(0) and not os.path.exists(image)
    dom.Create(0)
    assert tuple(dom.GetState(0)) == (RUNNING, 1)  # booted afresh
    dom.ManagedSave(0)
    dom.Undefine(UNDEFINE_MANAGED_SAVE)
    assert not os.path.exists(image)
    assert "no domain with matching name" in error_of(lambda: conn.DomainLookupByName("managed"))


def write_image(path, xml, stream, running=True):
    data = xml.encode() + b"\0" * 1025
    header = b"VirtbusQemuSave\n" + struct.pack("<III", 1, len(data), 1 if running else 0) + b"\0" * 36
    with open(path, "wb") as f:
        f.write(header + data + stream)


def test_bad_images_and_paths_are_refused_leaving_nothing(bus, workdir, guest_files):
    conn = connect(bus)
    before = list(conn.ListDomains(0))

    message = error_of(lambda: conn.DomainRestore(os.path.join(workdir, "missing.img"), "", 0))
    assert "Failed to open domain image file" in message and "No such file or directory" in message, message

    junk = os.path.join(workdir, "junk.img")
    with open(junk, "wb") as f:
        f.write(b"not a save image at all, " * 10)
    assert "image magic is incorrect" in error_of(lambda: conn.DomainRestore(junk, "", 0))

    # A good header before a stream qemu cannot load: qemu starts, fails, and goes.
    corrupt = os.path.join(workdir, "corrupt.img")
    write_image(corrupt, guest_xml("corrupt", *guest_files, os.path.join(workdir, "c.log")), b"\x01" * 4096)
    message = error_of(lambda: conn.DomainRestore(corrupt, "", 0))
    assert "cannot restore domain 'corrupt'" in message, message
    assert "load of migration failed" in message, message  # qemu's own words
    assert list(conn.ListDomains(0)) == before
    assert not os.path.exists(os.path.join(workdir, "qemu", "run", "qemu", "corrupt.pid"))

    message = error_of(lambda: conn.DomainRestore(junk, "", 6))
    assert "mutually exclusive" in message, message

    dom = domain(bus, conn.DomainDefineXML(guest_xml("off", *guest_files, os.path.join(workdir, "off.log"))))
    assert "domain is not running" in error_of(lambda: dom.Save(os.path.join(workdir, "off.img"), "", 0))
    assert "domain is not running" in error_of(lambda: dom.ManagedSave(0))
    assert not dom.HasManagedSaveImage(0)


def test_a_managed_save_image_is_found_again_after_a_daemon_restart(private_bus, workdir, guest_files):
    """The image is looked for when the daemon loads its definitions (no guest needed: only the
    file's presence counts until a Create reads it)."""
    from conftest import Daemon
    image = os.path.join(workdir, "qemu", "lib", "qemu", "save", "kept.save")
    for run in range(2):
        d = Daemon(private_bus, workdir).start()
        bus = dbus.bus.BusConnection(private_bus.address)
        try:
            conn = connect(bus)
            if run == 0:
                xml = guest_xml("kept", *guest_files, os.path.join(workdir, "k.log"))
                dom = domain(bus, conn.DomainDefineXML(xml))
                assert not dom.HasManagedSaveImage(0)
                os.makedirs(os.path.dirname(image), exist_ok=True)
                write_image(image, dom.GetXMLDesc(0), b"\0" * 4096)
            else:
                dom = domain(bus, conn.DomainLookupByName("kept"))
                assert tuple(dom.GetState(0)) == (SHUTOFF, SHUTOFF_SAVED)
                assert dom.HasManagedSaveImage(0)
                dom.ManagedSaveRemove(0)
                assert not dom.HasManagedSaveImage(0) and not os.path.exists(image)
        finally:
            bus.close()
            status = d.stop()
        log = d.log()
        assert status == 0 and "AddressSanitizer" not in log and "runtime error:" not in log, log


# --- the image travels as a descriptor (getfd, migrate fd:), and a stream that stalls -----------

MIGRATE_TIMEOUT_MS = 1500
RUNNING_SAVE_CANCELED = 7
SHUTOFF_CRASHED = 3
SHELLS = ("sh", "dash", "bash", "cat", "tail")


@pytest.fixture
def stall_bus(private_bus, workdir):
    """A daemon that gives up on a save whose stream makes no progress for 1.5 s."""
    from amqp_env import stop_daemon
    from conftest import Daemon
    d = Daemon(private_bus, workdir, env={"VIRTBUS_QEMU_MIGRATE_TIMEOUT_MS": str(MIGRATE_TIMEOUT_MS)}).start()
    bus = dbus.bus.BusConnection(private_bus.address)
    bus.daemon_pid = d.proc.pid
    yield bus
    bus.close()
    stop_daemon(d)


def poll_until(done, timeout=30.0):
    """pump_until for a condition outside D-Bus: the loop is pumped without blocking in it."""
    context = GLib.MainContext.default()
    deadline = GLib.get_monotonic_time() + int(timeout * 1e6)
    while not done() and GLib.get_monotonic_time() < deadline:
        context.iteration(False) or GLib.usleep(5000)
    return done()


def qemu_pid(workdir, name):
    return int(open(os.path.join(workdir, "qemu", "run", "qemu", name + ".pid")).read().split()[0])


def children(pid):
    """(pid, command name) of the processes whose parent is pid."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            fields = open("/proc/%s/stat" % entry).read().rsplit(")", 1)[1].split()
            if entry.isdigit() and int(fields[1]) == pid:
                found.append((int(entry), open("/proc/%s/comm" % entry).read().strip()))
        except (OSError, IndexError, ValueError):
            pass
    return found


def holds_open(pid, path):
    """True when process pid has path open (qemu got the image's descriptor)."""
    fd_dir = "/proc/%d/fd" % pid
    for fd in os.listdir(fd_dir):
        try:
            if os.readlink(os.path.join(fd_dir, fd)) == path:
                return True
        except OSError:
            pass
    return False


class StalledSave:
    """Boots a guest and saves it to a FIFO the test opened for reading and never reads:
    virtbusd's open and header write succeed (the pipe holds them), then qemu's stream blocks
    once the pipe is full. Waits until qemu holds the FIFO (or the save ended already)."""

    def __init__(self, bus, name, workdir, guest_files, suspend=False):
        self.conn = connect(bus)
        self.path, self.dom, self.serial = boot(self.conn, bus, name, guest_files, workdir)
        self.fifo = os.path.join(workdir, name + ".fifo")
        self.qemu = qemu_pid(workdir, name)
        self.result = []
        if suspend:
            self.dom.Suspend()
        os.mkfifo(self.fifo)
        self.reader = os.open(self.fifo, os.O_RDONLY | os.O_NONBLOCK)
        self.dom.Save(self.fifo, "", 0, reply_handler=lambda: self.result.append("saved"),
                      error_handler=lambda e: self.result.append(e.get_dbus_message()))
        poll_until(lambda: self.result or holds_open(self.qemu, self.fifo))

    def outcome(self, keep_reader=False):
        """Waits for the save's reply, then (unless keep_reader) lets qemu's blocked write fail."""
        try:
            pump_until(lambda: self.result)
        finally:
            if not keep_reader:
                self.close()
        return self.result

    def close(self):
        if self.reader is not None:
            os.close(self.reader)  # qemu's blocked write fails (EPIPE): its migration thread ends
            self.reader = None


def test_a_stalled_save_is_cancelled_the_guest_resumed_and_no_shell_involved(stall_bus, workdir, guest_files):
    bus = stall_bus
    save = StalledSave(bus, "stall", workdir, guest_files)
    conn, dom, serial, fifo = save.conn, save.dom, save.serial, save.fifo

    # While the stream is under way: qemu holds the image itself (passed by getfd), and no shell,
    # cat or tail runs for it, under qemu or under virtbusd.
    assert not save.result, save.result
    assert holds_open(save.qemu, fifo)
    assert tuple(dom.GetState(0))[0] == PAUSED
    spawned = children(save.qemu) + children(bus.daemon_pid)
    assert not [c for c in spawned if c[1] in SHELLS], spawned

    result = save.outcome(keep_reader=True)
    image = os.path.join(workdir, "stall.img")
    try:
        assert len(result) == 1 and result[0] != "saved", result
        assert "Timed out during operation: job 'domain save': the migration stream to '%s' made no progress " \
               "for %d ms (VIRTBUS_QEMU_MIGRATE_TIMEOUT_MS); cancelled" % (fifo, MIGRATE_TIMEOUT_MS) in result[0], \
            result
        assert not os.path.exists(fifo)  # the partial image is gone
        assert tuple(dom.GetState(0)) == (RUNNING, RUNNING_SAVE_CANCELED)  # running again, as it was
        # qemu's writer stays blocked while the pipe is full: its migration is still cancelling.
        message = error_of(lambda: dom.Save(image, "", 0))
        assert "unable to execute QEMU command 'migrate': There's a migration process in progress" in message, \
            message
        assert not os.path.exists(image) and tuple(dom.GetState(0)) == (RUNNING, RUNNING_SAVE_CANCELED)
    finally:
        save.close()

    # qemu is sound: once its cancelled stream has ended, the guest saves and restores.
    for _ in range(100):
        try:
            dom.Save(image, "", 0)
            break
        except dbus.DBusException as e:
            assert "migration" in e.get_dbus_message(), e.get_dbus_message()  # still cancelling
            poll_until(lambda: False, 0.05)
    assert tuple(dom.GetState(0)) == (SHUTOFF, SHUTOFF_SAVED)
    # qemu wrote from the descriptor's offset: its stream (magic "QEVM") right after our header.
    with open(image, "rb") as f:
        head = f.read(64)
        xml_len = struct.unpack("<I", head[20:24])[0]
        f.seek(64 + xml_len)
        assert head[:16] == b"VirtbusQemuSave\n" and f.read(4) == b"QEVM"
    conn.DomainRestore(image, "", 0)
    assert tuple(dom.GetState(0)) == (RUNNING, RUNNING_RESTORED)
    dom.Shutdown(0)
    assert wait_for_state(dom, SHUTOFF, 30) == (SHUTOFF, SHUTOFF_SHUTDOWN)
    text = open(serial, errors="replace").read()
    assert POWERDOWN in text and READY not in text, text  # the same guest, not a second boot


def test_a_paused_guest_stays_paused_after_a_stalled_save(stall_bus, workdir, guest_files):
    save = StalledSave(stall_bus, "still", workdir, guest_files, suspend=True)
    result = save.outcome()
    assert "made no progress" in result[0], result
    assert tuple(save.dom.GetState(0)) == (PAUSED, 1)  # paused by the user, as before the save
    save.dom.Destroy(0)


def test_qemu_dying_mid_save_leaves_shutoff_crashed_and_no_image(bus, workdir, guest_files):
    save = StalledSave(bus, "doomed", workdir, guest_files)
    assert not save.result, save.result
    os.kill(save.qemu, 9)  # the qemu this test's domain runs, nobody else's
    result = save.outcome()
    # Whether the monitor's end of file or the reaped exit is noticed first, the same words.
    assert result == ["operation failed: job 'domain save' unexpectedly failed"], result
    assert tuple(save.dom.GetState(0)) == (SHUTOFF, SHUTOFF_CRASHED)
    assert not os.path.exists(save.fifo)
    assert not save.dom.HasManagedSaveImage(0)


JOB_NONE, JOB_UNBOUNDED, JOB_COMPLETED = 0, 2, 3
JOB_OPERATION_SAVE = 2
JOB_STATS_COMPLETED, JOB_STATS_KEEP_COMPLETED = 1, 2


def test_job_info_follows_a_save_and_abort_job_cancels_it(bus, workdir, guest_files):
    """virsh domjobinfo / domjobabort on a save under way (libvirt's qemuDomainGetJobInfo and
    qemuDomainAbortJobFlags): its progress, then libvirt's cancel: error, no image, guest running."""
    save = StalledSave(bus, "aborted", workdir, guest_files)
    dom = save.dom
    assert not save.result, save.result
    info = []

    def progressed():
        info[:] = [int(v) for v in dom.GetJobInfo()]
        return info[0] == JOB_UNBOUNDED and info[6] > 0  # memory processed: the pipe took some

    poll_until(progressed, 10)
    kind, elapsed, _, data_total, data_processed, data_remaining, mem_total, mem_processed, mem_remaining, \
        file_total, file_processed, file_remaining = info
    assert kind == JOB_UNBOUNDED and elapsed > 0, info
    assert mem_total >= 128 << 20 and 0 < mem_processed < mem_total and 0 < mem_remaining < mem_total, info
    assert (data_total, data_processed, data_remaining) == (mem_total, mem_processed, mem_remaining), info
    assert (file_total, file_processed, file_remaining) == (0, 0, 0), info
    # GetJobStats (virsh domjobinfo's first choice): libvirt's typed fields for a save.
    kind, stats = dom.GetJobStats(0)
    assert kind == JOB_UNBOUNDED and stats["operation"] == JOB_OPERATION_SAVE, (kind, stats)
    assert stats["memory_total"] == mem_total and stats["data_total"] == mem_total, stats
    assert stats["memory_processed"] >= mem_processed and stats["time_elapsed"] >= elapsed, stats
    assert stats["memory_page_size"] == 4096 and "memory_constant" in stats and "disk_total" not in stats, stats

    dom.AbortJob()  # returns once qemu took migrate_cancel: the migration is cancelling
    save.close()  # qemu's blocked write fails (EPIPE), its migration thread sees the cancel
    result = save.outcome()
    assert result == ["operation aborted: job 'domain save' canceled by client"], result
    assert not os.path.exists(save.fifo)
    assert tuple(dom.GetState(0)) == (RUNNING, RUNNING_SAVE_CANCELED)
    assert tuple(dom.GetJobInfo()) == (JOB_NONE,) + (0,) * 11
    assert error_of(dom.AbortJob) == "Requested operation is not valid: no job is active on the domain"
    dom.Destroy(0)
    assert error_of(dom.GetJobInfo) == "Requested operation is not valid: domain is not running"
    assert error_of(dom.AbortJob) == "Requested operation is not valid: domain is not running"
    assert tuple(dom.GetJobStats(JOB_STATS_COMPLETED)) == (JOB_NONE, {})  # a cancelled save is not kept


def test_a_completed_saves_statistics_are_kept_until_read(bus, workdir, guest_files):
    """GetJobStats(COMPLETED) on the domain the save shut off, as libvirt keeps job->completed."""
    conn = connect(bus)
    path, dom, serial = boot(conn, bus, "counted", guest_files, workdir)
    assert tuple(dom.GetJobStats(0)) == (JOB_NONE, {})
    assert tuple(dom.GetJobStats(JOB_STATS_COMPLETED)) == (JOB_NONE, {})
    assert "unsupported flags (0x4)" in error_of(lambda: dom.GetJobStats(4))
    image = os.path.join(workdir, "counted.img")
    dom.Save(image, "", 0)
    assert tuple(dom.GetState(0)) == (SHUTOFF, SHUTOFF_SAVED)
    assert error_of(lambda: dom.GetJobStats(0)) == "Requested operation is not valid: domain is not running"
    kind, stats = dom.GetJobStats(JOB_STATS_COMPLETED | JOB_STATS_KEEP_COMPLETED)
    assert kind == JOB_COMPLETED and stats["operation"] == JOB_OPERATION_SAVE, (kind, stats)
    assert stats["memory_total"] >= 128 << 20 and stats["memory_remaining"] == 0, stats
    # What went to the image: the guest's pages (most of them zero: "constant") and the rest.
    assert stats["memory_processed"] == stats["data_processed"] > 0, stats
    assert stats["memory_normal_bytes"] == stats["memory_normal"] * stats["memory_page_size"] > 0, stats
    assert stats["memory_normal_bytes"] < os.path.getsize(image), (stats, os.path.getsize(image))
    assert tuple(dom.GetJobStats(JOB_STATS_COMPLETED)) == (kind, stats)  # kept the first time
    assert tuple(dom.GetJobStats(JOB_STATS_COMPLETED)) == (JOB_NONE, {})  # forgotten once read


def test_a_save_target_that_would_block_the_daemon_is_refused(bus, workdir, guest_files):
    """A FIFO nobody reads: opening it for writing would wait forever; it is refused at once."""
    conn = connect(bus)
    path, dom, serial = boot(conn, bus, "fifo", guest_files, workdir)
    fifo = os.path.join(workdir, "noreader.fifo")
    os.mkfifo(fifo)
    message = error_of(lambda: dom.Save(fifo, "", 0))
    assert "Failed to create domain save file '%s'" % fifo in message and "No such device or address" in message, \
        message
    assert tuple(dom.GetState(0))[0] == RUNNING
    message = error_of(lambda: conn.DomainRestore(fifo, "", 0))
    assert "is not a regular file" in message, message
    dom.Destroy(0)
