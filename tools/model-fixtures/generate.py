#!/usr/bin/python3
"""Tiny EVE checkpoint in the official layout + golden outputs from a PyTorch reference.

What it writes (packages/model/test/fixtures/tiny-eve/ unless --out is given):
  config.json, preprocessor_config.json        EVE-style configs (model_type "eve"), tiny dims
  clip-tiny/config.json                        the CLIP teacher's config (mm_vision_tower_clip)
  model-0000{1,2}-of-00002.safetensors         random F32 weights, sharded, HF key names,
  model.safetensors.index.json                 including the training-only keys (CLIP teacher under
                                               both prefixes, aligning layer, rotary inv_freq)
  golden.safetensors                           per case: input_ids, pixel_values (F16-exact values
                                               stored as F16), logits, image_embeds

The reference forward is written here in plain torch (transformers is not installed), from
baaivision/EVE EVEv1 (eve/model/multimodal_encoder/vision_tokenizer.py, eve_arch.py,
multimodal_projector/builder.py) and HF transformers 4.31 LlamaModel semantics. It runs in
float64, so the goldens are the exact math of the stored weights; the TypeScript f32 path is
compared to them with tolerances.

Seed 0; the torch version is recorded in config.json's _name_or_path and golden metadata.
"""
import argparse
import json
import math
import os
import struct
import sys

import torch
from collections import OrderedDict

torch.manual_seed(0)
F64 = torch.float64

CONFIG = {
    "_name_or_path": "tools/model-fixtures/generate.py",
    "architectures": ["EVELlamaForCausalLM"],
    "model_type": "eve",
    "hidden_size": 64,
    "intermediate_size": 160,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "hidden_act": "silu",
    "max_position_embeddings": 256,
    "rms_norm_eps": 1e-05,
    "rope_scaling": None,
    "tie_word_embeddings": False,
    "vocab_size": 320,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "pad_token_id": 0,
    "pretraining_tp": 1,
    "initializer_range": 0.02,
    "mm_hidden_size": 32,
    "mm_projector_type": "mlp2x_gelu",
    "mm_vision_tower": "eve-patch14-anypixel-84",
    "mm_vision_tower_clip": "clip-tiny",
    "mm_vision_select_layer": -2,
    "mm_vision_select_feature": "patch",
    "requires_cliploss": True,
    "mm_use_im_start_end": False,
    "mm_use_im_patch_token": False,
    "use_mm_proj": True,
    "tune_mm_mlp_adapter": False,
    "image_aspect_ratio": "square",
    "image_grid_pinpoints": None,
    "use_cache": True,
    "torch_dtype": "float32",
    "transformers_version": "4.31.0",
}

PREPROCESSOR = {
    "image_size": 84,
    "image_size_clip": 42,
    "patch_stride": 14,
    "conv_stride": 2,
    "patch_stride_clip": 14,
    "image_mean": [0.48145466, 0.4578275, 0.40821073],
    "image_std": [0.26862954, 0.26130258, 0.27577711],
    "do_resize": False,
    "do_center_crop": False,
    "do_normalize": True,
    "do_rescale": True,
    "rescale_factor": 1 / 255,
    "do_convert_rgb": True,
    "resample": 3,
    "feature_extractor_type": "CLIPFeatureExtractor",
}

CLIP_CONFIG = {
    "model_type": "clip_vision_model",
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "image_size": 42,
    "patch_size": 14,
    "num_channels": 3,
    "hidden_act": "quick_gelu",
    "layer_norm_eps": 1e-05,
    "projection_dim": 16,
}


# ------------------------------------------------------------------ safetensors writer
def tensor_bytes(t, dtype):
    t = t.detach().contiguous()
    if dtype == "F32":
        return t.to(torch.float32).numpy().tobytes()
    if dtype == "F16":
        return t.to(torch.float16).numpy().tobytes()
    if dtype == "BF16":
        return t.to(torch.bfloat16).view(torch.int16).numpy().tobytes()
    if dtype == "I64":
        return t.to(torch.int64).numpy().tobytes()
    raise ValueError(dtype)


def write_safetensors(path, entries, metadata=None):
    """entries: list of (name, tensor, dtype-string). Written in the given order."""
    header, blobs, offset = {}, [], 0
    for name, t, dtype in entries:
        b = tensor_bytes(t, dtype)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    return offset


# ------------------------------------------------------------------ weights
def rnd(*shape, std=1.0):
    return torch.randn(*shape, dtype=torch.float32) * std


def linear(out_f, in_f):
    return rnd(out_f, in_f, std=1.0 / math.sqrt(in_f))


def norm_weight(n):
    return 1.0 + rnd(n, std=0.2)


def make_weights(cfg, pre, clip):
    D, I, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    H, KV = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = D // H
    C = cfg["mm_hidden_size"]
    ps = pre["patch_stride"]
    w = {}
    w["model.embed_tokens.weight"] = rnd(V, D)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        w[p + "self_attn.q_proj.weight"] = linear(H * hd, D)
        w[p + "self_attn.k_proj.weight"] = linear(KV * hd, D)
        w[p + "self_attn.v_proj.weight"] = linear(KV * hd, D)
        w[p + "self_attn.o_proj.weight"] = linear(D, H * hd)
        w[p + "mlp.gate_proj.weight"] = linear(I, D)
        w[p + "mlp.up_proj.weight"] = linear(I, D)
        w[p + "mlp.down_proj.weight"] = linear(D, I)
        w[p + "input_layernorm.weight"] = norm_weight(D)
        w[p + "post_attention_layernorm.weight"] = norm_weight(D)
        # HF 4.31 registers inv_freq as a persistent buffer; the loader must skip it.
        w[p + "self_attn.rotary_emb.inv_freq"] = 1.0 / (10000 ** (torch.arange(0, hd, 2).float() / hd))
    w["model.norm.weight"] = norm_weight(D)
    # vision tokenizer
    vt = "model.vision_tower."
    w[vt + "patch_embedding.weight"] = rnd(C, 3, ps, ps, std=1.0 / math.sqrt(3 * ps * ps))
    w[vt + "class_embedding"] = rnd(C)
    w[vt + "split_embedding"] = rnd(C)
    for name in ("local_attention", "global_attention"):
        p = f"{vt}{name}."
        w[p + "q.0.weight"] = norm_weight(C)
        w[p + "q.0.bias"] = rnd(C, std=0.1)
        w[p + "q.1.weight"] = linear(C, C) * 3  # sharper attention than random init would give
        w[p + "kv.0.weight"] = norm_weight(C)
        w[p + "kv.0.bias"] = rnd(C, std=0.1)
        w[p + "kv.1.weight"] = linear(2 * C, C) * 3
        w[p + "proj.weight"] = linear(C, C)
        w[p + "proj.bias"] = rnd(C, std=0.1)
    w["model.mm_projector.0.weight"] = linear(D, C)
    w["model.mm_projector.0.bias"] = rnd(D, std=0.1)
    w["model.mm_projector.2.weight"] = linear(D, D)
    w["model.mm_projector.2.bias"] = rnd(D, std=0.1)
    # CLIP teacher (training only): stored under both prefixes, as EVE's state_dict() does
    cw = {}
    Cc, Ic = clip["hidden_size"], clip["intermediate_size"]
    npos = (clip["image_size"] // clip["patch_size"]) ** 2 + 1
    cw["embeddings.class_embedding"] = rnd(Cc)
    cw["embeddings.patch_embedding.weight"] = rnd(Cc, 3, clip["patch_size"], clip["patch_size"], std=0.05)
    cw["embeddings.position_embedding.weight"] = rnd(npos, Cc, std=0.1)
    cw["pre_layrnorm.weight"] = norm_weight(Cc)
    cw["pre_layrnorm.bias"] = rnd(Cc, std=0.1)
    for i in range(clip["num_hidden_layers"]):
        p = f"encoder.layers.{i}."
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            cw[p + f"self_attn.{proj}.weight"] = linear(Cc, Cc)
            cw[p + f"self_attn.{proj}.bias"] = rnd(Cc, std=0.1)
        cw[p + "layer_norm1.weight"] = norm_weight(Cc)
        cw[p + "layer_norm1.bias"] = rnd(Cc, std=0.1)
        cw[p + "mlp.fc1.weight"] = linear(Ic, Cc)
        cw[p + "mlp.fc1.bias"] = rnd(Ic, std=0.1)
        cw[p + "mlp.fc2.weight"] = linear(Cc, Ic)
        cw[p + "mlp.fc2.bias"] = rnd(Cc, std=0.1)
        cw[p + "layer_norm2.weight"] = norm_weight(Cc)
        cw[p + "layer_norm2.bias"] = rnd(Cc, std=0.1)
    cw["post_layernorm.weight"] = norm_weight(Cc)
    cw["post_layernorm.bias"] = rnd(Cc, std=0.1)
    for k, v in cw.items():
        w["model.vision_clip.backbone.vision_model." + k] = v
    for k, v in cw.items():
        w["model.vision_tower_compressor.clip_layer.backbone.vision_model." + k] = v
    # aligning layer
    n_layers = cfg["num_hidden_layers"]
    for j in range(len(range(0, n_layers + 1, 4))):
        p = f"model.vision_tower_compressor.norm_layer.{j}."
        w[p + "0.weight"] = norm_weight(D)
        w[p + "0.bias"] = rnd(D, std=0.1)
        w[p + "1.weight"] = linear(Cc, D)
    w["model.vision_tower_compressor.input_layer.weight"] = linear(Cc, D)
    w["model.vision_tower_compressor.input_layer.bias"] = rnd(Cc, std=0.1)
    w["model.vision_tower_compressor.output_layer.weight"] = linear(Cc, Cc)
    w["model.vision_tower_compressor.output_layer.bias"] = rnd(Cc, std=0.1)
    w["lm_head.weight"] = linear(V, D)
    return w


# ------------------------------------------------------------------ reference forward (float64)
def layer_norm(x, w, b, eps=1e-5):
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), w, b, eps)


def local_attention(w, p, features, conv_stride, num_heads=8):
    """vision_tokenizer.py LocalAttention.forward, features [B, C, H, W]."""
    F = torch.nn.functional
    scale = features.shape[1] ** -0.5
    reduce_features = F.avg_pool2d(features, kernel_size=conv_stride, stride=conv_stride)
    B, C, H, W = features.shape
    _, _, h, wd = reduce_features.shape
    N = conv_stride ** 2
    reduce_features = reduce_features.flatten(2).transpose(-2, -1)
    q = layer_norm(reduce_features, w[p + "q.0.weight"], w[p + "q.0.bias"]) @ w[p + "q.1.weight"].T
    patch_q = q.reshape(B, h * wd, num_heads, -1).permute(0, 2, 1, 3).unsqueeze(-2)
    feats = features.unfold(2, conv_stride, conv_stride).unfold(3, conv_stride, conv_stride)
    feats = feats.contiguous().view(B, C, h * wd, conv_stride, conv_stride)
    kv_in = feats.flatten(3).permute(0, 2, 3, 1)
    patch_kv = layer_norm(kv_in, w[p + "kv.0.weight"], w[p + "kv.0.bias"]) @ w[p + "kv.1.weight"].T
    patch_kv = patch_kv.reshape(B, h * wd, N, 2, num_heads, -1).permute(3, 0, 4, 1, 2, 5)
    attn = (patch_q * scale * patch_kv[0]).sum(-1).softmax(dim=-1)
    agg = (attn.unsqueeze(-1) * patch_kv[1]).sum(-2)
    agg = agg.transpose(1, 2).reshape(B, h * wd, -1)
    return reduce_features + agg @ w[p + "proj.weight"].T + w[p + "proj.bias"]


def global_attention(w, p, class_feature, features, num_heads=8):
    B, N, C = features.shape
    scale = C ** -0.5
    class_feature = class_feature.repeat(B, 1, 1)
    q = layer_norm(class_feature, w[p + "q.0.weight"], w[p + "q.0.bias"]) @ w[p + "q.1.weight"].T
    kv = layer_norm(features, w[p + "kv.0.weight"], w[p + "kv.0.bias"]) @ w[p + "kv.1.weight"].T
    q = q.reshape(B, 1, num_heads, -1).transpose(1, 2)
    kv = kv.reshape(B, N, 2, num_heads, -1).permute(2, 0, 3, 1, 4)
    attn = (q * scale * kv[0]).sum(-1).softmax(dim=-1)
    agg = (attn.unsqueeze(-1) * kv[1]).sum(-2).reshape(B, 1, -1)
    return class_feature + agg @ w[p + "proj.weight"].T + w[p + "proj.bias"]


def projector(w, x):
    h = x @ w["model.mm_projector.0.weight"].T + w["model.mm_projector.0.bias"]
    h = torch.nn.functional.gelu(h)
    return h @ w["model.mm_projector.2.weight"].T + w["model.mm_projector.2.bias"]


def vision_tokenizer(w, pre, pixel_values):
    """VisionTokenizer.forward for one image [4, S, S] → projector output [N, D]."""
    F = torch.nn.functional
    vt = "model.vision_tower."
    ps, cs = pre["patch_stride"], pre["conv_stride"]
    pixel_values = pixel_values[None]
    pix, masks = pixel_values[:, :-1], pixel_values[:, -1:]
    patch_embeds = F.conv2d(pix, w[vt + "patch_embedding.weight"], stride=ps)
    patch_masks = F.avg_pool2d(masks, kernel_size=ps, stride=ps)
    assert len(torch.where(patch_masks % 1)[0]) == 0
    if patch_masks[0, 0].sum() == 0:
        pe = patch_embeds[0, :, :16, :16]
    else:
        nz = torch.nonzero(patch_masks[0, 0], as_tuple=False)
        h1, w1 = nz[0]
        h2, w2 = nz[-1]
        pe = patch_embeds[0, :, h1:h2 + 1, w1:w2 + 1]
    H, W = pe.shape[1:]
    h, wd = H // cs, W // cs
    pe = local_attention(w, vt + "local_attention.", pe.unsqueeze(0), cs)
    cls = w[vt + "class_embedding"][None, None, :]
    cls = global_attention(w, vt + "global_attention.", cls, pe)[0]
    pe = pe.transpose(-2, -1).reshape(-1, h, wd)
    split = w[vt + "split_embedding"][:, None, None].repeat(1, h, 1)
    pe = torch.cat([pe, split], dim=-1).flatten(1).transpose(0, 1)
    return projector(w, torch.cat([cls, pe], dim=0)), (h, wd)


def rms_norm(x, weight, eps):
    var = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(var + eps))


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def llama_forward(w, cfg, embeds):
    """LlamaForCausalLM on input embeddings [T, D] → logits [T, V] (batch 1, no padding)."""
    D = cfg["hidden_size"]
    H, KV = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = D // H
    eps = cfg["rms_norm_eps"]
    T = embeds.shape[0]
    inv_freq = 1.0 / (10000 ** (torch.arange(0, hd, 2, dtype=F64) / hd))
    t = torch.arange(T, dtype=F64)
    freqs = torch.einsum("i,j->ij", t, inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    mask = torch.full((T, T), float("-inf"), dtype=F64).triu(1)
    x = embeds
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        hN = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = (hN @ w[p + "self_attn.q_proj.weight"].T).view(T, H, hd).transpose(0, 1)
        k = (hN @ w[p + "self_attn.k_proj.weight"].T).view(T, KV, hd).transpose(0, 1)
        v = (hN @ w[p + "self_attn.v_proj.weight"].T).view(T, KV, hd).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(H // KV, dim=0)  # repeat_kv
        v = v.repeat_interleave(H // KV, dim=0)
        att = (q @ k.transpose(1, 2)) / math.sqrt(hd) + mask
        att = att.softmax(-1)
        o = (att @ v).transpose(0, 1).reshape(T, D)
        x = x + o @ w[p + "self_attn.o_proj.weight"].T
        hN = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        g = torch.nn.functional.silu(hN @ w[p + "mlp.gate_proj.weight"].T)
        u = hN @ w[p + "mlp.up_proj.weight"].T
        x = x + (g * u) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    return x @ w["lm_head.weight"].T


def clip_hidden_states(w, clip, pixel_values, prefix="model.vision_clip.backbone.vision_model."):
    """HF CLIPVisionModel (quick_gelu, pre-LN) on [3, S, S] → hidden_states tuple (embeddings
    after pre_layrnorm, then every layer's output), batch 1."""
    F = torch.nn.functional
    C, heads = clip["hidden_size"], clip["num_attention_heads"]
    hd = C // heads
    eps = clip["layer_norm_eps"]
    p = prefix
    x = F.conv2d(pixel_values[None], w[p + "embeddings.patch_embedding.weight"], stride=clip["patch_size"])
    x = x.flatten(2).transpose(1, 2)[0]
    x = torch.cat([w[p + "embeddings.class_embedding"][None], x], dim=0) + w[p + "embeddings.position_embedding.weight"]
    x = layer_norm(x, w[p + "pre_layrnorm.weight"], w[p + "pre_layrnorm.bias"], eps)
    states = [x]
    T = x.shape[0]
    for i in range(clip["num_hidden_layers"]):
        q_ = p + f"encoder.layers.{i}."
        r = x
        h = layer_norm(x, w[q_ + "layer_norm1.weight"], w[q_ + "layer_norm1.bias"], eps)
        lin = lambda t, n: t @ w[q_ + n + ".weight"].T + w[q_ + n + ".bias"]
        q = lin(h, "self_attn.q_proj").view(T, heads, hd).transpose(0, 1) * hd ** -0.5
        k = lin(h, "self_attn.k_proj").view(T, heads, hd).transpose(0, 1)
        v = lin(h, "self_attn.v_proj").view(T, heads, hd).transpose(0, 1)
        a = (q @ k.transpose(1, 2)).softmax(-1) @ v
        x = r + lin(a.transpose(0, 1).reshape(T, C), "self_attn.out_proj")
        r = x
        h = layer_norm(x, w[q_ + "layer_norm2.weight"], w[q_ + "layer_norm2.bias"], eps)
        h = lin(h, "mlp.fc1")
        h = h * torch.sigmoid(1.702 * h)
        x = r + lin(h, "mlp.fc2")
        states.append(x)
    return states


def compressor_forward(w, cfg, pre, ids, hidden_states, grid, clip_features, clip_mask):
    """VisionCompressor.forward for one image-bearing sample → (prediction [P, c], loss)."""
    F = torch.nn.functional
    p = "model.vision_tower_compressor."
    n_layers = cfg["num_hidden_layers"]
    layer_idx = [n_layers - k for k in range(0, n_layers + 1, 4)]
    all_features = torch.stack(hidden_states, dim=1)  # [N, L, D]
    N, L, D = all_features.shape
    H, W = grid
    s = int(torch.where(torch.tensor(ids) == -200)[0][0])
    f = all_features[s: s + min(N, H * (W + 1) + 1)]
    f = f.permute(1, 2, 0)[:, :, 1:].reshape(L, D, H, W + 1)[:, :, :, :-1]
    patch_ratio = (pre["image_size"] // pre["patch_stride"] // pre["conv_stride"]) // (pre["image_size_clip"] // pre["patch_stride_clip"])
    if patch_ratio > 1:
        f = F.avg_pool2d(f, kernel_size=patch_ratio, stride=patch_ratio)
    f = f.flatten(2).permute(2, 0, 1)  # [P, L, D]
    feats = []
    for j, li in enumerate(layer_idx):
        q_ = p + f"norm_layer.{j}."
        feats.append(layer_norm(f[:, li], w[q_ + "0.weight"], w[q_ + "0.bias"]) @ w[q_ + "1.weight"].T)
    vo = torch.stack(feats, dim=1)  # [P, n, c]
    P, n, c = vo.shape
    heads = 8
    q = vo[:, :1].reshape(P, 1, heads, -1).transpose(1, 2)
    kv = vo[:, 1:].reshape(P, n - 1, heads, -1).transpose(1, 2)
    attn = (q * c ** -0.5 * kv).sum(-1).softmax(dim=-1)
    fused = (attn.unsqueeze(-1) * kv).sum(-2)
    vin = f[:, -1] @ w[p + "input_layer.weight"].T + w[p + "input_layer.bias"]
    pred = vin + fused.reshape(P, -1) @ w[p + "output_layer.weight"].T + w[p + "output_layer.bias"]
    mask = F.avg_pool2d(clip_mask[None, None], kernel_size=pre["patch_stride_clip"], stride=pre["patch_stride_clip"])[0, 0]
    target = clip_features[mask.flatten().bool()]
    loss = 1 - torch.nn.CosineSimilarity(dim=-1)(pred, target).mean()
    return pred, loss


def llama_hidden_states(w, cfg, embeds):
    """The decoder's hidden_states tuple (input embeddings, each block's output, the last one
    final-normed), as output_hidden_states gives them."""
    states = []
    orig = rms_norm
    D = cfg["hidden_size"]
    H, KV = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = D // H
    eps = cfg["rms_norm_eps"]
    T = embeds.shape[0]
    inv_freq = 1.0 / (10000 ** (torch.arange(0, hd, 2, dtype=F64) / hd))
    freqs = torch.einsum("i,j->ij", torch.arange(T, dtype=F64), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    mask = torch.full((T, T), float("-inf"), dtype=F64).triu(1)
    x = embeds
    for i in range(cfg["num_hidden_layers"]):
        states.append(x)
        p = f"model.layers.{i}."
        hN = orig(x, w[p + "input_layernorm.weight"], eps)
        q = (hN @ w[p + "self_attn.q_proj.weight"].T).view(T, H, hd).transpose(0, 1)
        k = (hN @ w[p + "self_attn.k_proj.weight"].T).view(T, KV, hd).transpose(0, 1)
        v = (hN @ w[p + "self_attn.v_proj.weight"].T).view(T, KV, hd).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = (k * cos + rotate_half(k) * sin).repeat_interleave(H // KV, dim=0)
        v = v.repeat_interleave(H // KV, dim=0)
        o = (((q @ k.transpose(1, 2)) / math.sqrt(hd) + mask).softmax(-1) @ v).transpose(0, 1).reshape(T, D)
        x = x + o @ w[p + "self_attn.o_proj.weight"].T
        hN = orig(x, w[p + "post_attention_layernorm.weight"], eps)
        x = x + (torch.nn.functional.silu(hN @ w[p + "mlp.gate_proj.weight"].T) * (hN @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
    states.append(orig(x, w["model.norm.weight"], eps))
    return states


def eve_forward(w, cfg, pre, ids, pixel_values):
    """prepare_inputs_labels_for_multimodal (one image, batch 1) + LlamaForCausalLM."""
    embed = w["model.embed_tokens.weight"]
    ids = torch.tensor(ids)
    image_embeds = None
    if (ids == -200).sum() == 0:
        embeds = embed[ids]
    else:
        image_embeds, _ = vision_tokenizer(w, pre, pixel_values)
        parts, rest = [], ids
        while (rest == -200).sum() > 0:
            s = int(torch.where(rest == -200)[0][0])
            parts.append(embed[rest[:s]])
            parts.append(image_embeds)
            rest = rest[s + 1:]
        if rest.numel() > 0:
            parts.append(embed[rest])
        embeds = torch.cat(parts, dim=0)
    return llama_forward(w, cfg, embeds), image_embeds


# ------------------------------------------------------------------ inputs
def pixel_case(pre, kind):
    """A [4, S, S] image tensor as §3.4 lays it out: random normalised colours, padding with the
    normalised background colour, mask channel. Values rounded to f16 so F16 storage is exact."""
    S, M, p = pre["image_size"], pre["image_size_clip"], pre["patch_stride_clip"]
    r, G = S // M, M // p
    img = torch.randn(3, S, S) * 0.8
    mask = torch.zeros(S, S)
    if kind == "square":
        mask[:] = 1
    else:
        v = {"wide": 2, "tall": 1}[kind]
        pre_px, val = ((G - v) // 2) * p, v * p
        bg = torch.tensor([(c - m) / s for c, m, s in zip((122 / 255, 116 / 255, 104 / 255), pre["image_mean"], pre["image_std"])])
        keep = torch.zeros(S, S, dtype=torch.bool)
        if kind == "wide":
            keep[r * pre_px: r * (pre_px + val), :] = True
        else:
            keep[:, r * pre_px: r * (pre_px + val)] = True
        img = torch.where(keep[None], img, bg[:, None, None].expand(3, S, S))
        mask[keep] = 1
    return torch.cat([img, mask[None]], dim=0).to(torch.float16).to(torch.float32)


CASES = {
    "square": [1, 5, 9, 17, -200, 13, 33, 44, 100, 7],
    "wide": [1, 200, -200, 13, 3, 77, 250],
    "tall": [1, 31, 29, 8, 101, -200, 13, 64, 2, 190, 11, 12],
    "text": [1, 3, 99, 250, 17, 201, 12, 45, 46, 2, 9],
}


def tokenizer_json(vocab_size):
    """A tiny Llama-kind tokenizer.json (BPE, byte fallback, dummy prefix) whose ids fit the tiny
    vocabulary: <unk> <s> </s>, the 256 byte pieces, then "▁", letters and a few merges."""
    pieces = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)] + ["\u2581"]
    pieces += list("abcdefghijklmnopqrstuvwxyz") + list("ABCDEFGHIJKLMNOPQRSTUVWXYZ.,?!")
    merges = []
    for pair in ["\u2581 t", "t h", "h e", "\u2581t h", "\u2581th e", "i n", "\u2581 a", "\u2581 i", "e r", "\u2581 o"]:
        a, b = pair.split(" ")
        merges.append(pair)
        pieces.append(a + b)
        if len(pieces) >= vocab_size:
            break
    pieces = pieces[:vocab_size]
    merges = [m for m in merges if m.replace(" ", "") in pieces]
    assert len(pieces) <= vocab_size, len(pieces)
    while len(pieces) < vocab_size:  # pad with unreachable pieces so ids cover the vocabulary
        pieces.append(f"<extra_{len(pieces)}>")
    specials = [{"id": i, "content": p, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
                for i, p in enumerate(pieces[:3])]
    return {
        "version": "1.0",
        "added_tokens": specials,
        "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"}, {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
        "pre_tokenizer": None,
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": True, "byte_fallback": True, "vocab": {p: i for i, p in enumerate(pieces)}, "merges": merges},
    }


def write_checkpoint(out, w, cfg, pre, clip):
    os.makedirs(os.path.join(out, "clip-tiny"), exist_ok=True)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    with open(os.path.join(out, "preprocessor_config.json"), "w") as f:
        json.dump(pre, f, indent=2)
    with open(os.path.join(out, "clip-tiny", "config.json"), "w") as f:
        json.dump(clip, f, indent=2)
    with open(os.path.join(out, "tokenizer.json"), "w") as f:
        json.dump(tokenizer_json(cfg["vocab_size"]), f, ensure_ascii=False)
    keys = list(w.keys())
    half = len(keys) // 2
    shards = [keys[:half], keys[half:]]
    weight_map, total = {}, 0
    for n, ks in enumerate(shards):
        name = f"model-{n + 1:05d}-of-{len(shards):05d}.safetensors"
        total += write_safetensors(os.path.join(out, name), [(k, w[k], "F32") for k in ks], {"format": "pt"})
        for k in ks:
            weight_map[k] = name
    with open(os.path.join(out, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)


def write_bin_checkpoint(out, w, cfg, pre):
    """The same weights as PyTorch .bin shards in BF16 (as the official EVE files), with
    pytorch_model.bin.index.json; the teacher's tensors are shared by both prefixes, as in EVE's
    state_dict(). Written by torch.save (zip format)."""
    os.makedirs(out, exist_ok=True)
    for name, obj in (("config.json", cfg), ("preprocessor_config.json", pre)):
        with open(os.path.join(out, name), "w") as f:
            json.dump(obj, f, indent=2)
    bf = {}
    for k, v in w.items():
        teacher = "model.vision_tower_compressor.clip_layer.backbone.vision_model."
        if k.startswith(teacher):
            bf[k] = bf["model.vision_clip.backbone.vision_model." + k[len(teacher):]]
        else:
            bf[k] = v.to(torch.bfloat16) if v.is_floating_point() else v
    keys = list(bf.keys())
    shards = [keys[: len(keys) // 2], keys[len(keys) // 2:]]
    weight_map, total = {}, 0
    for n, ks in enumerate(shards):
        name = f"pytorch_model-{n + 1:05d}-of-{len(shards):05d}.bin"
        sd = OrderedDict((k, bf[k]) for k in ks)
        torch.save(sd, os.path.join(out, name))
        for k in ks:
            weight_map[k] = name
            total += bf[k].numel() * bf[k].element_size()
    with open(os.path.join(out, "pytorch_model.bin.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)


def write_torch_views(path):
    """A small torch.save file with the tensor layouts a state dict can hold: views with storage
    offsets, transposed strides, several dtypes, a scalar. Expected values go to <path>.json."""
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 4
    sd = OrderedDict()
    sd["base"] = base
    sd["row_view"] = base[1:]
    sd["transposed"] = base.t()
    sd["column"] = base[:, 2]
    sd["bf16"] = (torch.arange(5, dtype=torch.float32) - 2.5).to(torch.bfloat16)
    sd["f16"] = torch.tensor([0.5, -1.25, 3.0], dtype=torch.float16)
    sd["i32"] = torch.tensor([-7, 9], dtype=torch.int32)
    sd["scalar"] = torch.tensor(2.25)
    torch.save(sd, path)
    expected = {k: {"shape": list(v.shape), "values": v.float().flatten().tolist()} for k, v in sd.items()}
    with open(path + ".json", "w") as f:
        json.dump(expected, f, indent=1)


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "..", "..", "packages", "model", "test", "fixtures", "tiny-eve"))
    args = ap.parse_args()
    out = os.path.normpath(args.out)
    cfg = dict(CONFIG)
    cfg["_name_or_path"] = f"tools/model-fixtures/generate.py (seed 0, torch {torch.__version__})"
    w = make_weights(cfg, PREPROCESSOR, CLIP_CONFIG)
    write_checkpoint(out, w, cfg, PREPROCESSOR, CLIP_CONFIG)
    write_bin_checkpoint(out + "-bin", w, cfg, PREPROCESSOR)
    write_torch_views(os.path.join(os.path.dirname(out), "torch-views.bin"))
    w64 = {k: v.to(F64) for k, v in w.items()}
    golden = []
    pixels = {}
    for name, ids in CASES.items():
        pix = pixel_case(PREPROCESSOR, name) if name != "text" else None
        pixels[name] = pix
        logits, image_embeds = eve_forward(w64, cfg, PREPROCESSOR, ids, pix.to(F64) if pix is not None else None)
        golden.append((f"{name}.input_ids", torch.tensor(ids), "I64"))
        if pix is not None:
            golden.append((f"{name}.pixel_values", pix, "F16"))
            golden.append((f"{name}.image_embeds", image_embeds, "F32"))
        golden.append((f"{name}.logits", logits, "F32"))
        print(name, "seq", logits.shape[0], "image tokens", None if image_embeds is None else image_embeds.shape[0])
    # training-only modules on the square and wide cases: CLIP teacher features and the aligning
    # layer's prediction and cosine loss (teacher image [4, 42, 42] with its mask)
    for name, v in (("square", None), ("wide", 2)):
        M, p14 = PREPROCESSOR["image_size_clip"], PREPROCESSOR["patch_stride_clip"]
        clip_img = (torch.randn(3, M, M) * 0.8)
        cmask = torch.zeros(M, M)
        if v is None:
            cmask[:] = 1
        else:
            pre_px = ((M // p14 - v) // 2) * p14
            cmask[pre_px: pre_px + v * p14, :] = 1
        images_clip = torch.cat([clip_img, cmask[None]], 0).to(torch.float16).to(torch.float32)
        states = clip_hidden_states(w64, CLIP_CONFIG, images_clip[:3].to(F64))
        clip_feats = states[-2][1:]
        ids = CASES[name]
        _, grid = vision_tokenizer(w64, PREPROCESSOR, pixels[name].to(F64))
        embed = w64["model.embed_tokens.weight"]
        img, _ = vision_tokenizer(w64, PREPROCESSOR, pixels[name].to(F64))
        s_ = ids.index(-200)
        embeds = torch.cat([embed[torch.tensor(ids[:s_])], img, embed[torch.tensor(ids[s_ + 1:])]], 0)
        hs = llama_hidden_states(w64, cfg, embeds)
        pred, loss = compressor_forward(w64, cfg, PREPROCESSOR, ids, hs, grid, clip_feats, images_clip[3].to(F64))
        golden.append((f"{name}.images_clip", images_clip, "F16"))
        golden.append((f"{name}.clip_features", clip_feats, "F32"))
        golden.append((f"{name}.compressor_pred", pred, "F32"))
        golden.append((f"{name}.clip_loss", loss.reshape(1), "F32"))
        print(name, "clip loss", float(loss))
    # greedy continuation of the square case (12 tokens, no EOS stop), for the generation test
    ids = list(CASES["square"])
    pix = pixels["square"].to(F64)
    gen = []
    for _ in range(12):
        logits, _ = eve_forward(w64, cfg, PREPROCESSOR, ids, pix)
        nxt = int(logits[-1].argmax())
        gen.append(nxt)
        ids.append(nxt)
    golden.append(("square.greedy_tokens", torch.tensor(gen), "I64"))
    print("greedy", gen)
    write_safetensors(os.path.join(out, "golden.safetensors"), golden,
                      {"generator": "tools/model-fixtures/generate.py", "torch": torch.__version__, "seed": "0"})


if __name__ == "__main__":
    main()
