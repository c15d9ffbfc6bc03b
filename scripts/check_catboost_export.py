#!/usr/bin/env python3
"""Loads Symmetree's CatBoost-JSON exports with CatBoost and compares its predictions with ours.

Usage: check_catboost_export.py [--cat-features I,J] EXPORT_DIR FIXTURE_DIR NAME...
For each NAME: EXPORT_DIR/NAME.json is our export, EXPORT_DIR/NAME_ours.txt our predictions,
FIXTURE_DIR/NAME_features.csv the rows. Prints one line per model and OK when all agree
within 1e-9 relative (both sides evaluate the same float32 borders and float64 leaves).

Numeric models are compared by CatBoostRegressor.predict (which applies the loss's transform,
e.g. exp for Poisson). With --cat-features those columns (from 0) hold category text, read
exactly as written (RFC 4180 quoting, no missing-value spellings), and predict() is compared
the same way. A fixture with FIXTURE_DIR/NAME_catcolumns.txt (the CatBoost categorical
fixtures) is read with text in those columns and `nan` as the numeric missing value, and
compared as raw formula values (EXPORT_DIR/NAME_ours.txt holds our raw values then).
"""
import os
import sys

import numpy as np
import pandas as pd
from catboost import CatBoost, CatBoostRegressor, Pool


def rows(path, cat_features):
    if not cat_features:
        return np.loadtxt(path, delimiter=",", ndmin=2)
    frame = pd.read_csv(path, header=None, dtype={c: str for c in cat_features}, keep_default_na=False)
    numeric = [c for c in frame.columns if c not in cat_features]
    frame[numeric] = frame[numeric].replace("", np.nan).astype(float)
    return Pool(frame, cat_features=cat_features)


def fixture_raw_predictions(model_path, features_path, catcolumns_path):
    cats = [int(c) for c in open(catcolumns_path).read().replace("\n", ",").split(",") if c.strip()]
    frame = pd.read_csv(features_path, header=None, keep_default_na=False, na_values={},
                        dtype={c: str for c in cats})
    for column in frame.columns:
        if column not in cats:
            frame[column] = pd.to_numeric(frame[column].replace("nan", np.nan))
    model = CatBoost()
    model.load_model(model_path, format="json")
    frame.columns = model.feature_names_
    return model.predict(frame, prediction_type="RawFormulaVal", thread_count=1)


def main():
    arguments = sys.argv[1:]
    cat_features = []
    if arguments and arguments[0] == "--cat-features":
        cat_features = [int(c) for c in arguments[1].split(",") if c]
        arguments = arguments[2:]
    export_dir, fixture_dir, names = arguments[0], arguments[1], arguments[2:]
    worst = 0.0
    for name in names:
        catcolumns = f"{fixture_dir}/{name}_catcolumns.txt"
        if os.path.exists(catcolumns):
            theirs = fixture_raw_predictions(f"{export_dir}/{name}.json", f"{fixture_dir}/{name}_features.csv", catcolumns)
        else:
            model = CatBoostRegressor()
            model.load_model(f"{export_dir}/{name}.json", format="json")
            theirs = model.predict(rows(f"{fixture_dir}/{name}_features.csv", cat_features), thread_count=1)
        ours = np.loadtxt(f"{export_dir}/{name}_ours.txt", ndmin=1)
        error = float(np.max(np.abs(theirs - ours) / np.maximum(1.0, np.abs(theirs))))
        worst = max(worst, error)
        print(f"{name}: max relative difference {error:.3e}")
    print("OK" if worst <= 1e-9 else "FAIL")
    return 0 if worst <= 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
