"""cockpit-machines' storage and network pages against virtbusd's qemu:///system, in headless
Chromium: the Storage pools page lists the default pool and a directory pool the test defines,
shows that pool's volumes, creates a volume through its dialog, and the VM's "Add disk" dialog
attaches an existing pool volume to a shut-off guest, whose definition then has the disk; the
Networks page loads. Each result is checked on D-Bus too, and every org.libvirt error the pages
got fails the test."""
import os

import pytest

import cockpit_env
from cockpit_env import click, diagnosed, guest_xml, open_machines_page, page_text, wait_until
from cockpit_env import guest_files, world  # noqa: F401 (pytest fixtures, used by name)

INACTIVE_XML = 2  # VIR_DOMAIN_XML_INACTIVE

pytestmark = pytest.mark.skipif(bool(cockpit_env.missing_parts()),
                                reason="not installed: %s (scripts/install-deps.sh installs them)"
                                % ", ".join(cockpit_env.missing_parts()))


def pool_xml(name, path):
    return "<pool type='dir'><name>%s</name><target><path>%s</path></target></pool>" % (name, path)


def volume_xml(name, mib):
    return ("<volume><name>%s</name><capacity unit='MiB'>%d</capacity>"
            "<target><format type='qcow2'/></target></volume>" % (name, mib))


def define_pool(world, name, path):
    """A started directory pool with one qcow2 volume, made over D-Bus."""
    pool_path = world.connect().StoragePoolDefineXML(pool_xml(name, path), 0)
    pool = world.interface(pool_path, "org.libvirt.StoragePool")
    pool.Build(0)
    pool.Create(0)
    pool.StorageVolCreateXML(volume_xml("data.qcow2", 16), 0)
    return pool


def element(world, element_id, timeout=30):
    from selenium.webdriver.common.by import By
    return wait_until("#" + element_id, lambda: [e for e in world.browser.find_elements(By.ID, element_id)
                                                 if e.is_displayed()], timeout, failed=world.errors.errors)[0]


def set_text(world, element_id, text):
    from selenium.webdriver.common.keys import Keys
    field = element(world, element_id)
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.DELETE)
    field.send_keys(text)


def select(world, element_id, value):
    from selenium.webdriver.support.ui import Select
    chooser = Select(element(world, element_id))
    wait_until("%s in #%s" % (value, element_id), lambda: value in [o.get_attribute("value")
                                                                    for o in chooser.options
                                                                    if o.is_enabled()],
               failed=world.errors.errors)
    chooser.select_by_value(value)


def button_in(world, container_id, label):
    from selenium.webdriver.common.by import By
    box = element(world, container_id)
    return wait_until("the %r button" % label, lambda: [
        b for b in box.find_elements(By.TAG_NAME, "button")
        if b.text.strip() == label and b.is_enabled()], failed=world.errors.errors)[0]


def pool_row(world, name):
    """The pool's row in the Storage pools listing, once it says the pool is active."""
    from selenium.webdriver.common.by import By
    return wait_until("the pool %s listed active" % name, lambda: [
        row for row in world.browser.find_elements(By.CSS_SELECTOR, 'tr[data-row-id="pool-%s-system"]' % name)
        if "active" in row.text.split()], failed=world.errors.errors)[0]


def expand_pool(world, name):
    """Opens the pool's row and its "Storage volumes" tab; returns the row's id."""
    from selenium.webdriver.common.by import By
    pool_row(world, name).find_element(By.CSS_SELECTOR, "td button").click()
    wait_until("the Storage volumes tab", lambda: [
        b for b in world.browser.find_elements(By.XPATH, '//button[normalize-space()="Storage volumes"]')
        if b.is_displayed()], failed=world.errors.errors)[0].click()
    return "pool-%s-system" % name


def test_storage_pages_list_pools_and_volumes_create_a_volume_attach_it_and_networks_load(
        world, guest_files):
    kernel, initramfs = guest_files
    name, pool_name = "cockpit-disks", "cockpit-pool"
    world.connect().DomainDefineXML(guest_xml(name, kernel, initramfs, os.path.join(world.tmp, "serial.log")))
    pool = define_pool(world, pool_name, os.path.join(world.tmp, "pool"))

    with diagnosed(world):
        open_machines_page(world)
        click(world, "card-pf-storage-pools")
        element(world, "storage-pools-listing")
        pool_row(world, "default")

        row_id = expand_pool(world, pool_name)
        assert "data.qcow2" in element(world, row_id + "-volume-data.qcow2-name").text

        click(world, "%s-create-volume-button" % row_id[len("pool-"):])
        set_text(world, "create-volume-dialog-name", "made-on-page")
        set_text(world, "create-volume-dialog-size", "8")
        select(world, "create-volume-dialog-unit", "MiB")
        button_in(world, "create-volume-dialog-modal", "Create").click()
        wait_until("the new volume's size on the page", lambda: "0.01 GB" in element(
            world, row_id + "-volume-made-on-page-size").text, failed=world.errors.errors)
        made = world.interface(pool.StorageVolLookupByName("made-on-page"), "org.libvirt.StorageVol")
        assert "<format type='qcow2'/>" in made.GetXMLDesc(0)
        assert made.GetInfo(0)[1] == 8 * 1024 * 1024

        world.browser.get(world.ws.url() + "#/vm?name=%s&connection=system" % name)
        prefix = "vm-%s-disks-adddisk" % name
        click(world, prefix)
        click(world, prefix + "-useexisting")
        select(world, prefix + "-existing-select-pool", pool_name)
        select(world, prefix + "-existing-select-volume", "made-on-page")
        click(world, prefix + "-dialog-add")
        wait_until("the disk in the definition", lambda: "volume='made-on-page'" in str(
            world.domain(name).GetXMLDesc(INACTIVE_XML)), failed=world.errors.errors)
        assert "pool='%s'" % pool_name in str(world.domain(name).GetXMLDesc(INACTIVE_XML))
        wait_until("the disk on the VM's page", lambda: "made-on-page" in element(
            world, "vm-%s-disks" % name).text, failed=world.errors.errors)

        # The page reads the pool volume back from the domain's disks: "Used by" names the guest.
        world.browser.get(world.ws.url() + "#/storages")
        row_id = expand_pool(world, pool_name)
        wait_until("the guest in the volume's Used by", lambda: name in element(
            world, row_id + "-volume-made-on-page-usedby").text, failed=world.errors.errors)
        assert world.browser.find_element("id", row_id + "-volume-data.qcow2-usedby").text == ""

        # The QEMU connection serves no virtual networks yet (drivers/qemu/qemu_host.c): an empty listing.
        world.browser.get(world.ws.url() + "#/networks")
        wait_until("the empty networks listing", lambda: "No network is defined on this host" in element(
            world, "networks-listing").text, failed=world.errors.errors)
        assert "Failed to fetch some resources" not in page_text(world)
        assert world.errors.errors() == [], "org.libvirt answered the pages with errors"
