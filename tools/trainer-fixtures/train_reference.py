#!/usr/bin/python3
"""PyTorch reference of EVE's training computation for the trainer goldens.

Reads the samples packages/trainer/test/dump-golden-samples.ts wrote (ids, labels, pixels and
teacher pixels built by @evejs/trainer from the tiny dataset), the tiny fixture's weights, and
golden-settings.json; trains each stage for `steps` optimizer steps in float64 with
torch.optim.AdamW (EVETrainer.create_optimizer groups), clip_grad_norm_ and HF's cosine-with-warmup
LambdaLR; writes per-step loss, lm_loss, align_loss and grad_norm to
packages/trainer/test/fixtures/golden-losses.json.

The forward is the plain-torch EVE reference of tools/model-fixtures/generate.py (imported):
vision tokenizer + projector, splice, Llama hidden states, CLIP teacher hidden_states[-2],
VisionCompressor and its cosine loss. Micro-batches are computed the way EVE's padded batch
computes them: LM loss = summed token cross-entropy over the micro-batch / its supervised tokens,
align loss = Σ per-image losses / #images; loss / grad_accum is back-propagated.

Usage: python3 tools/trainer-fixtures/train_reference.py /tmp/golden-samples.json
"""
import json
import math
import os
import struct
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "model-fixtures"))
import generate as G  # noqa: E402

F64 = torch.float64
FIXTURE = os.path.join(HERE, "..", "..", "packages", "model", "test", "fixtures", "tiny-eve")


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        assert v["dtype"] == "F32", v["dtype"]
        a, b = v["data_offsets"]
        out[k] = torch.frombuffer(bytearray(data[a:b]), dtype=torch.float32).reshape(v["shape"]).clone()
    return out


def load_weights():
    idx = json.load(open(os.path.join(FIXTURE, "model.safetensors.index.json")))
    w = {}
    for shard in sorted(set(idx["weight_map"].values())):
        w.update(read_safetensors(os.path.join(FIXTURE, shard)))
    return {k: v.to(F64) for k, v in w.items() if not k.endswith("rotary_emb.inv_freq")}


def is_trainable(stage, name):
    if "clip" in name:
        return False
    if stage == "prealign":
        return "vision_tower" in name or "mm_projector" in name
    return True


def is_norm(name):
    # LayerNorm / RMSNorm parameters of the fixture (ALL_LAYERNORM_LAYERS)
    if name.endswith("layernorm.weight") or name == "model.norm.weight":
        return True
    parts = name.split(".")
    # q.0 / kv.0 (vision tokenizer) and norm_layer.j.0 (aligning layer) are LayerNorms
    return len(parts) >= 3 and parts[-2] == "0" and (parts[-3] in ("q", "kv") or parts[-4:-2][0] == "norm_layer")


def param_groups(stage, params, st):
    lr = st["lr"]
    vision_lr = st.get("visionLr")
    proj_lr = st.get("projectorLr", vision_lr)  # --vision-lr alone sets both, as stage 1's script
    groups = {}
    for n, p in params.items():
        decay = not is_norm(n) and "bias" not in n
        g_lr = lr
        kind = "llm"
        if proj_lr and "mm_projector" in n:
            kind, g_lr = "proj", proj_lr
        elif proj_lr and vision_lr and "vision_tower" in n:
            kind, g_lr = "vision", vision_lr
        key = (kind, decay)
        groups.setdefault(key, {"params": [], "lr": g_lr, "weight_decay": 0.0})
        groups[key]["params"].append(p)
    return list(groups.values())


def cosine_lambda(total, warmup):
    def f(t):
        if t < warmup:
            return t / max(1, warmup)
        progress = (t - warmup) / max(1, total - warmup)
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * progress)))
    return f


def sample_losses(w, cfg, pre, clip, s):
    """(summed token CE, supervised count, align loss or None) of one sample."""
    ids = s["ids"]
    pix = torch.tensor(s["pixels"], dtype=F64).reshape(s["pixels_shape"])
    has_image = -200 in ids
    embed = w["model.embed_tokens.weight"]
    ids_t = torch.tensor(ids)
    grid = None
    if has_image:
        image_embeds, grid = G.vision_tokenizer(w, pre, pix)
        st = ids.index(-200)
        embeds = torch.cat([embed[ids_t[:st]], image_embeds, embed[ids_t[st + 1:]]], dim=0)
        labels = s["labels"][:st] + [-100] * image_embeds.shape[0] + s["labels"][st + 1:]
    else:
        embeds = embed[ids_t]
        labels = s["labels"]
    states = G.llama_hidden_states(w, cfg, embeds)
    logits = states[-1] @ w["lm_head.weight"].T
    tgt = torch.tensor(labels[1:])
    n = int((tgt != -100).sum())
    ce = torch.nn.functional.cross_entropy(logits[:-1], tgt, ignore_index=-100, reduction="sum")
    align = None
    if has_image:
        tpix = torch.tensor(s["teacher"], dtype=F64).reshape(s["teacher_shape"])
        with torch.no_grad():
            clip_states = G.clip_hidden_states(w, clip, tpix[:3])
        feats = clip_states[-2][1:]
        _, align = G.compressor_forward(w, cfg, pre, ids, states, grid, feats, tpix[3])
    return ce, n, align


def run_stage(stage, st, samples, steps, cfg, pre, clip):
    w = load_weights()
    params = {}
    for k in list(w.keys()):
        if is_trainable(stage, k):
            w[k] = w[k].clone().requires_grad_(True)
            params[k] = w[k]
    opt = torch.optim.AdamW(param_groups(stage, params, st), betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    warmup = math.ceil(st["warmupRatio"] * steps)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, cosine_lambda(steps, warmup))
    bs, accum = st["batchSize"], st["gradAccum"]
    per_epoch = math.ceil(len(samples) / bs)
    out = []
    for step in range(steps):
        lm_sum = align_sum = 0.0
        for a in range(accum):
            m = step * accum + a
            j = m % per_epoch
            batch = samples[j * bs: min(len(samples), (j + 1) * bs)]
            ces, ns, aligns = [], 0, []
            for s in batch:
                ce, n, al = sample_losses(w, cfg, pre, clip, s)
                ces.append(ce)
                ns += n
                if al is not None:
                    aligns.append(al)
            lm = sum(ces) / ns
            al = sum(aligns) / max(len(aligns), 1) if aligns else torch.zeros((), dtype=F64)
            loss = lm + al
            (loss / accum).backward()
            lm_sum += float(lm)
            align_sum += float(al)
        gn = float(torch.nn.utils.clip_grad_norm_(list(params.values()), 1.0))
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        out.append({"step": step + 1, "loss": (lm_sum + align_sum) / accum, "lm_loss": lm_sum / accum, "align_loss": align_sum / accum, "grad_norm": gn})
        print(stage, out[-1], flush=True)
    return out


def main():
    samples = json.load(open(sys.argv[1]))
    settings = json.load(open(os.path.join(HERE, "golden-settings.json")))
    cfg = json.load(open(os.path.join(FIXTURE, "config.json")))
    pre = json.load(open(os.path.join(FIXTURE, "preprocessor_config.json")))
    clip = json.load(open(os.path.join(FIXTURE, "clip-tiny", "config.json")))
    torch.set_grad_enabled(True)
    result = {"generator": "tools/trainer-fixtures/train_reference.py", "torch": torch.__version__, "dtype": "float64", "settings": settings, "stages": {}}
    only = sys.argv[2:] or list(settings["stages"].keys())
    for stage in only:
        result["stages"][stage] = run_stage(stage, settings["stages"][stage], samples[stage], settings["steps"], cfg, pre, clip)
    dst = os.path.join(HERE, "..", "..", "packages", "trainer", "test", "fixtures", "golden-losses.json")
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(dst, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
