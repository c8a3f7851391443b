"""SMTP server for `make demo`: prints every message it receives."""
import email
import email.policy
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Printer:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        text = body.get_content() if body else ""
        bar = "-" * 66
        lines = [
            "",
            "+" + bar,
            "| MAIL to %s" % msg["To"],
            "| Subject: %s" % msg["Subject"],
            "+" + bar,
        ]
        lines += ["| " + line for line in text.rstrip("\n").split("\n")]
        lines += ["+" + bar, ""]
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()
        return "250 OK"


def main():
    port = int(sys.argv[1])
    controller = Controller(Printer(), hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
