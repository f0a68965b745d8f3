"""cockpit-machines' storage and network pages against virtbusd's qemu:///system, in headless
Chromium: the Storage pools page lists the default pool and a directory pool the test defines,
shows that pool's volumes, creates a volume through its dialog, and the VM's "Add disk" dialog
attaches an existing pool volume, then a new one, to a shut-off guest, whose definition then
has the disks; an unused volume is deleted from the listing; the guest starts with those disks
and a third is hot-plugged; the Networks page loads. Each result is checked on D-Bus too, and every org.libvirt error the pages
got fails the test."""
import os
import re

import pytest

import cockpit_env
from cockpit_env import click, diagnosed, guest_xml, open_machines_page, page_text, shown, wait_until
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


def volume_names(world, pool):
    return sorted(str(world.interface(path, "org.freedesktop.DBus.Properties").Get("org.libvirt.StorageVol", "Name"))
                  for path in pool.ListStorageVolumes(0))


def element(world, element_id, timeout=30):
    return wait_until("#" + element_id, lambda: shown(world, element_id), timeout, failed=world.errors.errors)[0]


def text_of(world, element_id):
    """The element's text once shown (read again if the page re-renders it meanwhile)."""
    return wait_until("#" + element_id, lambda: [e.text for e in shown(world, element_id)],
                      failed=world.errors.errors)[0]


def act(world, what, find, action=lambda e: e.click()):
    """Finds the first element find() returns and acts on it, both again if the page re-renders it."""
    def done():
        for found in find():
            action(found)
            return True
        return False
    wait_until(what, done, failed=world.errors.errors)


def set_text(world, element_id, text):
    from selenium.webdriver.common.keys import Keys

    def typed(field):
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(Keys.DELETE)
        field.send_keys(text)
    act(world, "#%s typed" % element_id, lambda: shown(world, element_id), typed)
    wait_until("#%s holding %r" % (element_id, text),
               lambda: element(world, element_id).get_attribute("value") == text, failed=world.errors.errors)


def select(world, element_id, value):
    """Picks value in a <select> once the page offers it (the lists fill in as D-Bus answers)."""
    from selenium.webdriver.support.ui import Select

    def offered():
        chooser = Select(element(world, element_id))
        return [chooser] if value in [o.get_attribute("value") for o in chooser.options if o.is_enabled()] else []
    act(world, "%s in #%s" % (value, element_id), offered, lambda chooser: chooser.select_by_value(value))


def button_in(world, container_id, label):
    from selenium.webdriver.common.by import By
    return [b for b in element(world, container_id).find_elements(By.TAG_NAME, "button")
            if b.text.strip() == label and b.is_enabled()]


def pool_row(world, name):
    """The pool's row in the Storage pools listing, once it says the pool is active."""
    from selenium.webdriver.common.by import By
    return [row for row in world.browser.find_elements(By.CSS_SELECTOR, 'tr[data-row-id="pool-%s-system"]' % name)
            if "active" in row.text.split()]


def expand_pool(world, name):
    """Opens the pool's row and its "Storage volumes" tab; returns the row's id."""
    from selenium.webdriver.common.by import By
    act(world, "the pool %s listed active, opened" % name,
        lambda: [b for row in pool_row(world, name) for b in row.find_elements(By.CSS_SELECTOR, "td button")][:1])
    act(world, "the Storage volumes tab", lambda: buttons_labelled(world, "Storage volumes"))
    return "pool-%s-system" % name


def buttons_labelled(world, label):
    return [b for b in world.browser.find_elements("xpath", '//button[normalize-space()="%s"]' % label)
            if b.is_displayed()]


def new_volume_in_add_disk(world, prefix, pool_name, volume):
    """Opens "Add disk", "Create new": a 4 MiB volume in the pool (the caller adds it)."""
    click(world, prefix)
    click(world, prefix + "-createnew")
    select(world, prefix + "-new-select-pool", pool_name)
    set_text(world, prefix + "-new-name", volume)
    set_text(world, prefix + "-new-size", "4")
    select(world, prefix + "-new-unit", "MiB")


def in_definition(world, name, text, flags=INACTIVE_XML):
    return text in str(world.domain(name).GetXMLDesc(flags))


def pools_page_lists_pools_and_creates_a_volume(world, pool_name, pool):
    open_machines_page(world)
    click(world, "card-pf-storage-pools")
    element(world, "storage-pools-listing")
    wait_until("the default pool listed active", lambda: pool_row(world, "default"), failed=world.errors.errors)
    row_id = expand_pool(world, pool_name)
    assert text_of(world, row_id + "-volume-data.qcow2-name") == "data.qcow2"

    click(world, "%s-create-volume-button" % row_id[len("pool-"):])
    set_text(world, "create-volume-dialog-name", "made-on-page")
    set_text(world, "create-volume-dialog-size", "8")
    select(world, "create-volume-dialog-unit", "MiB")
    act(world, "the dialog's Create button", lambda: button_in(world, "create-volume-dialog-modal", "Create"))
    wait_until("the new volume's size on the page", lambda: "0.01 GB" in element(
        world, row_id + "-volume-made-on-page-size").text, failed=world.errors.errors)
    made = world.interface(pool.StorageVolLookupByName("made-on-page"), "org.libvirt.StorageVol")
    assert "<format type='qcow2'/>" in made.GetXMLDesc(0)
    assert made.GetInfo(0)[1] == 8 * 1024 * 1024


def add_disk_attaches_pool_volumes(world, name, pool_name, pool):
    """An existing volume, then a new one, to the shut-off guest (AttachDevice CONFIG)."""
    world.browser.get(world.ws.url() + "#/vm?name=%s&connection=system" % name)
    prefix = "vm-%s-disks-adddisk" % name
    click(world, prefix)
    click(world, prefix + "-useexisting")
    select(world, prefix + "-existing-select-pool", pool_name)
    select(world, prefix + "-existing-select-volume", "made-on-page")
    click(world, prefix + "-dialog-add")
    wait_until("the disk in the definition", lambda: in_definition(world, name, "volume='made-on-page'"),
               failed=world.errors.errors)
    assert in_definition(world, name, "pool='%s'" % pool_name)
    wait_until("the disk on the VM's page", lambda: "made-on-page" in element(
        world, "vm-%s-disks" % name).text, failed=world.errors.errors)

    new_volume_in_add_disk(world, prefix, pool_name, "made-in-add-disk")
    click(world, prefix + "-dialog-add")
    wait_until("the new disk in the definition", lambda: in_definition(world, name, "volume='made-in-add-disk'"),
               failed=world.errors.errors)
    made = world.interface(pool.StorageVolLookupByName("made-in-add-disk"), "org.libvirt.StorageVol")
    assert made.GetInfo(0)[1] == 4 * 1024 * 1024


def volumes_show_users_and_an_unused_one_is_deleted(world, name, pool_name, pool, pool_dir):
    from selenium.webdriver.common.by import By

    # The page reads the pool volumes back from the domain's disks: "Used by" names the guest.
    world.browser.get(world.ws.url() + "#/storages")
    row_id = expand_pool(world, pool_name)
    wait_until("the guest in the volume's Used by", lambda: name in element(
        world, row_id + "-volume-made-on-page-usedby").text, failed=world.errors.errors)
    assert world.browser.find_element(By.ID, row_id + "-volume-data.qcow2-usedby").text == ""

    act(world, "data.qcow2 selected", lambda: element(world, row_id + "-volume-data.qcow2-name").find_elements(
        By.XPATH, "./ancestor::tr//input[@type='checkbox']"))
    click(world, "storage-volumes-delete")
    wait_until("data.qcow2 gone from the page", lambda: not world.browser.find_elements(
        By.ID, row_id + "-volume-data.qcow2-name"), failed=world.errors.errors)
    assert not os.path.exists(os.path.join(pool_dir, "data.qcow2"))
    assert volume_names(world, pool) == ["made-in-add-disk", "made-on-page"]


def add_disk_hot_plugs_into_the_running_guest(world, name, pool_name, pool_dir):
    """The guest starts with the disks the page wrote (cache='default' discard='unmap'); on the
    running guest the dialog hot-plugs (AttachDevice LIVE, and CONFIG with "Always attach"): qemu
    opens the new volume's file, the live XML and the definition keep the pool volume, so the
    Disks card shows its pool and volume (not a file path). The guest need not have booted for
    qemu to take the device."""
    world.domain(name).Create(0)
    # A running guest's page asks for its addresses from each source (Promise.allSettled);
    # libvirt's QEMU driver answers the agent source so for a guest without an agent channel.
    world.errors.allow("InterfaceAddresses", "QEMU guest agent is not configured")
    world.browser.get(world.ws.url() + "#/vm?name=%s&connection=system" % name)
    element(world, "vm-%s-system-shutdown-button" % name)  # the dialog reads the state it opens with
    prefix = "vm-%s-disks-adddisk" % name
    new_volume_in_add_disk(world, prefix, pool_name, "hot-plugged")
    act(world, "the dialog's additional options", lambda: buttons_labelled(world, "Show additional options"))
    click(world, prefix + "-permanent")
    click(world, prefix + "-dialog-add")
    wait_until("the hot-plugged disk in the live definition", lambda: in_definition(
        world, name, "volume='hot-plugged'", 0), failed=world.errors.errors)
    assert in_definition(world, name, "volume='hot-plugged'")
    live = str(world.domain(name).GetXMLDesc(0))
    disk = [d for d in live.split("<disk ") if "volume='hot-plugged'" in d][0].split("</disk>")[0]
    assert disk.startswith("type='volume'") and "pool='%s'" % pool_name in disk and "file=" not in disk, live
    disk_id = "vm-%s-disks-%s" % (name, re.search(r"<target dev='(\w+)'", disk).group(1))
    assert text_of(world, disk_id + "-source-volume") == "hot-plugged"
    assert text_of(world, disk_id + "-source-pool") == pool_name
    assert not shown(world, disk_id + "-source-file")


def test_storage_pages_list_pools_and_volumes_create_a_volume_attach_it_and_networks_load(
        world, guest_files):
    kernel, initramfs = guest_files
    name, pool_name = "cockpit-disks", "cockpit-pool"
    world.connect().DomainDefineXML(guest_xml(name, kernel, initramfs, os.path.join(world.tmp, "serial.log")))
    pool_dir = os.path.join(world.tmp, "pool")
    pool = define_pool(world, pool_name, pool_dir)

    with diagnosed(world):
        pools_page_lists_pools_and_creates_a_volume(world, pool_name, pool)
        add_disk_attaches_pool_volumes(world, name, pool_name, pool)
        volumes_show_users_and_an_unused_one_is_deleted(world, name, pool_name, pool, pool_dir)
        add_disk_hot_plugs_into_the_running_guest(world, name, pool_name, pool_dir)

        # The QEMU connection serves no virtual networks yet (drivers/qemu/qemu_host.c): an empty listing.
        world.browser.get(world.ws.url() + "#/networks")
        wait_until("the empty networks listing", lambda: "No network is defined on this host" in element(
            world, "networks-listing").text, failed=world.errors.errors)
        assert "Failed to fetch some resources" not in page_text(world)
        assert world.errors.errors() == [], "org.libvirt answered the pages with errors"
