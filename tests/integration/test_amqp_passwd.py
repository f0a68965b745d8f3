"""virtbusctl amqp-passwd: writes the AMQP users file (NAME:UNIXUSER:HASH) atomically with mode 0600,
with SHA-512 crypt hashes that crypt(3) verifies, and refuses what the daemon could not use. No bus."""
import os
import re
import select
import stat
import subprocess
import time
import warnings

import pytest

from conftest import BUILDDIR

VIRTBUSCTL = os.path.join(BUILDDIR, "virtbusctl")
HASH_RE = re.compile(r"^\$6\$([./0-9A-Za-z]{16})\$[./0-9A-Za-z]{86}$")


def crypt_hash(password, setting):
    """crypt(3) through python's crypt module; openssl where the module is gone (Python 3.13)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import crypt
        return crypt.crypt(password, setting)
    except ImportError:
        salt = setting.split("$")[2]
        return subprocess.run(["openssl", "passwd", "-6", "-salt", salt, "-stdin"], input=password + "\n",
                              capture_output=True, text=True, check=True).stdout.strip()


def verifies(password, hashed):
    return crypt_hash(password, hashed) == hashed


def no_bus_env():
    """Buses that do not exist: the command must not need one."""
    env = dict(os.environ)
    env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent/virtbus-test-bus"
    env["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=/nonexistent/virtbus-test-bus"
    return env


def passwd(*args, stdin="", status=0):
    proc = subprocess.run([VIRTBUSCTL, "amqp-passwd", *args], input=stdin, capture_output=True, text=True,
                          env=no_bus_env(), timeout=60)
    assert "AddressSanitizer" not in proc.stderr and "runtime error:" not in proc.stderr, proc.stderr
    assert proc.returncode == status, "exit %s:\n%s%s" % (proc.returncode, proc.stdout, proc.stderr)
    return proc


def refused(*args, stdin="", status=1):
    """A refusal: the status, nothing on stdout, and virtbusctl's error line on stderr."""
    proc = passwd(*args, stdin=stdin, status=status)
    assert proc.stdout == ""
    first = proc.stderr.splitlines()[0]
    assert first.startswith("virtbusctl: error: "), proc.stderr
    return first[len("virtbusctl: error: "):]


def lines(path):
    with open(path) as f:
        return f.read().splitlines()


def entry(path, name):
    """The (unix user, hash) of name's line, split on the last two ':' as the daemon does."""
    found = [line.rsplit(":", 2) for line in lines(path) if line.rsplit(":", 2)[0] == name]
    assert len(found) == 1, lines(path)
    return found[0][1], found[0][2]


@pytest.fixture
def users(tmp_path):
    return str(tmp_path / "amqp-users")


def test_creates_a_missing_file_0600_whatever_the_umask_with_a_verifiable_hash(users):
    proc = subprocess.run([VIRTBUSCTL, "amqp-passwd", "--users-file", users, "alice", "root"], input="s3cret\n",
                          capture_output=True, text=True, env=no_bus_env(), timeout=60,
                          preexec_fn=lambda: os.umask(0))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "AMQP principal 'alice' added to '%s'\n" % users
    assert stat.S_IMODE(os.stat(users).st_mode) == 0o600
    unix_user, hashed = entry(users, "alice")
    assert unix_user == "root"
    assert HASH_RE.match(hashed), hashed
    assert verifies("s3cret", hashed)
    assert not verifies("s3cret\n", hashed) and not verifies("S3cret", hashed)


def test_replaces_a_name_atomically_keeping_every_other_line_in_order(users, tmp_path):
    before = ["# AMQP principals", "", "bob:root:!", "   # indented comment",
              "alice:root:$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq."
              "H91p5hVO1",
              "CN=carol,O=Example:0:!", "# trailing comment"]
    with open(users, "w") as f:
        f.write("\n".join(before) + "\n")
    os.chmod(users, 0o640)
    old_copy = str(tmp_path / "old-link")
    os.link(users, old_copy)  # the old inode, as a reader holding it open would see it

    proc = passwd("--users-file", users, "alice", "nobody", stdin="n3w pass\n")
    assert proc.stdout == "AMQP principal 'alice' updated in '%s'\n" % users
    after = lines(users)
    assert after[:4] == before[:4] and after[5:] == before[5:]
    unix_user, hashed = entry(users, "alice")
    assert unix_user == "nobody" and verifies("n3w pass", hashed)
    # A new file renamed over the old one: the old inode is whole and unchanged, nothing is left over.
    assert lines(old_copy) == before
    assert os.stat(users).st_ino != os.stat(old_copy).st_ino
    assert stat.S_IMODE(os.stat(users).st_mode) == 0o600
    assert sorted(os.listdir(tmp_path)) == ["amqp-users", "old-link"]


def test_a_new_name_is_appended_and_duplicates_of_a_replaced_name_dropped(users):
    with open(users, "w") as f:
        f.write("a:root:!\nb:root:!\na:0:!")  # no final newline
    passwd("--users-file", users, "c", "root", stdin="pw\n")
    assert lines(users)[:3] == ["a:root:!", "b:root:!", "a:0:!"] and lines(users)[3].startswith("c:root:$6$")
    passwd("--users-file", users, "--no-password", "a", "0")
    assert lines(users)[:2] == ["a:0:!", "b:root:!"] and len(lines(users)) == 3


def test_a_name_may_be_a_certificate_subject_with_colons(users):
    passwd("--users-file", users, "CN=alice:ops,O=Example", "root", stdin="pw\n")
    passwd("--users-file", users, "CN=alice", "root", stdin="other\n")
    unix_user, hashed = entry(users, "CN=alice:ops,O=Example")
    assert unix_user == "root" and verifies("pw", hashed)
    assert verifies("other", entry(users, "CN=alice")[1])


def test_no_password_writes_bang_without_reading_stdin(users):
    proc = subprocess.run([VIRTBUSCTL, "amqp-passwd", "--no-password", "--users-file", users, "CN=bob", "root"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, env=no_bus_env(), timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert lines(users) == ["CN=bob:root:!"]


def test_only_the_first_line_is_the_password_and_salts_differ(users):
    passwd("--users-file", users, "a", "root", stdin="first\nsecond\n")
    passwd("--users-file", users, "b", "root", stdin="first")  # no newline at all
    hash_a, hash_b = entry(users, "a")[1], entry(users, "b")[1]
    assert verifies("first", hash_a) and verifies("first", hash_b)
    assert HASH_RE.match(hash_a).group(1) != HASH_RE.match(hash_b).group(1)


@pytest.mark.parametrize("stdin", ["", "\n", "\nsecond line\n"])
def test_an_empty_password_is_refused_and_nothing_written(users, stdin):
    assert "empty password" in refused("--users-file", users, "alice", "root", stdin=stdin)
    assert not os.path.exists(users)


def test_an_overlong_password_is_refused(users):
    assert "longer than 1024 bytes" in refused("--users-file", users, "alice", "root", stdin="x" * 1025 + "\n")
    assert not os.path.exists(users)


def test_an_unknown_unix_user_is_refused_and_the_file_kept(users):
    with open(users, "w") as f:
        f.write("bob:root:!\n")
    assert refused("--users-file", users, "alice", "no-such-user-virtbus", stdin="pw\n") == \
        "unknown unix user 'no-such-user-virtbus'"
    assert lines(users) == ["bob:root:!"]


def test_a_missing_users_file_option_is_a_usage_error():
    assert "needs --users-file FILE" in refused("alice", "root", stdin="pw\n", status=2)


@pytest.mark.parametrize("name, text", [
    ("", "must not be empty"),
    ("a\nb", "must not contain a line break"),
    ("#alice", "must not start with '#'"),
    ("  # alice", "must not start with '#'"),
])
def test_names_the_users_file_could_not_hold_are_usage_errors(users, name, text):
    assert text in refused("--users-file", users, name, "root", stdin="pw\n", status=2)
    assert not os.path.exists(users)


def test_other_commands_do_not_take_its_options_and_help_lists_it():
    proc = subprocess.run([VIRTBUSCTL, "list", "--users-file", "x"], capture_output=True, text=True,
                          env=no_bus_env(), timeout=60)
    assert proc.returncode == 2 and "command 'list' does not take --users-file" in proc.stderr
    out = subprocess.run([VIRTBUSCTL, "--help"], capture_output=True, text=True, check=True).stdout
    assert "amqp-passwd" in out
    out = subprocess.run([VIRTBUSCTL, "help", "amqp-passwd"], capture_output=True, text=True, check=True).stdout
    assert out.startswith("Usage: virtbusctl amqp-passwd --users-file FILE NAME UNIXUSER")


# ---- at a terminal ------------------------------------------------------------------------------

def read_until(fd, text, timeout=20):
    data = b""
    deadline = time.monotonic() + timeout
    while text not in data:
        ready, _, _ = select.select([fd], [], [], max(0, deadline - time.monotonic()))
        assert ready, "no %r in %r" % (text, data)
        chunk = os.read(fd, 4096)
        assert chunk, "no %r in %r" % (text, data)
        data += chunk
    return data


def drain(fd):
    """What the terminal echoed (Linux reports EIO once the other side is closed)."""
    data = b""
    try:
        while select.select([fd], [], [], 0.2)[0]:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    return data


def run_at_terminal(users, first, second):
    master, slave = os.openpty()
    proc = subprocess.Popen([VIRTBUSCTL, "amqp-passwd", "--users-file", users, "alice", "root"], stdin=slave,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=no_bus_env())
    os.close(slave)
    try:
        read_until(proc.stderr.fileno(), b"Password: ")
        os.write(master, first)
        read_until(proc.stderr.fileno(), b"Retype password: ")
        os.write(master, second)
        out, err = proc.communicate(timeout=30)
        return proc.returncode, out, err, drain(master)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)


def test_at_a_terminal_the_password_is_asked_twice_without_echo(users):
    status, out, err, echoed = run_at_terminal(users, b"s3cret\n", b"s3cret\n")
    assert status == 0, err
    assert b"s3cret" not in echoed
    assert verifies("s3cret", entry(users, "alice")[1])


def test_at_a_terminal_two_different_passwords_are_refused(users):
    status, out, err, echoed = run_at_terminal(users, b"s3cret\n", b"secret\n")
    assert status == 1 and b"the passwords do not match" in err
    assert not os.path.exists(users)
