#!/usr/bin/python3
"""Writes the seed corpora fuzz/corpus/<target>/ and the dictionaries
fuzz/<target>.dict from the sources (frames of every message type, the
shipped sspr.conf and variants, the built-in templates, the config keys).

Run from anywhere: python3 fuzz/mkcorpus.py. The output is committed; rerun
it after a protocol, configuration or template change and commit the
difference. Seeds the fuzzers found themselves are added by hand (see
fuzz/README)."""

import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)


def out(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def dict_entry(word):
    """A libFuzzer dictionary line: quotes, backslashes and anything not
    printable ASCII as \\xNN."""
    esc = "".join(c if " " <= c <= "~" and c not in '"\\' else "\\x%02x" % b
                  for c in word for b in c.encode())
    return '"%s"\n' % esc


# --- protocol frames ------------------------------------------------------
def frame(mtype, fields, version=1, magic=b"SP", length=None):
    body = b"".join(struct.pack(">H", len(f)) + f for f in
                    (x.encode() if isinstance(x, str) else x for x in fields))
    n = len(body) if length is None else length
    return magic + bytes([version, mtype]) + struct.pack(">I", n) + body


def proto():
    seeds = {
        "reset_start": frame(1, ["carol", "sshd", "192.0.2.7", "pts/3"]),
        "reset_start_empty": frame(1, ["", "", "", ""]),
        "answer": frame(2, ["123456"]),
        "answer_utf8": frame(2, ["Zoë Ünïcödé 猫"]),
        "answer_max": frame(2, ["a" * 1024]),
        "cancel": frame(3, []),
        "admin_enroll": frame(4, ["carol", "email", "carol@example.org"]),
        "admin_enroll_totp": frame(4, ["carol", "totp", ""]),
        "admin_show": frame(5, ["carol"]),
        "user_status": frame(6, []),
        "policy_check": frame(7, ["carol", "correct horse battery", ""]),
        "admin_questions_max": frame(9, ["u" * 256, "q" * 1000 + "\n" + "q" * 1047,
                                         "a" * 2048]),
        "history_record": frame(8, ["carol"]),
        "admin_questions": frame(9, ["carol", "First pet?\nBirth town?",
                                     "rex\nlyon"]),
        "register_start": frame(10, ["mobile", "+15550100167"]),
        "register_menu": frame(10, ["", ""]),
        "admin_clear": frame(11, ["carol", "sms"]),
        "admin_unlock": frame(12, ["carol"]),
        "admin_list": frame(13, ["unregistered"]),
        "admin_audit": frame(14, ["", "1764000000", "100"]),
        "admin_report": frame(15, ["30"]),
        "admin_test": frame(16, ["sms", "+15550100167"]),
        "remind": frame(17, ["carol", "login", "", "tty1"]),
        "prompt_on": frame(64, ["Code sent to c***@e***.org. Code: "]),
        "prompt_off": frame(65, ["New password: "]),
        "info_multiline": frame(66, ["Choose a method:\n  1) email\n\t2) sms"]),
        "error": frame(67, ["Contact your system administrator."]),
        "end_reset": frame(68, ["1"]),
        "end_unlocked": frame(68, ["7"]),
        "end_bad": frame(68, ["07"]),
        "data": frame(69, ['{"user":"carol","registered":true}']),
        "data_max": frame(69, ["x" * 4096]),
        # Malformed: what the decoder must refuse.
        "bad_magic": frame(2, ["x"], magic=b"PS"),
        "bad_version": frame(2, ["x"], version=2),
        "bad_type": frame(99, ["x"]),
        "oversized": frame(2, ["x"], length=8193),
        "short_body": frame(2, ["abc"], length=3),
        "trailing": frame(2, ["abc"]) + b"\0",
        "field_too_long": frame(5, ["u" * 257]),
        "control_char": frame(2, ["a\x1b[2Jb"]),
        "invalid_utf8": frame(1, ["car\xffol".encode("latin-1"), "sshd", "", ""]),
        "nul_in_field": frame(1, [b"carol\0root", "sshd", "", ""]),
    }
    for name, data in seeds.items():
        out("proto", name, data)


# --- configuration files --------------------------------------------------
def conf():
    shipped = open(os.path.join(TOP, "conf", "sspr.conf"), encoding="utf-8").read()
    out("conf", "shipped.conf", shipped)
    out("conf", "empty.conf", "")
    out("conf", "minimal.conf", "[general]\nenabled = yes\n")
    full = (
        "[general]\nenabled = yes\nmin_uid = 1000\nenabled_groups = staff, wheel\n"
        "helpdesk = Call 555-0100 (ext. 42)\nadmin_group = sspradmin\ncaptcha = yes\n"
        "reveal_unregistered = no\n"
        "[daemon]\nsocket = /run/sspr/ssprd.sock\nuser = sspr\nmax_connections = 64\n"
        "[backend]\ntype = shadow\nhash_method = sha512\nfaillock_dir = /var/run/faillock\n"
        "[methods]\nenabled = email, sms, voice_mobile, questions, totp, recovery_code\n"
        "required = 2\ncode_ttl = 600\ncode_attempts = 5\n"
        "[email]\nsmtp_url = smtps://mail.example.org:465\nusername = sspr\n"
        "password_file = /etc/sspr/smtp-password\nfrom = sspr@example.org\n"
        "[gateway]\nprovider = http\nauth_file = /etc/sspr/gateway-token\n"
        "from = +15555550100\nallowed_prefixes = +1 +44\n"
        "sms_url = https://gateway.example.org/sms\n"
        "call_url = https://gateway.example.org/call\nbody_format = json\n"
        "sms_body = {\"to\":\"{to}\",\"text\":\"{text}\"}\n"
        "[voice]\nmode = press_pound\ncallback_listen = 127.0.0.1:8089\n"
        "callback_url = https://sspr.example.org/voice\n"
        "[questions]\npool = What was the name of your first pet? | In which town?\n"
        "custom = no\nregister = 3\nanswer = 2\n"
        "[policy]\nmin_length = 12\nmax_length = 64\norganisation = Example Corp, ExCo\n"
        "[limits]\ncodes_per_hour = 5\ncodes_per_day = 20\nsends_per_hour = 100\n"
        "sends_per_day = 1000\n"
        "[notify]\nadmins = root@example.org, ops@example.org\nadmin_failures = yes\n"
    )
    out("conf", "full.conf", full)
    out("conf", "crlf_bom.conf", "\ufeff[general]\r\nenabled = no ; off\r\n")
    out("conf", "unknown_key.conf", "[general]\nenabeld = yes\n")
    out("conf", "duplicate.conf", "[general]\ncaptcha = yes\ncaptcha = no\n")
    out("conf", "continuation.conf", "[general]\nhelpdesk = a\n  b\n")
    out("conf", "inconsistent.conf", "[policy]\nmin_length = 40\nmax_length = 20\n")
    out("conf", "long_line.conf", "[general]\nhelpdesk = " + "x" * 300 + "\n")
    out("conf", "bad_section.conf", "[general\nenabled = yes\n[nope]\n[]\n")

    keys = re.findall(r'\{"(\w+)", "(\w+)", CT_', open(os.path.join(
        TOP, "common", "conf_keys.c")).read())
    words = sorted({"[%s]" % s for s, _ in keys} | {k for _, k in keys})
    words += ["yes", "no", "=", " = ", "\n", "email", "sms", "voice_mobile",
              "voice_office", "questions", "totp", "recovery_code", "twilio", "http",
              "form", "json", "speak_code", "press_pound", "gecos", "store",
              "https://", "smtp://", "smtps://", "+15550100167", "@localhost"]
    with open(os.path.join(HERE, "conf.dict"), "w") as f:
        f.write("# Generated by fuzz/mkcorpus.py from common/conf_keys.c.\n")
        for w in words:
            f.write(dict_entry(w))


# --- message templates ----------------------------------------------------
def c_strings(src):
    """The concatenated C string literals in src."""
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', src)
    s = "".join(parts)
    return (s.encode("latin-1").decode("unicode_escape").encode("latin-1")
            .decode("utf-8"))


def template():
    src = open(os.path.join(TOP, "common", "template_builtin.c"), encoding="utf-8").read()
    entries = re.findall(r'\{"(\w+)",[^"{}]*?(true|false),\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\}',
                         src)
    names = re.search(r"template_names\[\] = \{(.*?)\}", src, re.S)
    order = re.findall(r'"(\w+)"', names.group(1)) if names else [e[0] for e in entries]
    for name, _sms, lits in entries:
        idx = order.index(name)
        text = c_strings(lits)
        # Byte 1: 0 = large buffers.
        out("template", name, bytes([idx, 0]) + text.encode())
    code = order.index("code") if "code" in order else 0
    out("template", "code_value", bytes([code, 0]) +
        b"Subject: {user} on {host}\n\nCode {code}\n\0carol\nBcc: x\x1b[0m\xff")
    out("template", "code_small", bytes([code, 0x93]) +
        b"Subject: Code\n\nYour code: {code}, valid {minutes}.\n")
    out("template", "crlf_bom", bytes([code, 0]) +
        b"\xef\xbb\xbfSubject: x\r\n\r\n{{literal} {code}\r\n")
    out("template", "unknown_var", bytes([code, 0]) + b"Subject: {nope}\n\nx\n")
    out("template", "unterminated", bytes([code, 0]) + b"Subject: x\n\n{code\n")
    out("template", "no_blank", bytes([code, 0]) + b"Subject: x\nbody\n")
    var_names = re.search(r"template_var_names\[TV_COUNT\] = \{(.*?)\}", src, re.S)
    words = ["Subject: ", "{{", "\n\n"]
    if var_names:
        words += ["{%s}" % v for v in re.findall(r'"(\w+)"', var_names.group(1))]
    with open(os.path.join(HERE, "template.dict"), "w") as f:
        f.write("# Generated by fuzz/mkcorpus.py from common/template_builtin.c.\n")
        for w in words:
            f.write(dict_entry(w))


# --- validators -------------------------------------------------------------
def validate():
    seeds = {
        "email": "carol@example.org",
        "email_plus": "c.a+rol@mail.example.co.uk",
        "email_bad": "carol..x@-example.org",
        "sender_local": "sspr@localhost",
        "phone": "+15550100167",
        "phone_spaced": "+1 (555) 010-0167",
        "phone_taiwan": "+886-912-345-678",
        "phone_national": "05550100167",
        "user": "carol",
        "user_dollar": "host$",
        "user_dotdot": "..",
        "user_digits": "1001",
        "date": "2026-02-28",
        "date_bad": "2026-02-30",
        "iso": "2025-11-24T13:45:00Z",
        "span": "7d",
        "span_huge": "99999999999999999999w",
        "unix": "1764000000",
        "utf8": "Zoë \u732b\n\tok",
        "utf8_bad": b"\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xc2\x85",
        "with_nul": b"carol\0root@example.org",
    }
    for name, data in seeds.items():
        out("validate", name, data)


# --- security questions -----------------------------------------------------
def qa():
    # Byte 0: bit 7 custom, bits 0-3 count - 1 (mod 10), bits 4-6 min length - 1.
    seeds = {
        "three_custom": bytes([0x80 | 0x20 | 2]) +
        "What was the name of your first pet?\tRex\nIn which city were you born?\t"
        "Lyon\nFavourite colour?\tdark green\n".encode(),
        "pool_only": bytes([0x00 | 1]) +
        b"  what was the NAME of your  first pet?  \trex the dog\r\n\n"
        b"In which city were you born?\tLyon\n",
        "utf8_fold": bytes([0x80 | 1]) +
        "Quel est le nom de votre \u00c9COLE primaire ?\tJules Ferry\n"
        "Stra\u00dfe?\tHAUPTSTRASSE\n".encode(),
        "duplicate": bytes([0x80 | 1]) + b"Pet?\tRex\nPET ?\tRex\n",
        "no_tab": bytes([0x80]) + b"just a line\n",
        "same_answer": bytes([0x80 | 1]) + b"A?\tsame\nB?\tSAME\n",
        "pool_file": bytes([0x80]) + b"# comment\n\nFirst pet?\n  Birth town?  \n",
    }
    for name, data in seeds.items():
        out("qa", name, data)


# --- privileged messages (ssprd/privsep_msg.h) -------------------------------
def privsep():
    def msg(mtype, *fields, length=None):
        body = b""
        for f in fields:
            if isinstance(f, int):
                body += struct.pack(">I", f)
            else:
                f = f.encode() if isinstance(f, str) else f
                body += struct.pack(">H", len(f)) + f
        n = len(body) if length is None else length
        return struct.pack(">HH", mtype, n) + body

    seeds = {
        "channel": msg(1),
        "ready": msg(2),
        "stop": msg(3),
        "account_state": msg(16, "carol"),
        "current_hash": msg(17, "carol"),
        "verify_password": msg(18, "carol", "correct horse battery"),
        "mark_verified": msg(19, "carol"),
        "set_password": msg(20, "carol", "Zoë's new pässword 42"),
        "faillock_records": msg(21, "carol"),
        "unlock": msg(22, "carol"),
        "audit_log": msg(23, "PAM:chauthtok", "carol", "192.0.2.7", "pts/3", 1),
        "opasswd_match": msg(24, "carol", "old password"),
        "r_status": msg(64, 13),
        "r_value": msg(65, 0, 4294967295),
        "r_hash": msg(66, 0, "$y$j9T$salt$hash"),
        "r_busy": msg(67),
        "password_max": msg(20, "u" * 256, "p" * 1024),
        # Malformed: what the decoder must refuse.
        "errno_too_big": msg(64, 4096),
        "audit_ok_2": msg(23, "op", "carol", "", "", 2),
        "user_too_long": msg(16, "u" * 257),
        "length_mismatch": msg(16, "carol", length=99),
        "trailing": msg(16, "carol") + b"\0",
        "control_char": msg(16, "car\nol"),
        "unknown_type": msg(99, "carol"),
        "short": b"\0\x10\0",
    }
    for name, data in seeds.items():
        out("privsep", name, data)


def main():
    for f in (proto, conf, template, validate, qa, privsep):
        f()
    print("corpora written under %s" % os.path.join(HERE, "corpus"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
