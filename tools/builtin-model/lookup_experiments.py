#!/usr/bin/python3
"""Fine-tuning files that ask whether the built-in model can look something named in a question up.

colour-lookup.ts showed that the shapes model learns "is this colour in the image?" when the colour
word is the token right before the answer, and not when it sits inside a question. These files
test the question form with much more signal, and test the same lookup without the image at all:

- existence-many-mixed.json: up to eight existence questions per image, never repeated within a
  conversation, answers drawn yes/no independently; "no" always names a colour the image lacks, so
  the colour alone decides. The noun is the object's shape or "object", half each.
- existence-many-object.json: the same with the noun always "object".
- existence-copy.json: like -mixed, but half the turns ask "...?\nAnswer with the color it names."
  and are answered with the question's colour word: a copy, the first half of the lookup alone.
- text-list.json: the colours present are written in the first question ("The colors are blue
  black orange.") and the questions ask about colour only: the lookup with nothing to see.

Each file is written next to a copy of the recipe's scenes.jsonl (the shapes teacher reads it
there). Seeded with Python's `random`; the same recipe data gives byte-identical files.

Usage: /usr/bin/python3 tools/builtin-model/lookup_experiments.py write <recipe data dir> <out dir>
       /usr/bin/python3 tools/builtin-model/lookup_experiments.py by-count <questions.jsonl> \
           <answers.jsonl> <scenes.jsonl>
`by-count` tallies a model's existence answers by how many objects the image has: a model that
answers from the object count instead of from the colour asked about shows it there.
"""
import collections
import json
import os
import random
import shutil
import sys

# @evejs/datasets' COLOURS, SHAPES and SHORT_ANSWER_SUFFIX, in their order.
COLOURS = ['red', 'green', 'blue', 'yellow', 'purple', 'orange', 'black']
SHAPES = ['circle', 'square', 'triangle', 'diamond', 'cross']
SHORT_ANSWER_SUFFIX = '\nAnswer the question using a single word or phrase.'
COPY_SUFFIX = '\nAnswer with the color it names.'


def article(word):
    return 'an' if word[0] in 'aeiou' else 'a'


def training_scenes(data_dir):
    with open(os.path.join(data_dir, 'scenes.jsonl')) as f:
        for line in f:
            row = json.loads(line)
            if row['split'] == 'train':
                yield row


def record(row, turns):
    conversations = []
    for i, (question, answer) in enumerate(turns):
        conversations.append({'from': 'human', 'value': ('<image>\n' + question) if i == 0 else question})
        conversations.append({'from': 'gpt', 'value': answer})
    return {'id': row['id'], 'image': row['image'], 'conversations': conversations}


def existence_turns(row, rnd, noun_mode, copy, count=8):
    """Up to `count` existence questions, none asked twice (with or without the suffix); at most 200 draws (few colours → fewer "yes")."""
    objects = row['scene']['objects']
    present = {o['colour'] for o in objects}
    absent = [c for c in range(len(COLOURS)) if c not in present]
    turns, asked, draws = [], set(), 0
    while len(turns) < count and draws < 200:
        draws += 1
        yes = rnd.random() < 0.5 or not absent
        if yes:
            o = rnd.choice(objects)
            colour, shape = COLOURS[o['colour']], o['shape']
        else:
            colour, shape = COLOURS[rnd.choice(absent)], rnd.choice(SHAPES)
        noun = 'object' if noun_mode == 'object' or (noun_mode == 'mixed' and rnd.random() < 0.5) else shape
        question = f'Is there {article(colour)} {colour} {noun} in the image?'
        if question in asked:
            continue
        asked.add(question)
        if rnd.random() < 0.5:
            question += SHORT_ANSWER_SUFFIX
        # A copy turn drops the suffix just drawn. The draw stays so that this writes the very
        # files the trainer README's runs used.
        if copy and rnd.random() < 0.5:
            turns.append((question.replace(SHORT_ANSWER_SUFFIX, '') + COPY_SUFFIX, colour))
        else:
            turns.append((question, 'yes' if yes else 'no'))
    return turns


def text_list_turns(row, rnd):
    present = sorted({o['colour'] for o in row['scene']['objects']})
    absent = [c for c in range(len(COLOURS)) if c not in present]
    listed = [COLOURS[c] for c in present]
    rnd.shuffle(listed)
    turns, asked = [], set()
    for _ in range(8):
        yes = rnd.random() < 0.5 or not absent
        colour = COLOURS[rnd.choice(present)] if yes else COLOURS[rnd.choice(absent)]
        if colour in asked:
            continue
        asked.add(colour)
        question = f'Is there {article(colour)} {colour} object in the image?'
        if not turns:
            question = 'The colors are ' + ' '.join(listed) + '.\n' + question
        turns.append((question, 'yes' if yes else 'no'))
    return turns


def write(data_dir, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    rows = list(training_scenes(data_dir))
    files = {
        'existence-many-mixed.json': (7, lambda row, rnd: existence_turns(row, rnd, 'mixed', False)),
        'existence-many-object.json': (7, lambda row, rnd: existence_turns(row, rnd, 'object', False)),
        'existence-copy.json': (7, lambda row, rnd: existence_turns(row, rnd, 'mixed', True)),
        'text-list.json': (11, text_list_turns),
    }
    for name, (seed, turns_of) in files.items():
        rnd = random.Random(seed)
        with open(os.path.join(out_dir, name), 'w') as f:
            json.dump([record(row, turns_of(row, rnd)) for row in rows], f)
    shutil.copy(os.path.join(data_dir, 'scenes.jsonl'), os.path.join(out_dir, 'scenes.jsonl'))
    print(f'{len(rows)} records each in {out_dir}')


def by_count(questions_file, answers_file, scenes_file):
    with open(questions_file) as f:
        questions = {q['question_id']: q for q in map(json.loads, f)}
    with open(scenes_file) as f:
        objects = {row['image']: len(row['scene']['objects']) for row in map(json.loads, f)}
    tally = collections.defaultdict(collections.Counter)
    with open(answers_file) as f:
        for answer in map(json.loads, f):
            q = questions.get(answer['question_id'])
            if q and q['type'] == 'existence':
                tally[objects[q['image']]][answer['text']] += 1
    for n in sorted(tally):
        said = tally[n]
        print(f'{n} objects: {said["yes"]} yes, {said["no"]} no, {sum(said.values()) - said["yes"] - said["no"]} other')


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == 'write':
        write(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == 'by-count':
        by_count(*sys.argv[2:])
    else:
        sys.exit(__doc__)
