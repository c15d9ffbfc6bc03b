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


# CityHash64 v1.0.x, transcribed from catboost/catboost util/digest/city.cpp (Google, MIT).
M64 = (1 << 64) - 1
K0, K1, K2, K3 = 0xC3A5C85C97CB3127, 0xB492B66FBE98F273, 0x9AE16A3B2F90404F, 0xC949D7C7509E6557


def _load64(s, i):
    return int.from_bytes(s[i:i + 8], "little")


def _load32(s, i):
    return int.from_bytes(s[i:i + 4], "little")


def _rotate(v, shift):
    return v if shift == 0 else ((v >> shift) | (v << (64 - shift))) & M64


def _shift_mix(v):
    return v ^ (v >> 47)


def _hash16(u, v):
    mul = 0x9DDFEA08EB382D69
    a = ((u ^ v) * mul) & M64
    a ^= a >> 47
    b = ((v ^ a) * mul) & M64
    b ^= b >> 47
    return (b * mul) & M64


def _len0to16(s):
    n = len(s)
    if n > 8:
        a, b = _load64(s, 0), _load64(s, n - 8)
        return _hash16(a, _rotate((b + n) & M64, n)) ^ b
    if n >= 4:
        return _hash16((n + (_load32(s, 0) << 3)) & M64, _load32(s, n - 4))
    if n > 0:
        y = (s[0] + (s[n >> 1] << 8)) & 0xFFFFFFFF
        z = (n + (s[n - 1] << 2)) & 0xFFFFFFFF
        return (_shift_mix(((y * K2) ^ (z * K3)) & M64) * K2) & M64
    return K2


def _len17to32(s):
    n = len(s)
    a = (_load64(s, 0) * K1) & M64
    b = _load64(s, 8)
    c = (_load64(s, n - 8) * K2) & M64
    d = (_load64(s, n - 16) * K0) & M64
    return _hash16((_rotate((a - b) & M64, 43) + _rotate(c, 30) + d) & M64,
                   (a + _rotate(b ^ K3, 20) - c + n) & M64)


def _weak32(s, i, a, b):
    w, x, y, z = _load64(s, i), _load64(s, i + 8), _load64(s, i + 16), _load64(s, i + 24)
    a = (a + w) & M64
    b = _rotate((b + a + z) & M64, 21)
    c = a
    a = (a + x + y) & M64
    b = (b + _rotate(a, 44)) & M64
    return (a + z) & M64, (b + c) & M64


def _len33to64(s):
    n = len(s)
    z = _load64(s, 24)
    a = (_load64(s, 0) + (n + _load64(s, n - 16)) * K0) & M64
    b = _rotate((a + z) & M64, 52)
    c = _rotate(a, 37)
    a = (a + _load64(s, 8)) & M64
    c = (c + _rotate(a, 7)) & M64
    a = (a + _load64(s, 16)) & M64
    vf, vs = (a + z) & M64, (b + _rotate(a, 31) + c) & M64
    a = (_load64(s, 16) + _load64(s, n - 32)) & M64
    z = _load64(s, n - 8)
    b = _rotate((a + z) & M64, 52)
    c = _rotate(a, 37)
    a = (a + _load64(s, n - 24)) & M64
    c = (c + _rotate(a, 7)) & M64
    a = (a + _load64(s, n - 16)) & M64
    wf, ws = (a + z) & M64, (b + _rotate(a, 31) + c) & M64
    r = _shift_mix(((vf + ws) * K2 + (wf + vs) * K0) & M64)
    return (_shift_mix((r * K0 + vs) & M64) * K2) & M64


def cityhash64(s):
    n = len(s)
    if n <= 16:
        return _len0to16(s)
    if n <= 32:
        return _len17to32(s)
    if n <= 64:
        return _len33to64(s)
    x = _load64(s, 0)
    y = _load64(s, n - 16) ^ K1
    z = _load64(s, n - 56) ^ K0
    v = _weak32(s, n - 64, n, y)
    w = _weak32(s, n - 32, (n * K1) & M64, K0)
    z = (z + _shift_mix(v[1]) * K1) & M64
    x = (_rotate((z + x) & M64, 39) * K1) & M64
    y = (_rotate(y, 33) * K1) & M64
    p, rest = 0, (n - 1) & ~63
    while True:
        x = (_rotate((x + y + v[0] + _load64(s, p + 16)) & M64, 37) * K1) & M64
        y = (_rotate((y + v[1] + _load64(s, p + 48)) & M64, 42) * K1) & M64
        x ^= w[1]
        y ^= v[0]
        z = _rotate(z ^ w[0], 33)
        v = _weak32(s, p, (v[1] * K1) & M64, (x + w[0]) & M64)
        w = _weak32(s, p + 32, (z + w[1]) & M64, y)
        z, x = x, z
        p += 64
        rest -= 64
        if rest == 0:
            break
    return _hash16((_hash16(v[0], w[0]) + _shift_mix(y) * K1 + z) & M64, (_hash16(v[1], w[1]) + x) & M64)


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
