#!/usr/bin/python3
"""End-to-end tests with real clients: OpenSSH and the console login program.

Runs as root only (it creates a throwaway system user, writes the real
/etc/shadow through ssprd and starts a private sshd on 127.0.0.1). The PAM
stacks are private too: pam_wrapper points sshd and login at service files
in a temp directory, so /etc/pam.d is never touched.

Usage: test_e2e.py BUILD_DIR
Prints one line per test and a closing "N passed, N failed" line.
"""
import mailbox
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

import pexpect

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
OLD = "Old-e2e-pass-1"
NEW = "New-e2e-pass-42"
PROMPT = r"Password \(press Enter if you forgot it\): "


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(check, what, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.05)
    raise RuntimeError("timed out waiting for " + what)


def can_connect(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


class World:
    """A throwaway user, aiosmtpd, ssprd and the private PAM stacks."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="sspr-e2e.")
        os.chmod(self.dir, 0o755)
        self.user = "sspre2e%d" % (os.getpid() % 100000)
        self.procs = []
        subprocess.run(["useradd", "-m", "-s", "/bin/sh", self.user], check=True)
        # ssprd runs its engine as the system user sspr, as installed by the
        # packages; create it for the test when this machine has none.
        self.made_sspr_user = subprocess.run(["id", "sspr"], stdout=subprocess.DEVNULL,
                                             stderr=subprocess.DEVNULL).returncode != 0
        if self.made_sspr_user:
            subprocess.run(["useradd", "--system", "--user-group", "--no-create-home",
                            "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
                            "sspr"], check=True)
        subprocess.run(["chpasswd"], input="%s:%s\n" % (self.user, OLD), text=True, check=True)
        self.smtp_port = free_port()
        self.maildir = os.path.join(self.dir, "Maildir")
        self.spawn(["/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l",
                    "127.0.0.1:%d" % self.smtp_port, "-c", "aiosmtpd.handlers.Mailbox",
                    self.maildir], "smtp.log")
        wait_for(lambda: can_connect(self.smtp_port), "aiosmtpd")
        self.sock = os.path.join(self.dir, "ssprd.sock")
        self.conf = self.write("sspr.conf", f"""
[general]
helpdesk = Call the e2e helpdesk.
[daemon]
socket = {self.sock}
state_dir = {self.dir}/state
[backend]
shadow_file = /etc/shadow
[email]
smtp_url = smtp://127.0.0.1:{self.smtp_port}
from = sspr@example.org
""")
        self.spawn([BUILD + "/ssprd", "--config", self.conf], "ssprd.log")
        wait_for(lambda: os.path.exists(self.sock), "ssprd")
        subprocess.run([BUILD + "/ssprctl", "--config", self.conf, "enroll", self.user,
                        "--email", "e2e@example.org"], check=True, stdout=subprocess.DEVNULL)
        self.pamdir = os.path.join(self.dir, "pam.d")
        os.mkdir(self.pamdir)
        security = subprocess.run(["pkg-config", "--variable=libdir", "pam"], text=True,
                                  capture_output=True, check=True).stdout.strip() + "/security"
        stack = f"""auth [success=done ignore=ignore default=die] {BUILD}/pam_sspr.so socket={self.sock}
auth required {security}/pam_unix.so try_first_pass
account required {security}/pam_unix.so
session required {security}/pam_permit.so
password required {security}/pam_deny.so
"""
        for service in ("sshd-sspr", "login"):
            self.write("pam.d/" + service, stack)
        # The stack pam_faillock(8) documents, with pam_sspr before pam_unix.
        self.faillock_dir = os.path.join(self.dir, "faillock")
        os.mkdir(self.faillock_dir)
        fl = f"{security}/pam_faillock.so dir={self.faillock_dir} deny=2 unlock_time=600"
        self.write("pam.d/faillock-test", f"""auth required {fl} preauth
auth [success=done ignore=ignore default=die] {BUILD}/pam_sspr.so socket={self.sock}
auth [success=1 default=bad] {security}/pam_unix.so try_first_pass
auth [default=die] {fl} authfail
auth sufficient {fl} authsucc
auth required {security}/pam_deny.so
account required {security}/pam_unix.so
""")
        self.write("pam.d/other", f"auth required {security}/pam_deny.so\n")
        self.wrapped = dict(os.environ, LD_PRELOAD="libpam_wrapper.so", PAM_WRAPPER="1",
                            PAM_WRAPPER_SERVICE_DIR=self.pamdir)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text.lstrip("\n"))
        return path

    def spawn(self, argv, log, env=None):
        out = open(os.path.join(self.dir, log), "ab")
        p = subprocess.Popen(argv, stdout=out, stderr=out, env=env)
        self.procs.append(p)
        return p

    def start_sshd(self, password_auth):
        os.makedirs("/run/sshd", exist_ok=True)
        key = os.path.join(self.dir, "hostkey")
        if not os.path.exists(key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key],
                           check=True)
        port = free_port()
        method = "password" if password_auth else "keyboard-interactive"
        conf = self.write("sshd_config_%d" % port, f"""
Port {port}
ListenAddress 127.0.0.1
HostKey {key}
PidFile {self.dir}/sshd.{port}.pid
UsePAM yes
KbdInteractiveAuthentication {"no" if password_auth else "yes"}
PasswordAuthentication {"yes" if password_auth else "no"}
PubkeyAuthentication no
AuthenticationMethods {method}
""")
        # OpenSSH 9.2 takes the PAM service name from argv[0].
        link = os.path.join(self.dir, "sshd-sspr")
        if not os.path.exists(link):
            os.symlink("/usr/sbin/sshd", link)
        self.spawn([link, "-D", "-e", "-f", conf], "sshd.log", env=self.wrapped)
        wait_for(lambda: can_connect(port), "sshd")
        return port

    def shadow_hash(self):
        with open("/etc/shadow") as f:
            for line in f:
                if line.startswith(self.user + ":"):
                    return line.split(":")[1]
        raise RuntimeError("user missing from /etc/shadow")

    def last_code(self):
        codes = []
        for key, msg in mailbox.Maildir(self.maildir, create=False).items():
            body = msg.get_payload(decode=True).decode()
            m = re.search(r"reset code is: (\d{6})", body)
            if m:
                codes.append((os.path.getmtime(os.path.join(self.maildir, "new", key)), m.group(1)))
        if not codes:
            raise RuntimeError("no code mail")
        return sorted(codes)[-1][1]

    def mails(self, subject):
        return sum(1 for m in mailbox.Maildir(self.maildir, create=False) if m["Subject"] == subject)

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        subprocess.run(["userdel", "-r", self.user], stderr=subprocess.DEVNULL)
        if getattr(self, "made_sspr_user", False):
            subprocess.run(["userdel", "sspr"], stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


def ssh(world, port, command="echo LOGGED-IN-$((40+2))", password_auth=False):
    method = "password" if password_auth else "keyboard-interactive"
    return pexpect.spawn("ssh", ["-p", str(port), "-o", "StrictHostKeyChecking=no",
                                 "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                                 "-o", "PreferredAuthentications=" + method,
                                 "-o", "NumberOfPasswordPrompts=1",
                                 "%s@127.0.0.1" % world.user, command],
                         encoding="utf-8", timeout=30)


def reset_dialogue(world, child):
    """Walk the reset dialogue on child, up to and including the final prompt."""
    child.expect(PROMPT)
    child.sendline("")
    child.expect(r"Continue with password recovery\? \[y/N\] ")
    child.sendline("y")
    child.expect(r"Choose \[1\]: ")
    child.sendline("1")
    child.expect("Enter the code: ")
    child.sendline(world.last_code())
    child.expect("New password: ")
    child.sendline(NEW)
    child.expect("Retype new password: ")
    child.sendline(NEW)
    child.expect(r"Your password has been reset\. Log in with your new password\.")
    child.expect(r"Press Enter to continue\. ")
    child.sendline("")


def login_with(child, password):
    child.expect(PROMPT)
    child.sendline(password)


def test_ssh_reset_then_login(world):
    port = world.start_sshd(password_auth=False)
    before = world.shadow_hash()
    child = ssh(world, port)
    reset_dialogue(world, child)
    child.expect("Permission denied")
    child.expect(pexpect.EOF)
    assert world.shadow_hash() != before, "shadow entry unchanged"
    assert world.shadow_hash().startswith("$y$"), world.shadow_hash()
    wait_for(lambda: world.mails("Your password was reset") == 1, "the reset notice")
    # The new password logs in and runs a command; the old one is refused.
    child = ssh(world, port)
    login_with(child, NEW)
    child.expect("LOGGED-IN-42")
    child.expect(pexpect.EOF)
    child = ssh(world, port)
    login_with(child, OLD)
    child.expect("Permission denied")


def test_ssh_password_auth_declined(world):
    """sshd's PasswordAuthentication answers every echo-off prompt with the
    password and fails echo-on prompts: a typed password must still log in,
    and an empty one must end cleanly without sending any code."""
    port = world.start_sshd(password_auth=True)
    codes_before = world.mails("Your password reset code")
    child = ssh(world, port, password_auth=True)
    child.expect(r"password: ")
    child.sendline(OLD)
    child.expect("LOGGED-IN-42")
    child.expect(pexpect.EOF)
    child = ssh(world, port, password_auth=True)
    child.expect(r"password: ")
    child.sendline("")
    child.expect("Permission denied")
    child.expect(pexpect.EOF)
    assert world.mails("Your password reset code") == codes_before, "a code was sent"


def test_console_login_reset(world):
    env = world.wrapped
    child = pexpect.spawn("login", ["--", world.user], env=env, encoding="utf-8", timeout=30)
    reset_dialogue(world, child)
    # login asks again after a failed attempt (or exits); either way, a new
    # login with the new password must open a shell.
    child.close(force=True)
    child = pexpect.spawn("login", ["--", world.user], env=env, encoding="utf-8", timeout=30)
    login_with(child, NEW)
    child.expect(r"[$#] ")
    child.sendline("echo LOGGED-IN-$((40+2)); exit")
    child.expect("LOGGED-IN-42")
    child.expect(pexpect.EOF)


def pamtester(world, service):
    return pexpect.spawn("pamtester", ["-v", service, world.user, "authenticate"],
                         env=world.wrapped, encoding="utf-8", timeout=30)


def test_faillock_not_tripped_by_reset(world):
    """deny=2: one wrong password plus a reset dialogue must not lock the
    user out, so the dialogue itself cannot count as a failure."""
    child = pamtester(world, "faillock-test")
    login_with(child, "wrong-password-1")
    child.expect("Authentication failure")
    child = pamtester(world, "faillock-test")
    reset_dialogue(world, child)
    child.expect("Authentication failure")
    tally = subprocess.run(["faillock", "--dir", world.faillock_dir, "--user", world.user],
                           text=True, capture_output=True).stdout
    records = re.findall(r"^\d{4}-\d{2}-\d{2} ", tally, re.M)
    assert len(records) == 1, "expected one failure record (the wrong password):\n" + tally
    child = pamtester(world, "faillock-test")
    login_with(child, NEW)
    child.expect("successfully authenticated")
    # And a second wrong password after that does not lock either: the
    # successful login cleared the tally.
    child = pamtester(world, "faillock-test")
    login_with(child, "wrong-password-2")
    child.expect("Authentication failure")
    child = pamtester(world, "faillock-test")
    login_with(child, NEW)
    child.expect("successfully authenticated")


TESTS = [test_ssh_reset_then_login, test_ssh_password_auth_declined, test_console_login_reset,
         test_faillock_not_tripped_by_reset]


def main():
    if os.geteuid() != 0:
        print("e2e: these tests create a system user and start sshd: run as root. Not run.")
        return 0
    passed = failed = 0
    for test in TESTS:
        world = World()
        try:
            # The console test starts from the old password again.
            test(world)
            print("PASS", test.__name__)
            passed += 1
        except Exception:
            print("FAIL", test.__name__)
            traceback.print_exc()
            for log in ("ssprd.log", "sshd.log"):
                path = os.path.join(world.dir, log)
                if os.path.exists(path):
                    print("---", log)
                    print(open(path, errors="replace").read()[-3000:])
            failed += 1
        finally:
            world.close()
    print("e2e: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
