#!/usr/bin/python3
"""SMTP sink for `make bench` (run with /usr/bin/python3, which has aiosmtpd).

Accepts every message on 127.0.0.1:PORT and, for each recipient
benchNNN@example.org, sends one datagram to the load client's inbox socket:
"benchNNN CODE" for a code mail, "benchNNN notice" for any other mail (the
reset notice). Nothing is stored. Counts are printed on exit.

Usage: bench_smtp.py PORT INBOX_SOCKET
"""
import re
import signal
import socket
import sys

from aiosmtpd.controller import Controller

CODE_RE = re.compile(rb"Your password reset code is: (\d{6})")


class Relay:
    def __init__(self, inbox):
        self.inbox = inbox
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.codes = 0
        self.notices = 0
        self.undelivered = 0

    async def handle_DATA(self, server, session, envelope):
        m = CODE_RE.search(envelope.content)
        if m:
            self.codes += 1
        else:
            self.notices += 1
        what = m.group(1).decode() if m else "notice"
        for rcpt in envelope.rcpt_tos:
            user = rcpt.split("@", 1)[0]
            try:
                self.sock.sendto(("%s %s" % (user, what)).encode(), self.inbox)
            except OSError:
                # No load client listening right now (between sections).
                self.undelivered += 1
        return "250 OK"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: bench_smtp.py PORT INBOX_SOCKET")
    relay = Relay(sys.argv[2])
    ctl = Controller(relay, hostname="127.0.0.1", port=int(sys.argv[1]))
    ctl.start()
    print("bench_smtp: listening on 127.0.0.1:%s" % sys.argv[1], file=sys.stderr, flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    ctl.stop()
    print("bench_smtp: %d code mails, %d other mails, %d not handed over"
          % (relay.codes, relay.notices, relay.undelivered), file=sys.stderr, flush=True)


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    main()
