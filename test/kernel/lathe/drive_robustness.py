"""Drives the Lathe kernel through jupyter_client where notebooks get hurt: interrupts during a
DuckDB query, an SVM fit and a wide describe; shutdown during a query; stop_on_error against cells
sent back to back; outputs before a failure; bounded outputs; a frontend that dies.

Usage (from the repository root):
  JUPYTER_PATH=... /usr/bin/python3 test/kernel/lathe/drive_robustness.py KERNEL_NAME CWD GROUP
GROUP is "session" (one kernel for everything up to shutdown during a query) or "parent-death"
(a kernel whose frontend process is killed). Prints "ok <check>" per passed check and
"ALL CHECKS PASSED" at the end; any failure raises (non-zero exit).
"""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from jupyter_harness import (  # noqa: E402
    drive, interrupt_by_request, iopub_until_idle, of_type, ok, run, shell_reply, wait_for,
)

TIMEOUT = 60
kernel_name, cwd, group = sys.argv[1], sys.argv[2], sys.argv[3]

# A join DuckDB would take many minutes over: only an interrupt ends it early.
LONG_QUERY = 'source big = sql "select count(*) as n from range(1000000000) a, range(1000000) b"'
# Features unrelated to the label (seeded through hash, so the same every run): the RBF SVM needs
# many support vectors and seconds of SMO, long enough to interrupt.
POINTS = 'source pts = sql "select (hash(range) % 1000) / 1000.0 as a, (hash(range * 7) % 1000) / 1000.0 as b, (hash(range * 11) % 1000) / 1000.0 as c, (hash(range * 13) % 2 = 0)::varchar as y from range(6000)"'

# 1.5M rows whose label the features do not predict: a single tree grows deep, for seconds.
NOISE = 'source noise = sql "select (hash(range) % 100000) / 7.0 as a, (hash(range * 7) % 100000) / 7.0 as b, (hash(range * 3) % 100000) / 7.0 as c, (hash(range * 5) % 100000) / 7.0 as d, (hash(range * 13) % 3)::varchar as y from range(1500000)"'


def run_ok(kc, code, **kwargs):
    reply, msgs = run(kc, code, **kwargs)
    assert reply["status"] == "ok", (code, reply)
    return msgs


def wide_source(name, columns, rows):
    cols = ", ".join(f"(hash(range * {i + 1}) % 1000) / 10.0 as c{i}" for i in range(columns))
    return f'source {name} = sql "select {cols} from range({rows})"'


def interrupted(kc, msg_id, t0, within, what):
    """Checks the cell ends with KeyboardInterrupt within `within` s of t0; returns the time taken."""
    reply = shell_reply(kc, msg_id)["content"]
    took = time.time() - t0
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt", (what, reply)
    assert took < within, f"{what}: the cell ended {took:.2f} s after the interrupt"
    iopub_until_idle(kc, msg_id)
    return took


def session_checks(km, kc):
    run_ok(kc, POINTS)

    # A DuckDB query stops on interrupt_request; the statement before it was shown as it completed.
    msg_id = kc.execute("show pts limit 2\n" + LONG_QUERY)
    shown = wait_for(kc, msg_id, "display_data")
    assert "<table" in of_type(shown, "display_data")[0]["content"]["data"]["text/html"], shown
    time.sleep(0.5)
    t0 = time.time()
    latency = interrupt_by_request(kc)
    assert latency < 1, f"interrupt_reply took {latency:.2f} s"
    took = interrupted(kc, msg_id, t0, 1, "DuckDB query, interrupt_request")
    ok(f"DuckDB query stopped by interrupt_request ({took:.2f} s), the earlier statement's table shown first")

    # ... and on SIGINT (the kernelspec's interrupt_mode); the session goes on.
    msg_id = kc.execute(LONG_QUERY)
    wait_for(kc, msg_id, "execute_input")
    time.sleep(0.5)
    t0 = time.time()
    km.interrupt_kernel()
    took = interrupted(kc, msg_id, t0, 1, "DuckDB query, SIGINT")
    msgs = run_ok(kc, "show pts limit 1")
    assert of_type(msgs, "execute_result"), msgs
    ok(f"DuckDB query stopped by SIGINT ({took:.2f} s), session intact")

    # A failing statement keeps what the statements before it showed.
    reply, msgs = run(kc, "show pts limit 3\nsource bad = sql \"select cast('x' as integer) as v\"")
    assert reply["status"] == "error", reply
    tables = [m for m in of_type(msgs, "display_data", "execute_result") if "<table" in m["content"]["data"].get("text/html", "")]
    assert len(tables) == 1, msgs
    ok("outputs before a failing statement are kept")

    # Synchronous work yields: interrupt_reply within 1 s during an SVM fit, one decision tree on
    # 1.5M rows of noise (a deep tree, seconds of growing) and describe of 1,500 columns, and each
    # then ends interrupted, not ok.
    for what, code, after in [
        ("SVM fit", 'model s = svm predicting y from pts { kernel: "rbf" }', 1.5),
        ("decision tree fit", "model t = decision_tree predicting y from noise", 2.5),
        ("describe of 1,500 columns", "describe wide", 1),
    ]:
        if what.startswith("describe"):
            run_ok(kc, wide_source("wide", 1500, 50))
        if what.startswith("decision"):
            run_ok(kc, NOISE)
        msg_id = kc.execute(code)
        wait_for(kc, msg_id, "execute_input")
        time.sleep(after)
        t0 = time.time()
        latency = interrupt_by_request(kc)
        assert latency < 1, f"interrupt_reply during {what} took {latency:.2f} s"
        took = interrupted(kc, msg_id, t0, 2, what)
        ok(f"{what}: interrupt_reply in {latency:.2f} s, stopped in {took:.2f} s")

    # Bounded outputs: show asked for more rows than a table shows says so (describe's bound on
    # charts is tested on the same display code in test/runtime/output-bounds.test.ts).
    msgs = run_ok(kc, "show pts limit 1000")
    result = of_type(msgs, "execute_result")[0]["content"]["data"]
    assert "showing the first 50 of the 1,000 rows asked for" in result["text/plain"], result["text/plain"][-300:]
    assert result["text/html"].count("<tr>") <= 51, result["text/html"].count("<tr>")
    ok("show bounds its output and says what it leaves out")

    # stop_on_error against cells sent back to back: a fast failure aborts every cell queued behind
    # it, including those still in the socket (20 trials).
    ran = 0
    for _ in range(20):
        ids = [kc.execute("show nothing_here"), kc.execute("show pts limit 1"), kc.execute("show pts limit 1")]
        replies = [shell_reply(kc, i)["content"]["status"] for i in ids]
        for i in ids:
            iopub_until_idle(kc, i)
        assert replies[0] == "error", replies
        ran += replies[1:].count("ok")
    assert ran == 0, f"{ran} queued cells ran after a failure"
    # A client that waits for the error before sending the next cell is not affected.
    reply, _ = run(kc, "show nothing_here")
    assert reply["status"] == "error", reply
    run_ok(kc, "show pts limit 1")
    ok("stop_on_error: 0 queued cells ran in 20 trials of back-to-back failures")

    # Completion offers a column that needs quotes for a bare word; Unicode names; an emoji in a message.
    run_ok(kc, "source vib = sql 'select 1.5 as \"vibration mm/s\", 2 as café'")
    c = shell_reply(kc, kc.complete("prepare v2 = vib {\n  fill vib"))["content"]
    assert '"vibration mm/s"' in c["matches"], c
    msgs = run_ok(kc, "prepare v3 = vib { drop columns café }\nshow v3")
    assert "vibration" in of_type(msgs, "execute_result")[0]["content"]["data"]["text/plain"], msgs
    reply, _ = run(kc, "show 🎉")
    assert reply["status"] == "error" and "🎉" in "\n".join(reply["traceback"]) and "\\ud83c" not in "\n".join(reply["traceback"]), reply
    ok("completion of a quoted column, Unicode names, an emoji in a message")

    # Shutdown while a DuckDB query runs: the process exits within 2 s.
    msg_id = kc.execute(LONG_QUERY)
    wait_for(kc, msg_id, "execute_input")
    time.sleep(0.5)
    proc = km.provisioner.process
    t0 = time.time()
    kc.shutdown()
    rc = proc.wait(timeout=10)
    took = time.time() - t0
    assert took < 2, f"the kernel exited {took:.2f} s after shutdown_request"
    ok(f"shutdown during a DuckDB query: exited in {took:.2f} s (code {rc})")


PARENT = """
import sys, time
from jupyter_client.manager import KernelManager
km = KernelManager(kernel_name=sys.argv[1])
km.start_kernel(cwd=sys.argv[2])
print(km.provisioner.process.pid, flush=True)
time.sleep(600)
"""


def alive(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return not any(line.startswith("State:") and "Z" in line.split()[1] for line in f)
    except FileNotFoundError:
        return False


def parent_death():
    parent = subprocess.Popen([sys.executable, "-c", PARENT, kernel_name, cwd], stdout=subprocess.PIPE, text=True)
    kernel_pid = int(parent.stdout.readline())
    try:
        assert alive(kernel_pid)
        ok("started")
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        t0 = time.time()
        while alive(kernel_pid) and time.time() - t0 < 10:
            time.sleep(0.1)
        took = time.time() - t0
        assert not alive(kernel_pid), "the kernel outlived its frontend by 10 s"
        ok(f"the kernel exits when its frontend dies ({took:.2f} s)")
    finally:
        if alive(kernel_pid):
            os.kill(kernel_pid, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()
    print("ALL CHECKS PASSED", flush=True)


if group == "session":
    drive(kernel_name, session_checks, TIMEOUT, cwd=cwd)
elif group == "parent-death":
    parent_death()
else:
    raise SystemExit(f"unknown group {group!r}")
