"""Executes a notebook with nbclient (as `jupyter nbconvert --execute` and papermill do) and
prints the executed notebook as JSON on stdout.

Usage: /usr/bin/python3 test/kernel/run_notebook.py NOTEBOOK.ipynb [KERNEL_NAME]
"""

import sys

import nbclient
import nbformat


def main() -> None:
    path = sys.argv[1]
    kernel_name = sys.argv[2] if len(sys.argv) > 2 else "torchlab"
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name=kernel_name, timeout=120, allow_errors=True)
    client.execute()
    nbformat.write(nb, sys.stdout)


if __name__ == "__main__":
    main()
