"""cockpit-machines (Debian's package) against virtbusd's qemu:///system, in headless Chromium:
the page lists a real tiny guest and runs, shuts down, forces off and deletes it through its
buttons. Each action is checked on D-Bus too (state and reason), so the page's word is not taken
for it, and every org.libvirt error the page got while doing so fails the test."""
import os

import pytest

import cockpit_env
from cockpit_env import click, diagnosed, guest_xml, open_machines_page, page_text, wait_until
from cockpit_env import guest_files, world  # noqa: F401 (pytest fixtures, used by name)

RUNNING, SHUTOFF = 1, 5
RUNNING_BOOTED, SHUTOFF_SHUTDOWN, SHUTOFF_DESTROYED = 1, 1, 2

pytestmark = pytest.mark.skipif(bool(cockpit_env.missing_parts()),
                                reason="not installed: %s (scripts/install-deps.sh installs them)"
                                % ", ".join(cockpit_env.missing_parts()))


def vm_state_text(world, name):
    from selenium.webdriver.common.by import By
    found = world.browser.find_elements(By.ID, "vm-%s-system-state" % name)
    return found[0].text.strip().lower() if found else ""


def wait_for_states(world, name, state, page_text_state, what):
    """Waits for the state on D-Bus, then on the page; an org.libvirt error the page got ends the
    wait at once (the action it asked for failed)."""
    wait_until(what + " on D-Bus", lambda: world.state(name)[0] == state, failed=world.errors.errors)
    wait_until(what + " on the page", lambda: page_text_state in vm_state_text(world, name),
               failed=world.errors.errors)
    return world.state(name)


def delete_on_page(world, name):
    from selenium.webdriver.common.by import By

    click(world, "vm-%s-system-action-kebab" % name)
    click(world, "vm-%s-system-delete" % name)
    dialog = wait_until("the delete dialog", lambda: world.browser.find_elements(
        By.ID, "vm-%s-delete-modal-dialog" % name))[0]
    wait_until("the dialog's Delete button", lambda: [
        b for b in dialog.find_elements(By.TAG_NAME, "button") if b.text.strip() == "Delete"])[0].click()


def test_machines_page_lists_runs_shuts_down_forces_off_and_deletes_a_guest(world, guest_files):
    kernel, initramfs = guest_files
    name = "cockpit-guest"
    serial = os.path.join(world.tmp, "serial.log")
    world.connect().DomainDefineXML(guest_xml(name, kernel, initramfs, serial))

    with diagnosed(world):
        open_machines_page(world)
        wait_until("the guest in the listing", lambda: name in page_text(world))
        assert "shut off" in vm_state_text(world, name)

        click(world, "vm-%s-system-run" % name)
        assert wait_for_states(world, name, RUNNING, "running", "running") == (RUNNING, RUNNING_BOOTED)
        # The guest honours the power button once its userspace (acpid) is up: a marker on the serial.
        wait_until("the guest's userspace", lambda: os.path.exists(serial) and
                   "VIRTBUS-GUEST-READY" in open(serial, errors="replace").read(), timeout=120)

        click(world, "vm-%s-system-shutdown-button" % name)
        assert wait_for_states(world, name, SHUTOFF, "shut off", "shut off after the guest powered off") == \
            (SHUTOFF, SHUTOFF_SHUTDOWN)

        click(world, "vm-%s-system-run" % name)
        wait_for_states(world, name, RUNNING, "running", "running again")
        click(world, "vm-%s-system-action-kebab" % name)
        click(world, "vm-%s-system-forceOff" % name)
        assert wait_for_states(world, name, SHUTOFF, "shut off", "shut off after Force off") == \
            (SHUTOFF, SHUTOFF_DESTROYED)

        assert "Failed to fetch some resources" not in page_text(world)
        assert world.errors.errors() == [], "org.libvirt answered the page with errors"

        delete_on_page(world, name)
        wait_until("the guest undefined", lambda: not world.defined(name))
        wait_until("the guest gone from the page", lambda: name not in page_text(world))
        # Reads of the domain that crossed its deletion get libvirt's "not found", nothing else.
        assert [e for e in world.errors.errors() if not e[2].startswith("Domain not found")] == []
