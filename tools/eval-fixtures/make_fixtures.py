#!/usr/bin/env python3
"""Writes the small evaluation fixtures, in each benchmark's official file format, to
packages/evaluator/test/fixtures/<benchmark>/. Deterministic: no randomness, no downloads.
The inputs are hand-picked to hit each scorer's tricky cases. Run from the repository root:

    /usr/bin/python3 tools/eval-fixtures/make_fixtures.py
"""
import json
import os

OUT = os.path.join('packages', 'evaluator', 'test', 'fixtures')
SHORT = '\nAnswer the question using a single word or phrase.'
LETTER = "\nAnswer with the option's letter from the given choices directly."


def write(rel, text):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


def jsonl(rows):
    return ''.join(json.dumps(r) + '\n' for r in rows)


def answer(qid, prompt, text, **extra):
    return {'question_id': qid, 'prompt': prompt, 'text': text, 'answer_id': f'a{qid}', 'model_id': 'fixture', 'metadata': {}, **extra}


# --- EvalAI normaliser: tricky strings -------------------------------------------------------
NORMALISER_CASES = [
    'Two dogs.', "It's the man's hat!", 'yes, it is', '3.5', '1,000', 'a-b', 'a - b', 'hello/world',
    '(left)', "don't", 'dont', 'Im', 'ive', 'none', 'The answer is: ten.', '\tTab\nnew line ',
    'x.y.z', '.' * 40 + 'a', '\u00a0nbsp\u00a0', 'e.g. 12.5', "won't", "yall'll", "somebody'd",
    'He said "hi"', '50%', '#1', 'a_b', '100 - 50', '9:30', 'ten.', 'U.S.A.', "mr. smith's dog's bone",
    '..3', 'a.5', 'bird?', 'what?!', '@home', '`code`', 'x<y', 'x < y', '[1]', '{a}', 'a=b', 'c++',
    'back\\slash', 'TWO', 'An apple', 'the the the', '', '   ', '\x1c sep\x85end', 'caf\u00e9', 'one two three',
    'whats up', "what's up", 'youre', 'A;B', 'a ;b', 'a; b', 'hi!!', '2.', '2.0', '.5', 'one.two', 'ZERO',
    'cant', "can't", 'oclock', 'twas', 'a/b c', 'left-hand side', 'left - hand', '- dash', 'dash -',
    'yes\n', 'No.', 'Unanswerable', 'unanswerable.', 'a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h',
]
write('normalizer/cases.json', json.dumps(NORMALISER_CASES, ensure_ascii=False, indent=1) + '\n')

# --- VQA accuracy / TextVQA ------------------------------------------------------------------
VQA_ITEMS = [
    {'pred': 'two', 'answers': ['2', '2', '2', 'two', 'three', '2', '2', '2', '2', '2']},
    {'pred': 'Three.', 'answers': ['2', '2', '2', 'two', 'three', '2', '2', '2', '2', '2']},
    {'pred': 'red', 'answers': ['red', 'red', 'dark red', 'maroon', 'red', 'crimson', 'dark red', 'red ', 'burgundy', 'wine']},
    {'pred': 'dark red', 'answers': ['red', 'red', 'dark red', 'maroon', 'red', 'crimson', 'dark red', 'red ', 'burgundy', 'wine']},
    {'pred': 'The Coca-Cola', 'answers': ['coca cola', 'coca-cola', 'coca cola', 'cocacola', 'coke', 'coca cola', 'Coca-Cola', 'coca cola', 'coca - cola', 'coca cola']},
    {'pred': 'unanswerable', 'answers': ['unanswerable'] * 10},
    {'pred': 'yes', 'answers': ['no'] * 10},
    {'pred': 'nikon', 'answers': ['nikon', 'Nikon', 'nikon', 'canon', 'nikon', 'nikon.', 'Nikon', 'nikon', 'sony', 'nikon']},
]
write('vqa/items.json', json.dumps(VQA_ITEMS, indent=1) + '\n')

textvqa_data = []
textvqa_answers = []
for i, it in enumerate(VQA_ITEMS):
    image_id = f'img{i // 2:03d}'
    q = f'What is shown number {i}?'
    textvqa_data.append({'image_id': image_id, 'question_id': 100 + i, 'question': q, 'answers': it['answers']})
    layout = i % 3
    if layout == 0:
        prompt = f'{q}\nReference OCR token: Coca, Cola, {i}{SHORT}'
    elif layout == 1:
        prompt = f'Reference OCR token: N, I, K\n{q}{SHORT}'
    else:
        prompt = f'{q}{SHORT}'
    textvqa_answers.append(answer(image_id, prompt, it['pred']))
write('textvqa/TextVQA_0.5.1_val.json', json.dumps({'dataset_name': 'textvqa', 'dataset_type': 'val', 'data': textvqa_data}, indent=1) + '\n')
write('textvqa/answers.jsonl', jsonl(textvqa_answers))

# --- VQAv2 and VizWiz submissions -------------------------------------------------------------
vqa_test = [{'question_id': 1000 + i, 'image': f'COCO_test2015_{i:012d}.jpg', 'text': f'Question {i}?{SHORT}', 'category': 'default'} for i in range(6)]
write('vqav2/llava_vqav2_mscoco_test2015.jsonl', jsonl(vqa_test))
write('vqav2/answers.jsonl', jsonl([answer(1000, '', 'Two.'), answer(1002, '', 'The cat'), answer(1003, '', 'yes'), answer(1005, '', "It's a man's hat")]))
vizwiz_test = [{'question_id': i, 'image': f'VizWiz_test_{i:08d}.jpg', 'text': f'What is this {i}?' + "\nWhen the provided information is insufficient, respond with 'Unanswerable'." + SHORT} for i in range(4)]
write('vizwiz/llava_test.jsonl', jsonl(vizwiz_test))
write('vizwiz/answers.jsonl', jsonl([answer(0, '', 'Unanswerable'), answer(1, '', 'A can of soup.'), answer(2, '', 'ten dollars'), answer(3, '', 'Blue-green')]))

# --- POPE --------------------------------------------------------------------------------------
pope_texts = {
    'adversarial': [('yes', 'Yes.'), ('no', 'No, there is not.'), ('yes', 'There is no dog'), ('no', 'NO'), ('yes', 'I think so, yes'), ('no', 'no.')],
    'popular': [('yes', 'Yes'), ('yes', 'Not sure'), ('no', 'Nope'), ('no', 'No'), ('no', 'none'), ('yes', 'yes, no.')],
    'random': [('no', 'Yes'), ('no', 'Yes'), ('yes', 'yes'), ('yes', 'No.'), ('no', 'no'), ('yes', 'There is a dog. No cat')],
}
pope_questions, pope_answers = [], []
qid = 1
for split in ['adversarial', 'popular', 'random']:
    labels = []
    for k, (label, text) in enumerate(pope_texts[split]):
        q = f'Is there a thing {k} in the image?'
        labels.append({'question_id': k + 1, 'image': f'COCO_val2014_{qid:012d}.jpg', 'text': q, 'label': label})
        pope_questions.append({'question_id': qid, 'image': f'COCO_val2014_{qid:012d}.jpg', 'text': q + SHORT, 'category': split})
        pope_answers.append(answer(qid, q + SHORT, text))
        qid += 1
    write(f'pope/coco/coco_pope_{split}.json', jsonl(labels))
# The answer file interleaves splits; eval_pope.py keeps answer-file order within a split.
pope_answers = pope_answers[0::3] + pope_answers[1::3] + pope_answers[2::3]
write('pope/llava_pope_test.jsonl', jsonl(pope_questions))
write('pope/answers.jsonl', jsonl(pope_answers))

# --- MME ---------------------------------------------------------------------------------------
MME_CATS = ['existence', 'count', 'position', 'color', 'posters', 'celebrity', 'scene', 'landmark', 'artwork', 'OCR',
            'commonsense_reasoning', 'numerical_calculation', 'text_translation', 'code_reasoning']
WITH_IMAGES_DIR = {'posters', 'celebrity', 'scene', 'landmark', 'artwork'}
PRED_CYCLE = ['Yes', 'No', 'yes, it is', 'Nope', "I don't know", 'Not really', 'Yeah', 'y', 'NO.', 'no', 'yes', 'Yes.']
mme_questions, mme_answers = [], []
n = 0
for ci, cat in enumerate(MME_CATS):
    images = 2 if ci % 3 == 0 else 1
    for im in range(images):
        name = f'{ci:02d}{im:02d}'
        ext = 'jpg' if cat in WITH_IMAGES_DIR else 'png'
        qa_rel = f'mme/MME_Benchmark_release_version/{cat}/questions_answers_YN/{name}.txt' if cat in WITH_IMAGES_DIR else f'mme/MME_Benchmark_release_version/{cat}/{name}.txt'
        img_rel = f'{cat}/images/{name}.{ext}' if cat in WITH_IMAGES_DIR else f'{cat}/{name}.{ext}'
        lines = []
        for j, gt in enumerate(['Yes', 'No']):
            # One question per category uses the two-space variant the converter handles.
            sep = '  ' if (j == 1 and ci % 4 == 1) else ' '
            q = f'Is this picture {name} about {cat} case {j}?{sep}Please answer yes or no.'
            lines.append(f'{q}\t{gt}')
            short_q = q.replace(f'{sep}Please answer yes or no.', '')
            text = short_q + SHORT
            mme_questions.append({'question_id': f'{img_rel.replace("/images", "")}', 'image': img_rel, 'text': text, 'category': cat})
            mme_answers.append(answer(f'{cat}/{name}.{ext}', text, PRED_CYCLE[n % len(PRED_CYCLE)]))
            n += 1
        write(qa_rel, '\n'.join(lines) + '\n')
        if cat in WITH_IMAGES_DIR:
            # The converter tells the two layouts apart by the images/ folder (git keeps no empty folders).
            write(f'mme/MME_Benchmark_release_version/{cat}/images/placeholder.txt', 'images are not needed for scoring\n')
write('mme/llava_mme.jsonl', jsonl(mme_questions))
write('mme/answers.jsonl', jsonl(mme_answers))

# --- ScienceQA ---------------------------------------------------------------------------------
sqa_problems = {
    '1': {'question': 'Which is a mammal?', 'choices': ['cat', 'frog'], 'answer': 0, 'image': 'image.png', 'split': 'test'},
    '2': {'question': 'Which is hot?', 'choices': ['ice', 'fire', 'snow'], 'answer': 1, 'image': None, 'split': 'test'},
    '3': {'question': 'Pick C', 'choices': ['a', 'b', 'c', 'd'], 'answer': 2, 'image': 'image.png', 'split': 'test'},
    '4': {'question': 'Pick B', 'choices': ['a', 'b', 'c'], 'answer': 1, 'image': 'image.png', 'split': 'test'},
    '5': {'question': 'Pick A', 'choices': ['a', 'b', 'c'], 'answer': 0, 'image': 'image.png', 'split': 'test'},
    '6': {'question': 'Pick E?', 'choices': ['a', 'b', 'c'], 'answer': 2, 'image': 'image.png', 'split': 'test'},
    '7': {'question': 'Missing', 'choices': ['a', 'b'], 'answer': 0, 'image': 'image.png', 'split': 'test'},
    '8': {'question': 'Lowercase', 'choices': ['a', 'b', 'c'], 'answer': 2, 'image': None, 'split': 'test'},
    '9': {'question': 'Val only', 'choices': ['a', 'b'], 'answer': 0, 'image': None, 'split': 'val'},
}
write('scienceqa/problems.json', json.dumps(sqa_problems, indent=1) + '\n')
write('scienceqa/pid_splits.json', json.dumps({'test': [str(i) for i in range(1, 9)], 'val': ['9']}) + '\n')
sqa_texts = {'1': 'A', '2': 'B. fire', '3': 'The answer is C.', '4': 'The answer is A. The answer is B.', '5': 'A.', '6': 'E', '8': 'c'}
sqa_records, sqa_answers = [], []
for pid, prob in sqa_problems.items():
    if prob['split'] != 'test':
        continue
    ctx = 'Context: N/A\n' + f"Question: {prob['question']}\nOptions: " + ' '.join(f'({chr(65 + k)}) {c}' for k, c in enumerate(prob['choices']))
    rec = {'id': pid, 'conversations': [{'from': 'human', 'value': ctx + ('\n<image>' if prob['image'] else '')}, {'from': 'gpt', 'value': chr(65 + prob['answer'])}]}
    if prob['image']:
        rec['image'] = f"{pid}/{prob['image']}"
    sqa_records.append(rec)
    if pid in sqa_texts:
        prompt = ('<image>\n' if prob['image'] else '') + ctx + LETTER
        sqa_answers.append(answer(pid, prompt, sqa_texts[pid]))
write('scienceqa/llava_test_CQM-A.json', json.dumps(sqa_records, indent=1) + '\n')
write('scienceqa/answers.jsonl', jsonl(sqa_answers))

# --- GQA ---------------------------------------------------------------------------------------
def gqa_q(qid, question, answer_, structural, semantic, balanced=True, group='color'):
    return qid, {
        'imageId': f'n{qid}', 'question': question, 'answer': answer_, 'fullAnswer': answer_, 'isBalanced': balanced,
        'types': {'structural': structural, 'semantic': semantic, 'detailed': 'x'},
        'groups': {'global': group, 'local': 'l'}, 'entailed': [], 'equivalent': [qid],
        'semantic': [{'operation': 'select', 'argument': 'thing', 'dependencies': []}, {'operation': 'query', 'argument': 'color', 'dependencies': [0]}],
        'annotations': {'question': {}, 'answer': {}, 'fullAnswer': {}},
    }
gqa_questions = dict([
    gqa_q('201', 'What color is the car?', 'red', 'query', 'attr'),
    gqa_q('202', 'Is the sky blue?', 'yes', 'verify', 'attr', group=None),
    gqa_q('203', 'Are there both cats and dogs?', 'no', 'logical', 'obj', group=None),
    gqa_q('204', 'Which side is the man on?', 'left', 'query', 'rel', group='side'),
    gqa_q('205', 'Is the cup smaller or larger than the plate?', 'smaller', 'compare', 'attr', group='size'),
    gqa_q('206', 'Who is wearing the hat?', 'woman', 'query', 'rel', group='who'),
    gqa_q('207', 'Not balanced', 'yes', 'verify', 'attr', balanced=False, group=None),
    gqa_q('208', 'What is on the table?', 'laptop', 'query', 'cat', group='what'),
])
write('gqa/testdev_balanced_questions.json', json.dumps(gqa_questions, indent=1) + '\n')
gqa_texts = {'201': 'Red.', '202': 'Yes', '203': 'yes', '204': 'left..', '205': 'Smaller', '206': 'the woman', '207': 'yes', '208': 'LAPTOP.'}
gqa_lines = [{'question_id': qid, 'image': f'n{qid}.jpg', 'text': gqa_questions[qid]['question'] + SHORT} for qid in gqa_texts]
write('gqa/llava_gqa_testdev_balanced.jsonl', jsonl(gqa_lines))
write('gqa/answers.jsonl', jsonl([answer(qid, gqa_questions[qid]['question'] + SHORT, t) for qid, t in gqa_texts.items()]))

# --- SEED-Bench --------------------------------------------------------------------------------
seed = {
    'question_type': {'Scene Understanding': 1, 'Instance Identity': 2, 'Instance Location': 3, 'Action Recognition': 10},
    'questions': [
        {'question_id': '101', 'question': 'q1', 'answer': 'A', 'question_type_id': 1, 'data_type': 'image', 'data_id': '1.jpg', 'choice_a': 'x', 'choice_b': 'y', 'choice_c': 'z', 'choice_d': 'w'},
        {'question_id': '102', 'question': 'q2', 'answer': 'B', 'question_type_id': 1, 'data_type': 'image', 'data_id': '2.jpg', 'choice_a': 'x', 'choice_b': 'y', 'choice_c': 'z', 'choice_d': 'w'},
        {'question_id': '103', 'question': 'q3', 'answer': 'C', 'question_type_id': 2, 'data_type': 'image', 'data_id': '3.jpg', 'choice_a': 'x', 'choice_b': 'y', 'choice_c': 'z', 'choice_d': 'w'},
        {'question_id': '104', 'question': 'q4', 'answer': 'D', 'question_type_id': 2, 'data_type': 'image', 'data_id': '4.jpg', 'choice_a': 'x', 'choice_b': 'y', 'choice_c': 'z', 'choice_d': 'w'},
        {'question_id': '105', 'question': 'q5', 'answer': 'A', 'question_type_id': 3, 'data_type': 'image', 'data_id': '5.jpg', 'choice_a': 'x', 'choice_b': 'y', 'choice_c': 'z', 'choice_d': 'w'},
        {'question_id': '106', 'question': 'q6', 'answer': 'B', 'question_type_id': 3, 'data_type': 'image', 'data_id': '6.jpg', 'choice_a': 'x', 'choice_b': 'y', 'choice_c': 'z', 'choice_d': 'w'},
        {'question_id': '107', 'question': 'q7', 'answer': 'A', 'question_type_id': 10, 'data_type': 'video', 'data_id': 'v.mp4', 'choice_a': 'x', 'choice_b': 'y', 'choice_c': 'z', 'choice_d': 'w'},
    ],
}
write('seed/SEED-Bench.json', json.dumps(seed, indent=1) + '\n')
seed_texts = {101: 'A', 102: 'B.', 103: 'C', 104: 'd', 105: 'A', 107: 'A'}
seed_lines = [{'question_id': int(q['question_id']), 'image': q['data_id'], 'text': q['question'] + '\nA. x\nB. y\nC. z\nD. w' + LETTER} for q in seed['questions'] if q['data_type'] == 'image']
write('seed/llava-seed-bench-image.jsonl', jsonl(seed_lines))
write('seed/answers.jsonl', jsonl([answer(k, '', v) for k, v in seed_texts.items() if k != 107]))

# --- shapes --------------------------------------------------------------------------------------
shapes_q = [
    ('color', 'What color is the circle?', 'red', 'Red.'),
    ('color', 'What color is the square?', 'blue', 'green'),
    ('shape', 'What shape is the purple object?', 'triangle', 'a triangle'),
    ('count', 'How many objects are there in the image?', '3', 'three'),
    ('count', 'How many crosses are there?', '0', 'none'),
    ('position', 'Where is the red circle?', 'top left', 'Top-left'),
    ('position', 'Where is the blue square?', 'bottom right', 'bottom right'),
    ('existence', 'Is there a red circle in the image?', 'yes', 'Yes'),
    ('existence', 'Is there a black diamond in the image?', 'no', 'No, there is not.'),
    ('existence', 'Is there an orange cross in the image?', 'no', 'Yes'),
    ('existence', 'Is there a green square in the image?', 'yes', 'There is no such object'),
    ('reading', 'What word is written in the image?', 'cat', 'CAT'),
]
rows, ans = [], []
for k, (t, q, a, pred) in enumerate(shapes_q):
    qid = f'eval-{k // 4:05d}-q{k % 4}'
    rows.append({'question_id': qid, 'image': f'eval-{k // 4:05d}.png', 'text': q, 'type': t, 'answer': a})
    ans.append(answer(qid, q + SHORT, pred))
write('shapes/questions.jsonl', jsonl(rows))
write('shapes/answers.jsonl', jsonl(ans))

print('fixtures written to', OUT)
