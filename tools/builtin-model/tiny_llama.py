"""The built-in model's language model shape in PyTorch, for the diagnostics in this folder.

A Llama of the same shape as eve-shapes-tiny's (hidden 256, 4 layers, 8 heads, SiLU MLP 688,
RMSNorm, RoPE θ 10000, the 691-piece shapes tokenizer, std 0.02 init). It is trained from scratch
by lookup_torch.py and lookup_curriculum.py; it is not a reference for evejs's numerics (the
golden tests have their own scripts).
"""
import math
import torch, torch.nn as nn, torch.nn.functional as F

HIDDEN, HEADS, LAYERS, MLP, VOCAB = 256, 8, 4, 688, 691
HEAD_DIM = HIDDEN // HEADS


class RMSNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(HIDDEN))

    def forward(self, x):
        return self.weight * x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5)


def rope(x, length):
    """Llama's rotary embedding (rotate_half layout) on [B, heads, T, head_dim]."""
    inv = 1.0 / (10000 ** (torch.arange(0, HEAD_DIM, 2).float() / HEAD_DIM))
    angles = torch.outer(torch.arange(length).float(), inv)
    angles = torch.cat([angles, angles], -1)
    half = HEAD_DIM // 2
    rotated = torch.cat([-x[..., half:], x[..., :half]], -1)
    return x * angles.cos() + rotated * angles.sin()


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn_norm, self.mlp_norm = RMSNorm(), RMSNorm()
        self.q, self.k, self.v, self.o = (nn.Linear(HIDDEN, HIDDEN, bias=False) for _ in range(4))
        self.gate, self.up = nn.Linear(HIDDEN, MLP, bias=False), nn.Linear(HIDDEN, MLP, bias=False)
        self.down = nn.Linear(MLP, HIDDEN, bias=False)

    def forward(self, x):
        b, t, _ = x.shape
        h = self.attn_norm(x)
        q, k, v = (m(h).view(b, t, HEADS, HEAD_DIM).transpose(1, 2) for m in (self.q, self.k, self.v))
        q, k = rope(q, t), rope(k, t)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(HEAD_DIM)
        scores = scores.masked_fill(torch.triu(torch.ones(t, t, dtype=torch.bool), 1), -1e9)
        x = x + self.o((scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, HIDDEN))
        h = self.mlp_norm(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class TinyLlama(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, HIDDEN)
        self.blocks = nn.ModuleList([Block() for _ in range(LAYERS)])
        self.norm = RMSNorm()
        self.lm_head = nn.Linear(HIDDEN, VOCAB, bias=False)
        for p in self.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=0.02)

    def forward(self, ids):
        x = self.embed(ids)
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.norm(x))


def adamw(model, lr):
    """The trainer's optimiser: AdamW (0.9, 0.999), eps 1e-8, no weight decay, at a constant rate."""
    return torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)


def train_step(model, opt, texts):
    """One optimizer step on a batch of (token ids, labels) pairs, labels -100 where no loss.

    Right-pads the batch (causal attention never sees the padding), takes the mean cross-entropy of
    each next token, clips the gradients' norm at 1.0 as the trainer does and steps `opt`.
    Returns the loss, the logits and the labels they predict (shifted by one).
    """
    t = max(len(ids) for ids, _ in texts)
    ids = torch.tensor([i + [0] * (t - len(i)) for i, _ in texts])
    labels = torch.tensor([l + [-100] * (t - len(l)) for _, l in texts])[:, 1:]
    logits = model(ids)[:, :-1]
    loss = F.cross_entropy(logits.reshape(-1, VOCAB), labels.reshape(-1), ignore_index=-100)
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return loss.item(), logits.detach(), labels
