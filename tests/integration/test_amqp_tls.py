"""TLS on the AMQP listener, and SASL EXTERNAL: a client certificate whose subject the users
file names acts as that principal."""
import os
import subprocess

import pytest
from proton import SSLDomain
from proton.utils import BlockingConnection

from amqp_env import QmfConsole, QmfError, amqp_args, free_port, stop_daemon
from conftest import BUILDDIR, TEST_DOMAIN_UUID, Daemon

TEST = "domain:" + TEST_DOMAIN_UUID


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_pki(d):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=virtbus test CA", cwd=d)
    for name, subject in (("server", "/CN=127.0.0.1"), ("alice", "/CN=alice"), ("mallory", "/CN=mallory")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", subject, cwd=d)
        ext = os.path.join(d, name + ".ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=IP:127.0.0.1\n" if name == "server" else "extendedKeyUsage=clientAuth\n")
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2", "-extfile", ext, cwd=d)
    return {n: (os.path.join(d, n + ".pem"), os.path.join(d, n + ".key")) for n in ("server", "alice", "mallory")}


@pytest.fixture
def tls_world(private_bus, workdir):
    pki = make_pki(workdir)
    users = os.path.join(workdir, "users")
    subprocess.run([os.path.join(BUILDDIR, "virtbusctl"), "amqp-passwd", "--no-password", "--users-file", users,
                    "CN=alice", "root"], check=True, capture_output=True)
    port = free_port()
    cert, key = pki["server"]
    d = Daemon(private_bus, workdir, amqp_args(port, "--amqp-tls-cert", cert, "--amqp-tls-key", key,
                                               "--amqp-tls-ca", os.path.join(workdir, "ca.pem"),
                                               "--amqp-users", users)).start()
    yield d, port, pki, os.path.join(workdir, "ca.pem")
    stop_daemon(d)


def client_domain(ca, cert=None):
    domain = SSLDomain(SSLDomain.MODE_CLIENT)
    domain.set_trusted_ca_db(ca)
    domain.set_peer_authentication(SSLDomain.VERIFY_PEER, ca)
    if cert:
        domain.set_credentials(cert[0], cert[1], None)
    return domain


def test_certificate_named_in_users_file_acts_through_external(tls_world):
    d, port, pki, ca = tls_world
    alice = QmfConsole("amqps://127.0.0.1:%d" % port, ssl_domain=client_domain(ca, pki["alice"]),
                       allowed_mechs="EXTERNAL")
    alice.locate()
    alice.method(TEST, "suspend")
    alice.method(TEST, "resume")
    alice.close()
    assert "authenticated as CN=alice (EXTERNAL)" in d.log()


def test_unknown_certificate_cannot_use_external_but_may_read_anonymously(tls_world):
    d, port, pki, ca = tls_world
    from proton import ConnectionException
    with pytest.raises(ConnectionException):
        QmfConsole("amqps://127.0.0.1:%d" % port, ssl_domain=client_domain(ca, pki["mallory"]),
                   allowed_mechs="EXTERNAL")
    anon = QmfConsole("amqps://127.0.0.1:%d" % port, ssl_domain=client_domain(ca, pki["mallory"]),
                      allowed_mechs="ANONYMOUS")
    anon.locate()
    with pytest.raises(QmfError, match="read-only"):
        anon.method(TEST, "suspend")
    anon.close()


def test_plain_tcp_client_is_refused_on_a_tls_listener(tls_world):
    d, port, pki, ca = tls_world
    from proton import ConnectionException
    with pytest.raises(ConnectionException):
        BlockingConnection("amqp://127.0.0.1:%d" % port, timeout=5)
