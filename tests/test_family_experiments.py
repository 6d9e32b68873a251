"End to end: the README's small `comparison`, `nmf` and `contrasting` commands run through the CLI on a tiny zoo and write every table and figure."
import json
import pandas as pd
from conftest import readme_command

def _run(family_home, experiment):
    "Run the README's small command of `experiment` as it is written; its results folder and manifest"
    base, run = family_home
    r = run(*readme_command(experiment))
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    out = base/'results'/experiment/'small'
    m = json.loads((out/'manifest.json').read_text())
    assert m['status'] == 'done', m
    assert any(w.startswith('warning: object_resnet is at ') for w in m['warnings']), m['warnings']  # the tiny zoo's model is near chance
    return out, m

def test_comparison_small(family_home):
    out, m = _run(family_home, 'comparison')
    steps = pd.read_csv(out/'steps.csv')
    assert set(steps.model) == {'object_resnet'} and set(steps.metric) == {'auc', 'mad'}
    assert steps.groupby(['layer', 'unit', 'metric']).ngroups == (3 + 2) * 2  # one search per unit and metric
    assert not (out/'runs').exists()  # the original's run folders only on request (save_runs)
    held = pd.read_csv(out/'heldout.csv')
    assert set(held.method) == {'search', 'best predefined', 'clip-dissect'}
    assert len(held) == (3 + 2) * 2 * 3 and held.auc.between(0, 1).all()
    vs = pd.read_csv(out/'vs_clip_dissect.csv')
    assert list(vs.columns[:6]) == ['model', 'layer', 'neuron', 'our', 'CLIP-Dissect', 'our_concept_type'] and len(vs) == 10
    for f in ['concept_types.csv', 'generated_share.csv', 'heldout_gain.csv', 'clip_dissect.csv', 'concept_types.png', 'heldout.png']:
        assert (out/f).exists(), f

def test_nmf_small(family_home):
    out, m = _run(family_home, 'nmf')
    t = pd.read_csv(out/'prediction_from_components.csv')
    assert list(t.columns[:10]) == ['model', 'layer', 'variant', 'classes', 'mean_p', 'std_p', 'top1', 'p_gt_0.1', 'p_gt_0.2', 'p_gt_0.5']
    assert list(t.variant) == ['all', 'not_target', 'random', 'random_cell', 'random_class_cell'] and t.top1.between(0, 1).all()
    pc = pd.read_csv(out/'per_class.csv')
    assert len(pc) == 5 * t.classes.iloc[0]
    g = pd.read_csv(out/'strip_gain.csv')
    assert list(g.control) == ['random_class_cell', 'random_cell', 'random'] and (g.gain_lo <= g.gain).all() and (g.gain <= g.gain_hi).all()
    for f in ['nmf_objective.csv', 'strip_test.png', 'strip_gain.png', 'strips_layer4_0.png', 'stages.csv']: assert (out/f).exists(), f

def test_contrasting_small(family_home):
    out, m = _run(family_home, 'contrasting')
    s = pd.read_csv(out/'summary.csv')
    assert [tuple(x) for x in s[['a', 'b']].values] == [('red circle', 'blue circle'), ('red circle', 'red square')]
    assert list(s.kind) == ['colour', 'shape']
    c = pd.read_csv(out/'curves.csv')
    assert len(c) == 2 * 10 and sorted(set(c.offset)) == sorted([0, -0.5, -1, -2, -10, -15, -20, -35, -50, -200])
    ins = pd.read_csv(out/'insertion.csv')
    assert set(ins.variant) == {'original', 'B patch', 'neutral patch'} and len(ins) == 6
    assert len(pd.read_csv(out/'over_seeds.csv')) == 3  # seed 0, mean, std
    for f in ['checks.csv', 'concepts.csv', 'overall.csv', 'curves_normalised.csv', 'shift_curves.png', 'insertion_colour.png']:
        assert (out/f).exists(), f
