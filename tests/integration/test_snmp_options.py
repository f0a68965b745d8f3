"""virtbus-snmp's command line and settings file: bad input gets a clear message and exit
status 2, never a crash."""
import os
import subprocess

import pytest

from snmp_env import VIRTBUS_SNMP


def run(*args):
    proc = subprocess.run([VIRTBUS_SNMP, *args], capture_output=True, text=True, timeout=30)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize("args, message", [
    ([], "--amqp-connect URL is required"),
    (["--amqp-connect", "http://x"], "must start with amqp://"),
    (["--amqp-connect", "amqps://h"], "amqps (TLS) is not supported"),
    (["--amqp-connect", "amqp://h:0"], "port must be a number"),
    (["--amqp-connect", "amqp://h:99999"], "port must be a number"),
    (["--amqp-connect", "amqp://user@h"], "user without password"),
    (["--amqp-connect", "amqp://a:b%zz@h"], "bad or overlong user or password"),
    (["--amqp-connect", "amqp://h/path"], "must not carry a path"),
    (["--amqp-connect", "amqp://"], "missing or overlong host"),
    (["--amqp-connect", "amqp://h", "--amqp-broker-profile", "kafka"], "'kafka' is not supported"),
    (["--amqp-connect", "amqp://h", "--log-level", "loud"], "unknown log level"),
    (["--bogus"], "unknown or incomplete option"),
    (["--amqp-connect"], "unknown or incomplete option"),
    (["--amqp-connect", "amqp://h", "extra"], "unexpected argument 'extra'"),
    (["--config", "/nonexistent/virtbus-snmp.conf"], "No such file"),
])
def test_bad_arguments_are_refused_clearly(args, message):
    status, out = run(*args)
    assert status == 2 and message in out, out


@pytest.mark.parametrize("text, message", [
    ("amqp_connect\n", ":1: want key = value"),
    ("# comment\n\nnoise = 1\n", "unknown setting 'noise'"),
    ("agentx_ping_seconds = 0\n", "want seconds from 1 to 3600"),
    ("agentx_ping_seconds = -3\n", "want seconds from 1 to 3600"),
    ("amqp_max_backoff_seconds = many\n", "want seconds from 1 to 3600"),
    ("amqp_connect = amqp://h\namqp_broker_profile = x\n", ":2: bad setting"),
])
def test_bad_settings_name_file_and_line(workdir, text, message):
    path = os.path.join(workdir, "virtbus-snmp.conf")
    with open(path, "w") as f:
        f.write(text)
    status, out = run("--config", path)
    assert status == 2 and message in out, out


def test_help_and_version():
    status, out = run("--help")
    assert status == 0 and "--agentx-socket PATH" in out
    status, out = run("--version")
    assert status == 0 and out.startswith("virtbus-snmp ")
