#!/usr/bin/python3
"""A fake SMS/voice provider for tests: Twilio's Messages and Calls APIs and
the generic "http" provider, on 127.0.0.1.

Every request is appended to --log as one JSON object per line. --control
is a JSON file read again on every request (missing: defaults):
  status       answer every request with this HTTP status (after recording)
  fail_times   only the first N requests get "status", later ones are normal
  stall        seconds to sleep before answering
  press        "none" | "valid" | "forged" | "star": after a call is
               answered, report a keypress to its callback
  press_delay  seconds before the keypress (default 0.3)

Keypresses are signed like the real services: Twilio's X-Twilio-Signature
(base64 HMAC-SHA1 over the URL and the sorted POST parameters) and, for the
http provider, X-Sspr-Signature (hex HMAC-SHA256 over the URL and the body).
"forged" signs with a wrong key. Each keypress is recorded as
{"kind": "callback", "url": ..., "status": <the callback's HTTP status>}.
"""

import argparse
import base64
import hashlib
import hmac
import json
import re
import secrets
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY_MAX = 1 << 20
TWILIO_PATH = re.compile(r"^/2010-04-01/Accounts/([^/]+)/(Messages|Calls)\.json$")
LOOPBACK_HOSTS = ("localhost", "::1")


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.requests = 0

    def control(self):
        try:
            with open(self.args.control, encoding="utf-8") as f:
                c = json.load(f)
            return c if isinstance(c, dict) else {}
        except (OSError, ValueError, TypeError):
            return {}

    def record(self, entry):
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True)
        with self.lock:
            with open(self.args.log, "a", encoding="utf-8") as f:
                f.write(line + "\n")
                f.flush()

    def forced_status(self, control):
        """The status "status"/"fail_times" impose on this request, or None."""
        with self.lock:
            self.requests += 1
            n = self.requests
        status = control.get("status")
        if not isinstance(status, int):
            return None
        limit = control.get("fail_times")
        if isinstance(limit, int) and n > limit:
            return None
        return status


def twilio_signature(key, url, params):
    msg = url + "".join(k + params[k] for k in sorted(params))
    mac = hmac.new(key.encode(), msg.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


def sspr_signature(key, url, body):
    return hmac.new(key.encode(), (url + body).encode(), hashlib.sha256).hexdigest()


def is_loopback(url):
    host = urllib.parse.urlsplit(url).hostname or ""
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def post(url, body, headers):
    """Status of a POST to url; None when nothing answered."""
    req = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    # A proxy from the environment must not see loopback test traffic.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=10) as resp:
            return resp.status, None
    except urllib.error.HTTPError as e:
        return e.code, None
    except (urllib.error.URLError, OSError) as e:
        return None, str(e)


def press_later(state, control, api, url, call):
    press = control.get("press", "none")
    if press not in ("valid", "forged", "star") or not url:
        return
    delay = control.get("press_delay", 0.3)
    digit = "*" if press == "star" else "#"
    key = state.args.token + ("-forged" if press == "forged" else "")

    def run():
        time.sleep(delay if isinstance(delay, (int, float)) else 0.3)
        entry = {"kind": "callback", "api": api, "url": url, "press": press}
        if not is_loopback(url):
            entry.update(status=None, error="callback URL is not on loopback")
            state.record(entry)
            return
        if api == "twilio":
            params = {"CallSid": "CA" + secrets.token_hex(16), "Digits": digit,
                      "From": call.get("from", ""), "To": call.get("to", "")}
            body = urllib.parse.urlencode(params)
            sig = twilio_signature(key, url, params)
            headers = {"X-Twilio-Signature": sig}
        else:
            body = "digits=" + urllib.parse.quote(digit, safe="")
            headers = {"X-Sspr-Signature": sspr_signature(key, url, body)}
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        entry["status"], err = post(url, body, headers)
        if err:
            entry["error"] = err
        state.record(entry)

    threading.Thread(target=run, daemon=True).start()


def form(body):
    return {k: v[0] for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items()}


def gather_action(twiml):
    m = re.search(r'<Gather\b[^>]*\baction="([^"]*)"', twiml or "")
    return unescape(m.group(1)) if m else None


def http_callback(content_type, body):
    try:
        if content_type.startswith("application/json"):
            v = json.loads(body).get("callback")
        else:
            v = form(body).get("callback")
    except (ValueError, AttributeError):
        return None
    return v if isinstance(v, str) else None


class Handler(BaseHTTPRequestHandler):
    server_version = "fake-gateway/1"

    def log_message(self, fmt, *args):  # the JSON log is enough
        pass

    def answer(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.state.record({"api": "unknown", "method": "GET", "path": self.path})
        self.answer(404, {"message": "not found"})

    def do_POST(self):
        state, args = self.state, self.state.args
        control = state.control()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > BODY_MAX:
            self.answer(413, {"message": "too large"})
            return
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        ctype = self.headers.get("Content-Type", "")
        entry, status, reply, press = {"path": self.path}, 200, {}, None

        m = TWILIO_PATH.match(self.path)
        if m:
            kind = "sms" if m.group(2) == "Messages" else "call"
            fields = form(body)
            entry.update(api="twilio", kind=kind, to=fields.get("To"), content_type=ctype)
            entry["from"] = fields.get("From")
            entry["body" if kind == "sms" else "twiml"] = fields.get(
                "Body" if kind == "sms" else "Twiml")
            want = "Basic " + base64.b64encode(f"{args.sid}:{args.token}".encode()).decode()
            entry["auth_ok"] = m.group(1) == args.sid and hmac.compare_digest(
                self.headers.get("Authorization", ""), want)
            if not entry["auth_ok"]:
                status, reply = 401, {"code": 20003, "message": "Authenticate"}
            else:
                prefix = "SM" if kind == "sms" else "CA"
                status = 201
                reply = {"sid": prefix + secrets.token_hex(16), "status": "queued"}
                if kind == "call":
                    press = ("twilio", gather_action(entry["twiml"]), entry)
        elif self.path in ("/http/sms", "/http/call"):
            kind = self.path.rsplit("/", 1)[1]
            auth = self.headers.get("Authorization")
            entry.update(api="http", kind=kind, authorization=auth, content_type=ctype,
                         body=body)
            entry["auth_ok"] = auth is not None and hmac.compare_digest(auth, args.token)
            if not entry["auth_ok"]:
                status, reply = 401, {"message": "unauthorized"}
            else:
                reply = {"id": secrets.token_hex(8)}
                if kind == "call":
                    press = ("http", http_callback(ctype, body), entry)
        else:
            entry.update(api="unknown", method="POST")
            status, reply = 404, {"message": "not found"}

        forced = state.forced_status(control)
        if forced is not None:
            status, reply, press = forced, {"message": "forced by control"}, None
        entry["status"] = status
        state.record(entry)
        stall = control.get("stall")
        if isinstance(stall, (int, float)) and stall > 0:
            time.sleep(stall)
        try:
            self.answer(status, reply)
        except OSError:  # the client gave up (stall beyond its timeout)
            return
        if press and 200 <= status < 300:
            press_later(state, control, *press)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log", required=True)
    ap.add_argument("--control", default="/nonexistent")
    ap.add_argument("--sid", default="ACtest")
    ap.add_argument("--token", default="token")
    args = ap.parse_args()

    Handler.state = State(args)
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    print(f"PORT {srv.server_address[1]}", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
