"""virtbusctl domjobinfo and domjobabort on a real qemu guest through /org/libvirt/QEMU: a save
that stays under way (into a FIFO nobody reads) shows as virsh's Unbounded job with its memory
progress, and domjobabort cancels it with libvirt's words. Boots the tiny guest."""
import json
import os
import re
import shutil

import pytest

from test_qemu_lifecycle import guest_files  # noqa: F401
from test_qemu_save import RUNNING, RUNNING_SAVE_CANCELED, StalledSave, poll_until
from test_virtbusctl import ctl, ctl_error

pytestmark = pytest.mark.skipif(shutil.which("qemu-system-x86_64") is None,
                                reason="qemu-system-x86_64 is not installed (scripts/install-deps.sh)")

QEMU = ("-c", "qemu:///session")
NO_JOB = "Job type:         None        \n"


def pretty(value):
    """virsh's vshPrettyCapacity with its "%.3lf UNIT" format."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if value < 1024:
            return "%.3f %s" % (value, unit)
        value /= 1024
    return "%.3f EiB" % value


def job_json(daemon, name):
    return json.loads(ctl(daemon, *QEMU, "--json", "domjobinfo", name).stdout)


def test_domjobinfo_shows_a_save_under_way_and_domjobabort_cancels_it(daemon, bus, workdir, guest_files):
    save = StalledSave(bus, "jobcli", workdir, guest_files)
    assert not save.result, save.result
    info = {}

    def progressed():
        info.update(job_json(daemon, "jobcli"))
        return info["type"] == "Unbounded" and info["memory_processed_bytes"] > 0  # the pipe took some

    assert poll_until(progressed, 10), info
    assert info["memory_total_bytes"] >= 128 << 20 and info["file_total_bytes"] == 0, info

    lines = ctl(daemon, *QEMU, "domjobinfo", "jobcli").stdout.splitlines()
    assert lines[:2] == ["Job type:         Unbounded   ", "Operation:        Save        "], lines
    assert re.fullmatch(r"Time elapsed:     [1-9][0-9]* +ms", lines[2]), lines
    labels = [line[:18] for line in lines[3:9]]
    assert labels == ["Data processed:   ", "Data remaining:   ", "Data total:       ", "Memory processed: ",
                      "Memory remaining: ", "Memory total:     "], lines  # no file lines: a save writes none
    for line in lines[3:9]:
        assert re.fullmatch(r"[0-9]+\.[0-9]{3} (B|KiB|MiB|GiB)", line[18:]), line
    # The total stays put while the stream runs; processed and remaining move.
    assert lines[8][18:] == pretty(info["memory_total_bytes"]), (lines, info)
    assert lines[5][18:] == lines[8][18:], lines
    # Then virsh's lines for the statistics GetJobStats gave, in virsh's order ("Memory
    # bandwidth" only while qemu measures some: none through a full pipe).
    rest = [line.split(":")[0] for line in lines[9:] if not line.startswith("Memory bandwidth:")]
    assert rest == ["Dirty rate", "Page size", "Iteration", "Postcopy requests", "Constant pages", "Normal pages",
                    "Normal data", "Setup time"], lines
    assert "Page size:        4096         bytes" in lines, lines
    assert info["operation"] == "Save" and info["statistics"]["memory_page_size"] == 4096, info
    raw = ctl(daemon, *QEMU, "domjobinfo", "jobcli", "--rawstats").stdout.splitlines()
    assert raw[:3] == ["Job type: 2", "", "operation: 2"] and raw[3].startswith("time_elapsed: "), raw

    assert ctl(daemon, *QEMU, "domjobabort", "jobcli").stdout == ""  # as virsh: nothing on success
    save.close()  # qemu's blocked write fails (EPIPE), its migration thread sees the cancel
    assert save.outcome() == ["operation aborted: job 'domain save' canceled by client"], save.result
    assert tuple(save.dom.GetState(0)) == (RUNNING, RUNNING_SAVE_CANCELED)

    assert ctl(daemon, *QEMU, "domjobinfo", "jobcli").stdout == NO_JOB
    assert ctl_error(daemon, *QEMU, "domjobabort", "jobcli") == \
        "Requested operation is not valid: no job is active on the domain"
    assert ctl(daemon, *QEMU, "domjobinfo", "jobcli", "--completed").stdout == NO_JOB  # a cancel keeps none

    # A save that completes: the domain is shut off, its job kept until read (--keep-completed).
    save.dom.Save(os.path.join(workdir, "jobcli.img"), "", 0)
    assert ctl_error(daemon, *QEMU, "domjobinfo", "jobcli") == "Requested operation is not valid: domain is not running"
    lines = ctl(daemon, *QEMU, "domjobinfo", "jobcli", "--completed", "--keep-completed").stdout.splitlines()
    assert lines[:2] == ["Job type:         Completed   ", "Operation:        Save        "], lines
    assert "Memory remaining: 0.000 B" in lines and "Data remaining:   0.000 B" in lines, lines
    assert ctl(daemon, *QEMU, "domjobinfo", "jobcli", "--completed").stdout.splitlines()[:2] == lines[:2]
    assert ctl(daemon, *QEMU, "domjobinfo", "jobcli", "--completed").stdout == NO_JOB  # read: forgotten
