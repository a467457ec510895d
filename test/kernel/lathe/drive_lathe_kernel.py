"""Drives the Lathe kernel through jupyter_client, as a notebook frontend would.

Usage (from the repository root, so "vega-datasets/..." paths resolve):
  JUPYTER_PATH=... /usr/bin/python3 test/kernel/lathe/drive_lathe_kernel.py KERNEL_NAME CWD
Prints "ok <check>" per passed check and "ALL CHECKS PASSED" at the end; any failure raises
(non-zero exit).
"""
import os
import re
import sys
import time

# The harness shared with the echo kernel's driver sits in test/kernel/, one folder up.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from jupyter_harness import (  # noqa: E402
    drive, heartbeat_latencies, interrupt_by_request, iopub_until_idle, of_type, ok, run, shell_reply,
    shutdown_cleanly, wait_for,
)

TIMEOUT = 60
kernel_name, cwd = sys.argv[1], sys.argv[2]

# Many epochs of a wide network on small batches, no early stopping: even on the native engine
# (~10 ms an epoch here) training lasts many minutes unless interrupted.
LONG_TRAINING = "model slow = neural_network predicting Species from train { epochs: 100000; batch_size: 4; layers: [256, 256]; early_stopping: false }"


def run_ok(kc, code, **kwargs):
    reply, msgs = run(kc, code, **kwargs)
    assert reply["status"] == "ok", (code, reply)
    return msgs


def stdout_of(msgs):
    return "".join(m["content"]["text"] for m in of_type(msgs, "stream") if m["content"]["name"] == "stdout")


def wait_for_progress(kc, msg_id):
    """Reads iopub until the cell shows training progress; returns the messages seen so far."""
    return wait_for(kc, msg_id, "update_display_data")


def complete(kc, code, cursor=None):
    c = shell_reply(kc, kc.complete(code, cursor))["content"]
    assert c["status"] == "ok", c
    return c


def inspect(kc, code, cursor):
    c = shell_reply(kc, kc.inspect(code, cursor))["content"]
    assert c["status"] == "ok", c
    return c


def checks(km, kc):
    info = shell_reply(kc, kc.kernel_info())["content"]
    assert info["language_info"]["name"] == "lathe" and info["language_info"]["file_extension"] == ".lathe", info
    assert info["language_info"]["pygments_lexer"] == "python", info
    ok("kernel_info")

    # State across cells: later cells use what earlier ones defined.
    msgs = run_ok(kc, 'source penguins = read "vega-datasets/data/penguins.json"')
    assert "collect penguins: 344 rows" in stdout_of(msgs), stdout_of(msgs)
    msgs = run_ok(kc, "\n".join([
        "prepare clean = penguins {",
        "  drop rows where Species is missing",
        '  fill "Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)" with median',
        "}",
        "split clean into train 70%, validation 15%, test 15% stratify by Species seed 42",
        "model quick = logistic_regression predicting Species from train",
    ]))
    assert "split clean" in stdout_of(msgs) and "train quick" in stdout_of(msgs), stdout_of(msgs)
    ok("state across cells")

    # Completion of a column name: bare, and inside an open quoted name (the quote is replaced).
    code = "prepare p2 = penguins {\n  drop rows where Sp"
    c = complete(kc, code)
    assert "Species" in c["matches"], c
    assert (c["cursor_start"], c["cursor_end"]) == (len(code) - 2, len(code)), c
    code = 'prepare p2 = penguins {\n  fill "Body'
    c = complete(kc, code)
    assert c["matches"] == ['"Body Mass (g)"'], c
    assert c["cursor_start"] == code.index('"'), c
    c = complete(kc, "evaluate quick on te")
    assert "test" in c["matches"] and "train" not in c["matches"], c
    c = complete(kc, "model m = ran")
    assert "random_forest" in c["matches"], c
    ok("complete column names (bare and quoted), datasets, algorithms")

    # Inspect: an algorithm (its options), an option, a statement keyword.
    code = "model m = random_forest predicting Species from train { trees: 10 }"
    c = inspect(kc, code, code.index("random_forest") + 3)
    assert c["found"] and "trees" in c["data"]["text/plain"], c
    c = inspect(kc, code, code.index("trees") + 2)
    assert c["found"] and "Number of trees" in c["data"]["text/plain"], c
    c = inspect(kc, "evaluate quick on test metrics f1", 3)
    assert c["found"] and "metrics" in c["data"]["text/plain"], c
    c = inspect(kc, "split clean into a 50%, b 50%", 2)
    assert c["found"] and "stratify" in c["data"]["text/plain"], c
    c = inspect(kc, "quick", 2)
    assert not c["found"] and c["data"] == {}, c
    ok("inspect algorithm, option, statement")

    # A failing cell points at its line and column with a caret; the next cell passes.
    reply, msgs = run(kc, "show penguins limit 1\nevaluate quick on nowhere metrics accuracy")
    assert reply["status"] == "error" and reply["ename"] == "LatheError", reply
    n = reply["execution_count"]
    tb = reply["traceback"]
    assert any(line.startswith(f"cell[{n}]:2:19: error") for line in tb), tb
    caret = next(line for line in tb if "^" in line)
    assert caret.index("^") == tb[tb.index(caret) - 1].index("nowhere"), tb
    assert of_type(msgs, "error")[0]["content"]["traceback"] == tb
    # Everything or nothing: the cell was checked first, so its first statement did not run either.
    assert not of_type(msgs, "execute_result", "display_data"), msgs
    reply, msgs = run(kc, "evaluate quick on test metrics accuracy, f1")
    assert reply["status"] == "ok" and reply["execution_count"] == n + 1, reply
    result = of_type(msgs, "execute_result")[0]["content"]["data"]
    assert "<table" in result["text/html"] and "accuracy" in result["text/plain"], result
    ok("failing cell with line:col and caret, then a passing cell")

    # A data error (no source position) is reported too, and does not kill the kernel.
    reply, msgs = run(kc, 'source gone = read "no/such/file.csv"')
    assert reply["status"] == "error", reply
    run_ok(kc, "show penguins limit 1")
    ok("data error")

    # stop_on_error: cells queued behind a failing one are aborted; without it they run.
    # As in "run all": a cell that takes a while keeps the kernel busy, so the rest are queued in time.
    busy = "model busy = neural_network predicting Species from train { epochs: 30; batch_size: 4; layers: [256, 256]; early_stopping: false }"
    ids = [kc.execute(busy), kc.execute("show nothing_here"), kc.execute("show penguins limit 1"), kc.execute("describe penguins")]
    replies = [shell_reply(kc, i)["content"] for i in ids]
    assert [r["status"] for r in replies] == ["ok", "error", "aborted", "aborted"], replies
    for i in ids:
        iopub_until_idle(kc, i)
    ids = [kc.execute("show nothing_here", stop_on_error=False), kc.execute("show penguins limit 1")]
    replies = [shell_reply(kc, i)["content"] for i in ids]
    assert [r["status"] for r in replies] == ["error", "ok"], replies
    for i in ids:
        iopub_until_idle(kc, i)
    ok("stop_on_error aborts queued cells")

    # Interrupt by SIGINT (the kernelspec's interrupt_mode) while a network trains. Meanwhile:
    # progress is a display that updates in place, and the heartbeat answers.
    msg_id = kc.execute(LONG_TRAINING)
    seen = wait_for_progress(kc, msg_id)
    shown = of_type(seen, "display_data")
    assert len(shown) == 1, seen
    display_id = shown[0]["content"]["transient"]["display_id"]
    update = of_type(seen, "update_display_data")[0]["content"]
    assert update["transient"]["display_id"] == display_id, update
    assert re.match(r"epoch \d+/100000  loss \d", update["data"]["text/plain"]), update
    assert "<progress" in update["data"]["text/html"], update
    ok("progress as display_data then update_display_data")

    latencies = heartbeat_latencies(km, within=2, during="while a model trains")
    ok(f"heartbeat while training (max {max(latencies) * 1000:.0f} ms)")

    t0 = time.time()
    km.interrupt_kernel()
    reply = shell_reply(kc, msg_id)["content"]
    took = time.time() - t0
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt", reply
    assert took < 5, f"interrupt took {took:.1f}s"
    iopub_until_idle(kc, msg_id)
    assert kc.is_alive()
    msgs = run_ok(kc, "evaluate quick on test metrics accuracy")
    assert "accuracy" in of_type(msgs, "execute_result")[0]["content"]["data"]["text/plain"]
    ok(f"interrupt by SIGINT during training ({took:.2f}s), state intact")

    # Interrupt by interrupt_request on the control channel.
    msg_id = kc.execute(LONG_TRAINING)
    wait_for_progress(kc, msg_id)
    t0 = time.time()
    interrupt_by_request(kc)
    reply = shell_reply(kc, msg_id)["content"]
    took = time.time() - t0
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt", reply
    assert took < 5, f"interrupt took {took:.1f}s"
    iopub_until_idle(kc, msg_id)
    # The interrupted model was never defined; the earlier one still is.
    reply, _ = run(kc, "evaluate slow on test metrics accuracy")
    assert reply["status"] == "error", reply
    run_ok(kc, "evaluate quick on test metrics accuracy")
    ok(f"interrupt by interrupt_request during training ({took:.2f}s), state intact")

    # A name may be redefined.
    run_ok(kc, 'source one = sql "select 1 as x"')
    msgs = run_ok(kc, 'source one = sql "select 2 as y"\nshow one')
    assert of_type(msgs, "execute_result")[0]["content"]["data"]["text/plain"] == "|y|\n|-:|\n|2|\n", msgs
    ok("redefine a name")

    # A chart is one bundle that every frontend can show; earlier results are displays, the last is Out[n].
    msgs = run_ok(kc, "plot confusion of quick on test\nevaluate quick on test metrics accuracy")
    display = of_type(msgs, "display_data")[-1]["content"]
    chart = display["data"]
    # No SVG: nbconvert would prefer it to the PNG and strip it to a blank. The PNG is 2x, shown at 1x.
    assert set(chart) == {"application/vnd.vegalite.v5+json", "image/png", "text/plain"}, list(chart)
    assert chart["application/vnd.vegalite.v5+json"]["$schema"].endswith("/v5.json"), chart["application/vnd.vegalite.v5+json"]["$schema"]
    assert display["metadata"]["image/png"]["width"] > 0, display["metadata"]
    assert of_type(msgs, "execute_result"), msgs
    ok("chart bundle")

    # The cell evaluated a model: it says which run recorded it, in a line and in its outputs' metadata.
    run_id = display["metadata"]["lathe"]["run_id"]
    printed = "".join(m["content"]["text"] for m in of_type(msgs, "stream"))
    assert f"recorded as run {run_id}\n" in printed, printed
    assert of_type(msgs, "execute_result")[0]["content"]["metadata"]["lathe"] == {"run_id": run_id}, msgs
    ok("run id shown")

    # Shutdown: the process ends by itself, cleanly.
    shutdown_cleanly(km, kc, exit_within=10)
    ok("shutdown")


drive(kernel_name, checks, TIMEOUT, cwd=cwd)
