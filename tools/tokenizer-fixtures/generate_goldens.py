#!/usr/bin/python3
"""Golden ids for @evejs/tokenizer, made with Debian's python3-sentencepiece.

Usage (from the repository root, after building the Llama-2 files with
`node --import tsx tools/tokenizer-fixtures/build-llama2-fixture.ts`):

    /usr/bin/python3 tools/tokenizer-fixtures/generate_goldens.py [model_dir]

Writes packages/tokenizer/test/fixtures/llama2-goldens.json (SentencePiece ids and decodes of the
corpus plus seeded random strings; HF 4.31 slow-tokenizer ids) and eve-goldens.json (EVE prompts,
tokenizer_image_token ids, preprocess_v1 / preprocess_plain labels).

transformers is not installed here (Debian has no python3-transformers), so the 4.31 slow
LlamaTokenizer logic that matters (tokenize/_tokenize with legacy True/False, special-token split,
build_inputs_with_special_tokens) is written out below from transformers 4.31's source, and EVE's
conversation.py / mm_utils.py / train.py logic from baaivision/EVE (EVEv1, commit cc63ec7),
with lists in place of torch tensors.
"""
import json
import random
import sys
from pathlib import Path

import sentencepiece as spm

ROOT = Path(__file__).resolve().parents[2]
MODEL_DIR = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "packages/tokenizer/build/llama2"
FIXTURES = ROOT / "packages/tokenizer/test/fixtures"
SEED = 20240617
SPIECE_UNDERLINE = "\u2581"

sp = spm.SentencePieceProcessor(model_file=str(MODEL_DIR / "tokenizer.model"))


# --- Claim check: the reconstructed scores reproduce HF's merge order ---------------------------
def check_scores_against_hf_merges():
    """HF's LlamaConverter sorted merges by the original piece scores (descending, stable); redo
    that from our scores and compare with the merges tokenizer.json carries (llama-tokenizer-js)."""
    hf = json.load(open(MODEL_DIR / "tokenizer.json", encoding="utf-8"))["model"]["merges"]
    vocab = {sp.id_to_piece(i): i for i in range(sp.get_piece_size())}
    scores = {sp.id_to_piece(i): sp.get_score(i) for i in range(sp.get_piece_size())}
    merges = []
    for merge, score in scores.items():
        local = []
        for index in range(1, len(merge)):
            left, right = merge[:index], merge[index:]
            if left in vocab and right in vocab:
                local.append((left, right, score))
        local.sort(key=lambda x: (vocab[x[0]], vocab[x[1]]))
        merges.extend(local)
    merges.sort(key=lambda m: m[2], reverse=True)
    ours = [f"{a} {b}" for a, b, _ in merges]
    # Merges of equal score (Llama's whitespace-only pieces all score -1e9) may come in any order:
    # compare the order of score groups, and each group as a set.
    score_of = {f"{a} {b}": s for a, b, s in merges}
    same_groups = [score_of.get(m) for m in hf] == [s for _, _, s in merges]
    tied = [m for m in ours if score_of[m] == -1e9]
    same = same_groups and set(ours) == set(hf)
    print(f"merge order from scores matches tokenizer.json up to ties: {same} "
          f"({len(ours)} merges, {len(tied)} tied at -1e9; identical order: {ours == hf})")
    return same


# --- transformers 4.31 slow LlamaTokenizer (the parts that change ids) --------------------------
class SlowLlamaTokenizer431:
    special = ["<s>", "</s>", "<unk>"]  # AddedToken(lstrip=False, rstrip=False) in Vicuna's files

    def __init__(self, legacy):
        self.legacy = legacy
        self.bos_token_id = 1

    def _split(self, text):
        # tokens_trie.split for these three non-overlapping tokens
        out, last, i = [], 0, 0
        while i < len(text):
            hit = next((t for t in self.special if text.startswith(t, i)), None)
            if hit is None:
                i += 1
                continue
            out += [text[last:i], hit]
            i += len(hit)
            last = i
        out.append(text[last:])
        return out

    def tokenize(self, text):
        if not self.legacy:
            text = SPIECE_UNDERLINE + text.replace(SPIECE_UNDERLINE, " ")
        tokenized = []
        for token in self._split(text):
            if not token:
                continue
            if token in self.special:
                tokenized.append(token)
            else:
                tokenized.extend(self._tokenize(token))
        return tokenized

    def _tokenize(self, text):
        if not self.legacy:
            is_first = text.startswith(SPIECE_UNDERLINE)
            if is_first:
                text = text[1:]
        tokens = sp.encode(text, out_type=str)
        if not self.legacy and not is_first and not text.startswith(" ") and tokens[0].startswith(SPIECE_UNDERLINE):
            tokens = ([tokens[0][1:]] if len(tokens[0]) > 1 else []) + tokens[1:]
        return tokens

    def __call__(self, text):
        return [self.bos_token_id] + [sp.piece_to_id(t) for t in self.tokenize(text)]


hf = SlowLlamaTokenizer431(legacy=False)
hf_legacy = SlowLlamaTokenizer431(legacy=True)


# --- corpus ------------------------------------------------------------------------------------
def random_strings(rng, n):
    pools = [
        "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", "     ", "\n\t",
        ".,;:!?'\"()[]{}<>/\\|@#$%^&*-_=+~`", "éèêëàâäôöûüçñßøåæœ", "的一是不了人我在有他这为之大来以个中上们",
        "アイウエオカキクケコ", "абвгдеёжзийклмнопрстуфхцчшщъыьэюя", "😀🦙👍🏽❤️🇯🇵", "\u2581\ufeff\u200b\u0301",
        "𠮷𝔘龘齉", "ʘʬˤ˥ψϡ", "<s></s><unk>",
    ]
    out = []
    for _ in range(n):
        length = rng.choice([1, 2, 3, 5, 8, 13, 21, 34, 55])
        weights = [rng.random() for _ in pools]
        s = "".join(rng.choice(rng.choices(pools, weights)[0]) for _ in range(length))
        out.append(s)
    # words glued with spaces and digits, the common case
    words = "the of and to in is was for on that with as by at from it an be this are or".split()
    for _ in range(n // 2):
        out.append(" ".join(rng.choice(words) + (str(rng.randint(0, 9999)) if rng.random() < 0.2 else "")
                            for _ in range(rng.randint(1, 12))))
    return out


def random_id_sequences(rng, n):
    size = sp.get_piece_size()
    seqs = []
    for _ in range(n):
        seq = []
        for _ in range(rng.randint(0, 12)):
            r = rng.random()
            if r < 0.35:
                seq.append(rng.randint(3, 258))  # byte pieces: broken and valid UTF-8 runs
            elif r < 0.45:
                seq.append(rng.randint(0, 2))  # unk / control
            elif r < 0.55:
                seq.append(29871)  # lone ▁
            else:
                seq.append(rng.randint(259, size - 1))
        seqs.append(seq)
    # valid multi-byte characters as byte runs, and truncated ones
    for ch in ["é", "中", "🦙", "\u2581"]:
        b = [3 + x for x in ch.encode("utf-8")]
        seqs += [b, b[:-1], [29871] + b, b + [29871, 15043], b[:1] + b]
    return seqs


def main():
    claim = check_scores_against_hf_merges()
    rng = random.Random(SEED)
    corpus = json.load(open(FIXTURES / "corpus.json", encoding="utf-8"))
    texts = corpus + random_strings(rng, 600)
    rows = []
    for t in texts:
        ids = sp.encode(t)
        rows.append({
            "text": t,
            "sp": ids,
            "spDecoded": sp.decode(ids),
            "hf": hf(t),
            "hfLegacy": hf_legacy(t),
        })
    decodes = [{"ids": s, "sp": sp.decode(s)} for s in random_id_sequences(rng, 300)]
    out = {
        "generator": "tools/tokenizer-fixtures/generate_goldens.py",
        "sentencepiece": spm.__version__,
        "seed": SEED,
        "scoresReproduceHfMergeOrder": claim,
        "encode": rows,
        "decode": decodes,
    }
    (FIXTURES / "llama2-goldens.json").write_text(json.dumps(out, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} encode and {len(decodes)} decode goldens")
    import eve_goldens
    eve_goldens.write(hf, FIXTURES / "eve-goldens.json")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
