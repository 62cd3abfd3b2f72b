"""Jupyter's kernel conformance suite (jupyter_kernel_test) against the 'torchlab' kernelspec.

jupyter_client finds the kernelspec the usual way, so put the directory that holds
kernels/torchlab on JUPYTER_PATH (test/kernel/conformance.test.ts installs it into a temporary
prefix and does that). Run by hand:

    node dist/kernel/cli.js install --prefix /tmp/tl
    JUPYTER_PATH=/tmp/tl/share/jupyter /usr/bin/python3 test/kernel/kernel_conformance.py -v
"""

import json
import os
import unittest

import jupyter_kernel_test

KERNEL = "Reflect.get(globalThis, Symbol.for('torchlab.kernel'))"

# tensor reprs as PyTorch prints them (test/golden/make_kernel.py)
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden", "kernel.json")) as f:
    GOLDEN = json.load(f)


class TorchlabKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "torchlab"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("something went wrong")'

    completion_samples = [
        {"text": "torch.zeros_li", "matches": {"zeros_like"}},
        {"text": "Math.hyp", "matches": {"hypot"}},
    ]

    complete_code_samples = ["1 + 1", "const a = torch.ones([2])", "function f(x: number) {\n  return x\n}"]
    incomplete_code_samples = ["function f(x: number) {", "const xs = [1, 2,", "for (const x of [1, 2]) {", "`two\nlines"]
    invalid_code_samples = ["1 +* 2", ")", "const = 5", "'unterminated"]

    code_page_something = "torch.zeros?"

    code_generate_error = 'throw new Error("boom")'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"torch" + "lab"', "result": "'torchlab'"},
    ] + [{"code": g["code"], "result": g["text/plain"]} for g in GOLDEN["execute_result"]]

    code_display_data = [
        {"code": "import * as tslab from 'tslab'; tslab.display.html('<b>bold</b>')", "mime": "text/html"},
        {"code": KERNEL + ".display({'text/markdown': '*torchlab*', 'text/plain': 'torchlab'})", "mime": "text/markdown"},
    ]

    code_history_pattern = "6 * ?"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "torch.zeros"

    code_clear_output = KERNEL + ".clear_output()"


if __name__ == "__main__":
    unittest.main()
