"""A throwaway world for testing the sspr and ssprctl CLIs against a real ssprd.

Run as root (the CLIs are started as the test users through setpriv). Python
3 with pexpect; aiosmtpd is started as a subprocess of /usr/bin/python3.

    from world import World, OLD
    w = World(gateway=False, overrides={("methods", "required"): "2"}, extra_conf="")
    try:
        r = w.ssprctl("enroll", "alice", "--email", "a@example.org")
        assert r.returncode == 0, r.stderr
        child = w.sspr("alice", "status")        # pexpect.spawn, encoding utf-8
        child.expect("a\\*\\*\\*@e\\*\\*\\*\\.org")
    finally:
        w.close()

The world (everything in a temp directory w.dir, mode 0755):
  users (nss_wrapper files w.dir/passwd and w.dir/group):
      root 0, sysuser 50 (below min_uid), alice 1001, bob 1002, carol 1003,
      ops 1010 (supplementary member of group sspradmin, gid 1500);
      sspr 990 (ENGINE_USER: ssprd's engine runs as it; no shadow entry)
    each with its own group (gid = uid). users=[("dave", 1004), ("erin", 1005,
    "Erin,Room 1,+15550001111,,")] adds more (name, uid[, gecos]).
  shadow: w.shadow (temp file); every user's password is OLD ("Old-password-1"),
    sha512-crypt.
  config: w.conf (sspr.conf, mode 0644); sections in this order:
      [general]  helpdesk = Call the CLI test helpdesk.   admin_group = sspradmin
      [daemon]   socket = w.sock   state_dir = w.state_dir
      [backend]  shadow_file = w.shadow   faillock_dir = w.faillock_dir
      [methods]  enabled = email, sms, voice_mobile, voice_office, questions, totp,
                 recovery_code
      [email]    smtp_url = smtp://127.0.0.1:PORT   from = sspr@example.org
                 timeout = 10
      [gateway]  provider = twilio, url = http://127.0.0.1:GWPORT (gateway=False:
                 port 1, where nothing listens),
                 account_sid = GATEWAY_SID, auth_file = w.dir/gateway-token (holding
                 GATEWAY_TOKEN), from = +15550100000, timeout = 3, retries = 1
      [policy]   pwquality_conf = w.dir/pwquality.conf   opasswd = w.dir/opasswd
    then overrides: a dict {(section, key): value} merged into the above before
    writing (value None deletes the key; new sections are appended; "@DIR" in
    a value becomes w.dir), then
    extra_conf appended verbatim (it may open sections, but sspr.conf refuses a
    key set twice, so change written keys through overrides). In extra_conf
    "@DIR" becomes w.dir. w.conf_text holds what was written.
  processes: aiosmtpd (Maildir w.maildir, log w.dir/smtp.log), the fake gateway
    tests/integration/fake_gateway.py (gateway=True; log w.gateway_log_path,
    control file w.gateway_control_path), build/ssprd --config w.conf under
    nss_wrapper, stdout+stderr to w.dir/ssprd.log. The constructor returns once
    the socket accepts connections.

Methods (all raise AssertionError/RuntimeError on failure):
  sspr(user, *args, timeout=10) -> pexpect.spawn of `build/sspr --config CONF ARGS`
      as user (uid, gid and supplementary groups from the world's files; "root"
      runs without setpriv), on a 50x200 pty, encoding utf-8.
  ssprctl(*args, user=None, input=None, timeout=30) -> subprocess.CompletedProcess
      (text; stdout, stderr, returncode) of `build/ssprctl --config CONF ARGS`;
      user None = root; input: text for stdin (None: /dev/null).
  ssprctl_pty(*args, user=None, timeout=30) -> pexpect.spawn, like sspr().
  mails(to=None, subject=None) -> [email.message.EmailMessage], oldest first.
      to: case-insensitive match of the address in To or X-RcptTo; subject: a
      case-insensitive substring of the (decoded) Subject.
  wait_mail(to=None, subject=None, count=1, timeout=10) -> mails(...) once at
      least count of them are there.
  mail_text(msg) -> the text/plain body (str).  (static)
  last_code(to=None, timeout=10) -> the 6-digit code in the newest mail (to the
      address) that holds one; waits up to timeout for one to exist. To get a
      fresh code after an earlier one, wait_mail(count=N) first.
  gateway_records() -> every record of the fake gateway log (dicts).
  sms() -> the records whose kind is "sms" (keys: to, from, body, status,
      auth_ok, api ...), oldest first. calls() -> kind "call" records.
  last_sms_code(timeout=10) -> the code in the newest SMS that holds one.
  gateway_control(obj) -> replace the fake gateway's control file (dict).
  shadow_hash(user) -> the hash field of user's shadow entry.
  db() -> sqlite3.Connection, read only, to w.state_dir/sspr.db.
  secret_files() -> existing ones of sspr.db, sspr.db-wal, sspr.db-shm,
      ssprd.log, smtp.log, gateway.out.
  assert_no_secret(*secrets) -> AssertionError naming the file when a secret
      occurs in a secret file (binary search; all-digit secrets are also
      searched as their digit values, b"\\x01\\x02\\x03...").
  log() -> ssprd.log text.
  faillock_add(user, n=1) -> append n pam_faillock tally records for user in
      w.faillock_dir (Linux-PAM's struct tally: 64 bytes each).
  faillock_records(user) -> number of records in the tally file (0: no file).
  user(name) -> dict(name, uid, gid, groups) from the world's files.
  stop_daemon(); start_daemon(); restart_daemon()
      (w.daemon_wrapper, a list, is put before the ssprd command line)
  close() -> stop every process, remove w.dir (kept when env SSPR_KEEP_WORLD=1).
Attributes: dir, conf, conf_text, sock, state_dir, shadow, maildir,
  faillock_dir, smtp_port, gateway_port (None without gateway), build, env
  (the nss_wrapper environment used for every process).
"""
import email
import email.policy
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import tempfile
import time

import pexpect

OLD = "Old-password-1"
NEW = "New-password-42"
HELPDESK = "Call the CLI test helpdesk."
GATEWAY_SID = "ACtest0123"
GATEWAY_TOKEN = "gateway-secret-token"
ADMIN_GROUP = ("sspradmin", 1500)
ALL_METHODS = "email, sms, voice_mobile, voice_office, questions, totp, recovery_code"
TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("SSPR_BUILD") or os.path.join(os.path.dirname(TESTS_DIR), "build")

# (name, uid, gecos); gid = uid
DEFAULT_USERS = [
    ("root", 0, "root"),
    ("sysuser", 50, "System"),
    ("alice", 1001, "Alice Example"),
    ("bob", 1002, "Bob Example"),
    ("carol", 1003, "Carol Example"),
    ("ops", 1010, "Operator"),
]
# [daemon] user (name, uid, gid): in the nss_wrapper files only
ENGINE_USER = ("sspr", 990, 990)
# group -> members (supplementary)
DEFAULT_MEMBERS = {"sspradmin": ["ops"]}

_CODE_NEAR = re.compile(r"code[^0-9]{0,60}?(?<![0-9])([0-9](?:[ ,]?[0-9]){5})(?![0-9])",
                        re.I | re.S)
_CODE_ANY = re.compile(r"(?<![0-9+\-:./])([0-9]{6})(?![0-9])")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(check, what, timeout=10.0, interval=0.05):
    end = time.monotonic() + timeout
    while True:
        v = check()
        if v:
            return v
        if time.monotonic() >= end:
            raise RuntimeError("timed out after %gs waiting for %s" % (timeout, what))
        time.sleep(interval)


def tcp_ready(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def unix_ready(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(0.5)
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


def hash_password(password):
    try:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import crypt
        return crypt.crypt(password, crypt.mksalt(crypt.METHOD_SHA512))
    except ImportError:
        return subprocess.run(["openssl", "passwd", "-6", "-stdin"], input=password,
                              text=True, capture_output=True, check=True).stdout.strip()


def find_code(text):
    """The 6-digit code in text (digits may be separated by spaces or
    commas after the word "code"), or None."""
    m = _CODE_NEAR.search(text)
    if m:
        return re.sub(r"[^0-9]", "", m.group(1))
    m = _CODE_ANY.search(text)
    return m.group(1) if m else None


class World:
    def __init__(self, extra_conf="", gateway=False, users=None, overrides=None):
        self.build = os.path.abspath(BUILD)
        self.procs = {}
        # Prepended to the ssprd command line (e.g. to run it in a namespace).
        self.daemon_wrapper = []
        self.dir = tempfile.mkdtemp(prefix="sspr-cli.")
        try:
            self._setup(extra_conf, gateway, users, overrides or {})
        except BaseException:
            self.close()
            raise

    # --- setup ---------------------------------------------------------

    def _setup(self, extra_conf, gateway, users, overrides):
        os.chmod(self.dir, 0o755)
        self.state_dir = self.path("state")
        self.sock = self.path("ssprd.sock")
        self.shadow = self.path("shadow")
        self.maildir = self.path("Maildir")
        self.faillock_dir = self.path("faillock")
        os.mkdir(self.faillock_dir, 0o755)
        self._users = [(n, u, u, g) for n, u, g in DEFAULT_USERS]
        for extra in users or []:
            name, uid = extra[0], extra[1]
            gecos = extra[2] if len(extra) > 2 else name
            self._users.append((name, uid, uid, gecos))
        # The [daemon] user ssprd (started as root) runs its engine as;
        # not a test user (no shadow entry).
        self.write("passwd", "".join("%s:x:%d:%d:%s:/:/bin/sh\n" % (n, u, g, gecos)
                                     for n, u, g, gecos in self._users)
                   + "%s:x:%d:%d:sspr engine:/nonexistent:/usr/sbin/nologin\n" % ENGINE_USER)
        groups = ["%s:x:%d:\n" % (n, g) for n, _, g, _ in self._users]
        groups.append("%s:x:%d:\n" % (ENGINE_USER[0], ENGINE_USER[2]))
        groups.append("%s:x:%d:%s\n" % (ADMIN_GROUP[0], ADMIN_GROUP[1],
                                        ",".join(DEFAULT_MEMBERS["sspradmin"])))
        self.write("group", "".join(groups))
        self.write("shadow", "".join("%s:%s:19000:0:99999:7:::\n" % (n, hash_password(OLD))
                                     for n, _, _, _ in self._users), 0o640)
        self.write("pwquality.conf", "dictcheck = 1\nusercheck = 1\n")
        self.env = dict(os.environ, LD_PRELOAD="libnss_wrapper.so",
                        NSS_WRAPPER_PASSWD=self.path("passwd"),
                        NSS_WRAPPER_GROUP=self.path("group"), LANG="C.UTF-8", LC_ALL="C.UTF-8",
                        HOME="/", TERM="dumb")
        # The tests read English unless they ask for another language:
        # LANGUAGE would outrank LC_ALL for the CLIs.
        for k in ("SSPR_BUILD", "PYTHONPATH", "LANGUAGE", "LC_MESSAGES"):
            self.env.pop(k, None)
        # The catalogs the build made, copied where the test users can
        # read them: the CLIs run as those users, and the checkout may be
        # private (a 0700 clone in CI).
        catalogs = os.environ.get("SSPR_LOCALEDIR") or os.path.join(self.build, "locale")
        if os.path.isdir(catalogs):
            shutil.copytree(catalogs, self.path("locale"))
            self.env["SSPR_LOCALEDIR"] = self.path("locale")

        self.smtp_port = free_port()
        self._spawn("smtp", ["/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l",
                             "127.0.0.1:%d" % self.smtp_port, "-c",
                             "aiosmtpd.handlers.Mailbox", self.maildir], "smtp.log")
        self.gateway_port = None
        self.gateway_log_path = self.path("gateway.log")
        self.gateway_control_path = self.path("gateway.json")
        # sms and voice need [gateway] auth_file even without a gateway:
        # then the url points at a closed port (127.0.0.1:1).
        self.write("gateway-token", GATEWAY_TOKEN + "\n", 0o600)
        if gateway:
            self.gateway_port = free_port()
            self.write("gateway.json", "{}\n")
            self._spawn("gateway", ["/usr/bin/python3",
                                    os.path.join(TESTS_DIR, "integration", "fake_gateway.py"),
                                    "--port", str(self.gateway_port),
                                    "--log", self.gateway_log_path,
                                    "--control", self.gateway_control_path,
                                    "--sid", GATEWAY_SID, "--token", GATEWAY_TOKEN],
                        "gateway.out")
        wait_for(lambda: tcp_ready(self.smtp_port), "aiosmtpd")
        if gateway:
            wait_for(lambda: tcp_ready(self.gateway_port), "the fake gateway")

        sections = [
            ("general", [("helpdesk", HELPDESK), ("admin_group", ADMIN_GROUP[0])]),
            ("daemon", [("socket", self.sock), ("state_dir", self.state_dir)]),
            ("backend", [("shadow_file", self.shadow), ("faillock_dir", self.faillock_dir)]),
            ("methods", [("enabled", ALL_METHODS)]),
            ("email", [("smtp_url", "smtp://127.0.0.1:%d" % self.smtp_port),
                       ("from", "sspr@example.org"), ("timeout", "10")]),
        ]
        sections.append(("gateway", [
                ("provider", "twilio"),
                ("url", "http://127.0.0.1:%d" % (self.gateway_port or 1)),
                ("account_sid", GATEWAY_SID), ("auth_file", self.path("gateway-token")),
                ("from", "+15550100000"), ("timeout", "3"), ("retries", "1")]))
        sections.append(("policy", [("pwquality_conf", self.path("pwquality.conf")),
                                    ("opasswd", self.path("opasswd"))]))
        conf = {name: dict(keys) for name, keys in sections}
        order = [name for name, _ in sections]
        for (section, key), value in overrides.items():
            if section not in conf:
                conf[section] = {}
                order.append(section)
            if value is None:
                conf[section].pop(key, None)
            else:
                conf[section][key] = str(value).replace("@DIR", self.dir)
        text = "".join("[%s]\n%s" % (s, "".join("%s = %s\n" % kv for kv in conf[s].items()))
                       for s in order)
        if extra_conf:
            text += extra_conf.replace("@DIR", self.dir).strip("\n") + "\n"
        self.conf_text = text
        self.conf = self.write("sspr.conf", text)
        self.start_daemon()

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text, mode=0o644):
        path = self.path(name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    def _spawn(self, key, argv, log, env=None):
        out = open(self.path(log), "ab")
        try:
            self.procs[key] = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                               stderr=out, env=env, start_new_session=True)
        finally:
            out.close()
        return self.procs[key]

    def _stop(self, key):
        p = self.procs.pop(key, None)
        if p is None:
            return
        if p.poll() is None:
            p.send_signal(signal.SIGCONT)
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    # --- daemon ----------------------------------------------------------

    def start_daemon(self):
        assert "ssprd" not in self.procs, "ssprd already running"
        argv = list(self.daemon_wrapper) + [self.build + "/ssprd", "--config", self.conf]
        p = self._spawn("ssprd", argv, "ssprd.log", env=self.env)

        def up():
            if p.poll() is not None:
                raise RuntimeError("ssprd exited with status %s:\n%s" % (p.returncode,
                                                                        self.log()[-3000:]))
            return unix_ready(self.sock)
        wait_for(up, "ssprd's socket", timeout=15)

    def stop_daemon(self):
        self._stop("ssprd")

    def restart_daemon(self):
        self.stop_daemon()
        self.start_daemon()

    def log(self):
        try:
            with open(self.path("ssprd.log"), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    # --- users and clients ---------------------------------------------

    def user(self, name):
        for n, uid, gid, _ in self._users:
            if n == name:
                groups = [gid] + [ADMIN_GROUP[1] for g, m in DEFAULT_MEMBERS.items()
                                  if name in m]
                return dict(name=n, uid=uid, gid=gid, groups=groups)
        raise KeyError("no user %s in the world" % name)

    def _as(self, user, argv):
        if user is None or user == "root":
            return argv
        u = self.user(user)
        return ["setpriv", "--reuid", str(u["uid"]), "--regid", str(u["gid"]),
                "--groups", ",".join(str(g) for g in u["groups"]), "--"] + argv

    def sspr(self, user, *args, timeout=10):
        argv = self._as(user, [self.build + "/sspr", "--config", self.conf] + list(args))
        return pexpect.spawn(argv[0], argv[1:], env=self.env, encoding="utf-8",
                             timeout=timeout, dimensions=(50, 200), cwd="/")

    def ssprctl(self, *args, user=None, input=None, timeout=30):
        argv = self._as(user, [self.build + "/ssprctl", "--config", self.conf] + list(args))
        return subprocess.run(argv, env=self.env, text=True, input=input,
                              stdin=subprocess.DEVNULL if input is None else None,
                              capture_output=True, timeout=timeout, cwd="/")

    def ssprctl_pty(self, *args, user=None, timeout=30):
        argv = self._as(user, [self.build + "/ssprctl", "--config", self.conf] + list(args))
        return pexpect.spawn(argv[0], argv[1:], env=self.env, encoding="utf-8",
                             timeout=timeout, dimensions=(50, 200), cwd="/")

    # --- mail ----------------------------------------------------------

    def mails(self, to=None, subject=None):
        found = []
        for sub in ("new", "cur"):
            d = os.path.join(self.maildir, sub)
            try:
                names = os.listdir(d)
            except FileNotFoundError:
                continue
            for name in names:
                p = os.path.join(d, name)
                try:
                    with open(p, "rb") as f:
                        msg = email.message_from_binary_file(f, policy=email.policy.default)
                    found.append((os.stat(p).st_mtime_ns, name, msg))
                except FileNotFoundError:
                    continue
        found.sort(key=lambda t: (t[0], t[1]))
        out = []
        for _, _, msg in found:
            if to is not None:
                rcpts = " ".join(str(msg.get(h, "")) for h in ("To", "X-RcptTo")).lower()
                if to.lower() not in rcpts:
                    continue
            if subject is not None and subject.lower() not in str(msg.get("Subject", "")).lower():
                continue
            out.append(msg)
        return out

    def wait_mail(self, to=None, subject=None, count=1, timeout=10):
        def enough():
            m = self.mails(to, subject)
            return m if len(m) >= count else None
        try:
            return wait_for(enough, "mail", timeout=timeout)
        except RuntimeError:
            have = ["%s: %s" % (m.get("To"), m.get("Subject")) for m in self.mails()]
            raise AssertionError("expected %d mail(s) to=%r subject=%r within %gs; have: %s"
                                 % (count, to, subject, timeout, have)) from None

    @staticmethod
    def mail_text(msg):
        part = msg.get_body(preferencelist=("plain", "html")) if msg.is_multipart() else msg
        if part is None:
            return ""
        try:
            return part.get_content()
        except (KeyError, LookupError):
            return part.get_payload(decode=True).decode("utf-8", "replace")

    def last_code(self, to=None, timeout=10):
        def newest():
            for msg in reversed(self.mails(to)):
                code = find_code(self.mail_text(msg))
                if code:
                    return code
            return None
        try:
            return wait_for(newest, "a code mail", timeout=timeout)
        except RuntimeError:
            raise AssertionError("no mail with a code to %r" % (to,)) from None

    # --- fake gateway --------------------------------------------------

    def gateway_records(self):
        try:
            with open(self.gateway_log_path, encoding="utf-8") as f:
                return [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []

    def sms(self):
        return [r for r in self.gateway_records() if r.get("kind") == "sms"]

    def calls(self):
        return [r for r in self.gateway_records() if r.get("kind") == "call"]

    def last_sms_code(self, timeout=10):
        def newest():
            for r in reversed(self.sms()):
                code = find_code(r.get("body") or "")
                if code:
                    return code
            return None
        try:
            return wait_for(newest, "an SMS with a code", timeout=timeout)
        except RuntimeError:
            raise AssertionError("no SMS with a code") from None

    def gateway_control(self, obj):
        tmp = self.gateway_control_path + ".new"
        with open(tmp, "w") as f:
            json.dump(obj, f)
        os.replace(tmp, self.gateway_control_path)

    # --- state ---------------------------------------------------------

    def shadow_hash(self, user):
        with open(self.shadow) as f:
            for line in f:
                fields = line.rstrip("\n").split(":")
                if fields[0] == user:
                    return fields[1]
        raise KeyError("%s not in the shadow file" % user)

    def db(self):
        return sqlite3.connect("file:%s?mode=ro" % os.path.join(self.state_dir, "sspr.db"),
                               uri=True, timeout=10)

    def secret_files(self):
        names = [os.path.join(self.state_dir, n) for n in ("sspr.db", "sspr.db-wal",
                                                           "sspr.db-shm")]
        names += [self.path(n) for n in ("ssprd.log", "smtp.log", "gateway.out")]
        return [p for p in names if os.path.exists(p)]

    def assert_no_secret(self, *secrets):
        needles = []
        for s in secrets:
            if not s:
                continue
            needles.append((s, s.encode()))
            if s.isdigit():
                needles.append((s + " (as digit bytes)", bytes(int(c) for c in s)))
        for p in self.secret_files():
            with open(p, "rb") as f:
                data = f.read()
            for shown, needle in needles:
                if needle in data:
                    raise AssertionError("secret %r found in %s" % (shown, p))

    def faillock_add(self, user, n=1, source="pts/0"):
        # Linux-PAM pam_faillock struct tally: char source[52]; uint16_t
        # reserved; uint16_t status (TALLY_STATUS_VALID 1 | TALLY_STATUS_TTY 4);
        # uint64_t time.
        rec = struct.pack("=52sHHQ", source.encode(), 0, 0x1 | 0x4, int(time.time()))
        assert len(rec) == 64
        p = os.path.join(self.faillock_dir, user)
        with open(p, "ab") as f:
            f.write(rec * n)
        os.chmod(p, 0o600)
        return p

    def faillock_records(self, user):
        try:
            return os.path.getsize(os.path.join(self.faillock_dir, user)) // 64
        except FileNotFoundError:
            return 0

    # --- teardown --------------------------------------------------------

    def close(self):
        for key in ("ssprd", "gateway", "smtp"):
            try:
                self._stop(key)
            except Exception:
                pass
        for key in list(self.procs):
            self._stop(key)
        if os.environ.get("SSPR_KEEP_WORLD") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)
