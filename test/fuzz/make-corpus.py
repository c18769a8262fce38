#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora (test/fuzz/corpus/<fuzzer>/) from the
test suite: the example and test model descriptions, every test .mlir file
split at its `// -----` markers, the ONNX test models (with python3-onnx),
and a few argument-binder and Vulkan launch streams. Checked in; rerun after adding tests:

  test/fuzz/make-corpus.py
"""
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
out = os.path.join(root, "test", "fuzz", "corpus")


def put(fuzzer, data):
    d = os.path.join(out, fuzzer)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


shutil.rmtree(out, ignore_errors=True)

# JSON: the examples, and the model files of split-file tests.
for path in glob.glob(os.path.join(root, "examples", "*.json")):
    put("json", open(path).read())
for path in glob.glob(os.path.join(root, "test", "**", "*.test"), recursive=True):
    text = open(path).read()
    for m in re.finditer(r"^#--- (\S+\.json)\n(.*?)(?=^#--- |\Z)", text,
                         re.M | re.S):
        put("json", m.group(2))

# MLIR: each test module (split-input-file cases apart), up to 16 KiB.
for path in glob.glob(os.path.join(root, "test", "**", "*.mlir"), recursive=True):
    if "/fuzz/" in path:
        continue
    for part in open(path).read().split("// -----"):
        if part.strip() and len(part) <= 16384:
            put("mlir", part)

# ONNX: the import tests' models.
onnx_dir = os.path.join(out, "_onnx")
py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
subprocess.run([py, os.path.join(root, "test", "tools", "Inputs", "onnx",
                                 "models.py"), "make", onnx_dir], check=True)
for path in glob.glob(os.path.join(onnx_dir, "*.onnx")):
    put("onnx", open(path, "rb").read())
shutil.rmtree(onnx_dir)

# Binder streams: table, context, then per argument mode, pointer, dtype,
# rank and (size, stride) words; valid-looking and broken ones.
def stream(table, args):
    b = bytes([table, 1])
    for dtype, sizes, strides in args:
        b += bytes([1, 5, 0, dtype, len(sizes)])
        for s, t in zip(sizes, strides):
            b += bytes([s % 80, t % 80])
    return b

dense = [(1, [1, 8, 64, 64], [0, 0, 64, 1])] * 4
put("bind", stream(0, dense))
put("bind", stream(1, [(2, [1, 4, 16, 32], [0, 0, 32, 1])] * 4))
put("bind", stream(2, [(1, [1, 4, 16, 64], [0, 0, 64, 1])] * 3 +
                   [(1, [4, 33], [33, 1]), (1, [1, 4, 16, 64], [0, 0, 64, 1])]))
put("bind", stream(3, [(1, [2, 8, 1, 128], [0, 0, 0, 1]),
                       (5, [2, 2, 40, 136], [0, 0, 136, 1]),
                       (5, [2, 2, 40, 136], [0, 0, 136, 1]),
                       (6, [2], [1]), (1, [2, 8, 1, 128], [0, 0, 0, 1])]))
put("bind", bytes(range(256)))
put("bind", bytes([0, 1] + [255] * 200))

# Vulkan launches (FuzzLaunch.cpp): kernel, 7 device limits (0: a typical
# device's), flags (1: 16-bit storage, 2: lavapipe, 4: a scratch limit of
# the next 4 bytes), 8 size symbols as (tag, byte) = byte * (tag % 8 + 1) +
# tag / 16, then a mode byte per tensor (2: contiguous).
def launch(kernel, flags, symbols, scratch=None, modes=(2, 2, 2, 2)):
    b = bytes([kernel] + [0] * 7 + [flags])
    if scratch is not None:
        b += scratch.to_bytes(4, "big")
    for tag, value in symbols + [(0, 0)] * (8 - len(symbols)):
        b += bytes([tag, value])
    return b + bytes(modes)

# B = 1, Hq = 8, Lq = 300, Hkv = 2, Lk = 300 (dense, causal, GQA).
gqa = [(0, 1), (0, 8), (2, 100), (0, 2), (2, 100)]
put("launch", launch(0, 0, gqa))
put("launch", launch(1, 1, gqa))
put("launch", launch(0, 4, gqa, scratch=100000))
put("launch", launch(2, 0, []))
# 1 x 1 x L on lavapipe: 479 keys fit its loop limit, 480 do not.
put("launch", launch(3, 2, [(17, 239), (17, 239)]))
put("launch", launch(3, 2, [(1, 240), (1, 240)]))
put("launch", launch(0, 0, gqa, modes=(1, 2, 0, 2)))
put("launch", bytes(range(256)))
for name in os.listdir(out):
    print(f"{name}: {len(os.listdir(os.path.join(out, name)))} seeds")
