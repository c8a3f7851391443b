"""Texts not marked for translation, in sspr's own output and in the
registration dialogue ssprd runs for it: the client's locale names the
test-only pseudo-language en@pseudo (built by make: every line of every
translation starts with the marker), so sspr prints its texts and asks the
daemon for that language; a line without the marker is a text that
bypasses the catalog. Data lines (menu numbers before a marked text, blank
lines) are the only exceptions."""
import re

import pexpect

from world import OLD

MARK = "\u27e6"
# "  3) <marked text>": the number is the program's, the text must be marked.
MENU = re.compile(r"^\s*\d+\) " + MARK)


def pseudo_env(w):
    env = dict(w.env)
    for k in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        env.pop(k, None)
    env.update(LANG="en_US.UTF-8", LANGUAGE="en@pseudo")
    return env


def unmarked(text):
    bad = []
    for line in text.replace("\r", "").split("\n"):
        s = line.strip()
        if not s or s.startswith(MARK) or MENU.match(line):
            continue
        bad.append(line)
    return bad


def spawn(w, user, *args):
    argv = w._as(user, [w.build + "/sspr", "--config", w.conf] + list(args))
    return pexpect.spawn(argv[0], argv[1:], env=pseudo_env(w), encoding="utf-8", timeout=20,
                         dimensions=(50, 200), cwd="/")


def test_register_dialogue_marked(w):
    r = w.ssprctl("enroll", "alice", "--email", "alice@example.org")
    assert r.returncode == 0, r.stderr
    child = spawn(w, "alice", "register")
    seen = []
    # A wrong password first: its refusal is a text too.
    child.expect(": ")
    seen.append(child.before + child.after)
    child.sendline("not-the-password")
    child.expect(": ")
    seen.append(child.before + child.after)
    child.sendline(OLD)
    child.expect(": ")
    seen.append(child.before + child.after)
    child.sendeof()
    child.expect(pexpect.EOF)
    seen.append(child.before)
    child.close()
    text = "".join(seen)
    # The dialogue reached the menu.
    assert re.search(r"^\s*0\) " + MARK, text, re.M), text
    assert MARK in text, text
    assert "a***@e***.org" in text, text
    bad = unmarked(text)
    assert not bad, "not marked for translation:\n%s\n--- output:\n%s" % ("\n".join(bad), text)


def test_status_marked(w):
    r = w.ssprctl("enroll", "alice", "--email", "alice@example.org")
    assert r.returncode == 0, r.stderr
    child = spawn(w, "alice", "status")
    child.expect(pexpect.EOF)
    text = child.before
    child.close()
    assert child.exitstatus == 0, text
    assert MARK in text and "a***@e***.org" in text, text
    bad = unmarked(text)
    assert not bad, "not marked for translation:\n%s\n--- output:\n%s" % ("\n".join(bad), text)
