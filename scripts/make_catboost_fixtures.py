#!/usr/bin/env python3
"""Generates the CatBoost interop fixtures in Tests/ModelTests/Fixtures (seeded, deterministic).

For each case it trains a CatBoostRegressor (pip catboost==1.2.10) and writes:
  <case>.json            the model as CatBoost JSON
  <case>.cbm             the same model as CatBoost binary
  <case>_features.csv    headerless rows to score (NaN written as "nan", infinities as "inf")
  <case>_expected.txt    CatBoost's predictions per row: "raw,predict" with 17 significant digits
                         (raw = RawFormulaVal; predict = model.predict(), i.e. exp for Poisson)

The scoring rows mix fresh samples with adversarial ones: values exactly on a model border,
one ulp either side, NaN, +-inf and huge magnitudes, so `>` vs `>=` and NaN handling are tested.

Usage: python3 scripts/make_catboost_fixtures.py [output-dir]
"""
import os
import sys

import numpy as np
from catboost import CatBoostRegressor

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "ModelTests", "Fixtures")

# name, features, depth, trees, extra CatBoost params, NaN share in training data
CASES = [
    ("depth1_trees1_f1", 1, 1, 1, {}, 0.0),
    ("depth6_trees200_f10", 10, 6, 200, {}, 0.0),
    ("depth8_trees50_f20_nanmin", 20, 8, 50, {"nan_mode": "Min"}, 0.1),
    ("depth10_trees20_f5_nanmax", 5, 10, 20, {"nan_mode": "Max"}, 0.1),
    ("depth4_trees1000_f200", 200, 4, 1000, {}, 0.0),
    ("depth6_trees300_f2_borders1024", 2, 6, 300, {"border_count": 1024}, 0.0),
    ("depth6_trees100_f8_poisson", 8, 6, 100, {"loss_function": "Poisson"}, 0.0),
    ("depth5_trees60_f12_mixednan", 12, 5, 60, {"nan_mode": "Min"}, 0.02),
]


def make_data(rng, n, f, nan_share, poisson=False):
    X = rng.normal(size=(n, f)).astype(np.float64)
    X[:, ::3] = np.round(X[:, ::3] * 4) / 4  # some discrete columns: many ties
    w = rng.normal(size=f)
    signal = X @ w / np.sqrt(f) + np.sin(2 * X[:, 0]) + (X[:, min(1, f - 1)] > 0.5)
    if poisson:
        y = rng.poisson(np.exp(0.3 * signal)).astype(np.float64)
    else:
        y = signal + 0.1 * rng.normal(size=n)
    if nan_share > 0:
        mask = rng.random(size=X.shape) < nan_share
        mask[:, 1::2] = False  # half the columns stay NaN-free (nan_value_treatment AsIs)
        X[mask] = np.nan
    return X, y


def scoring_rows(rng, model_json, f, n):
    X = rng.normal(size=(n, f))
    X[:, ::3] = np.round(X[:, ::3] * 4) / 4
    borders = {ff["flat_feature_index"]: ff["borders"] for ff in model_json["features_info"]["float_features"]}
    rows = []
    for i in range(n):
        row = X[i].copy()
        kind = i % 8
        for j in range(f):
            b = borders.get(j, [])
            if kind == 1 and b:  # exactly on a border
                row[j] = float(np.float32(b[rng.integers(len(b))]))
            elif kind == 2 and b:  # one float32 ulp above / below a border
                v = np.float32(b[rng.integers(len(b))])
                if abs(v) == np.finfo(np.float32).max:
                    continue
                row[j] = float(np.nextafter(v, np.float32(np.inf) if rng.random() < 0.5 else np.float32(-np.inf)))
            elif kind == 3 and rng.random() < 0.3:
                row[j] = rng.choice([np.nan, np.inf, -np.inf, 1e30, -1e30, 3.5e38, -3.5e38])
            elif kind == 4 and rng.random() < 0.5:
                row[j] = np.nan
        rows.append(row)
    return np.array(rows)


def fmt(v):
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(float(v))


def main():
    import json
    os.makedirs(OUT, exist_ok=True)
    for index, (name, f, depth, trees, extra, nan_share) in enumerate(CASES):
        rng = np.random.default_rng(1000 + index)
        poisson = extra.get("loss_function") == "Poisson"
        X, y = make_data(rng, 2000, f, nan_share, poisson)
        params = dict(iterations=trees, depth=depth, random_seed=index, verbose=False, thread_count=1,
                      allow_writing_files=False)
        params.update(extra)
        model = CatBoostRegressor(**params)
        model.fit(X, y)
        json_path = os.path.join(OUT, f"{name}.json")
        model.save_model(json_path, format="json")
        model.save_model(os.path.join(OUT, f"{name}.cbm"), format="cbm")
        model_json = json.load(open(json_path))
        Xs = scoring_rows(rng, model_json, f, 300)
        raw = model.predict(Xs, prediction_type="RawFormulaVal", thread_count=1)
        pred = model.predict(Xs, thread_count=1)
        with open(os.path.join(OUT, f"{name}_features.csv"), "w") as out:
            for row in Xs:
                out.write(",".join(fmt(v) for v in row) + "\n")
        with open(os.path.join(OUT, f"{name}_expected.txt"), "w") as out:
            for r, p in zip(raw, pred):
                out.write(f"{float(r)!r},{float(p)!r}\n")
        print(f"{name}: {model.tree_count_} trees, {os.path.getsize(json_path)} bytes of JSON")

    # A model with a categorical feature: loaders must reject it with a clear error.
    rng = np.random.default_rng(7)
    import pandas as pd
    frame = pd.DataFrame({"x": rng.normal(size=300), "c": rng.choice(["a", "b", "c", "d"], size=300)})
    target = frame["x"] + (frame["c"] == "b") * 2.0
    model = CatBoostRegressor(iterations=5, depth=2, random_seed=0, verbose=False, thread_count=1,
                              allow_writing_files=False, cat_features=["c"])
    model.fit(frame, target)
    model.save_model(os.path.join(OUT, "categorical.json"), format="json")
    model.save_model(os.path.join(OUT, "categorical.cbm"), format="cbm")


if __name__ == "__main__":
    main()
