#!/usr/bin/env python3
"""Converts the encoder parts of Tests/EncoderTests/Fixtures/encoders-reference.h5 into small files the
Swift tests read without an HDF5 library:

    Tests/EncoderTests/Fixtures/encoders-reference.json
        {"texts": [...], "<encoder>": {"max_seq_length": n, "dim": d,
                                        "token_lengths": [...], "token_ids": [...]}}
    Tests/EncoderTests/Fixtures/<encoder>-embeddings.f32
        float32 little-endian, row-major [100, dim] (mean-pooled, L2-normalised)

    Tests/EncoderTests/Fixtures/tokenizer-edge-cases.json
        {"texts": [...], "<encoder>": [[ids...], ...]}: tricky texts (special tokens written in
        the text, marks, scripts, controls, random Unicode) tokenized by Hugging Face
        `tokenizers` from the models' own tokenizer.json, truncated at max_seq_length. Written
        only when `tokenizers` is installed (pip install tokenizers) and the model folders are
        present (scripts/fetch-models.sh); otherwise the committed file is left as it is.

    Tests/EncoderTests/Fixtures/bert-char-classes.json
        For every code point from U+0080 up, how Hugging Face `tokenizers`' BertNormalizer and
        BertPreTokenizer treat it, as sorted [first, last] ranges per class: "removed"
        (clean_text drops it), "space" (becomes a space), "punct" (split off alone), "cjk"
        (spaces put around it), "mark" (dropped by accent stripping; only code points that NFD
        leaves unchanged). Written only when `tokenizers` is installed.

Usage: python3 scripts/make-encoder-fixtures.py [path/to/encoders-reference.h5]
Needs h5py and numpy. The output is deterministic, so re-running it leaves git clean.
"""
import json
import os
import sys

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_H5 = os.path.join(ROOT, "Tests", "EncoderTests", "Fixtures", "encoders-reference.h5")
OUT = os.path.join(ROOT, "Tests", "EncoderTests", "Fixtures")
ENCODERS = ["minilm-l6", "mpnet-base"]
FOLDERS = {"minilm-l6": "all-MiniLM-L6-v2", "mpnet-base": "all-mpnet-base-v2"}
MAX_SEQ = {"minilm-l6": 256, "mpnet-base": 384}

EDGE_CASES = [
    "a [MASK] b [SEP] c [CLS] [UNK] [PAD] [mask]",
    "<s>x</s> <pad> <unk> <UNK> <mask> tail",
    "[MASK][MASK]x[MASK]",
    "\u00adsoft\u00adhyphen zero\u200bwidth zwj\u200djoiner bom\ufeff",
    "ctrl\x01\x02\x7f\x85nel line\u2028sep para\u2029sep",
    "private \ue000\uf8ff unassigned \u0378\u0379 replacement \ufffd",
    "İstanbul straße ΣΊΣΥΦΟΣ ǅemal ﬁle Ｆｕｌｌｗｉｄｔｈ １２３",
    "𝐀𝐁𝐂 mathematical 𝟙𝟚 ℌ℮ℓℓo",
    "مرحبا بالعالم עברית שלום हिन्दी भाषा ไทย ภาษา",
    "e\u0301 a\u0300 \u0301alone \u20dd enclosing",
    "👨\u200d👩\u200d👧\u200d👦 family 🏳\ufe0f\u200d🌈 flag 🇯🇵 1\ufe0f\u20e3",
    "¡¿«»‹›„“”‘’‚—–‐•…‰′″§¶†‡ ¢£¥€₹ ©®™ ° ± × ÷ ¬ ¦",
    "𠀀𪜀𫝀𫠠𬺰 CJK ext 〇 〆 々 ｱｲｳ ㄅㄆ ꀀ",
    "한국어 텍스트 ᄀᄁ ㄱㄲ",
    "tabs\t\tand\r\nnewlines\n\n  \u3000ideographic space\u00a0nbsp",
    "x" * 100 + " " + "y" * 101 + " " + "é" * 101,
    "unbelievably‑hyphenated non‑breaking–dash",
    " ".join(["word"] * 300),
]


def random_texts(n: int, seed: int = 7) -> list:
    """Random strings over a mix of ASCII, Latin-1, combining marks, punctuation, CJK, emoji."""
    import random
    rng = random.Random(seed)
    pools = [range(0x20, 0x7F), range(0xA0, 0x180), range(0x300, 0x370), range(0x2000, 0x2070),
             range(0x3000, 0x3100), range(0x4E00, 0x4E80), range(0xAC00, 0xAC40), range(0x1F300, 0x1F340),
             range(0x0600, 0x0660), range(0x0900, 0x0980), range(0xFF00, 0xFF60), range(0x1D400, 0x1D440)]
    out = []
    for _ in range(n):
        chars = []
        for _ in range(rng.randint(1, 40)):
            pool = rng.choice(pools)
            chars.append(chr(rng.choice(pool)))
            if rng.random() < 0.2:
                chars.append(" ")
        out.append("".join(chars))
    return out


def ranges(points: list) -> list:
    out = []
    for cp in points:
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def write_char_classes() -> None:
    import unicodedata
    from tokenizers import normalizers, pre_tokenizers
    clean = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=False)
    cjk = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=True, strip_accents=False, lowercase=False)
    strip = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=True, lowercase=False)
    pre = pre_tokenizers.BertPreTokenizer()
    classes = {"removed": [], "space": [], "punct": [], "cjk": [], "mark": []}
    for cp in range(0x80, 0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        s = clean.normalize_str("a" + c + "b")
        if s == "ab":
            classes["removed"].append(cp)
            continue
        if s == "a b":
            classes["space"].append(cp)
        elif [p for p, _ in pre.pre_tokenize_str(s)] == ["a", c, "b"]:
            classes["punct"].append(cp)
        if cjk.normalize_str(c) == " " + c + " ":
            classes["cjk"].append(cp)
        if unicodedata.normalize("NFD", c) == c and strip.normalize_str(c) == "":
            classes["mark"].append(cp)
    doc = {k: ranges(v) for k, v in classes.items()}
    path = os.path.join(OUT, "bert-char-classes.json")
    with open(path, "w", encoding="utf-8") as out:
        json.dump(doc, out, separators=(",", ":"))
        out.write("\n")
    print(f"make-encoder-fixtures: wrote {path}")


def write_edge_cases() -> None:
    try:
        from tokenizers import Tokenizer
    except ImportError:
        print("make-encoder-fixtures: `tokenizers` not installed; tokenizer-edge-cases.json and bert-char-classes.json left as they are")
        return
    write_char_classes()
    models = os.environ.get("PROFILEBENCH_MODELS", os.path.join(ROOT, "models"))
    texts = EDGE_CASES + random_texts(200)
    doc = {"texts": texts}
    for name in ENCODERS:
        path = os.path.join(models, FOLDERS[name], "tokenizer.json")
        if not os.path.exists(path):
            print(f"make-encoder-fixtures: {path} absent (run scripts/fetch-models.sh); tokenizer-edge-cases.json left as it is")
            return
        tok = Tokenizer.from_file(path)
        tok.no_padding()
        tok.enable_truncation(MAX_SEQ[name])
        doc[name] = [tok.encode(t).ids for t in texts]
    path = os.path.join(OUT, "tokenizer-edge-cases.json")
    with open(path, "w", encoding="utf-8") as out:
        json.dump(doc, out, ensure_ascii=True, separators=(",", ":"))
        out.write("\n")
    print(f"make-encoder-fixtures: wrote {path} ({len(texts)} texts)")


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
    write_edge_cases()


if __name__ == "__main__":
    main()
