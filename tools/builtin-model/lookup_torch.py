#!/usr/bin/python3
"""Trains the built-in model's language model shape in PyTorch on text-list.json, from scratch.

lookup_experiments.py's text-list file asks whether a colour named in a question is in a list
written a few tokens earlier. evejs's trainer does not learn that in 1500 steps. This script asks
whether that is the trainer or the task: it trains a Llama of the same shape (hidden 256, 4 layers,
8 heads, SiLU MLP 688, RMSNorm, RoPE θ 10000, the 691-piece shapes tokenizer, std 0.02 init) with
the same optimiser (AdamW 0.9/0.999/1e-8, no weight decay, constant lr, clipping at 1.0) on the
same conversations without their image, loss on the answers and end tokens only, and prints the
mean loss per 100 steps. A coin toss on yes/no scores ln 2 / 2 ≈ 0.347 (the end token is certain).

The prompt approximates the trainer's vicuna_v1 layout (system prompt, "USER: … ASSISTANT: …</s>")
rather than reproducing its token ids exactly: it is a diagnostic, not golden data.

Usage: /usr/bin/python3 tools/builtin-model/lookup_torch.py <text-list.json> <tokenizer.model> \
           <lr> <steps> <batch> [nosys]
"""
import json, sys, random, time
import torch
from tiny_llama import TinyLlama, adamw, train_step
import sentencepiece as spm

if len(sys.argv) not in (6, 7):
    sys.exit(__doc__)
torch.manual_seed(0); torch.set_num_threads(1)
sp = spm.SentencePieceProcessor(model_file=sys.argv[2])
SYS = "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions."
lr, steps, bs = float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
nosys = len(sys.argv) > 6 and sys.argv[6] == 'nosys'
recs = json.load(open(sys.argv[1]))


def encode(r):
    """Token ids and labels (-100 where no loss) of one conversation, its <image> dropped."""
    ids, lab = [1], [-100]
    pre = '' if nosys else SYS + ' '
    for i in range(0, len(r['conversations']), 2):
        q = r['conversations'][i]['value'].replace('<image>\n', '')
        a = r['conversations'][i + 1]['value']
        p = sp.encode((pre if i == 0 else '') + 'USER: ' + q + ' ASSISTANT:')
        t = sp.encode(a) + [2]  # 'yes' → ▁yes, as "ASSISTANT: yes" tokenises
        ids += p + t; lab += [-100] * len(p) + t
    return ids, lab


data = [encode(r) for r in recs]
print('mean length', round(sum(len(d[0]) for d in data) / len(data), 1), 'tokens')
model = TinyLlama()
opt = adamw(model, lr)
order = random.Random(0)
start, losses = time.time(), []
for step in range(1, steps + 1):
    batch = [data[order.randrange(len(data))] for _ in range(bs)]
    loss, _, _ = train_step(model, opt, batch)
    losses.append(loss)
    if step % 100 == 0:
        print(f'steps {step - 99}-{step}: loss {sum(losses[-100:]) / 100:.3f} ({time.time() - start:.0f} s)', flush=True)
