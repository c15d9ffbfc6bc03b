#!/usr/bin/env python3
"""Writes Tests/ModelTests/Fixtures/categorical/hash_vectors_catboost.csv (seeded, deterministic).

Each row is `text,hash`: a categorical value and the hash CatBoost 1.2.10 itself gives it
(CalcCatFeatureHash: the low 32 bits of CityHash64 of the value's UTF-8 bytes), as a decimal.
The hashes come from CatBoost, not from a re-implementation: the strings are one categorical
column of a tiny CatBoostRegressor, saved as JSON with its pool, whose
`features_info.cat_features_hash` maps every hash the pool produced back to its value. Each hash
is then cross-checked against a pure-Python CityHash64 written straight from CityHash v1.0.x
(util/digest/city.cpp in catboost/catboost), so a disagreement stops the script.

The ~300 strings cover every byte length 0..200 (hence every branch of CityHash64: 0, 1-3, 4-8,
9-16, 17-32, 33-64 and > 64 bytes, with the edges 16/17, 32/33, 64/65, 128/129), multi-byte UTF-8
(accents, Cyrillic, CJK, emoji), commas, double quotes, spaces, tabs and integer-looking text.
No value holds a newline, so the file reads line by line as well as by RFC 4180; the file is
written by Python's csv module (RFC 4180 quoting, `\\n` line ends).

Integer categorical values: CatBoost's Python package turns an int into its decimal text before
hashing; the script checks that too (a second model over ints), so the Swift side may hash an
integer as its decimal text.

Usage: python3 scripts/make_hash_vectors.py [output-file]
"""
import csv
import json
import os
import random
import sys
import tempfile

from catboost import CatBoostRegressor, Pool

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "ModelTests", "Fixtures", "categorical",
    "hash_vectors_catboost.csv")

ALPHABETS = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "abc ,\"'\t;|-_.",
    "éàüßñç",        # two bytes each
    "щчжфыюя",       # Cyrillic, two bytes each
    "中文字符测试",   # CJK, three bytes each
    "😀🎉🚀",         # four bytes each
]


# CityHash64 v1.0.x (catboost/catboost util/digest/city.cpp), shared with the fixture checker.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_categorical_fixtures import cityhash64  # noqa: E402


def text_of_byte_length(rng, alphabet, length):
    """A random string of `alphabet` characters whose UTF-8 form is exactly `length` bytes
    (padded with ASCII when a multi-byte character would overshoot)."""
    out, size = [], 0
    while size < length:
        ch = rng.choice(alphabet)
        if size + len(ch.encode()) > length:
            ch = rng.choice(ALPHABETS[0])
        out.append(ch)
        size += len(ch.encode())
    return "".join(out)


def strings(rng):
    values = ["", "a", "ab", "abc", "abcd", "0", "12", "-7", "007", "1.5", "nan", "None", "NULL", "true",
              " a", "a ", " ", ",", "\"", "\"\"", "a,b", "say \"hi\"", "x\ty", "é", "€", "😀", "中文",
              "2147483648", "-9223372036854775808", "18446744073709551615"]
    for length in range(0, 201):
        values.append(text_of_byte_length(rng, ALPHABETS[length % len(ALPHABETS)], length))
    for length in [8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 191, 192, 193]:
        for alphabet in ALPHABETS[1:]:
            values.append(text_of_byte_length(rng, alphabet, length))
    while len(values) < 320:
        values.append(text_of_byte_length(rng, rng.choice(ALPHABETS), rng.randint(0, 200)))
    return list(dict.fromkeys(values))  # distinct, first occurrence kept


def catboost_hashes(values):
    """hash → value, as CatBoost 1.2.10 records them for a pool whose one column is `values`."""
    pool = Pool([[v] for v in values], label=[float(i % 7) for i in range(len(values))], cat_features=[0])
    model = CatBoostRegressor(iterations=1, depth=1, verbose=False, thread_count=1, random_seed=0)
    model.fit(pool)
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "model.json")
        model.save_model(path, format="json", pool=pool)
        with open(path, encoding="utf-8") as file:
            info = json.load(file)["features_info"]
    return {entry["hash"]: entry["value"] for entry in info["cat_features_hash"]}


def check_integers():
    """CatBoost's Python package hashes an int categorical value as its decimal text."""
    integers = [0, 1, -1, 12, 255, 65536, -2147483648, 2147483647, 9223372036854775807, -9223372036854775808]
    by_hash = catboost_hashes(integers)
    for n in integers:
        digest = cityhash64(str(n).encode()) & 0xFFFFFFFF
        assert by_hash.get(digest) == str(n), f"int {n}: CatBoost does not hash it as {str(n)!r}"


def main():
    rng = random.Random(20240611)
    values = strings(rng)
    by_hash = catboost_hashes(values)
    by_value = {value: digest for digest, value in by_hash.items()}
    assert len(by_value) == len(values), f"CatBoost recorded {len(by_value)} of {len(values)} values"
    rows = []
    for value in values:
        digest = by_value[value]
        expected = cityhash64(value.encode("utf-8")) & 0xFFFFFFFF
        assert digest == expected, f"{value!r}: CatBoost {digest}, CityHash64 reference {expected}"
        rows.append((value, digest))
    check_integers()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["text", "hash"])
        writer.writerows(rows)
    lengths = sorted(len(v.encode()) for v in values)
    print(f"wrote {len(rows)} vectors (UTF-8 lengths {lengths[0]}..{lengths[-1]}) to {OUT}")


if __name__ == "__main__":
    main()
