"""sspr register: the registration dialogue ssprd runs, driven through the
sspr CLI as the user, on a pty (and once through a pipe, without a
terminal)."""
import base64
import hashlib
import hmac
import re
import struct
import subprocess
import time

import pexpect

from world import OLD, HELPDESK

POOL = "First pet?|Birth city?|Favourite teacher?|First school?|Street you grew up in?|First car?"


def finish(child):
    child.expect(pexpect.EOF)
    out = child.before
    child.close()
    return out, child.exitstatus


def login(w, user="alice", *args):
    child = w.sspr(user, "register", *args, timeout=20)
    child.expect("Registering %s for self-service password reset" % user)
    child.expect("Current password: ")
    child.sendline(OLD)
    return child


def menu(child):
    """Wait for the menu prompt; the summary and the choices above it."""
    child.expect("What would you like to do\\?")
    summary = child.before
    child.expect("Choose: ")
    return summary + child.before


def done(child):
    child.sendline("0")
    return finish(child)


def other_code(code):
    return "%06d" % ((int(code) + 1) % 1000000)


def show(w, user="alice"):
    r = w.ssprctl("show", user)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def events(w, user, event):
    with w.db() as db:
        return db.execute("SELECT method, service, detail FROM events WHERE user = ? AND "
                          "event = ? ORDER BY id", (user, event)).fetchall()


def totp_code(b32, t=None):
    """RFC 6238 with SHA-1, 6 digits, 30-second steps."""
    key = base64.b32decode(b32 + "=" * (-len(b32) % 8))
    counter = int((time.time() if t is None else t) // 30)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 15
    value = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7fffffff) % 1000000
    return "%06d" % value, counter


# --- the current password ---------------------------------------------------

def test_wrong_password_refused(w):
    before = w.shadow_hash("alice")
    child = w.sspr("alice", "register", timeout=20)
    for i in range(3):
        child.expect("Current password: ")
        child.sendline("Wrong-password-%d" % i)
        child.expect("That is not your current password.")
    out, status = finish(child)
    assert status == 1, (status, out)
    assert "What would you like" not in out, out
    assert len(events(w, "alice", "register_auth_failed")) == 3
    with w.db() as db:
        assert db.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM registrations WHERE user = 'alice' AND "
                          "confirmed > 0").fetchone()[0] == 0
    assert w.shadow_hash("alice") == before
    w.assert_no_secret(OLD, "Wrong-password-0", "Wrong-password-2")


test_wrong_password_refused.timeout = 60


def test_not_eligible(w):
    child = w.sspr("alice", "register")
    child.expect("not enabled for your account")
    child.expect(HELPDESK)
    out, status = finish(child)
    assert status == 4, (status, out)
    assert "Current password" not in out, out
    assert events(w, "alice", "refused"), "refusal not audited"


test_not_eligible.world = dict(overrides={("general", "enabled_groups"): "sspradmin"})


# --- email, mobile and office -------------------------------------------------

def test_email_needs_the_mailed_code(w):
    addr = "alice.new@example.net"
    child = login(w)
    menu(child)
    child.sendline("1")
    child.expect("Email address \\(Enter to go back, - to remove\\): ")
    child.sendline("not an address")
    child.expect("That is not a valid email address.")
    child.expect("Email address")
    child.sendline(addr)
    child.expect("We sent a 6-digit code to a\\*\\*\\*@e\\*\\*\\*\\.net")
    code = w.last_code(to=addr)
    confirm = w.wait_mail(to=addr, subject="confirm")
    assert code in w.mail_text(confirm[-1])
    child.expect("Code \\(Enter to go back\\): ")
    child.sendline(other_code(code))
    child.expect("That code is not correct. 4 tries left.")
    child.expect("Code ")
    # Not registered while the code is outstanding.
    assert "e***.net" not in show(w)
    child.sendline(code)
    child.expect("Your email address %s is registered." % re.escape(addr))
    out = menu(child)
    assert "a***@e***.net" in out, out
    out, status = done(child)
    assert status == 0, (status, out)

    assert "a***@e***.net" in show(w)
    w.wait_mail(to=addr, subject="changed")
    with w.db() as db:
        value, source, verified = db.execute(
            "SELECT value, source, verified FROM contacts WHERE user = 'alice' AND "
            "kind = 'email'").fetchone()
        assert (value, source) == (addr, "user")
        assert verified > 0
        assert db.execute("SELECT confirmed FROM registrations WHERE user = 'alice'"
                          ).fetchone()[0] > 0
    changed = events(w, "alice", "register_changed")
    assert [(m, s) for m, s, _ in changed] == [("email", "sspr")], changed
    assert all(addr not in d and "example.net" not in d for _, _, d in changed), changed
    assert events(w, "alice", "register_started")
    w.assert_no_secret(OLD, code)


def test_email_wrong_codes_change_nothing(w):
    addr = "typo@example.net"
    child = login(w)
    menu(child)
    child.sendline("1")
    child.expect("Email address")
    child.sendline(addr)
    code = w.last_code(to=addr)
    for left in (4, 3, 2, 1):
        child.expect("Code ")
        child.sendline(other_code(code))
        child.expect("That code is not correct. %d tr" % left)
    child.expect("Code ")
    child.sendline(other_code(code))
    child.expect("Too many wrong codes. Nothing was changed.")
    menu(child)
    out, status = done(child)
    assert status == 0, (status, out)
    assert "e***.net" not in show(w)
    with w.db() as db:
        assert db.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0
    assert not events(w, "alice", "register_changed")


def test_mobile_by_sms_code(w):
    child = login(w)
    menu(child)
    child.sendline("2")
    child.expect("Mobile number in international form")
    child.sendline("5550100167")
    child.expect("not a phone number in international form")
    child.expect("Mobile number")
    child.sendline("+1 (555) 010-0167")
    child.expect("We sent a 6-digit code to \\+1 \\*\\*\\* \\*\\*\\* \\*\\*67")
    code = w.last_sms_code()
    sms = w.sms()[-1]
    assert sms["to"] == "+15550100167", sms
    assert "registration code is %s" % code in sms["body"], sms
    child.expect("Code ")
    child.sendline(code)
    child.expect("Your mobile number \\+15550100167 is registered.")
    menu(child)
    out, status = done(child)
    assert status == 0, (status, out)
    assert "+1 *** *** **67" in show(w)
    with w.db() as db:
        verified = db.execute("SELECT verified FROM contacts WHERE user = 'alice' AND "
                              "kind = 'mobile'").fetchone()[0]
        assert verified > 0
    assert [m for m, _, _ in events(w, "alice", "register_changed")] == ["mobile"]
    w.assert_no_secret(OLD, code)


test_mobile_by_sms_code.world = dict(gateway=True)


def test_mobile_send_failure_changes_nothing(w):
    child = login(w)
    menu(child)
    child.sendline("2")
    child.expect("Mobile number")
    child.sendline("+15550100167")
    child.expect("We could not send a code to that mobile number right now")
    menu(child)
    out, status = done(child)
    assert status == 0, (status, out)
    with w.db() as db:
        assert db.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0


def test_office_without_code(w):
    child = login(w)
    menu(child)
    child.sendline("3")
    child.expect("Office number")
    child.sendline("+44 20 7946 0000")
    child.expect("It was not checked with a code")
    menu(child)
    child.sendline("3")
    child.expect("Office number")
    child.sendline("-")
    child.expect("Your office number was removed.")
    menu(child)
    child.sendline("3")
    child.expect("Office number")
    child.sendline("+44 20 7946 0001")
    child.expect("It was not checked with a code")
    out, status = done(child)
    assert status == 0, (status, out)
    with w.db() as db:
        row = db.execute("SELECT value, verified FROM contacts WHERE user = 'alice' AND "
                         "kind = 'office'").fetchone()
    assert row == ("+442079460001", 0), row
    assert [d for _, _, d in events(w, "alice", "register_changed")] == \
        ["added", "removed", "added"]


# --- security questions -------------------------------------------------------

def pick(child, choice):
    child.expect("Choose \\(Enter to go back\\): ")
    child.sendline(choice)


def answer(child, text, refusal=None):
    child.expect("Answer \\(Enter alone to choose another question\\): ")
    child.sendline(text)
    if refusal:
        child.expect(refusal)


def test_questions_rules(w):
    answers = ["Rex the dog", "Springfield", "Jamie Lee Curtis", "Mrs Krabappel",
               "Evergreen Terrace"]
    child = login(w)
    menu(child)
    child.sendline("4")
    child.expect("Choose 5 security questions")
    child.expect("at least 3 characters")
    child.expect("Choose question 1 of 5:")
    child.expect("1\\) First pet\\?")
    child.expect("c\\) Write your own question")
    pick(child, "1")
    child.expect("First pet\\?")
    answer(child, "ab", "That answer is too short.")
    answer(child, "  FIRST   pet ", "An answer may not repeat the question.")
    answer(child, answers[0])
    child.expect("Choose question 2 of 5:")
    pick(child, "1")
    child.expect("Please type one of the numbers shown.")  # taken already
    pick(child, "2")
    answer(child, "rex  THE dog", "Each answer must be different.")
    answer(child, answers[1])
    pick(child, "c")
    child.expect("Your question \\(Enter to go back\\): ")
    child.sendline("Who?")
    child.expect("Write a question of at least 5 characters.")
    child.expect("Your question")
    child.sendline("Who was my best friend at school?")
    answer(child, "best friend", "An answer may not repeat the question.")
    answer(child, answers[2])
    pick(child, "3")
    answer(child, answers[3])
    pick(child, "5")
    answer(child, answers[4])
    child.expect("Your 5 security questions are saved.", timeout=60)
    out = menu(child)
    assert "5 registered" in out, out
    out, status = done(child)
    assert status == 0, (status, out)

    with w.db() as db:
        rows = db.execute("SELECT idx, question, answer_hash FROM questions WHERE "
                          "user = 'alice' ORDER BY idx").fetchall()
    assert [q for _, q, _ in rows] == ["First pet?", "Birth city?",
                                       "Who was my best friend at school?",
                                       "Favourite teacher?", "Street you grew up in?"], rows
    assert all(h.startswith("$argon2id$") for _, _, h in rows), rows
    for a in answers:
        assert all(a.lower() not in (q + h).lower() for _, q, h in rows)
    assert [m for m, _, _ in events(w, "alice", "register_changed")] == ["questions"]
    w.assert_no_secret(OLD, *answers, *[a.lower() for a in answers], "rex  THE dog")


test_questions_rules.world = dict(overrides={("questions", "pool"): POOL})
test_questions_rules.timeout = 180


def test_questions_going_back_keeps_the_old_set(w):
    child = login(w)
    menu(child)
    child.sendline("4")
    pick(child, "1")
    answer(child, "Rex the dog")
    pick(child, "2")
    answer(child, "")  # Enter alone: another question
    pick(child, "")    # Enter alone: back to the menu
    child.expect("Your security questions were not changed.")
    menu(child)
    out, status = done(child)
    assert status == 0, (status, out)
    with w.db() as db:
        assert db.execute("SELECT count(*) FROM questions").fetchone()[0] == 0


test_questions_going_back_keeps_the_old_set.world = dict(
    overrides={("questions", "pool"): POOL})


def test_questions_site_settings(w):
    child = login(w)
    menu(child)
    child.sendline("4")
    child.expect("Choose 2 security questions")
    child.expect("at least 6 characters")
    child.expect("Choose \\(Enter to go back\\): ")
    assert "Write your own" not in child.before, child.before
    child.sendline("c")  # no questions of one's own here
    child.expect("Please type one of the numbers shown.")
    pick(child, "6")
    answer(child, "Beetl", "That answer is too short.")
    answer(child, "  VW   Beetle ")
    pick(child, "2")
    answer(child, "vw beetle", "Each answer must be different.")
    answer(child, "Springfield")
    child.expect("Your 2 security questions are saved.", timeout=60)
    menu(child)
    out, status = done(child)
    assert status == 0, (status, out)
    with w.db() as db:
        rows = db.execute("SELECT question FROM questions WHERE user = 'alice' ORDER BY idx"
                          ).fetchall()
    assert rows == [("First car?",), ("Birth city?",)], rows


test_questions_site_settings.world = dict(overrides={
    ("questions", "pool"): POOL, ("questions", "custom"): "no",
    ("questions", "register"): "2", ("questions", "answer"): "2",
    ("questions", "min_answer_length"): "6"})
test_questions_site_settings.timeout = 120


# --- authenticator and recovery codes ---------------------------------------------

def test_totp_first_code_confirms(w):
    child = login(w)
    menu(child)
    child.sendline("5")
    child.expect("Key: ([A-Z2-7 ]+)\r?\n")
    key = child.match.group(1).replace(" ", "")
    child.expect("URI: (otpauth://totp/\\S+)")
    uri = child.match.group(1)
    m = re.search("[?&]secret=([A-Z2-7]+)", uri)
    assert m and m.group(1) == key, uri
    assert "digits=6" in uri and "period=30" in uri and ":alice?" in uri, uri
    # The QR code: rows of half blocks, with a quiet zone of full blocks.
    child.expect("\u2588{20,}")
    child.expect("Type the 6-digit code your app shows \\(Enter to go back\\): ")
    assert "\u2580" in child.before or "\u2584" in child.before
    with w.db() as db:
        assert db.execute("SELECT count(*) FROM totp").fetchone()[0] == 0, \
            "stored before it was confirmed"
    code, step = totp_code(key)
    child.sendline(other_code(code))
    child.expect("That code is not correct")
    child.expect("Type the 6-digit code")
    code, step = totp_code(key)
    child.sendline(code)
    child.expect("Your authenticator app is registered.")
    out = menu(child)
    assert re.search("Authenticator app +registered", out), out
    out, status = done(child)
    assert status == 0, (status, out)
    with w.db() as db:
        sealed, last_step = db.execute("SELECT sealed, last_step FROM totp WHERE "
                                       "user = 'alice'").fetchone()
    assert abs(last_step - step) <= 1, (last_step, step)  # the confirming code is spent
    raw = base64.b32decode(key)
    assert raw not in sealed
    assert [m for m, _, _ in events(w, "alice", "register_changed")] == ["totp"]
    w.assert_no_secret(OLD, key, uri)


def test_recovery_codes_shown_once(w):
    child = login(w)
    menu(child)
    child.sendline("6")
    child.expect("shown only now")
    child.expect("Type yes when you have saved them: ")
    codes = re.findall(r"\b([0-9a-z]{5}-[0-9a-z]{5})\b", child.before)
    assert len(codes) == 10 and len(set(codes)) == 10, child.before
    child.sendline("later")
    child.expect("will not be shown again")
    child.expect("Type yes")
    child.sendline("yes")
    out = menu(child)
    assert "10 left" in out, out
    assert not any(c in out for c in codes), out
    # A second request asks before replacing them.
    child.sendline("6")
    child.expect("You have 10 recovery codes left. New codes replace them.")
    child.expect("Continue\\? \\[y/N\\] ")
    child.sendline("")
    child.expect("Your recovery codes were not changed.")
    out = menu(child)
    out, status = done(child)
    assert status == 0, (status, out)
    with w.db() as db:
        rows = db.execute("SELECT hash, used FROM recovery_codes WHERE user = 'alice'"
                          ).fetchall()
    assert len(rows) == 10 and all(used == 0 for _, used in rows), rows
    assert all(len(h) == 32 for h, _ in rows)
    assert [m for m, _, _ in events(w, "alice", "register_changed")] == ["recovery_codes"]
    w.assert_no_secret(OLD, *codes, *[c.replace("-", "") for c in codes])


# --- the menu, reconfirmation, non-interactive use ---------------------------------

def test_menu_lists_only_enabled_methods(w):
    child = login(w)
    out = menu(child)
    assert "1) Email address" in out and "5) Authenticator app" in out, out
    for absent in ("2)", "3)", "4)", "6)", "7)"):
        assert absent not in out, out
    for bad in ("2", "x", "99"):
        child.sendline(bad)
        child.expect("Please type one of the numbers shown.")
    out, status = finish(child)
    assert status == 1, (status, out)
    child = w.sspr("alice", "register", "--mobile", "+15550100167")
    child.expect("does not use mobile phone numbers")
    out, status = finish(child)
    assert status == 2, (status, out)


test_menu_lists_only_enabled_methods.world = dict(
    overrides={("methods", "enabled"): "email, totp"})


def test_reconfirm(w):
    r = w.ssprctl("enroll", "alice", "--email", "alice@example.org")
    assert r.returncode == 0, r.stdout + r.stderr
    child = login(w, "alice", "--reconfirm")
    child.expect("entered by an administrator")
    child.expect("Please check that this is still right")
    child.expect("Thank you. You will be asked to confirm it again by "
                 "(\\d{4}-\\d\\d-\\d\\d)")
    due = child.match.group(1)
    out, status = finish(child)
    assert status == 0, (status, out)
    assert time.strftime("%Y-%m-%d", time.gmtime(time.time() + 30 * 86400)) == due
    assert events(w, "alice", "register_confirmed")
    child = login(w)
    out = menu(child)
    assert "Please confirm it again by %s" % due in out, out
    assert "7) My information is correct" in out, out
    child.sendline("7")
    child.expect("Thank you")
    menu(child)
    out, status = done(child)
    assert status == 0, (status, out)
    assert len(events(w, "alice", "register_confirmed")) == 2
    # Nothing to confirm for bob.
    child = login(w, "bob", "--reconfirm")
    child.expect("nothing registered to confirm")
    out, status = finish(child)
    assert status == 1, (status, out)


test_reconfirm.world = dict(overrides={("registration", "reconfirm_days"): "30"})


def sspr_piped(w, user, *args):
    """sspr without a controlling terminal: answers come from stdin."""
    argv = w._as(user, [w.build + "/sspr", "--config", w.conf] + list(args))
    return subprocess.Popen(argv, env=w.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            cwd="/")


def test_register_email_from_a_script(w):
    r = w.ssprctl("enroll", "alice", "--email", "old@example.org")
    assert r.returncode == 0, r.stdout + r.stderr
    new = "new@example.com"
    p = sspr_piped(w, "alice", "register", "--email", new)
    p.stdin.write(OLD + "\n")
    p.stdin.flush()
    code = w.last_code(to=new, timeout=15)
    p.stdin.write(code + "\n")
    out, err = p.communicate(timeout=20)  # closes stdin: the end of input
    assert p.returncode == 0, (p.returncode, out, err)
    assert "Your email address %s is registered." % new in out, out
    assert "Current password" in err and "Code: " in err, err
    # The old address hears of the change, the new one too.
    w.wait_mail(to="old@example.org", subject="changed")
    w.wait_mail(to=new, subject="changed")
    out, status = finish(w.sspr("alice", "status"))
    assert status == 0, out
    assert "n***@e***.com" in out and "set by user" in out, out
    assert "o***@e***.org" not in out, out

    # A wrong code and the end of input: nothing changes, status 1.
    p = sspr_piped(w, "alice", "register", "--email", "other@example.com")
    p.stdin.write(OLD + "\n")
    p.stdin.flush()
    code2 = w.last_code(to="other@example.com", timeout=15)
    p.stdin.write(other_code(code2) + "\n")
    out, err = p.communicate(timeout=20)
    assert p.returncode == 1, (p.returncode, out, err)
    assert "That code is not correct" in err, err
    with w.db() as db:
        assert db.execute("SELECT value FROM contacts WHERE user = 'alice' AND "
                          "kind = 'email'").fetchone()[0] == new
    assert events(w, "alice", "cancelled")

    # A malformed address never reaches the daemon.
    p = sspr_piped(w, "alice", "register", "--email", "not-an-address")
    out, err = p.communicate(timeout=20)
    assert p.returncode == 2, (p.returncode, out, err)
    assert "not a valid email address" in err, err
    p = sspr_piped(w, "alice", "register", "--email", "a@example.org", "--reconfirm")
    out, err = p.communicate(timeout=20)
    assert p.returncode == 2, (p.returncode, out, err)
    w.assert_no_secret(OLD, code, code2)


def test_cancel_at_the_menu(w):
    child = login(w)
    menu(child)
    child.sendeof()
    out, status = finish(child)
    assert status == 1, (status, out)
    assert events(w, "alice", "cancelled")


def test_usage(w):
    for args in (("register", "extra"), ("register", "--email"),
                 ("register", "--mobile", "12345"), ("status", "--reconfirm")):
        out, status = finish(w.sspr("alice", *args))
        assert status == 2, (args, status, out)
    out, status = finish(w.sspr("alice", "--help"))
    assert status == 0 and "--reconfirm" in out, out
