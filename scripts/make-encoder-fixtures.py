#!/usr/bin/env python3
"""Converts the encoder parts of ../shared/fixtures/encoders-reference.h5 into small files the
Swift tests read without an HDF5 library:

    Tests/EncoderTests/Fixtures/encoders-reference.json
        {"texts": [...], "<encoder>": {"max_seq_length": n, "dim": d,
                                        "token_lengths": [...], "token_ids": [...]}}
    Tests/EncoderTests/Fixtures/<encoder>-embeddings.f32
        float32 little-endian, row-major [100, dim] (mean-pooled, L2-normalised)

Usage: python3 scripts/make-encoder-fixtures.py [path/to/encoders-reference.h5]
Needs h5py and numpy. The output is deterministic, so re-running it leaves git clean.
"""
import json
import os
import sys

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_H5 = os.path.join(ROOT, "..", "shared", "fixtures", "encoders-reference.h5")
OUT = os.path.join(ROOT, "Tests", "EncoderTests", "Fixtures")
ENCODERS = ["minilm-l6", "mpnet-base"]


def main() -> None:
    src = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_H5
    if not os.path.exists(src):
        sys.exit(f"make-encoder-fixtures: {src} not found (pass the path of encoders-reference.h5)")
    os.makedirs(OUT, exist_ok=True)
    with h5py.File(src, "r") as f:
        texts = [t.decode("utf-8") if isinstance(t, bytes) else str(t) for t in f["texts"][:]]
        doc = {"texts": texts}
        for name in ENCODERS:
            g = f[name]
            lengths = g["token_lengths"][:].astype(np.int64)
            ids = g["token_ids"][:].astype(np.int64)
            emb = g["embeddings"][:].astype("<f4")
            if lengths.sum() != ids.size or emb.shape[0] != len(texts):
                sys.exit(f"make-encoder-fixtures: {src}: /{name} shapes are inconsistent")
            doc[name] = {
                "max_seq_length": int(g.attrs["max_seq_length"]),
                "dim": int(emb.shape[1]),
                "token_lengths": lengths.tolist(),
                "token_ids": ids.tolist(),
            }
            path = os.path.join(OUT, f"{name}-embeddings.f32")
            with open(path, "wb") as out:
                out.write(np.ascontiguousarray(emb).tobytes())
            print(f"make-encoder-fixtures: wrote {path} ({emb.shape[0]}x{emb.shape[1]} float32)")
    path = os.path.join(OUT, "encoders-reference.json")
    with open(path, "w", encoding="utf-8") as out:
        json.dump(doc, out, ensure_ascii=True, separators=(",", ":"))
        out.write("\n")
    print(f"make-encoder-fixtures: wrote {path}")


if __name__ == "__main__":
    main()
