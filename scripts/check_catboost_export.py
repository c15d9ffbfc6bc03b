#!/usr/bin/env python3
"""Loads Symmetree's CatBoost-JSON exports with CatBoostRegressor and compares its predict()
(which applies the loss's transform, e.g. exp for Poisson) with ours.

Usage: check_catboost_export.py EXPORT_DIR FIXTURE_DIR NAME...
For each NAME: EXPORT_DIR/NAME.json is our export, EXPORT_DIR/NAME_ours.txt our predictions,
FIXTURE_DIR/NAME_features.csv the rows. Prints one line per model and OK when all agree
within 1e-9 relative (both sides evaluate the same float32 borders and float64 leaves).

A model with categorical features has FIXTURE_DIR/NAME_catcolumns.txt: its rows are read as
text in those columns (CatBoost hashes the same strings) and compared as raw formula values
(EXPORT_DIR/NAME_ours.txt holds our raw values then).
"""
import os
import sys

import numpy as np
import pandas as pd
from catboost import CatBoost, CatBoostRegressor


def categorical_predictions(model_path, features_path, catcolumns_path):
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
    export_dir, fixture_dir, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    worst = 0.0
    for name in names:
        catcolumns = f"{fixture_dir}/{name}_catcolumns.txt"
        if os.path.exists(catcolumns):
            theirs = categorical_predictions(f"{export_dir}/{name}.json", f"{fixture_dir}/{name}_features.csv", catcolumns)
        else:
            model = CatBoostRegressor()
            model.load_model(f"{export_dir}/{name}.json", format="json")
            rows = np.loadtxt(f"{fixture_dir}/{name}_features.csv", delimiter=",", ndmin=2)
            theirs = model.predict(rows, thread_count=1)
        ours = np.loadtxt(f"{export_dir}/{name}_ours.txt", ndmin=1)
        error = float(np.max(np.abs(theirs - ours) / np.maximum(1.0, np.abs(theirs))))
        worst = max(worst, error)
        print(f"{name}: max relative difference {error:.3e}")
    print("OK" if worst <= 1e-9 else "FAIL")
    return 0 if worst <= 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
