#!/usr/bin/env python3
"""Plots attn-bench JSON: GFLOP/s against sequence length, one line per
implementation (and per thread count), as a self-contained SVG.

    build/bin/attn-bench --shape 1,8,8,512,512,64 --shape 1,8,8,1024,1024,64 \\
        --shape 1,8,8,2048,2048,64 --shape 1,8,8,4096,4096,64 \\
        --impl attnc,openblas --threads 2 --json sweep.json
    scripts/plot-bench.py sweep.json -o sweep.svg [--metric gflops|median_s|extra_bytes]

No dependencies beyond Python 3.
"""
import argparse
import json
import math
import sys

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("json")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--metric", default="gflops",
                    choices=["gflops", "median_s", "extra_bytes", "peak_fraction"])
    args = ap.parse_args()
    records = json.load(open(args.json))
    if not records:
        sys.exit("plot-bench: no records in " + args.json)
    series = {}
    for r in records:
        key = f"{r['impl']} ({r['threads']} thr)"
        series.setdefault(key, []).append((r["kv_len"], r[args.metric]))
    xs = sorted({x for pts in series.values() for x, _ in pts})
    ymax = max(y for pts in series.values() for _, y in pts) or 1.0
    w, h, left, bottom, top, right = 720, 440, 80, 60, 40, 200
    pw, ph = w - left - right, h - top - bottom
    lx = [math.log2(x) for x in xs]
    x0, x1 = min(lx), max(lx) if max(lx) > min(lx) else min(lx) + 1

    def px(x):
        return left + (math.log2(x) - x0) / (x1 - x0) * pw

    def py(y):
        return top + ph - y / (ymax * 1.1) * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{left}" y="24" font-size="14">attn-bench: {args.metric} '
           f'against sequence length (Lk)</text>',
           f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="black"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="black"/>']
    for x in xs:
        out.append(f'<text x="{px(x):.1f}" y="{top + ph + 18}" text-anchor="middle">{x}</text>')
    for i in range(6):
        y = ymax * 1.1 * i / 5
        out.append(f'<text x="{left - 8}" y="{py(y) + 4:.1f}" text-anchor="end">{y:.3g}</text>')
        out.append(f'<line x1="{left}" y1="{py(y):.1f}" x2="{left + pw}" y2="{py(y):.1f}" '
                   f'stroke="#ddd"/>')
    out.append(f'<text x="{left + pw / 2}" y="{h - 16}" text-anchor="middle">sequence length</text>')
    for i, (name, pts) in enumerate(sorted(series.items())):
        c = COLORS[i % len(COLORS)]
        pts = sorted(pts)
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{c}" stroke-width="2"/>')
        for x, y in pts:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{c}"/>')
        ly = top + 16 + 18 * i
        out.append(f'<rect x="{left + pw + 16}" y="{ly - 9}" width="12" height="12" fill="{c}"/>')
        out.append(f'<text x="{left + pw + 34}" y="{ly + 1}">{name}</text>')
    out.append("</svg>")
    open(args.output, "w").write("\n".join(out) + "\n")
    print(f"plot-bench: wrote {args.output} ({len(series)} series, {len(xs)} lengths)")


if __name__ == "__main__":
    main()
