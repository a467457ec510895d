"""The jupyter_client side shared by the kernel drivers (jupyter/fixtures/drive_echo_kernel.py,
lathe/drive_lathe_kernel.py): start a kernel as a frontend would, wait on its channels, report checks.

A driver defines checks(km, kc) and calls drive(); every wait here uses the timeout given to drive().
Prints "ok <check>" per passed check and "ALL CHECKS PASSED" at the end; any failure exits non-zero.
"""
import os
import queue
import sys
import time
import traceback

import zmq
from jupyter_client.manager import KernelManager

_timeout = 10


def ok(name):
    """Reports a passed check."""
    print("ok", name, flush=True)


def iopub_until_idle(kc, msg_id):
    """All iopub messages parented to msg_id, up to and including its idle status."""
    msgs = []
    while True:
        msg = kc.get_iopub_msg(timeout=_timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        msgs.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return msgs


def shell_reply(kc, msg_id):
    """The shell reply to msg_id, skipping replies to other requests."""
    while True:
        reply = kc.get_shell_msg(timeout=_timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def run(kc, code, **kwargs):
    """Executes code; returns the execute_reply's content and the cell's iopub messages."""
    msg_id = kc.execute(code, **kwargs)
    reply = shell_reply(kc, msg_id)
    return reply["content"], iopub_until_idle(kc, msg_id)


def wait_for(kc, msg_id, msg_type):
    """Reads iopub until the cell sends a message of msg_type; returns the cell's messages so far."""
    seen = []
    deadline = time.time() + _timeout
    while time.time() < deadline:
        msg = kc.get_iopub_msg(timeout=_timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        seen.append(msg)
        if msg["msg_type"] == msg_type:
            return seen
        assert not (msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle"), f"cell ended before {msg_type}: {seen}"
    raise AssertionError(f"no {msg_type} arrived")


def of_type(msgs, *types):
    """The messages of any of the given types."""
    return [m for m in msgs if m["msg_type"] in types]


def flush_iopub(kc):
    """Drops the iopub messages already sent (startup status, earlier cells)."""
    while True:
        try:
            kc.get_iopub_msg(timeout=0.2)
        except queue.Empty:
            return


def interrupt_by_request(kc):
    """Sends interrupt_request on the control channel, checks that it is answered ok; returns how long the reply took."""
    t0 = time.time()
    kc.control_channel.send(kc.session.msg("interrupt_request", {}))
    ctrl = kc.get_control_msg(timeout=_timeout)
    assert ctrl["msg_type"] == "interrupt_reply" and ctrl["content"]["status"] == "ok", ctrl
    return time.time() - t0


def heartbeat_latencies(km, within, during):
    """Pings the heartbeat five times, each answered within `within` seconds; returns the round trips."""
    hb = zmq.Context.instance().socket(zmq.REQ)
    hb.linger = 0
    hb.connect(f"{km.transport}://{km.ip}:{km.hb_port}")
    latencies = []
    for _ in range(5):
        t0 = time.time()
        hb.send(b"ping")
        assert hb.poll(int(within * 1000)), f"heartbeat did not answer within {within:g} s {during}"
        assert hb.recv() == b"ping"
        latencies.append(time.time() - t0)
        time.sleep(0.1)
    hb.close()
    return latencies


def shutdown_cleanly(km, kc, exit_within):
    """Asks for shutdown, then checks the process exits by itself with code 0; returns the shutdown_reply."""
    proc = km.provisioner.process
    kc.shutdown()
    reply = kc.get_control_msg(timeout=_timeout)
    assert reply["msg_type"] == "shutdown_reply", reply
    rc = proc.wait(timeout=exit_within)
    assert rc == 0, f"kernel exit code {rc}"
    return reply


def drive(kernel_name, checks, timeout, **start_kwargs):
    """Starts the kernel, runs checks(km, kc) and reports; on any failure kills the kernel and exits 1."""
    global _timeout
    _timeout = timeout
    km = KernelManager(kernel_name=kernel_name)
    km.start_kernel(**start_kwargs)
    kc = km.client()
    try:
        kc.start_channels()
        kc.wait_for_ready(timeout=timeout)
        flush_iopub(kc)
        ok("started")
        checks(km, kc)
    except BaseException:
        traceback.print_exc()
        # The kernel inherits our stdout/stderr: left running, it would keep the caller's pipes open.
        if km.has_kernel:
            km.shutdown_kernel(now=True)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)
    kc.stop_channels()
    km.cleanup_resources()
    print("ALL CHECKS PASSED", flush=True)
