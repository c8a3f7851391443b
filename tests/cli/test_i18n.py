"""Languages of the CLIs and of the notices: sspr and ssprctl speak the
locale's language (LANG, LANGUAGE) and tell ssprd, which answers in it;
mails go out in the user's saved language, else [general] language, UTF-8
with an RFC 2047 subject, as Python's email parser decodes them."""
import os
import re
import sqlite3
import subprocess
import unicodedata

import pexpect

from world import HELPDESK, OLD, wait_for

CJK = re.compile("[\u4e00-\u9fff]")


def env_for(w, **lang):
    """w's environment with the locale variables given (None removes one)."""
    env = dict(w.env)
    for k in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        env.pop(k, None)
    for k, v in lang.items():
        if v is not None:
            env[k] = v
    return env


def run_sspr(w, user, *args, env, timeout=20):
    argv = w._as(user, [w.build + "/sspr", "--config", w.conf] + list(args))
    return pexpect.spawn(argv[0], argv[1:], env=env, encoding="utf-8", timeout=timeout,
                         dimensions=(50, 200), cwd="/")


def run_ctl(w, *args, env, user=None):
    argv = w._as(user, [w.build + "/ssprctl", "--config", w.conf] + list(args))
    return subprocess.run(argv, env=env, text=True, stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=30, cwd="/")


def finish(child):
    child.expect(pexpect.EOF)
    out = child.before
    child.close()
    return out, child.exitstatus


def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def out(r):
    return "stdout:\n%s\nstderr:\n%s" % (r.stdout, r.stderr)


ZH = dict(LANG="zh_TW.UTF-8")


def test_status_follows_the_locale(w):
    r = w.ssprctl("enroll", "alice", "--email", "alice.smith@example.org")
    assert r.returncode == 0, out(r)
    text, status = finish(run_sspr(w, "alice", "status", env=env_for(w, **ZH)))
    assert status == 0, text
    assert "使用者：alice" in text, text
    assert re.search(r"電子郵件 +a\*\*\*@e\*\*\*\.org（由系統管理員於 ", text), text
    assert "要求：" in text, text
    # Masks and the user name are data: never translated.
    assert "a***@e***.org" in text and "user:" not in text, text
    # LANGUAGE outranks LANG, as in gettext.
    text, status = finish(run_sspr(w, "alice", "status",
                                   env=env_for(w, LANG="en_US.UTF-8", LANGUAGE="zh_TW")))
    assert status == 0 and "使用者：alice" in text, text
    # C and an English locale: English, whatever the catalogs.
    for lang in (dict(LANG="C"), dict(LC_ALL="C.UTF-8", LANG="zh_TW.UTF-8"),
                 dict(LANG="en_US.UTF-8")):
        text, status = finish(run_sspr(w, "alice", "status", env=env_for(w, **lang)))
        assert status == 0, text
        assert "user: alice" in text and not CJK.search(text), (lang, text)


def test_local_texts_translated(w):
    text, status = finish(run_sspr(w, "alice", "--help", env=env_for(w, **ZH)))
    assert status == 0, text
    assert text.startswith("用法：") and "指令：" in text and "選項：" in text, text
    # Command and option names stay as they are.
    assert "register" in text and "--email ADDRESS" in text, text
    text, status = finish(run_sspr(w, "alice", "frobnicate", env=env_for(w, **ZH)))
    assert status == 2 and "不明的指令「frobnicate」" in text, (status, text)
    r = run_ctl(w, "show", env=env_for(w, **ZH))
    assert r.returncode == 2 and "show 需要一個使用者名稱" in r.stderr, out(r)
    r = run_ctl(w, "show", env=env_for(w, LANG="C"))
    assert r.returncode == 2 and "show takes one user name" in r.stderr, out(r)


def test_register_dialogue_in_chinese(w):
    child = run_sspr(w, "alice", "register", env=env_for(w, **ZH))
    child.expect("目前的密碼： ")
    assert CJK.search(child.before), child.before
    assert "Current password" not in child.before, child.before
    child.sendline(OLD)
    # The menu comes in Chinese too; leave with end of input.
    child.expect("： ")
    assert CJK.search(child.before), child.before
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()


def test_daemon_texts_in_chinese_for_admins(w):
    r = run_ctl(w, "show", "nosuchuser", env=env_for(w, **ZH))
    assert r.returncode == 2 and "沒有這個使用者。" in r.stderr, out(r)
    r = run_ctl(w, "clear", "alice", "--yes", env=env_for(w, **ZH))
    assert r.returncode == 0 and "沒有可清除的項目" in r.stdout, out(r)
    r = run_ctl(w, "clear", "alice", "--yes", env=env_for(w, LANG="C"))
    assert r.returncode == 0 and "Nothing to clear" in r.stdout, out(r)


def columns(line, heads):
    """Display columns at which each head starts in line."""
    cols, pos = [], 0
    for h in heads:
        i = line.index(h, pos)
        cols.append(width(line[:i]))
        pos = i + len(h)
    return cols


def test_list_table_aligned_with_cjk(w):
    for user, addr in (("alice", "alice@example.org"), ("bob", "bob@example.org")):
        r = w.ssprctl("enroll", user, "--email", addr)
        assert r.returncode == 0, out(r)
    r = run_ctl(w, "list", env=env_for(w, **ZH))
    assert r.returncode == 0, out(r)
    lines = r.stdout.splitlines()
    heads = ["使用者", "已啟用", "已登記", "符合要求", "確認日期", "需重新確認"]
    starts = columns(lines[0], heads)
    assert starts[0] == 0, lines[0]
    rows = [l for l in lines[1:] if l.startswith(("alice ", "bob "))]
    assert len(rows) == 2, r.stdout
    for row in rows:
        cells = re.split(r"(?<=\S)  +(?=\S)", row)
        assert len(cells) == len(heads), (row, cells)
        # Every cell starts in its head's column (CJK heads are two
        # columns a character, yes/no cells are Chinese too).
        at, pos = [], 0
        for c in cells:
            i = row.index(c, pos)
            at.append(width(row[:i]))
            pos = i + len(c)
        assert at == starts, (lines[0], row, at, starts)
        assert "是" in cells[1], row


def set_language(w, user, lang):
    """What sspr register's language menu saves, written into the store;
    retried while ssprd may still be migrating the schema."""
    def attempt():
        db = sqlite3.connect(os.path.join(w.state_dir, "sspr.db"), timeout=10)
        try:
            db.execute("INSERT INTO registrations (user, language) VALUES (?, ?) "
                       "ON CONFLICT (user) DO UPDATE SET language = excluded.language",
                       (user, lang))
            db.commit()
            return True
        except sqlite3.OperationalError:
            return None
        finally:
            db.close()
    wait_for(attempt, "the store's language column")


def test_notice_in_users_language(w):
    """An English site; alice chose zh_TW: her notice is Chinese, bob's
    English, whatever the administrator's locale."""
    set_language(w, "alice", "zh_TW")
    for user in ("alice", "bob"):
        r = run_ctl(w, "enroll", user, "--email", "%s@example.org" % user,
                    env=env_for(w, LANG="C"))
        assert r.returncode == 0, out(r)
    msg = w.wait_mail(to="alice@example.org")[-1]
    assert str(msg["Subject"]) == "您用來找回密碼的電子郵件地址已變更", msg["Subject"]
    assert msg.get_content_charset() == "utf-8", msg["Content-Type"]
    assert msg["Content-Transfer-Encoding"] in ("quoted-printable", "base64"), msg
    body = w.mail_text(msg).replace("\r\n", "\n")
    assert body.startswith("alice 您好：\n"), body
    assert "變更前：（無）" in body and "a***@e***.org" in body, body
    assert HELPDESK in body, body
    # The raw subject is RFC 2047 encoded-words, each within the limit.
    raw = msg.as_bytes().decode("ascii")
    assert "=?UTF-8?B?" in raw, raw[:600]
    for line in raw.split("\n"):
        assert len(line.rstrip("\r")) <= 78, line
    bob = w.wait_mail(to="bob@example.org")[-1]
    assert str(bob["Subject"]) == "Your password recovery email address changed", bob["Subject"]
    assert not CJK.search(w.mail_text(bob)), w.mail_text(bob)


def test_site_language_for_mails_and_codes(w):
    """[general] language = zh_TW: the test message and a registration
    code mail are Chinese; the code in the mail still works."""
    r = run_ctl(w, "test-email", "admin@example.net", env=env_for(w, LANG="C"))
    assert r.returncode == 0, out(r)
    msg = w.wait_mail(to="admin@example.net")[-1]
    subject = str(msg["Subject"])
    assert subject.startswith("來自 ") and subject.endswith(" 的 sspr 測試郵件"), subject
    assert "表示郵件傳送正常" in w.mail_text(msg), w.mail_text(msg)
    # sspr register --email from a C locale: the client names no language,
    # so the dialogue is in the site's; the confirmation mail too, and its
    # code reads back once decoded.
    child = run_sspr(w, "alice", "register", "--email", "alice@example.org",
                     env=env_for(w, LANG="C"))
    child.expect("目前的密碼： ")
    child.sendline(OLD)
    mail = w.wait_mail(to="alice@example.org")[-1]
    assert str(mail["Subject"]) == "請確認您用來找回密碼的地址", mail["Subject"]
    text = w.mail_text(mail)
    m = re.search(r"您的確認碼是：([0-9]{6})", text)
    assert m, text
    assert w.last_code(to="alice@example.org") == m.group(1)
    child.expect("： ")
    child.sendline(m.group(1))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "a***@e***.org" in run_ctl(w, "show", "alice", env=env_for(w, LANG="C")).stdout


test_site_language_for_mails_and_codes.world = dict(overrides={("general", "language"): "zh_TW"})
