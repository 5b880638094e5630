#!/usr/bin/python3
"""When does a model of the built-in shape learn to look up a word that a question names?

Trains tiny_llama.TinyLlama from scratch on short texts such as

    The colors are red black. Is there red? yes Is there green? no …

(up to six of the shapes world's seven colours listed, then `queries` questions, each answered
"yes" or "no"; loss on the answers only) and prints, every 50 steps, the mean loss and the answers'
accuracy. Ignoring the question and answering from the list's length scores about 0.70; a model
that looks the colour up scores near 1.

What sits between the colour and the answer is set per phase, so a run can be a curriculum:
`phases` is `until:filler|until:filler|…`, each phase lasting to step `until`. The filler follows
the colour word: `none` puts the answer right after it (the colour is the token that predicts
the answer); any other text is inserted before a "?", e.g. " object in the image" (the answer
then comes 6 tokens after the colour) or " object in the image?\\nAnswer the question using a
single word or phrase. ASSISTANT:" (17 tokens, as in the shapes benchmark). Fillers joined by `~`
are drawn per question.

Usage: /usr/bin/python3 tools/builtin-model/lookup_curriculum.py <tokenizer.model> <lr> <steps> \\
           <batch> <queries> <phases> [seed]
e.g.   … models/eve-shapes-tiny/tokenizer.model 3e-4 900 4 8 '300:none|900: object in the image'

AdamW (0.9, 0.999, eps 1e-8, no weight decay) at a constant rate, gradients clipped at 1.0, as the
trainer does. One thread: about 0.1 s a step at batch 4 on the short texts.
"""
import random, sys, time
import torch
import sentencepiece as spm
from lookup_experiments import COLOURS
from tiny_llama import TinyLlama, adamw, train_step

if len(sys.argv) not in (7, 8):
    sys.exit(__doc__)
sp = spm.SentencePieceProcessor(model_file=sys.argv[1])
lr, steps, batch, queries = float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
phases = [(int(p.split(':', 1)[0]), p.split(':', 1)[1]) for p in sys.argv[6].split('|')]
seed = int(sys.argv[7]) if len(sys.argv) == 8 else 0
torch.manual_seed(seed); torch.set_num_threads(1)
rng = random.Random(seed + 1)


def sample(filler):
    """Token ids and labels (-100: no loss) of one text."""
    present = rng.sample(COLOURS, rng.randint(1, 6))
    ids = [1] + sp.encode('The colors are ' + ' '.join(present) + '.')
    labels = [-100] * len(ids)
    for _ in range(queries):
        colour = rng.choice(COLOURS)
        fill = rng.choice(filler.split('~')) if '~' in filler else filler
        question = sp.encode(' Is there ' + colour + ('' if fill == 'none' else fill + '?'))
        answer = sp.encode('yes' if colour in present else 'no')
        ids += question + answer
        labels += [-100] * len(question) + answer
    return ids, labels


model = TinyLlama()
opt = adamw(model, lr)
start, losses, accuracies = time.time(), [], []
for step in range(1, steps + 1):
    filler = next((f for until, f in phases if step <= until), phases[-1][1])
    texts = [sample(filler) for _ in range(batch)]
    loss, logits, labels = train_step(model, opt, texts)
    answered = labels != -100
    accuracies.append((logits.argmax(-1)[answered] == labels[answered]).float().mean().item())
    losses.append(loss)
    if step % 50 == 0:
        print(f'steps {step - 49}-{step}: loss {sum(losses[-50:]) / 50:.3f}  accuracy {sum(accuracies[-50:]) / 50:.3f}'
              f'  ({time.time() - start:.0f} s, {labels.shape[1] + 1} tokens)', flush=True)
