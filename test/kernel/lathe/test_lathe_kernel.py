"""jupyter_kernel_test's protocol conformance suite, run against the Lathe kernel.

Run from the repository root (data paths resolve from the kernel's working directory):
  JUPYTER_PATH=... LATHE_KERNEL_NAME=... PYTHONPATH=test/kernel/lathe /usr/bin/python3 -m unittest -v test_lathe_kernel
"""
import os
import unittest

import jupyter_kernel_test

# Defined in setUpClass, so completion can be asked for a column of a dataset an earlier cell made.
SETUP = 'source birds = read "vega-datasets/data/penguins.json"'


class LatheKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = os.environ.get("LATHE_KERNEL_NAME", "lathe")
    language_name = "lathe"
    file_extension = ".lathe"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        reply = cls.kc.execute_interactive(SETUP, timeout=60)
        assert reply["content"]["status"] == "ok", reply["content"]

    # jupyter_kernel_test waits 15 s for a reply; on a loaded 2-core CI machine the first model of a
    # kernel (loading its engine) can take longer, and a late reply then answers the next test's request.
    def execute_helper(self, code, timeout=90, **kwargs):
        return super().execute_helper(code, timeout=timeout, **kwargs)

    # Lathe has no print statement: stdout carries one line per executed step, and there is no
    # pager or clear_output, so test_execute_stdout, test_pager and test_clear_output are skipped.

    # A warning (fitted statistics learned on all rows instead of a training split) goes to stderr.
    code_stderr = "\n".join([
        'source w = sql "select * from (values (1.0, 2.0), (2.0, 4.1), (3.0, 6.2), (4.0, 7.9)) t(a, b)"',
        "prepare wf = w { fill a with median }",
        "model wm = linear_regression predicting b from wf",
    ])
    # A checker error: the kernel reports it as the cell's only output.
    code_generate_error = "show no_such_dataset"

    code_execute_result = [
        {"code": 'source one = sql "select 1 as x"\nshow one', "result": "|x|\n|-:|\n|1|\n"},
        {"code": 'source one = sql "select 1 as x"\nshow one', "mime": "text/html"},
        {"code": "show birds limit 2", "mime": "text/html"},
    ]
    # Every display_data of the cell must carry the MIME type: the chart is displayed, the table is Out[n].
    code_display_data = [
        {"code": "plot histogram of birds columns \"Body Mass (g)\"\nshow birds limit 3", "mime": mime}
        for mime in ["image/png", "application/vnd.vegalite.v5+json", "text/plain"]
    ]

    completion_samples = [
        {"text": "show bi", "matches": {"birds"}},
        {"text": "prepare b2 = birds { drop rows where Spe", "matches": {"Species"}},
        {"text": 'prepare b2 = birds { fill "Flipper', "matches": {'"Flipper Length (mm)"'}},
        {"text": "model m = random_f", "matches": {"random_forest"}},
        {"text": "descr", "matches": {"describe"}},
    ]
    complete_code_samples = ["show birds", "prepare c = birds {\n  drop duplicates\n}", ""]
    incomplete_code_samples = ["prepare c = birds {", "prepare c = birds {\n  drop duplicates"]
    # A string ends on its line, so an open one can never be completed by more lines.
    invalid_code_samples = ["show )(", "model = = predicting", "prepare c = birds }", 'source s = read "vega-datasets/data/penguins.json']

    code_inspect_sample = "random_forest"

    # Must match exactly one distinct input in code_execute_result.
    code_history_pattern = "show b*"
    supported_history_operations = ("tail", "range", "search")


if __name__ == "__main__":
    unittest.main()
