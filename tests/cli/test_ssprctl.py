"""ssprctl's administrator commands against a real ssprd (see ssprctl(8) and
the issue 4 design: clear, unlock, list, audit, report, check-config,
test-email, test-sms, and who may use them)."""
import base64
import datetime
import json
import os
import re
import subprocess
import time

import pexpect

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
METHODS = ["email", "sms", "voice_mobile", "voice_office", "questions", "totp", "recovery_code"]
EVENTS = ["dialogue_started", "refused", "method_chosen", "code_sent", "call_placed",
          "send_failed", "verify_passed", "verify_failed", "code_wrong", "code_exhausted",
          "verified", "reset", "reset_failed", "unlock", "cancelled", "abandoned",
          "rate_limited", "register_started", "register_auth_failed", "register_changed",
          "register_confirmed", "admin_enroll", "admin_clear", "admin_unlock", "admin_test"]
LIST_KEYS = {"user", "enabled", "registered", "usable", "meets_requirements", "confirmed",
             "reconfirm_due"}
AUDIT_KEYS = {"id", "time", "user", "event", "method", "service", "rhost", "tty", "actor",
              "detail"}
DENIED = 4


def out(r):
    return "status %d\nstdout:\n%s\nstderr:\n%s" % (r.returncode, r.stdout, r.stderr)


def ok(r):
    assert r.returncode == 0, out(r)
    return r


def ctl_json(w, *args, user=None):
    r = ok(w.ssprctl(*(args + ("--json",)), user=user))
    try:
        return json.loads(r.stdout)
    except ValueError as e:
        raise AssertionError("not JSON (%s): %s" % (e, out(r))) from None


def enroll(w, user, *args):
    return ok(w.ssprctl("enroll", user, *args))


def settle_mail(w, quiet=1.0, limit=5.0):
    """Wait until no new mail arrived for quiet seconds (notices of earlier
    steps may still be on their way); the number of mails."""
    end = time.monotonic() + limit
    n, since = len(w.mails()), time.monotonic()
    while time.monotonic() < end and time.monotonic() - since < quiet:
        time.sleep(0.1)
        m = len(w.mails())
        if m != n:
            n, since = m, time.monotonic()
    return n


def recovery_codes(text):
    m = re.search(r"each works once\):\n((?:  \S+\n)+)", text)
    assert m, "no recovery codes in:\n" + text
    return m.group(1).split()


def by_user(rows):
    return {r["user"]: r for r in rows}


# --- enroll, show, clear ---------------------------------------------------


def test_enroll_show_masked(w):
    enroll(w, "alice", "--email", "alice@example.org")
    r = ok(w.ssprctl("show", "alice"))
    assert "a***@e***.org" in r.stdout, out(r)
    assert "alice@example.org" not in r.stdout + r.stderr, out(r)
    r = ok(w.ssprctl("show", "bob"))
    assert "@" not in r.stdout, out(r)


def test_enroll_secrets_shown_once(w):
    r = enroll(w, "alice", "--totp", "--recovery-codes")
    m = re.search(r"secret: ([A-Z2-7]{16,})", r.stdout)
    assert m, out(r)
    secret = m.group(1)
    codes = recovery_codes(r.stdout)
    assert len(codes) == 10 and len(set(codes)) == 10, codes
    r = ok(w.ssprctl("show", "alice"))
    assert secret not in r.stdout and not any(c in r.stdout for c in codes), out(r)
    assert "10" in r.stdout, out(r)
    listed = by_user(ctl_json(w, "list"))["alice"]
    assert listed["registered"] == ["totp", "recovery_code"], listed
    raw = base64.b32decode(secret + "=" * (-len(secret) % 8))
    w.assert_no_secret(secret, *codes)
    for path in w.secret_files():
        with open(path, "rb") as f:
            assert raw not in f.read(), "the raw authenticator key is in " + path


def test_clear_one_method_notifies_old_address(w):
    enroll(w, "alice", "--email", "alice@example.org", "--recovery-codes")
    settle_mail(w)
    before = len(w.mails(to="alice@example.org"))
    r = ok(w.ssprctl("clear", "alice", "email", "--yes"))
    r = ok(w.ssprctl("show", "alice"))
    assert "a***@e***.org" not in r.stdout, out(r)
    assert "recovery" in r.stdout.lower(), "clearing email removed more:\n" + out(r)
    mails = w.wait_mail(to="alice@example.org", count=before + 1)
    notice = mails[-1]
    assert re.search(r"chang|remov|regist", str(notice["Subject"]), re.I), notice["Subject"]
    # The notice names no secret and is not a code mail.
    assert "alice@example.org" not in str(notice["Subject"])
    rows = ctl_json(w, "audit", "--user", "alice")
    clears = [x for x in rows if x["event"] == "admin_clear"]
    assert clears and clears[0]["actor"] == "uid 0", rows
    assert clears[0]["service"] == "ssprctl", clears[0]


def test_clear_everything(w):
    r = enroll(w, "alice", "--email", "alice@example.org", "--mobile", "+15551234567",
               "--recovery-codes")
    codes = recovery_codes(r.stdout)
    enroll(w, "bob", "--email", "bob@example.org")
    assert by_user(ctl_json(w, "list"))["alice"]["registered"], "enroll did not register"
    ok(w.ssprctl("clear", "alice", "--yes"))
    r = ok(w.ssprctl("show", "alice"))
    assert "a***@" not in r.stdout and "recovery" not in r.stdout.lower(), out(r)
    assert "nothing registered" in r.stdout.lower(), out(r)
    users = by_user(ctl_json(w, "list"))
    assert users["alice"]["registered"] == [], users["alice"]
    assert users["alice"]["meets_requirements"] is False, users["alice"]
    # bob is untouched.
    assert "email" in users["bob"]["registered"], users["bob"]
    settle_mail(w)
    w.assert_no_secret(*codes)


def test_clear_invalid(w):
    enroll(w, "alice", "--email", "alice@example.org")
    r = w.ssprctl("clear", "alice", "no-such-method", "--yes")
    assert r.returncode == 2, out(r)
    r = w.ssprctl("clear")
    assert r.returncode == 2, out(r)
    r = ok(w.ssprctl("show", "alice"))
    assert "a***@e***.org" in r.stdout, out(r)


def test_clear_asks_first(w):
    enroll(w, "alice", "--email", "alice@example.org")
    # No terminal and no --yes: a usage error, nothing removed.
    r = w.ssprctl("clear", "alice")
    assert r.returncode == 2 and "--yes" in r.stderr, out(r)
    child = w.ssprctl_pty("clear", "alice", "email")
    child.expect(r"Remove alice's email registration\? \[y/N\] ")
    child.sendline("n")
    child.expect("Nothing removed")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1, child.exitstatus
    assert "a***@e***.org" in ok(w.ssprctl("show", "alice")).stdout
    child = w.ssprctl_pty("clear", "alice")
    child.expect(r"Remove all of alice's registrations\? \[y/N\] ")
    child.sendline("yes")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, (child.exitstatus, child.before)
    assert "a***@e***.org" not in ok(w.ssprctl("show", "alice")).stdout


# --- unlock -----------------------------------------------------------------


def test_unlock_clears_faillock(w):
    path = w.faillock_add("alice", 3)
    w.faillock_add("bob", 2)
    tally = subprocess.run(["faillock", "--dir", w.faillock_dir, "--user", "alice"],
                           capture_output=True, text=True).stdout
    assert len(re.findall(r"^\d{4}-\d{2}-\d{2} ", tally, re.M)) == 3, tally
    ok(w.ssprctl("unlock", "alice"))
    assert os.path.exists(path) and os.path.getsize(path) == 0, w.faillock_records("alice")
    assert w.faillock_records("bob") == 2, "unlock alice touched bob's tally"
    rows = ctl_json(w, "audit", "--user", "alice")
    assert any(x["event"] == "admin_unlock" and x["actor"] == "uid 0" for x in rows), rows
    # Nothing to clear is fine too.
    ok(w.ssprctl("unlock", "carol"))


# --- list -------------------------------------------------------------------


def test_list(w):
    enroll(w, "alice", "--email", "alice@example.org")
    r = ok(w.ssprctl("list"))
    lines = [ln for ln in r.stdout.splitlines() if ln.strip()]
    assert len(lines) >= 5, out(r)
    assert re.search(r"\buser\b", lines[0], re.I), "no header row:\n" + out(r)
    names = [ln.split()[0] for ln in lines[1:]]
    for name in ("alice", "bob", "carol", "ops"):
        assert name in names, out(r)
    assert "sysuser" not in names and "root" not in names, out(r)
    assert "alice@example.org" not in r.stdout, out(r)

    rows = ctl_json(w, "list")
    assert isinstance(rows, list) and rows, rows
    for row in rows:
        assert isinstance(row, dict) and set(row) >= LIST_KEYS, row
        assert row["confirmed"] is None or ISO.match(row["confirmed"]), row
        assert isinstance(row["reconfirm_due"], bool), row
    assert [x["user"] for x in rows] == sorted(x["user"] for x in rows), rows
    users = by_user(rows)
    assert set(users) == {"alice", "bob", "carol", "ops"}, sorted(users)
    a = users["alice"]
    assert a["enabled"] is True and a["registered"] == ["email"] and a["usable"] == ["email"], a
    assert a["meets_requirements"] is True and a["reconfirm_due"] is False, a
    b = users["bob"]
    assert b["enabled"] is True and b["registered"] == [] and b["usable"] == [], b
    assert b["meets_requirements"] is False, b

    rows = ctl_json(w, "list", "--unregistered")
    names = [x["user"] for x in rows]
    assert "alice" not in names, rows
    assert {"bob", "carol", "ops"} <= set(names), rows
    assert all(x["enabled"] and not x["meets_requirements"] for x in rows), rows
    r = ok(w.ssprctl("list", "--unregistered"))
    assert "bob" in r.stdout and not re.search(r"^alice\b", r.stdout, re.M), out(r)


def test_list_requirements(w):
    """[methods] required = 2: one method does not meet the requirements."""
    enroll(w, "alice", "--email", "alice@example.org")
    r = enroll(w, "carol", "--email", "carol@example.org", "--recovery-codes")
    users = by_user(ctl_json(w, "list"))
    assert users["alice"]["meets_requirements"] is False, users["alice"]
    assert users["carol"]["meets_requirements"] is True, users["carol"]
    assert users["carol"]["registered"] == ["email", "recovery_code"], users["carol"]
    names = [x["user"] for x in ctl_json(w, "list", "--unregistered")]
    assert "alice" in names and "carol" not in names, names
    w.assert_no_secret(*recovery_codes(r.stdout))


test_list_requirements.world = dict(overrides={("methods", "required"): "2"})


# --- audit ------------------------------------------------------------------


def test_audit(w):
    enroll(w, "alice", "--email", "alice@example.org")
    enroll(w, "bob", "--email", "bob@example.org")
    rows = ctl_json(w, "audit")
    assert isinstance(rows, list) and len(rows) >= 2, rows
    for row in rows:
        assert set(row) >= AUDIT_KEYS, row
        assert isinstance(row["id"], int) and ISO.match(row["time"]), row
    ids = [x["id"] for x in rows]
    assert ids == sorted(ids, reverse=True), "not newest first: %s" % ids
    mine = [x for x in rows if x["event"] == "admin_enroll" and x["user"] == "alice"]
    assert len(mine) == 1, rows
    assert mine[0]["actor"] == "uid 0" and mine[0]["service"] == "ssprctl", mine[0]
    assert mine[0]["method"] == "email", mine[0]
    for row in rows:
        assert "alice@example.org" not in json.dumps(row), row

    alice = ctl_json(w, "audit", "--user", "alice")
    assert alice and all(x["user"] == "alice" for x in alice), alice
    assert any(x["event"] == "admin_enroll" for x in alice), alice

    today = datetime.datetime.now(datetime.timezone.utc).date()
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    assert ctl_json(w, "audit", "--since", tomorrow) == [], "rows from the future"
    assert len(ctl_json(w, "audit", "--since", yesterday)) == len(rows)
    now = int(time.time())
    assert ctl_json(w, "audit", "--since", str(now + 3600)) == []
    assert len(ctl_json(w, "audit", "--since", str(now - 3600))) == len(rows)
    assert len(ctl_json(w, "audit", "--since", yesterday, "--user", "bob")) >= 1
    assert len(ctl_json(w, "audit", "--since", "1d")) == len(rows)
    assert len(ctl_json(w, "audit", "--limit", "1")) == 1
    assert ctl_json(w, "audit", "--limit", "1")[0]["id"] == rows[0]["id"]
    r = w.ssprctl("audit", "--since", "not-a-date")
    assert r.returncode == 2, out(r)

    r = ok(w.ssprctl("audit"))
    assert "admin_enroll" in r.stdout and "alice" in r.stdout, out(r)
    assert "alice@example.org" not in r.stdout, out(r)


def test_audit_actor_of_admin_group_member(w):
    ok(w.ssprctl("enroll", "carol", "--email", "carol@example.org", user="ops"))
    rows = ctl_json(w, "audit", "--user", "carol")
    assert any(x["event"] == "admin_enroll" and x["actor"] == "uid 1010" for x in rows), rows


# --- report -----------------------------------------------------------------


def test_report(w):
    enroll(w, "alice", "--email", "alice@example.org")
    enroll(w, "carol", "--email", "carol@example.org", "--recovery-codes")
    rep = ctl_json(w, "report", "--days", "30")
    assert isinstance(rep, dict), rep
    assert rep["days"] == 30, rep
    assert ISO.match(rep["since"]) and ISO.match(rep["until"]), rep
    since = datetime.datetime.strptime(rep["since"], "%Y-%m-%dT%H:%M:%SZ")
    until = datetime.datetime.strptime(rep["until"], "%Y-%m-%dT%H:%M:%SZ")
    assert abs((until - since).total_seconds() - 30 * 86400) < 120, rep
    u = rep["users"]
    # alice, bob, carol, ops (min_uid 1000 leaves out root and sysuser)
    assert u["enabled"] == 4, u
    assert u["registered"] == 2 and u["unregistered"] == 2, u
    assert u["reconfirm_due"] == 0, u
    assert set(u["by_method"]) == set(METHODS), u["by_method"]
    assert u["by_method"]["email"] == 2 and u["by_method"]["recovery_code"] == 1, u
    assert all(u["by_method"][m] == 0 for m in METHODS if m not in ("email", "recovery_code")), u
    act = rep["activity"]
    assert set(act) >= set(EVENTS), sorted(set(EVENTS) - set(act))
    assert act["admin_enroll"] == 3, act
    assert act["reset"] == 0 and act["unlock"] == 0, act
    for key in ("resets_by_method", "unlocks_by_method", "verifications_by_method"):
        assert isinstance(rep[key], dict), rep
    assert sum(rep["resets_by_method"].values()) == 0, rep
    r = ok(w.ssprctl("report", "--days", "30"))
    assert "30" in r.stdout and "email" in r.stdout, out(r)
    r = w.ssprctl("report", "--days", "0")
    assert r.returncode == 2, out(r)


# --- check-config -----------------------------------------------------------


def ctl_with(w, conf, *args):
    return subprocess.run([w.build + "/ssprctl", "--config", conf] + list(args), env=w.env,
                          text=True, capture_output=True, stdin=subprocess.DEVNULL,
                          timeout=30)


def test_check_config(w):
    r = ok(w.ssprctl("check-config"))
    assert "configuration OK\n" in r.stdout and "warning" not in r.stderr, out(r)
    assert "sspradmin" in r.stdout, out(r)
    # Something that only fails later is a warning: still exit 0.
    os.chmod(w.path("gateway-token"), 0o644)
    r = ok(w.ssprctl("check-config"))
    assert "warning" in r.stderr and "gateway-token" in r.stderr, out(r)
    assert "configuration OK (1 warning)" in r.stdout, out(r)
    os.chmod(w.path("gateway-token"), 0o600)
    lines = w.conf_text.splitlines(True)
    # An unknown key as the first line of [daemon] (line 5).
    at = lines.index("[daemon]\n") + 1
    broken = lines[:at] + ["no_such_key = 1\n"] + lines[at:]
    path = w.write("broken.conf", "".join(broken))
    r = ctl_with(w, path, "check-config")
    assert r.returncode == 2, out(r)
    assert "%s:%d:" % (path, at + 1) in r.stdout + r.stderr, out(r)
    # It needs no daemon.
    w.stop_daemon()
    r = ok(w.ssprctl("check-config"))


def test_check_config_templates(w):
    os.mkdir(w.path("templates"))
    w.write("templates/test.txt", "Subject: a test from {organisation}\n\nline two\n{nope}\n")
    r = w.ssprctl("check-config")
    assert r.returncode == 2, out(r)
    assert "test.txt:4:" in r.stdout + r.stderr, out(r)
    w.write("templates/test.txt", "Subject: a site test\n\nHello from the site template.\n")
    ok(w.ssprctl("check-config"))


test_check_config_templates.world = dict(
    overrides={("notify", "templates_dir"): "@DIR/templates"})


# --- test-email, test-sms ---------------------------------------------------


def test_test_email(w):
    r = ok(w.ssprctl("test-email", "admin@example.net"))
    mail = w.wait_mail(to="admin@example.net")[-1]
    assert mail["Subject"], mail
    assert len(w.mails()) == 1, [m["To"] for m in w.mails()]
    r = w.ssprctl("test-email", "not an address")
    assert r.returncode == 2, out(r)
    rows = ctl_json(w, "audit")
    assert any(x["event"] == "admin_test" and x["actor"] == "uid 0" for x in rows), rows
    w.assert_no_secret(*[c for m in w.mails() for c in re.findall(r"\b\d{6}\b",
                                                                     w.mail_text(m))])


def test_test_email_smtp_down(w):
    w._stop("smtp")
    r = w.ssprctl("test-email", "admin@example.net")
    assert r.returncode == 1, out(r)


def test_test_sms(w):
    ok(w.ssprctl("test-sms", "+15551234567"))
    sms = w.sms()
    assert len(sms) == 1, w.gateway_records()
    assert sms[0]["to"] == "+15551234567" and sms[0]["auth_ok"], sms[0]
    assert sms[0]["body"], sms[0]
    r = w.ssprctl("test-sms", "5551234567")
    assert r.returncode == 2, out(r)
    assert len(w.sms()) == 1, w.gateway_records()
    w.gateway_control({"status": 500})
    r = w.ssprctl("test-sms", "+15551234567")
    assert r.returncode == 1, out(r)


test_test_sms.world = dict(gateway=True)


# --- who may ----------------------------------------------------------------


def test_non_admin_refused(w):
    enroll(w, "alice", "--email", "alice@example.org")
    w.faillock_add("alice", 1)
    for args in (("show", "alice"), ("list",), ("list", "--json"), ("audit",),
                 ("report", "--days", "7"), ("clear", "alice", "--yes"), ("unlock", "alice"),
                 ("enroll", "alice", "--email", "evil@example.org"),
                 ("test-email", "bob@example.org")):
        r = w.ssprctl(*args, user="bob")
        assert r.returncode == DENIED, "%s: %s" % (args, out(r))
        assert "Permission denied" in r.stderr, "%s: %s" % (args, out(r))
        assert "a***@" not in r.stdout and "alice@example.org" not in r.stdout, out(r)
    # Nothing changed.
    r = ok(w.ssprctl("show", "alice"))
    assert "a***@e***.org" in r.stdout, out(r)
    assert w.faillock_records("alice") == 1
    assert w.mails(to="bob@example.org") == []
    assert w.mails(to="evil@example.org") == []


def test_admin_group_member_allowed(w):
    enroll(w, "alice", "--email", "alice@example.org")
    r = ok(w.ssprctl("show", "alice", user="ops"))
    assert "a***@e***.org" in r.stdout, out(r)
    rows = ctl_json(w, "list", user="ops")
    assert "alice" in by_user(rows), rows
    ok(w.ssprctl("audit", user="ops"))
    w.faillock_add("alice", 2)
    ok(w.ssprctl("unlock", "alice", user="ops"))
    assert w.faillock_records("alice") == 0
