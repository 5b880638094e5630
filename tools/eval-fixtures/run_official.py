#!/usr/bin/env python3
"""Runs the official scorers on the fixtures of packages/evaluator/test/fixtures and writes the
numbers the TypeScript tests compare against to packages/evaluator/test/fixtures/expected.json.

Nothing is downloaded and no third-party code is kept in this repository: point the flags at
copies of the official scripts (see README.md for where each came from). Run from the repo root:

    /usr/bin/python3 tools/eval-fixtures/run_official.py \\
        --eve-root /path/to/baaivision/EVE/EVEv1 \\
        --gqa-eval /path/to/gqa/eval.py \\
        --mme-convert /path/to/MME/convert_answer_to_mme.py \\
        --mme-calculation /path/to/MME/eval_tool/calculation.py

Needs Debian's python3 with python3-numpy, python3-sklearn (MME) and python3-tqdm (GQA, m4c).
The scripts run in-process (runpy) with their stdout captured; the package `eve` is replaced by
empty modules so that `eve.eval.m4c_evaluator` loads without torch.
"""
import argparse
import contextlib
import importlib.util
import io
import json
import os
import re
import runpy
import shutil
import sys
import tempfile
import types

FIX = os.path.abspath(os.path.join('packages', 'evaluator', 'test', 'fixtures'))


def load_m4c(eve_root):
    for name in ['eve', 'eve.eval']:
        mod = types.ModuleType(name)
        mod.__path__ = []
        sys.modules[name] = mod
    spec = importlib.util.spec_from_file_location('eve.eval.m4c_evaluator', os.path.join(eve_root, 'eve', 'eval', 'm4c_evaluator.py'))
    m4c = importlib.util.module_from_spec(spec)
    sys.modules['eve.eval.m4c_evaluator'] = m4c
    spec.loader.exec_module(m4c)
    return m4c


def run_script(path, argv, cwd=None):
    """Runs a script as __main__ with argv, in cwd; returns its stdout."""
    out = io.StringIO()
    old_argv, old_cwd = sys.argv, os.getcwd()
    sys.argv = [path] + argv
    try:
        if cwd:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            runpy.run_path(path, run_name='__main__')
    finally:
        sys.argv = old_argv
        os.chdir(old_cwd)
    return out.getvalue()


def fx(*p):
    return os.path.join(FIX, *p)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--eve-root', required=True, help='the EVEv1 folder of a baaivision/EVE checkout')
    ap.add_argument('--gqa-eval', required=True, help="GQA's official eval.py (LLaVA's testdev-tolerant copy)")
    ap.add_argument('--mme-convert', required=True, help="LLaVA's playground/data/eval/MME/convert_answer_to_mme.py")
    ap.add_argument('--mme-calculation', required=True, help="MME's eval_tool/calculation.py")
    args = ap.parse_args()
    eve = os.path.abspath(args.eve_root)
    m4c = load_m4c(eve)
    expected = {}

    # EvalAI normaliser.
    proc = m4c.EvalAIAnswerProcessor()
    cases = json.load(open(fx('normalizer', 'cases.json')))
    expected['normalizer'] = [[c, proc(c)] for c in cases]

    # VQA accuracy per item (TextVQAAccuracyEvaluator).
    ev = m4c.TextVQAAccuracyEvaluator()
    items = json.load(open(fx('vqa', 'items.json')))
    expected['vqaAccuracy'] = [ev.eval_pred_list([{'pred_answer': it['pred'], 'gt_answers': it['answers']}]) for it in items]

    # TextVQA: eval_textvqa.py's prompt_processor + the evaluator, as eval_single does.
    tv = runpy.run_path(os.path.join(eve, 'eve', 'eval', 'eval_textvqa.py'), run_name='textvqa')
    anns = json.load(open(fx('textvqa', 'TextVQA_0.5.1_val.json')))['data']
    anns = {(a['image_id'], a['question'].lower()): a for a in anns}
    preds = []
    for line in open(fx('textvqa', 'answers.jsonl')):
        r = json.loads(line)
        a = anns[(r['question_id'], tv['prompt_processor'](r['prompt']))]
        preds.append({'pred_answer': r['text'], 'gt_answers': a['answers']})
    with contextlib.redirect_stderr(io.StringIO()):
        expected['textvqa'] = {'accuracy': 100.0 * ev.eval_pred_list(preds)}

    # VQAv2 and VizWiz submission files.
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, 'answers', 'split', 'ckpt'))
        shutil.copy(fx('vqav2', 'answers.jsonl'), os.path.join(d, 'answers', 'split', 'ckpt', 'merge.jsonl'))
        shutil.copy(fx('vqav2', 'llava_vqav2_mscoco_test2015.jsonl'), os.path.join(d, 'llava_vqav2_mscoco_test2015.jsonl'))
        run_script(os.path.join(eve, 'scripts', 'convert_vqav2_for_submission.py'), ['--dir', d, '--ckpt', 'ckpt', '--split', 'split'])
        expected['vqav2Submission'] = json.load(open(os.path.join(d, 'answers_upload', 'split', 'ckpt.json')))
        up = os.path.join(d, 'vizwiz', 'upload.json')
        run_script(os.path.join(eve, 'scripts', 'convert_vizwiz_for_submission.py'),
                   ['--annotation-file', fx('vizwiz', 'llava_test.jsonl'), '--result-file', fx('vizwiz', 'answers.jsonl'), '--result-upload-file', up])
        expected['vizwizSubmission'] = json.load(open(up))

    # POPE: eval_pope.py's printed full-precision values per category.
    out = run_script(os.path.join(eve, 'eve', 'eval', 'eval_pope.py'),
                     ['--annotation-dir', fx('pope', 'coco'), '--question-file', fx('pope', 'llava_pope_test.jsonl'), '--result-file', fx('pope', 'answers.jsonl')])
    pope = {}
    for block in out.split('Category: ')[1:]:
        cat = block.split(',')[0]
        num = lambda k: float(re.search(rf'{k}: ([0-9.e-]+)', block).group(1))
        tp, fp, tn, fn = map(int, re.search(r'TP\tFP\tTN\tFN\t\n(\d+)\t(\d+)\t(\d+)\t(\d+)', block).groups())
        pope[cat] = {'TP': tp, 'FP': fp, 'TN': tn, 'FN': fn, 'accuracy': num('Accuracy'), 'precision': num('Precision'), 'recall': num('Recall'), 'f1': num('F1 score'), 'yesRatio': num('Yes ratio')}
    expected['pope'] = pope

    # MME: LLaVA's converter, then MME's calculation.py.
    with tempfile.TemporaryDirectory() as d:
        shutil.copytree(fx('mme', 'MME_Benchmark_release_version'), os.path.join(d, 'MME_Benchmark_release_version'))
        os.makedirs(os.path.join(d, 'answers'))
        shutil.copy(fx('mme', 'answers.jsonl'), os.path.join(d, 'answers', 'exp.jsonl'))
        run_script(os.path.abspath(args.mme_convert), ['--experiment', 'exp'], cwd=d)
        out = run_script(os.path.abspath(args.mme_calculation), ['--results_dir', 'answers/exp'], cwd=os.path.join(d, 'eval_tool'))
    totals = [float(x) for x in re.findall(r'total score: ([0-9.e-]+)', out)]
    tasks = {k: float(v) for k, v in re.findall(r'\t (\S+)  score: ([0-9.e-]+)', out)}
    expected['mme'] = {'perception': totals[0], 'cognition': totals[1], 'subtasks': tasks}

    # ScienceQA: eval_science_qa.py; IMG accuracy from its per-question output file.
    with tempfile.TemporaryDirectory() as d:
        run_script(os.path.join(eve, 'eve', 'eval', 'eval_science_qa.py'),
                   ['--base-dir', fx('scienceqa'), '--result-file', fx('scienceqa', 'answers.jsonl'), '--output-file', os.path.join(d, 'o.json'), '--output-result', os.path.join(d, 'r.json')])
        res = json.load(open(os.path.join(d, 'o.json')))
        summary = json.load(open(os.path.join(d, 'r.json')))
    img_c = len([x for x in res['correct'] if x['is_multimodal']])
    img_i = len([x for x in res['incorrect'] if x['is_multimodal']])
    expected['scienceqa'] = {'accuracy': summary['acc'], 'imgAccuracy': img_c / (img_c + img_i) * 100,
                             'parsed': {x['question_id']: x['parsed_ans'] for x in res['correct'] + res['incorrect']}}

    # GQA: the release's converter, then the official eval.py (prints 2 decimals).
    with tempfile.TemporaryDirectory() as d:
        pred = os.path.join(d, 'testdev_balanced_predictions.json')
        run_script(os.path.join(eve, 'scripts', 'convert_gqa_for_eval.py'), ['--src', fx('gqa', 'answers.jsonl'), '--dst', pred])
        shutil.copy(fx('gqa', 'testdev_balanced_questions.json'), os.path.join(d, 'testdev_balanced_questions.json'))
        out = run_script(os.path.abspath(args.gqa_eval), ['--tier', 'testdev_balanced'], cwd=d)
    g = lambda k: float(re.search(rf'^{k}: ([0-9.]+)%', out, re.M).group(1))
    expected['gqa'] = {'accuracy': g('Accuracy'), 'binary': g('Binary'), 'open': g('Open'), 'decimals': 2}

    # SEED: the release's convert_seed_for_submission.py (prints 2 decimals).
    out = run_script(os.path.join(eve, 'scripts', 'convert_seed_for_submission.py'),
                     ['--annotation-file', fx('seed', 'SEED-Bench.json'), '--result-file', fx('seed', 'answers.jsonl'), '--result-upload-file', '/dev/null'])
    per_type = {k: float(v) for k, v in re.findall(r'^(.+): ([0-9.]+)%$', out, re.M) if not k.startswith(('Total', 'image'))}
    expected['seed'] = {'imageAccuracy': float(re.search(r'image accuracy: ([0-9.]+)%', out).group(1)), 'perType': per_type, 'decimals': 2}

    # shapes: the m4c normaliser for exact match, eval_pope's function on the existence split.
    qs = [json.loads(l) for l in open(fx('shapes', 'questions.jsonl'))]
    ans = {json.loads(l)['question_id']: json.loads(l)['text'] for l in open(fx('shapes', 'answers.jsonl'))}
    by_type = {}
    for q in qs:
        ok = proc(ans[q['question_id']]) == proc(q['answer'])
        c, n = by_type.get(q['type'], (0, 0))
        by_type[q['type']] = (c + ok, n + 1)
    ex = [q for q in qs if q['type'] == 'existence']
    with tempfile.TemporaryDirectory() as d:
        lab = os.path.join(d, 'l.json')
        with open(lab, 'w') as f:
            for q in ex:
                f.write(json.dumps({'label': q['answer']}) + '\n')
        pope_mod = runpy.run_path(os.path.join(eve, 'eve', 'eval', 'eval_pope.py'), run_name='pope')
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            pope_mod['eval_pope']([{'text': ans[q['question_id']]} for q in ex], lab)
    nums = [float(x) for x in re.findall(r': ([0-9.e-]+)\n', buf.getvalue())]
    expected['shapes'] = {
        'accuracy': sum(c for c, _ in by_type.values()) / len(qs) * 100,
        'byType': {k: c / n * 100 for k, (c, n) in sorted(by_type.items())},
        'existence': dict(zip(['accuracy', 'precision', 'recall', 'f1', 'yesRatio'], nums)),
    }

    with open(fx('expected.json'), 'w') as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)
        f.write('\n')
    print('wrote', fx('expected.json'))


if __name__ == '__main__':
    main()
