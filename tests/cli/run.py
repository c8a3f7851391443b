#!/usr/bin/python3
"""Run the CLI tests: python3 tests/cli/run.py BUILD_DIR [NAME_FILTER]

Imports every tests/cli/test_*.py and runs each function named test_* (files
sorted by name, functions in definition order), each with a fresh World
(tests/cli/world.py). A test takes the world as its only argument. It asks for
a particular world with a dict of World() keyword arguments, either module-wide
(WORLD = dict(gateway=True)) or per test (test_x.world = dict(overrides={...}));
the test's dict is merged over the module's. A test may set test_x.timeout
(seconds, default 120) for its hard timeout (SIGALRM).

NAME_FILTER keeps the tests whose "module.function" name contains it.
Prints "ok   module.test" or "FAIL module.test" with the traceback and the tail
of ssprd.log, then "cli: N passed, M failed". Exit status 1 on any failure.
Needs root (the CLIs run as the test users through setpriv); otherwise prints
that it did not run and exits 0.
"""
import importlib
import inspect
import os
import signal
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TIMEOUT = 120


class TestTimeout(Exception):
    pass


def on_alarm(signum, frame):
    raise TestTimeout("test timed out")


def import_failed(modname, text):
    def test_import(w):
        raise AssertionError("cannot import %s:\n%s" % (modname, text))
    return test_import


def collect(name_filter):
    tests = []
    for fname in sorted(os.listdir(HERE)):
        if not (fname.startswith("test_") and fname.endswith(".py")):
            continue
        modname = fname[:-3]
        try:
            mod = importlib.import_module(modname)
        except Exception:
            full = modname + ".(import)"
            if not name_filter or name_filter in full:
                tests.append((full, import_failed(modname, traceback.format_exc()), None, 30))
            continue
        funcs = [f for n, f in vars(mod).items()
                 if n.startswith("test_") and inspect.isfunction(f) and f.__module__ == modname]
        funcs.sort(key=lambda f: f.__code__.co_firstlineno)
        for f in funcs:
            full = "%s.%s" % (modname, f.__name__)
            if name_filter and name_filter not in full:
                continue
            opts = dict(getattr(mod, "WORLD", {}) or {})
            opts.update(getattr(f, "world", {}) or {})
            tests.append((full, f, opts, getattr(f, "timeout", DEFAULT_TIMEOUT)))
    return tests


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else 2
    build = os.path.abspath(argv[1])
    name_filter = argv[2] if len(argv) > 2 else ""
    if os.geteuid() != 0:
        print("cli: not run: needs root (setpriv to test users)")
        return 0
    try:
        import pexpect  # noqa: F401
    except ImportError:
        # A python3 on PATH without Debian's modules: use the system one.
        if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
            os.execv("/usr/bin/python3", ["/usr/bin/python3", os.path.abspath(__file__)]
                     + argv[1:])
        print("cli: not run: python3 module pexpect missing (apt-get install python3-pexpect)")
        return 1
    os.environ["SSPR_BUILD"] = build
    sys.path.insert(0, HERE)
    import world as world_mod
    world_mod.BUILD = build
    for prog in ("ssprd", "sspr", "ssprctl"):
        if not os.access(os.path.join(build, prog), os.X_OK):
            print("cli: %s/%s missing: build first" % (build, prog))
            return 1
    signal.signal(signal.SIGALRM, on_alarm)
    passed = failed = 0
    failures = []
    for full, func, opts, timeout in collect(name_filter):
        w = None
        start = time.monotonic()
        signal.alarm(int(timeout))
        try:
            if opts is not None:
                w = world_mod.World(**opts)
            func(w)
            signal.alarm(0)
            print("ok   %s (%.1fs)" % (full, time.monotonic() - start), flush=True)
            passed += 1
        except BaseException as e:
            signal.alarm(0)
            if isinstance(e, KeyboardInterrupt):
                raise
            print("FAIL %s (%.1fs)" % (full, time.monotonic() - start))
            traceback.print_exc(file=sys.stdout)
            if w is not None:
                print("--- ssprd.log (tail)")
                print(w.log()[-3000:])
                print("--- end of ssprd.log", flush=True)
            failed += 1
            failures.append(full)
        finally:
            signal.alarm(0)
            if w is not None:
                w.close()
    print("cli: %d passed, %d failed" % (passed, failed))
    if failures:
        print("cli: failed: " + " ".join(failures))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
