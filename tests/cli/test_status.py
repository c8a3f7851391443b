"""sspr status, run by the user themselves against a real ssprd."""
import pexpect


def finish(child):
    child.expect(pexpect.EOF)
    out = child.before
    child.close()
    return out, child.exitstatus


def test_status_shows_masked_email(w):
    r = w.ssprctl("enroll", "alice", "--email", "alice.smith@example.org")
    assert r.returncode == 0, r.stdout + r.stderr
    out, status = finish(w.sspr("alice", "status"))
    assert status == 0, out
    assert "a***@e***.org" in out, out
    assert "alice.smith" not in out and "example.org" not in out.replace("e***.org", ""), out
    # Another user's status says nothing about alice.
    out, status = finish(w.sspr("carol", "status"))
    assert "a***@e***.org" not in out, out


def test_status_nothing_registered(w):
    out, status = finish(w.sspr("bob", "status"))
    assert status == 0, out
    assert "nothing" in out.lower() and "registered" in out.lower(), out
    assert "@" not in out, out


def test_status_usage(w):
    out, status = finish(w.sspr("alice", "status", "extra"))
    assert status == 2, (status, out)
    out, status = finish(w.sspr("alice", "no-such-command"))
    assert status == 2, (status, out)
    assert "unknown command" in out, out


def test_status_daemon_down(w):
    w.stop_daemon()
    out, status = finish(w.sspr("alice", "status"))
    assert status == 3, (status, out)
    w.start_daemon()
    out, status = finish(w.sspr("alice", "status"))
    assert status == 0, (status, out)
