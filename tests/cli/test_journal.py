"""The audit trail reaches the journal as structured fields.

ssprd runs in a private mount namespace whose /run/systemd/journal is a
directory of the test, where a datagram socket stands in for journald's
native socket (/run/systemd/journal/socket, the one sd_journal_send
writes to). Every datagram is parsed as the journal's native protocol.
"""
import os
import socket
import struct
import subprocess
import time

from world import OLD


def parse_native(data):
    """Fields of one journal native-protocol datagram: KEY=value lines, or
    KEY\\n + 64-bit little-endian length + value + \\n for binary values."""
    fields = {}
    i = 0
    while i < len(data):
        nl = data.index(b"\n", i)
        line = data[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            i = nl + 1
        else:
            k = line
            (n,) = struct.unpack_from("<Q", data, nl + 1)
            v = data[nl + 9:nl + 9 + n]
            i = nl + 9 + n + 1
        fields[k.decode()] = v.decode(errors="replace")
    return fields


class Journal:
    def __init__(self, w):
        self.dir = os.path.join(w.dir, "journal")
        os.mkdir(self.dir)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(os.path.join(self.dir, "socket"))
        # As journald's: the engine writing to it runs as the sspr user.
        os.chmod(os.path.join(self.dir, "socket"), 0o666)
        self.sock.setblocking(False)
        self.raw = []
        self.entries = []

    def wrapper(self):
        # tmpfs over /run only inside the namespace: nothing on the host
        # /run changes, and the test's directory becomes the journal's.
        script = ("mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/journal && "
                  "mount --bind \"$0\" /run/systemd/journal && exec \"$@\"")
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script,
                self.dir]

    def drain(self):
        while True:
            try:
                data = self.sock.recv(1 << 20)
            except BlockingIOError:
                return
            self.raw.append(data)
            self.entries.append(parse_native(data))

    def wait(self, event, user, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.drain()
            found = [e for e in self.entries
                     if e.get("SSPR_EVENT") == event and e.get("SSPR_USER") == user]
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError("no journal entry %s for %s; got %r" %
                             (event, user, [e.get("SSPR_EVENT") for e in self.entries]))


def test_audit_events_reach_the_journal(w):
    if subprocess.run(["unshare", "--mount", "true"]).returncode != 0:
        raise AssertionError("cannot make a mount namespace here")
    j = Journal(w)
    w.stop_daemon()
    w.daemon_wrapper = j.wrapper()
    w.start_daemon()

    r = w.ssprctl("enroll", "alice", "--email", "alice@example.org")
    assert r.returncode == 0, r.stdout + r.stderr
    e = j.wait("admin_enroll", "alice")[0]
    assert e["SSPR_ACTOR"] == "uid 0", e
    assert e["SSPR_SERVICE"] == "ssprctl", e
    assert e["SSPR_METHOD"] == "email", e
    assert e.get("MESSAGE"), e
    assert e.get("PRIORITY") in ("5", "6"), e
    # Empty fields are left out, not sent empty.
    assert "SSPR_RHOST" not in e, e

    child = w.sspr("alice", "register", "--reconfirm", timeout=20)
    child.expect("Current password: ")
    child.sendline(OLD)
    child.expect("Thank you")
    child.expect(__import__("pexpect").EOF)
    e = j.wait("register_confirmed", "alice")[0]
    assert e["SSPR_SERVICE"] == "sspr", e
    j.wait("register_started", "alice")

    # The same steps are in the store, and no secret in any datagram.
    rows = w.db().execute("SELECT event FROM events WHERE user = 'alice'").fetchall()
    assert ("register_confirmed",) in rows and ("admin_enroll",) in rows, rows
    for data in j.raw:
        assert OLD.encode() not in data
