#!/usr/bin/env python3
"""ONNX test models for attnc's ONNX import, and an independent check of
what the compiled entries compute.

  models.py make OUTDIR          writes the test models (*.onnx) into OUTDIR
  models.py check MODEL DUMPDIR  evaluates each attention of MODEL with numpy,
                                 as ONNX (or onnxruntime, for the com.microsoft
                                 ops) defines it, on the inputs attn-check
                                 dumped (attn-check --dump-dir), and compares
                                 with the entry's output

The check does not use attnc's reference: the MatMul/Softmax subgraphs are
executed node by node, and the attention ops follow their specifications, in
the node's own tensor layouts ([B, L, H*D] inputs included), so a wrong
scale, mask alignment, head split or layout in the import shows up.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper, numpy_helper

F32, F16 = T.FLOAT, T.FLOAT16


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def model(nodes, name, inputs, outputs, initializers=(), opset=23, ms=False):
    g = helper.make_graph(nodes, name, inputs, outputs, list(initializers))
    ops = [helper.make_opsetid("", opset)]
    if ms:
        ops.append(helper.make_opsetid("com.microsoft", 1))
    return helper.make_model(g, opset_imports=ops)


def make(out):
    models = {}
    # ai.onnx Attention, 4-D, GQA (4 query heads on 2 KV heads), causal,
    # an explicit scale, Dv != D, a length off every block multiple.
    models["attention_4d"] = model(
        [helper.make_node("Attention", ["Q", "K", "V"], ["Y"], name="attn_4d",
                          is_causal=1, scale=0.2)],
        "attention_4d",
        [vi("Q", F32, [1, 4, 77, 32]), vi("K", F32, [1, 2, 77, 32]),
         vi("V", F32, [1, 2, 77, 48])],
        [vi("Y", F32, [1, 4, 77, 48])])
    # Two attentions in one graph: 3-D inputs (MQA, softcap) and a 4-D one
    # with an additive float mask input.
    models["attention_two"] = model(
        [helper.make_node("Attention", ["X", "XK", "XV"], ["Y1"],
                          name="self.attn", q_num_heads=4, kv_num_heads=1,
                          softcap=3.0),
         helper.make_node("Attention", ["Q", "K", "V", "M"], ["Y2"],
                          name="cross.attn")],
        "attention_two",
        [vi("X", F32, [2, 130, 4 * 16]), vi("XK", F32, [2, 130, 16]),
         vi("XV", F32, [2, 130, 16]),
         vi("Q", F32, [1, 2, 33, 64]), vi("K", F32, [1, 2, 100, 64]),
         vi("V", F32, [1, 2, 100, 64]), vi("M", F32, [1, 1, 33, 100])],
        [vi("Y1", F32, [2, 130, 64]), vi("Y2", F32, [1, 2, 33, 64])])
    # A decode step against a KV cache: 1 query, 511 cached keys + 1 new.
    models["attention_cache"] = model(
        [helper.make_node("Attention", ["Q", "K", "V", "", "PK", "PV"],
                          ["Y", "PKo", "PVo"], name="decode", is_causal=1)],
        "attention_cache",
        [vi("Q", F32, [1, 8, 1, 64]), vi("K", F32, [1, 2, 1, 64]),
         vi("V", F32, [1, 2, 1, 64]), vi("PK", F32, [1, 2, 511, 64]),
         vi("PV", F32, [1, 2, 511, 64])],
        [vi("Y", F32, [1, 8, 1, 64]), vi("PKo", F32, [1, 2, 512, 64]),
         vi("PVo", F32, [1, 2, 512, 64])])
    # float16, long: 1030 tokens.
    models["attention_long_f16"] = model(
        [helper.make_node("Attention", ["Q", "K", "V"], ["Y"], name="long")],
        "attention_long_f16",
        [vi("Q", F16, [1, 2, 1030, 64]), vi("K", F16, [1, 2, 1030, 64]),
         vi("V", F16, [1, 2, 1030, 64])],
        [vi("Y", F16, [1, 2, 1030, 64])])
    # com.microsoft MultiHeadAttention: [B, L, H*D] inputs, attention_bias,
    # key lengths.
    models["mha"] = model(
        [helper.make_node("MultiHeadAttention",
                          ["q", "k", "v", "", "lens", "ab"], ["o"],
                          name="mha0", domain="com.microsoft", num_heads=4)],
        "mha",
        [vi("q", F32, [2, 65, 64]), vi("k", F32, [2, 97, 64]),
         vi("v", F32, [2, 97, 64]), vi("lens", T.INT32, [2]),
         vi("ab", F32, [2, 4, 65, 97])],
        [vi("o", F32, [2, 65, 64])], ms=True)
    # com.microsoft GroupQueryAttention: the decode step on a shared
    # 600-row cache buffer, and a prompt with a local window and softcap.
    models["gqa_decode"] = model(
        [helper.make_node("GroupQueryAttention",
                          ["q", "k", "v", "pk", "pv", "seqlens", "total"],
                          ["o", "pko", "pvo"], name="gqa.decode",
                          domain="com.microsoft", num_heads=8, kv_num_heads=2)],
        "gqa_decode",
        [vi("q", F32, [3, 1, 8 * 64]), vi("k", F32, [3, 1, 2 * 64]),
         vi("v", F32, [3, 1, 2 * 64]), vi("pk", F32, [3, 2, 600, 64]),
         vi("pv", F32, [3, 2, 600, 64]), vi("seqlens", T.INT32, [3]),
         vi("total", T.INT32, [])],
        [vi("o", F32, [3, 1, 8 * 64]), vi("pko", F32, [3, 2, 600, 64]),
         vi("pvo", F32, [3, 2, 600, 64])], ms=True)
    models["gqa_prompt"] = model(
        [helper.make_node("GroupQueryAttention",
                          ["q", "k", "v", "", "", "seqlens", "total"],
                          ["o", "pko", "pvo"], name="gqa_prompt",
                          domain="com.microsoft", num_heads=4, kv_num_heads=2,
                          local_window_size=15, softcap=20.0)],
        "gqa_prompt",
        [vi("q", F32, [2, 50, 4 * 32]), vi("k", F32, [2, 50, 2 * 32]),
         vi("v", F32, [2, 50, 2 * 32]), vi("seqlens", T.INT32, [2]),
         vi("total", T.INT32, [])],
        [vi("o", F32, [2, 50, 4 * 32])], ms=True)
    # The exporter subgraph, BERT style: Div by sqrt(d), an additive mask
    # input, Softmax(-1).
    models["subgraph_bert"] = model(
        [helper.make_node("Transpose", ["K"], ["Kt"], perm=[0, 1, 3, 2]),
         helper.make_node("MatMul", ["Q", "Kt"], ["S"], name="qk"),
         helper.make_node("Div", ["S", "d"], ["Ss"]),
         helper.make_node("Add", ["Ss", "mask"], ["Sm"]),
         helper.make_node("Softmax", ["Sm"], ["P"], axis=-1, name="softmax"),
         helper.make_node("MatMul", ["P", "V"], ["O"], name="context")],
        "bert_layer",
        [vi("Q", F32, [2, 3, 45, 64]), vi("K", F32, [2, 3, 45, 64]),
         vi("V", F32, [2, 3, 45, 64]), vi("mask", F32, [1, 1, 45, 45])],
        [vi("O", F32, [2, 3, 45, 64])],
        [numpy_helper.from_array(np.array(8.0, np.float32), "d")], opset=17)
    # GPT-2 style: Q and K each scaled by d^-1/4 (Mul, constants on either
    # side), a constant causal triangle (-1e9 above the diagonal), rank-3
    # [H, L, D] tensors, opset 11 (Softmax axis = rank - 1).
    tri = np.triu(np.full((40, 40), -1e9, np.float32), k=1)
    s = np.float32(32 ** -0.25)
    models["subgraph_causal"] = model(
        [helper.make_node("Mul", ["Q", "s"], ["Qs"]),
         helper.make_node("Mul", ["s", "K"], ["Ks"]),
         helper.make_node("Transpose", ["Ks"], ["Kt"], perm=[0, 2, 1]),
         helper.make_node("MatMul", ["Qs", "Kt"], ["S"]),
         helper.make_node("Add", ["causal", "S"], ["Sm"]),
         helper.make_node("Softmax", ["Sm"], ["P"], axis=2),
         helper.make_node("MatMul", ["P", "V"], ["O"], name="h.0/attn")],
        "gpt_block",
        [vi("Q", F32, [6, 40, 32]), vi("K", F32, [6, 40, 32]),
         vi("V", F32, [6, 40, 32])],
        [vi("O", F32, [6, 40, 32])],
        [numpy_helper.from_array(np.array(s, np.float32), "s"),
         numpy_helper.from_array(tri, "causal")], opset=11)
    # Sizes past what attnc takes (a past length that would overflow the
    # cache length once the new keys are added).
    big = 1 << 62
    models["huge_dims"] = model(
        [helper.make_node("Attention", ["Q", "K", "V", "", "PK", "PV"],
                          ["Y"], name="huge_cache", is_causal=1),
         helper.make_node("Attention", ["QB", "K", "V"], ["Y2"],
                          name="huge_query")],
        "huge_dims",
        [vi("Q", F32, [1, 2, 1, 32]), vi("K", F32, [1, 2, 1, 32]),
         vi("V", F32, [1, 2, 1, 32]), vi("PK", F32, [1, 2, big, 32]),
         vi("PV", F32, [1, 2, big, 32]),
         vi("QB", F32, [1, 2, 1 << 40, 32])],
        [vi("Y", F32, [1, 2, 1, 32]), vi("Y2", F32, [1, 2, 1 << 40, 32])])
    # No attention at all.
    models["no_attention"] = model(
        [helper.make_node("MatMul", ["X", "W"], ["Y"], name="proj"),
         helper.make_node("Relu", ["Y"], ["Z"], name="act")],
        "mlp", [vi("X", F32, [4, 8]), vi("W", F32, [8, 8])],
        [vi("Z", F32, [4, 8])])
    # Candidates that do not fit, each for its own reason.
    models["unsupported"] = model(
        [helper.make_node("Transpose", ["K"], ["Kt"], perm=[0, 1, 3, 2]),
         helper.make_node("MatMul", ["Q", "Kt"], ["S"]),
         helper.make_node("Softmax", ["S"], ["P"], axis=1, name="sm_axis1"),
         helper.make_node("MatMul", ["P", "V"], ["O"]),
         helper.make_node("Attention", ["Q", "K", "V", "B"], ["Y"],
                          name="bool_mask"),
         helper.make_node("GroupQueryAttention",
                          ["q", "k", "v", "", "", "seqlens", "total", "cos",
                           "sin"], ["o", "pko", "pvo"], name="rotary",
                          domain="com.microsoft", num_heads=2, kv_num_heads=2,
                          do_rotary=1),
         helper.make_node("Softmax", ["X"], ["XP"], name="plain_softmax"),
         helper.make_node("Attention", ["Q3", "K", "V"], ["Y3"],
                          name="heads_3_on_2"),
         helper.make_node("Attention", ["Q", "KL", "VL"], ["Y4"],
                          name="causal_top_left", is_causal=1),
         helper.make_node("Attention", ["Q", "K", "V", "M"], ["Y5"],
                          name="softcap_and_mask", softcap=10.0),
         helper.make_node("MatMul", ["Q", "KT"], ["S2"]),
         helper.make_node("Softmax", ["S2"], ["P2"], name="k_pretransposed"),
         helper.make_node("MatMul", ["P2", "V"], ["O2"]),
         helper.make_node("Transpose", ["K"], ["Kt3"], perm=[0, 1, 3, 2]),
         helper.make_node("MatMul", ["Q", "Kt3"], ["S3"]),
         helper.make_node("Softmax", ["S3"], ["P3"], name="weights_returned"),
         helper.make_node("MatMul", ["P3", "V"], ["O3"])],
        "unsupported",
        [vi("Q", F32, [1, 2, 16, 32]), vi("K", F32, [1, 2, 16, 32]),
         vi("V", F32, [1, 2, 16, 32]), vi("B", T.BOOL, [1, 1, 16, 16]),
         vi("q", F32, [1, 16, 64]), vi("k", F32, [1, 16, 64]),
         vi("v", F32, [1, 16, 64]), vi("seqlens", T.INT32, [1]),
         vi("total", T.INT32, []), vi("cos", F32, [16, 16]),
         vi("sin", F32, [16, 16]), vi("X", F32, [4, 4]),
         vi("Q3", F32, [1, 3, 16, 32]), vi("KL", F32, [1, 2, 20, 32]),
         vi("VL", F32, [1, 2, 20, 32]), vi("M", F32, [1, 1, 16, 16]),
         vi("KT", F32, [1, 2, 32, 16])],
        [vi("O", F32, [1, 2, 16, 32]), vi("Y", F32, [1, 2, 16, 32]),
         vi("o", F32, [1, 16, 64]), vi("XP", F32, [4, 4]),
         vi("Y3", F32, [1, 3, 16, 32]), vi("Y4", F32, [1, 2, 16, 32]),
         vi("Y5", F32, [1, 2, 16, 32]), vi("O2", F32, [1, 2, 16, 32]),
         vi("O3", F32, [1, 2, 16, 32]), vi("P3", F32, [1, 2, 16, 16])],
        ms=True)
    os.makedirs(out, exist_ok=True)
    for name, m in models.items():
        with open(os.path.join(out, name + ".onnx"), "wb") as f:
            f.write(m.SerializeToString())
    # Malformed files.
    good = models["attention_4d"].SerializeToString()
    with open(os.path.join(out, "truncated.onnx"), "wb") as f:
        f.write(good[: len(good) // 2])
    with open(os.path.join(out, "garbage.onnx"), "wb") as f:
        f.write(bytes((i * 37 + 11) % 256 for i in range(1000)))
    with open(os.path.join(out, "empty.onnx"), "wb") as f:
        pass
    with open(os.path.join(out, "tensor_not_model.onnx"), "wb") as f:
        f.write(numpy_helper.from_array(np.ones((3, 3), np.float32),
                                        "w").SerializeToString())


# --- the check ------------------------------------------------------------

def load_dump(d):
    arrays = {}
    for line in open(os.path.join(d, "shapes.txt")):
        name, *dims = line.split()
        dtype = np.int32 if name.endswith(".i32") else np.float64
        a = np.fromfile(os.path.join(d, name), dtype=dtype)
        arrays[name.split(".")[0]] = a.reshape([int(x) for x in dims])
    return arrays


def softmax(x, axis=-1):
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    e = np.exp(x - m)
    return e / np.sum(e, axis=axis, keepdims=True)


def to_blhd(x):  # [B, H, L, D] -> [B, L, H*D]
    b, h, l, d = x.shape
    return x.transpose(0, 2, 1, 3).reshape(b, l, h * d)


def from_blhd(x, heads):  # [B, L, H*D] -> [B, H, L, D]
    b, l, hd = x.shape
    return x.reshape(b, l, heads, hd // heads).transpose(0, 2, 1, 3)


def attend(q, k, v, scale, bias=None, softcap=0.0):
    """[B, Hq, Lq, D] x [B, Hkv, Lk, D]: head h reads KV head h // (Hq/Hkv)."""
    rep = q.shape[1] // k.shape[1]
    k = np.repeat(k, rep, axis=1)
    v = np.repeat(v, rep, axis=1)
    s = np.matmul(q, k.transpose(0, 1, 3, 2)) * scale
    if softcap > 0:
        s = softcap * np.tanh(s / softcap)
    if bias is not None:
        s = s + bias
    return np.matmul(softmax(s), v)


def attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def shape_of(g, name):
    for v in list(g.input) + list(g.output) + list(g.value_info):
        if v.name == name:
            return [d.dim_value for d in v.type.tensor_type.shape.dim]
    raise KeyError(name)


def eval_attention(g, n, x):
    q, k, v = x["q"], x["k"], x["v"]
    three_d = len(shape_of(g, n.input[0])) == 3
    hq = attr(n, "q_num_heads", 0)
    if three_d:  # round trip through the node's own layout
        hkv = attr(n, "kv_num_heads", 0)
        q = from_blhd(to_blhd(q), hq)
        k, v = from_blhd(to_blhd(k), hkv), from_blhd(to_blhd(v), hkv)
    scale = attr(n, "scale", 1.0 / np.sqrt(q.shape[3]))
    past = len(n.input) > 4 and n.input[4] != ""
    lq, lk = q.shape[2], k.shape[2]
    bias = np.zeros((lq, lk))
    if len(n.input) > 3 and n.input[3]:
        bias = bias + x["bias"].reshape(x["bias"].shape[-2:]) \
            if x["bias"].shape[:2] == (1, 1) else bias + x["bias"]
    if attr(n, "is_causal", 0):
        # past ++ new: offset = past length; no cache: offset 0.
        offset = lk - lq if past else 0
        i = np.arange(lq)[:, None]
        j = np.arange(lk)[None, :]
        bias = bias + np.where(j <= i + offset, 0.0, -np.inf)
    o = attend(q, k, v, scale, bias, attr(n, "softcap", 0.0))
    return (from_blhd(to_blhd(o), hq) if three_d else o), None


def eval_mha(g, n, x):
    heads = attr(n, "num_heads", 0)
    q = from_blhd(to_blhd(x["q"]), heads)
    k = from_blhd(to_blhd(x["k"]), heads)
    v = from_blhd(to_blhd(x["v"]), heads)
    scale = attr(n, "scale", 1.0 / np.sqrt(q.shape[3]))
    bias = x.get("bias", 0.0)
    lens = x.get("kv_lengths")
    keep = np.ones(q.shape[0], bool)
    if lens is not None:
        j = np.arange(k.shape[2])
        # onnxruntime fills masked keys with mask_filter_value (-10000).
        pad = np.where(j[None, :] < lens[:, None], 0.0, -10000.0)
        bias = bias + pad[:, None, None, :]
        keep = lens > 0  # a row with no key: attnc gives 0, ORT mean(V)
    return attend(q, k, v, scale, bias), keep


def eval_gqa(g, n, x):
    hq, hkv = attr(n, "num_heads", 0), attr(n, "kv_num_heads", 0)
    q = from_blhd(to_blhd(x["q"]), hq)
    k, v = x["k"], x["v"]
    scale = attr(n, "scale", 1.0 / np.sqrt(q.shape[3]))
    softcap = attr(n, "softcap", 0.0)
    window = attr(n, "local_window_size", -1)
    lens = x["kv_lengths"]  # seqlens_k + 1
    cache = len(n.input) > 3 and n.input[3] != ""
    if not cache:
        k, v = from_blhd(to_blhd(k), hkv), from_blhd(to_blhd(v), hkv)
    b, _, lq, _ = q.shape
    out = np.zeros(q.shape[:3] + (v.shape[3],))
    for bi in range(b):
        total = int(lens[bi])
        if total == 0:
            continue
        # Query i sits at position total - lq + i of a sequence decoded
        # against the cache, at i in a prompt (onnxruntime: past length 0);
        # it sees keys up to its position, the last window + 1 of them with a
        # local window.
        pos = (total - lq if cache else 0) + np.arange(lq)[:, None]
        j = np.arange(total)[None, :]
        ok = j <= pos
        if window >= 0:
            ok &= j > pos - (window + 1)
        bias = np.where(ok, 0.0, -np.inf)
        o = attend(q[bi:bi + 1], k[bi:bi + 1, :, :total],
                   v[bi:bi + 1, :, :total], scale, bias, softcap)
        out[bi] = o[0]
    # Rows past a prompt's length are padding, unspecified.
    keep = np.ones(out.shape, bool)
    if not cache:
        for bi in range(b):
            keep[bi, :, int(lens[bi]):] = False
    else:
        keep[lens == 0] = False
    return out, keep


def eval_subgraph(g, n, x):
    """Executes the graph node by node on the dumped inputs."""
    env = {t.name: numpy_helper.to_array(t).astype(np.float64)
           for t in g.initializer}
    # The graph inputs, in their own shapes (the dump has [B, H, L, D]); the
    # test models name them Q, K, V and mask.
    dumped = {"Q": "q", "K": "k", "V": "v", "mask": "bias"}
    for gi in g.input:
        if gi.name not in env:
            shape = [d.dim_value for d in gi.type.tensor_type.shape.dim]
            env[gi.name] = x[dumped[gi.name]].reshape(shape)
    for m in g.node:
        a = [env[i] for i in m.input]
        op = m.op_type
        if op == "Transpose":
            r = np.transpose(a[0], attr(m, "perm", None))
        elif op == "MatMul":
            r = np.matmul(a[0], a[1])
        elif op == "Mul":
            r = a[0] * a[1]
        elif op == "Div":
            r = a[0] / a[1]
        elif op == "Add":
            r = a[0] + a[1]
        elif op == "Softmax":
            r = softmax(a[0], attr(m, "axis", -1))
        else:
            raise SystemExit(f"check: no numpy evaluation of {op}")
        env[m.output[0]] = r
    o = env[n.output[0]]
    return o.reshape(x["out"].shape), None


def check(model_path, dump):
    np.seterr(invalid="ignore")  # rows with no key: excluded below
    m = onnx.load(model_path)
    g = m.graph
    worst = 0.0
    checked = 0
    tol = 2e-3 if any(v.type.tensor_type.elem_type == F16
                      for v in g.input) else 1e-4
    for entry in sorted(os.listdir(dump)):
        x = load_dump(os.path.join(dump, entry))
        node = None
        for n in g.node:
            ident = "".join(c if c.isalnum() else "_" for c in n.name)
            if n.name and ident == entry:
                node = n
        if node is None:
            raise SystemExit(f"check: no node for entry {entry}")
        kind = node.op_type
        if kind == "Attention":
            got, keep = eval_attention(g, node, x)
        elif kind == "MultiHeadAttention":
            got, keep = eval_mha(g, node, x)
        elif kind == "GroupQueryAttention":
            got, keep = eval_gqa(g, node, x)
        elif kind == "MatMul":
            got, keep = eval_subgraph(g, node, x)
        else:
            raise SystemExit(f"check: entry {entry} is a {kind} node")
        out = x["out"]
        if keep is None:
            keep = np.ones(out.shape, bool)
        elif keep.shape != out.shape:
            keep = np.broadcast_to(keep.reshape((-1,) + (1,) * (out.ndim - 1)),
                                   out.shape)
        err = np.max(np.abs(got - out)[keep]) if keep.any() else 0.0
        rows = int(keep.sum())
        status = "ok" if err <= tol else "TOO LARGE"
        print(f"{entry}: ONNX semantics vs compiled entry: max abs error "
              f"{err:.2e} over {rows} values (tol {tol:g}) {status}")
        worst = max(worst, err)
        checked += 1
    if checked == 0:
        raise SystemExit("check: nothing dumped")
    return 0 if worst <= tol else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(__doc__)
