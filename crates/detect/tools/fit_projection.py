#!/usr/bin/env python3
"""Fits the collective meaning's projection and pair model from the labelled waves.

    cargo run --release -p weiquan-detect --example meaning_dump > labelled.jsonl
    python3 crates/detect/tools/fit_projection.py labelled.jsonl   # needs numpy

Writes `crates/detect/data/collective-projection.f32` (the token encoder's 512 dimensions onto
K, little-endian f32, row-major 512 × K) and prints the pair model's weights for
`Closeness::default`.

The projection is a regularised linear discriminant over the waves: within each shop (vectors
centred on the shop's mean, so a trade's vocabulary is not what separates), the directions along
which complaints of one wave are close and different waves far apart, with the within-wave
scatter shrunk towards a multiple of the identity (ALPHA) so that the directions learned from
~150 waves still hold for causes none of them had. ALPHA and K were chosen by leaving each
labelled group out of the fit in turn and scoring it (BENCHMARKS.md).

The pair model is a logistic regression over `PairEvidence::features`, fitted on every pair at
one shop; each group's cosines come from a projection fitted *without* that group, so the model
learns how far an unseen wave's cosine can be trusted, not how well the projection remembers
the waves it was fitted on.
"""

import json
import os
import sys

import numpy as np

# Groups written after this fit and scored on it: never fitted on until they have been scored.
# M is unscored. Every group through L has been scored (a refit through K scored no better on L
# than the shipped projection, fitted through I: BENCHMARKS.md, "Held-out group L").
HELD_OUT = {"heldout_m"}
ALPHA = 3.0
K = 48
ONE_ITEM = {"quality_defect", "not_as_described", "false_advertising"}
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                   "collective-projection.f32")


def unit(m):
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)


def fit(x, shops, waves, idx):
    xs = x[idx].copy()
    for s in set(shops[idx]):
        m = shops[idx] == s
        xs[m] -= xs[m].mean(0)
    d = x.shape[1]
    sw = np.zeros((d, d))
    sb = np.zeros((d, d))
    members = {}
    for j, i in enumerate(idx):
        if waves[i] is not None:
            members.setdefault((shops[i], waves[i]), []).append(j)
    n = 0
    for js in members.values():
        y = xs[js]
        mu = y.mean(0)
        r = y - mu
        sw += r.T @ r
        sb += len(js) * np.outer(mu, mu)
        n += len(js)
    sw /= n
    sb /= n
    w, v = np.linalg.eigh(sw + ALPHA * np.trace(sw) / d * np.eye(d))
    whiten = v @ np.diag(w ** -0.5) @ v.T
    w2, v2 = np.linalg.eigh(whiten @ sb @ whiten)
    order = np.argsort(w2)[::-1][:K]
    return whiten @ v2[:, order]


def logistic(f, y, l2=1e-2, rounds=50):
    f = np.hstack([f, np.ones((len(f), 1))])
    w = np.zeros(f.shape[1])
    for _ in range(rounds):
        p = 1 / (1 + np.exp(-f @ w))
        g = f.T @ (p - y) + l2 * w
        h = (f * (p * (1 - p))[:, None]).T @ f + l2 * np.eye(len(w))
        w -= np.linalg.solve(h, g)
    return w


def main():
    rows = [r for r in map(json.loads, open(sys.argv[1])) if r["group"] not in HELD_OUT]
    x = np.array([r["token"] for r in rows], dtype=np.float64)
    groups = np.array([r["group"] for r in rows])
    shops = np.array([r["shop"] for r in rows])
    waves = [r["wave"] for r in rows]
    words = {}
    for i, r in enumerate(rows):
        for j, s in r["words"]:
            words[(i, j)] = words[(j, i)] = s

    everything = np.arange(len(rows))
    projection = fit(x, shops, waves, everything)
    projection.astype("<f4").tofile(OUT)
    print(f"wrote {OUT}: {x.shape[1]} x {K}")

    feats, labels = [], []
    for g in sorted(set(groups)):
        z = unit(x @ fit(x, shops, waves, np.where(groups != g)[0]))
        idx = np.where(groups == g)[0]
        for a_pos, i in enumerate(idx):
            for j in idx[a_pos + 1:]:
                if shops[i] != shops[j]:
                    continue
                a, b = rows[i], rows[j]
                c = float(z[i] @ z[j])
                same_item = a["item"] == b["item"]
                same_cat = a["category"] == b["category"]
                pa, pb = a["problems"], b["problems"]
                feats.append([
                    c, c * same_item, same_item, same_cat,
                    (pa & pb) != 0, pa != 0 and pb != 0 and (pa & pb) == 0,
                    same_cat and a["category"] not in ONE_ITEM,
                    words.get((i, j), 0.0),
                ])
                labels.append(1.0 if waves[i] is not None and waves[i] == waves[j] else 0.0)
    w = logistic(np.array(feats, dtype=float), np.array(labels))
    print("Closeness weights:", ", ".join(f"{v:.3f}" for v in w))


if __name__ == "__main__":
    main()
