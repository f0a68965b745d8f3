"""cockpit-machines' Snapshots card against virtbusd's qemu:///system, in headless Chromium: on
a tiny guest with a qcow2 data disk, the page creates a snapshot of the shut-off guest, starts
the guest, creates one of the running guest, lists both with their state, reverts to the first
(the guest ends shut off, as it was then) and deletes the other. Each step is checked on D-Bus
(ListDomainSnapshots, GetState, SnapshotCurrent) and in the image (qemu-img snapshot -l), and
every org.libvirt error the page got, or an error the page shows, fails the test."""
import os
import re
import shutil
import subprocess

import pytest

import cockpit_env
from cockpit_env import click, diagnosed, guest_xml, open_machines_page, page_text, shown, wait_until
from cockpit_env import guest_files, world  # noqa: F401 (pytest fixtures, used by name)
from test_cockpit_storage import act, button_in, element, set_text

RUNNING, SHUTOFF = 1, 5
SHUTOFF_FROM_SNAPSHOT = 7

MISSING = cockpit_env.missing_parts() + (["qemu-img"] if shutil.which("qemu-img") is None else [])
pytestmark = pytest.mark.skipif(bool(MISSING), reason="not installed: %s (scripts/install-deps.sh installs them)"
                                % ", ".join(MISSING))


def failure(world):
    """An org.libvirt error reply, or an error alert the page shows (a dialog's or a toast)."""
    from selenium.webdriver.common.by import By
    errors = world.errors.errors()
    if errors:
        return errors
    return [e.text for e in world.browser.find_elements(By.CSS_SELECTOR, ".pf-c-alert.pf-m-danger")
            if e.is_displayed()]


def until(world, what, predicate, timeout=60):
    return wait_until(what, predicate, timeout, failed=lambda: failure(world))


def snapshot_names(world, name):
    """The domain's snapshots on D-Bus, by the names their XML gives."""
    dom = world.domain(name)
    return sorted(re.search(r"<name>([^<]*)</name>", str(world.interface(
        path, "org.libvirt.DomainSnapshot").GetXMLDesc(0))).group(1) for path in dom.ListDomainSnapshots(0))


def current_snapshot(world, name):
    xml = str(world.interface(world.domain(name).SnapshotCurrent(0), "org.libvirt.DomainSnapshot").GetXMLDesc(0))
    return re.search(r"<name>([^<]*)</name>", xml).group(1), re.search(r"<state>([^<]*)</state>", xml).group(1)


def image_snapshots(path):
    out = subprocess.run(["qemu-img", "snapshot", "-U", "-l", path], check=True, capture_output=True,
                         text=True).stdout
    return sorted(line.split()[1] for line in out.splitlines()[2:] if line.strip())


def rows(world, name):
    """{snapshot name: (state column text, marked current)} as the card lists them, read in one
    go: the page re-renders the card as each of its overlapping listings answers (the create
    dialog's, and one per domain event), so cells read one by one could mix two renderings."""
    return {row[0]: (row[1], row[2]) for row in world.browser.execute_script("""
        const prefix = arguments[0];
        return Array.from(document.querySelectorAll('[id^="' + prefix + '"][id$="-name"]')).map(cell => {
            const index = cell.id.slice(prefix.length, -'-name'.length);
            const state = document.getElementById(prefix + index + '-type');
            return [cell.textContent.trim(), state ? state.textContent.trim() : '',
                    document.getElementById(prefix + index + '-current') !== null];
        });""", "vm-%s-snapshot-" % name)}


def listed(world, name, expected, what):
    """Waits for the card to list exactly expected ({name: (state, current)})."""
    until(world, what, lambda: rows(world, name) == expected)


def in_row(world, snapshot, xpath):
    """The elements xpath finds inside the row of that snapshot."""
    return [e for e in world.browser.find_elements(
        "xpath", '//tr[.//*[substring(@id, string-length(@id) - 4) = "-name" and normalize-space() = "%s"]]%s'
        % (snapshot, xpath)) if e.is_displayed()]


def create_on_page(world, name, snapshot, description):
    click(world, "vm-%s-add-snapshot-button" % name)
    set_text(world, "snapshot-create-dialog-name", snapshot)
    set_text(world, "snapshot-create-dialog-description", description)
    act(world, "the dialog's Create button",
        lambda: button_in(world, "vm-%s-create-snapshot-modal" % name, "Create"))
    until(world, "%s on D-Bus" % snapshot, lambda: snapshot in snapshot_names(world, name))
    until(world, "the dialog closed", lambda: not shown(world, "vm-%s-create-snapshot-modal" % name))


def page_state(world, name):
    found = shown(world, "vm-%s-system-state" % name)
    return found[0].text.strip().lower() if found else ""


def test_snapshots_card_creates_lists_reverts_and_deletes_snapshots(world, guest_files):
    kernel, initramfs = guest_files
    name = "cockpit-snap"
    image = os.path.join(world.tmp, "data.qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", image, "16M"], check=True)
    disk = ("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='%s'/>"
            "<target dev='vda' bus='virtio'/></disk>" % image)
    world.connect().DomainDefineXML(guest_xml(name, kernel, initramfs, os.path.join(world.tmp, "serial.log"), disk))

    with diagnosed(world):
        open_machines_page(world)
        world.browser.get(world.ws.url() + "#/vm?name=%s&connection=system" % name)
        until(world, "the empty Snapshots card", lambda: "No snapshots defined for this VM" in element(
            world, "vm-%s-snapshots" % name).text)
        assert "shut off" in page_state(world, name)

        # Of the shut-off guest: qemu-img snapshot -c; the card lists it "shut off", current.
        create_on_page(world, name, "before-boot", "taken shut off")
        listed(world, name, {"before-boot": ("shut off", True)}, "before-boot listed shut off, current")
        until(world, "before-boot's description", lambda: in_row(
            world, "before-boot", '//*[normalize-space() = "taken shut off"]'))
        assert current_snapshot(world, name) == ("before-boot", "shutoff")
        assert image_snapshots(image) == ["before-boot"]

        # The guest starts from the page; a running guest's page asks for its addresses from each
        # source, and libvirt's QEMU driver answers the agent source so without an agent channel.
        world.errors.allow("InterfaceAddresses", "QEMU guest agent is not configured")
        click(world, "vm-%s-system-run" % name)
        until(world, "running on D-Bus", lambda: world.state(name)[0] == RUNNING)
        until(world, "running on the page", lambda: "running" in page_state(world, name))

        # Of the running guest: QMP snapshot-save (memory too); the guest runs on.
        create_on_page(world, name, "while-running", "taken running")
        listed(world, name, {"before-boot": ("shut off", False), "while-running": ("running", True)},
               "both snapshots listed with their states, while-running current")
        assert world.state(name)[0] == RUNNING
        assert current_snapshot(world, name) == ("while-running", "running")
        assert image_snapshots(image) == ["before-boot", "while-running"]

        # Revert to the shut-off one: qemu is ended, the disk reverted; the guest is shut off.
        act(world, "before-boot's Revert button",
            lambda: in_row(world, "before-boot", '//button[normalize-space() = "Revert"]'))
        modal = until(world, "the revert dialog", lambda: world.browser.find_elements(
            "css selector", '[id$="-revert-snapshot-before-boot-modal"]'))[0].get_attribute("id")
        act(world, "the dialog's Revert button", lambda: button_in(world, modal, "Revert"))
        until(world, "shut off from the snapshot on D-Bus",
              lambda: world.state(name) == (SHUTOFF, SHUTOFF_FROM_SNAPSHOT))
        until(world, "the revert dialog closed", lambda: not shown(world, modal))
        until(world, "shut off on the page", lambda: "shut off" in page_state(world, name))
        listed(world, name, {"before-boot": ("shut off", True), "while-running": ("running", False)},
               "before-boot current")
        assert current_snapshot(world, name) == ("before-boot", "shutoff")

        # Delete the running one: qemu-img snapshot -d; the card lists only the other.
        act(world, "while-running's Delete button",
            lambda: in_row(world, "while-running", '//button[normalize-space() = "Delete"]'))
        until(world, "the delete dialog for while-running", lambda: "Snapshot while-running will be deleted" in element(
            world, "delete-resource-modal").text)
        click(world, "delete-resource-modal-primary")
        until(world, "while-running gone on D-Bus", lambda: snapshot_names(world, name) == ["before-boot"])
        listed(world, name, {"before-boot": ("shut off", True)}, "only before-boot listed")
        assert image_snapshots(image) == ["before-boot"]
        assert world.state(name)[0] == SHUTOFF

        assert "Failed to fetch some resources" not in page_text(world)
        assert failure(world) == [], "org.libvirt answered the page with errors, or the page shows one"
