#!/usr/bin/env python3
"""Golden AdamW + clipping + HF cosine schedule trajectory from PyTorch, for @evejs/trainer tests.

Run: /usr/bin/python3 tools/trainer-fixtures/adamw_golden.py > packages/trainer/test/fixtures/adamw-golden.json
Uses torch.optim.AdamW (EVE's `adamw_torch`), torch.nn.utils.clip_grad_norm_ and the Hugging Face
cosine-with-warmup lambda (re-implemented here: transformers is not installed; the formula is
`get_cosine_schedule_with_warmup` of transformers 4.31). Two parameter groups with different
learning rates and weight decay; gradients are fixed random tensors per step.
"""
import json
import math
import sys

import torch

torch.manual_seed(1234)
steps, warmup_ratio, max_norm = 12, 0.1, 1.0
warmup = math.ceil(warmup_ratio * steps)


def lr_lambda(t):
    if t < warmup:
        return t / max(1, warmup)
    progress = (t - warmup) / max(1, steps - warmup)
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * progress)))


a = torch.nn.Parameter(torch.randn(3, 5))
b = torch.nn.Parameter(torch.randn(7))
init = {"a": a.detach().flatten().tolist(), "b": b.detach().flatten().tolist()}
opt = torch.optim.AdamW(
    [{"params": [a], "lr": 4e-2, "weight_decay": 0.1}, {"params": [b], "lr": 1e-2, "weight_decay": 0.0}],
    betas=(0.9, 0.999), eps=1e-8,
)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
grads, norms, traj = [], [], []
for t in range(steps):
    ga = torch.randn(3, 5) * (3.0 if t % 3 == 0 else 0.2)
    gb = torch.randn(7) * 0.5
    grads.append({"a": ga.flatten().tolist(), "b": gb.flatten().tolist()})
    a.grad, b.grad = ga.clone(), gb.clone()
    norms.append(float(torch.nn.utils.clip_grad_norm_([a, b], max_norm)))
    opt.step()
    sched.step()
    traj.append({"a": a.detach().flatten().tolist(), "b": b.detach().flatten().tolist()})

json.dump({
    "torch": torch.__version__, "seed": 1234, "steps": steps, "warmup_ratio": warmup_ratio, "max_norm": max_norm,
    "groups": [{"name": "a", "shape": [3, 5], "lr": 4e-2, "weight_decay": 0.1}, {"name": "b", "shape": [7], "lr": 1e-2, "weight_decay": 0.0}],
    "init": init, "grads": grads, "grad_norms": norms, "params_after_step": traj,
}, sys.stdout)
