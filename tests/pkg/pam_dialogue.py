#!/usr/bin/python3
"""Drive pamtester through the real /etc/pam.d stack for tests/pkg/test-deb.sh.

Usage:
  pam_dialogue.py login       SERVICE USER PASSWORD   typed password accepted
  pam_dialogue.py refused     SERVICE USER PASSWORD   typed password refused
  pam_dialogue.py cancel      SERVICE USER PASSWORD   Enter, "n", then pam_unix
  pam_dialogue.py unavailable SERVICE USER PASSWORD   Enter with ssprd stopped
  pam_dialogue.py reset       SERVICE USER NEWPASS MAILDIR
  pam_dialogue.py notify-listen SOCKET OUTFILE        sd_notify receiver

Each scenario checks the prompts the user sees, in order, and that the login
ends the way the stack promises; it prints "ok: ..." and exits 0, or prints
what it saw and exits 1.
"""
import mailbox
import os
import re
import socket
import sys
import time

import pexpect

SSPR_PROMPT = r"Password \(press Enter if you forgot it\): "
# pam_unix's own prompt: appears only when pam_unix has no password yet.
# (pam_sspr's prompt and "New password: " do not contain it.)
UNIX_PROMPT = r"Password: "
OK = "pamtester: successfully authenticated"
FAIL = r"pamtester: Authentication failure"


class Failed(Exception):
    pass


def spawn(service, user):
    child = pexpect.spawn("pamtester", ["-v", service, user, "authenticate"],
                          encoding="utf-8", timeout=30)
    child.logfile_read = Transcript()
    child.user = user
    return child


class Transcript:
    """Keeps everything pamtester printed, for the checks and for failures."""

    def __init__(self):
        self.text = ""

    def write(self, s):
        self.text += s

    def flush(self):
        pass


def expect(child, pattern, what):
    try:
        child.expect(pattern)
    except (pexpect.EOF, pexpect.TIMEOUT) as e:
        raise Failed("expected %s, got %s" % (what, type(e).__name__)) from None


def check_end(child, success, what):
    """pamtester must exit without asking for a password again: a further
    prompt after our last answer would be a broken handoff to pam_unix or a
    login that goes on after a reset dialogue."""
    try:
        i = child.expect([pexpect.EOF, UNIX_PROMPT, SSPR_PROMPT])
    except pexpect.TIMEOUT:
        raise Failed("%s: pamtester did not exit" % what) from None
    if i != 0:
        raise Failed("%s: a further password prompt appeared" % what)
    tail = child.before
    child.close()
    status = child.exitstatus
    if success:
        if status != 0 or OK not in tail:
            raise Failed("%s: expected success, exit status %s" % (what, status))
    else:
        if status == 0 or not re.search(FAIL, tail):
            raise Failed("%s: expected an authentication failure, exit status %s"
                         % (what, status))


def login(c, password):
    expect(c, SSPR_PROMPT, "pam_sspr's password prompt")
    c.sendline(password)
    check_end(c, True, "typed password")
    return "the typed password went to pam_unix (one prompt) and was accepted"


def refused(c, password):
    expect(c, SSPR_PROMPT, "pam_sspr's password prompt")
    c.sendline(password)
    check_end(c, False, "wrong password")
    return "the typed password was refused without a second prompt"


def cancel(c, password):
    expect(c, SSPR_PROMPT, "pam_sspr's password prompt")
    c.sendline("")
    expect(c, r"Continue with password recovery\? \[y/N\] ", "the recovery question")
    c.sendline("n")
    expect(c, "Password recovery cancelled.", "the cancel notice")
    expect(c, UNIX_PROMPT, "pam_unix's own prompt after PAM_IGNORE")
    c.sendline(password)
    check_end(c, True, "login after cancelling")
    return "Enter + n: recovery cancelled, pam_unix asked and accepted the password"


def unavailable(c, password):
    expect(c, SSPR_PROMPT, "pam_sspr's password prompt")
    c.sendline("")
    expect(c, "Password reset is not available right now.", "the unavailable notice")
    expect(c, UNIX_PROMPT, "pam_unix's own prompt after PAM_IGNORE")
    c.sendline(password)
    check_end(c, True, "login with ssprd stopped")
    return "ssprd down: notice shown, pam_unix asked and accepted the password"


def wait_code(maildir, address, seen, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if os.path.isdir(os.path.join(maildir, "new")):
            for key, msg in mailbox.Maildir(maildir, create=False).items():
                if key in seen or address not in msg.get("To", ""):
                    continue
                seen.add(key)
                m = re.search(r"code is: (\d{6})", msg.get_payload(decode=True).decode())
                if m:
                    return m.group(1)
        time.sleep(0.1)
    raise Failed("no code mail for %s in %s" % (address, maildir))


def subjects(maildir, address):
    box = mailbox.Maildir(maildir, create=False)
    return [m.get("Subject", "") for m in box if address in m.get("To", "")]


def reset(c, newpass, maildir):
    address = "%s@example.org" % c.user
    seen = set(mailbox.Maildir(maildir, create=False).keys()) \
        if os.path.isdir(os.path.join(maildir, "new")) else set()
    expect(c, SSPR_PROMPT, "pam_sspr's password prompt")
    c.sendline("")
    expect(c, r"Continue with password recovery\? \[y/N\] ", "the recovery question")
    c.sendline("y")
    expect(c, r"Choose \[1\]: ", "the method menu")
    c.sendline("1")
    expect(c, "Enter the code: ", "the code prompt")
    c.sendline(wait_code(maildir, address, seen))
    expect(c, "New password: ", "the new password prompt")
    c.sendline(newpass)
    expect(c, "Retype new password: ", "the confirmation prompt")
    c.sendline(newpass)
    expect(c, r"Your password has been reset\. Log in with your new password\.\s*"
           r"Press Enter to continue\. ", "the final notice")
    c.sendline("")
    # PAM_AUTH_ERR with default=die: the login fails, pam_unix never asks.
    check_end(c, False, "login after the reset")
    end = time.monotonic() + 30
    while "Your password was reset" not in subjects(maildir, address):
        if time.monotonic() > end:
            raise Failed("no notification mail; subjects: %s" % subjects(maildir, address))
        time.sleep(0.1)
    return "reset through the stack: code mailed, new password set, login failed, " \
              "notification mailed"


def notify_listen(path, out):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    with open(out, "a") as f:
        while True:
            f.write(s.recv(4096).decode(errors="replace") + "\n")
            f.flush()


SCENARIOS = {"login": login, "refused": refused, "cancel": cancel,
             "unavailable": unavailable, "reset": reset}


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "notify-listen":
        notify_listen(sys.argv[2], sys.argv[3])
        return 0
    if len(sys.argv) < 5 or sys.argv[1] not in SCENARIOS:
        print(__doc__, file=sys.stderr)
        return 2
    name, service, user = sys.argv[1:4]
    child = spawn(service, user)
    try:
        what = SCENARIOS[name](child, *sys.argv[4:])
    except Failed as e:
        print("FAIL: %s (service %s, user %s): %s" % (name, service, user, e))
        print("---- pamtester said:\n%s\n----" % child.logfile_read.text)
        child.close(force=True)
        return 1
    print("ok: %s: %s" % (name, what))
    return 0


if __name__ == "__main__":
    sys.exit(main())
