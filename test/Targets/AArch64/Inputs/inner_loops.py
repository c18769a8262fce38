#!/usr/bin/env python3
"""Summarises the innermost loops of an AArch64 assembly file.

A loop runs from a label to a later branch back to it; innermost loops hold
no other loop. For each innermost loop with at least MIN vector FMAs (fmla
on .4s vectors, by vector or by element), prints
    loop <label>: fmla.4s=N scalar_fma=S stack=T
(stack: loads and stores addressing sp, i.e. spills and reloads), then
    loops: K, all full-vector: yes|no, spill-free: yes|no
"""
import re
import sys

path, minimum = sys.argv[1], int(sys.argv[2])
lines = [l.rstrip("\n") for l in open(path)]
label_at = {}
for i, line in enumerate(lines):
    m = re.match(r"^([.\w$]+):", line)
    if m:
        label_at[m.group(1)] = i
branch_re = re.compile(r"^\s*(b(\.\w+)?|cbn?z|tbn?z)\s.*?([.\w$]+)\s*$")
spans = []
for i, line in enumerate(lines):
    m = branch_re.match(line)
    if m and m.group(3) in label_at and label_at[m.group(3)] < i:
        spans.append((label_at[m.group(3)], i, m.group(3)))
innermost = [s for s in spans
             if not any(o != s and s[0] <= o[0] and o[1] <= s[1] for o in spans)]
loops = []
for start, end, label in innermost:
    body = [l.strip() for l in lines[start + 1:end + 1]]
    vec = sum(1 for l in body if re.match(r"fmla\s+v\d+\.4s", l))
    if vec < minimum:
        continue
    scalar = sum(1 for l in body if re.match(r"(fmadd|fmla)\s+s\d+", l))
    stack = sum(1 for l in body
                if re.match(r"(ldr|str|ldp|stp|ldur|stur)\s", l) and "[sp" in l)
    loops.append((label, vec, scalar, stack))
    print(f"loop {label}: fmla.4s={vec} scalar_fma={scalar} stack={stack}")
full = bool(loops) and all(s == 0 for _, _, s, _ in loops)
spill_free = bool(loops) and all(t == 0 for _, _, _, t in loops)
print(f"loops: {len(loops)}, all full-vector: {'yes' if full else 'no'}, "
      f"spill-free: {'yes' if spill_free else 'no'}")
