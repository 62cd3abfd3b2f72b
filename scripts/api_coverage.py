"""API coverage audit: the PyTorch names a first course uses, checked against PyTorch and torchlab.

Run with Debian's PyTorch:  /usr/bin/python3 scripts/api_coverage.py [--json]
1. Every name in test/golden/api_names.json must exist in this PyTorch (1.13): torch.<name>,
   torch.linalg.<name>, or as an attribute of a 2-d float tensor; names listed under "pytorch2"
   (PyTorch 2 additions such as Tensor.nbytes) are exempt from this check.
2. Runs scripts/api_coverage.ts (npx tsx), which lists what torchlab lacks.
Exits non-zero when the list names something PyTorch does not have, or torchlab misses a name
that is not under "left_out".
"""
import json, os, subprocess, sys
import torch

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
names = json.load(open(os.path.join(root, 'test', 'golden', 'api_names.json')))
exempt = set(names['pytorch2'])
inst = torch.zeros(2, 2)
bad = []
for group, lst in names['torch'].items():
    bad += [f'torch.{n}' for n in lst if n not in exempt and not hasattr(torch, n)]
bad += [f'torch.linalg.{n}' for n in names['linalg'] if n not in exempt and not hasattr(torch.linalg, n)]
for group, lst in names['tensor'].items():
    bad += [f'Tensor.{n}' for n in lst if n not in exempt and not hasattr(inst, n)]
total = sum(len(v) for v in names['torch'].values()) + len(names['linalg']) + sum(len(v) for v in names['tensor'].values())
print(f'{total} names listed; all exist in PyTorch {torch.__version__}' if not bad else f'not in PyTorch {torch.__version__}: {", ".join(bad)}')

r = subprocess.run(['npx', 'tsx', 'scripts/api_coverage.ts', *sys.argv[1:]], cwd=root, capture_output=True, text=True)
sys.stdout.write(r.stdout)
sys.stderr.write(r.stderr)
missing = [l for l in r.stdout.splitlines() if l.startswith('missing in')]
sys.exit(1 if bad or missing or r.returncode else 0)
