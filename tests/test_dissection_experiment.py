"End to end: the README's small `dissection` command runs through the CLI on a tiny world and zoo and writes every table and figure."
import json
import pandas as pd
from conftest import readme_command

def test_dissection_small(tmp_path, run_cli):
    r = run_cli(*readme_command('dissection'))  # as the README writes it
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    run = tmp_path/'results'/'dissection'/'small'
    m = json.loads((run/'manifest.json').read_text())
    assert m['status'] == 'done' and m['params']['layers'] == ['layer4', 'fc']
    # the tiny object ResNet is near chance (36 classes): the run says so, in its output and its manifest; the CLIP's spurious warning is gone
    warned = [w for w in m['warnings'] if w.startswith('warning: object_resnet is at ') and w.endswith('(chance 3%): its explanations describe a model that did not learn')]
    assert warned and f'dissection | {warned[0]}' in r.stderr, (m['warnings'], r.stderr[-2000:])
    assert "No pretrained weights loaded for model 'xai-world-clip-" not in r.stdout + r.stderr + (run/'dissection.ipynb').read_text()
    desc = pd.read_csv(run/'descriptions.csv')
    # every unit of every layer once per method (NetDissect only on maps): object CNN 256 + 36, scene CNN 256 + 8
    counts = desc.groupby(['model', 'method']).size().to_dict()
    assert counts == {('object_resnet', 'clip-dissect'): 292, ('object_resnet', 'netdissect'): 256, ('object_resnet', 'netdissect q=0.05'): 256,
                      ('scene_resnet', 'clip-dissect'): 264, ('scene_resnet', 'netdissect'): 256, ('scene_resnet', 'netdissect q=0.05'): 256}, counts
    cu = pd.read_csv(run/'class_units.csv')
    assert set(cu.similarity) == {'soft_wpmi', 'cos_similarity_cubed'} and set(cu.P) == {'clip', 'oracle'}
    assert set(cu.probe) == {'broden', 'object_test'} and cu.accuracy.between(0, 1).all()
    assert set(cu.concept_set) == {'closed', 'open'}  # issue 19 item 5: the open-vocabulary variant beside the class names
    # issue 19 item 3: the CLIP's cosine range, the rule's a and the run's; the sensitivity on layer2 (not a run layer here) at every a
    cal = pd.read_csv(run/'clip_calibration.csv').set_index('quantity').value
    assert cal['run_a'] == cal['calibrated_a'] > 0 and cal['cosine_image_std'] > 0, cal
    sens = pd.read_csv(run/'a_sensitivity.csv')
    assert set(sens.layer) == {'layer2'} and {1, 3, 10, 30, 100, cal['calibrated_a']} <= set(sens.a) and set(sens.rule.fillna('')) == {'', 'calibrated', 'reference'}
    # the yardstick and NetDissect's ceiling: every method of every layer scored, the control among them; a perfect detector per concept and quantile
    lq = pd.read_csv(run/'label_quality.csv')
    assert {'random label', 'class name', 'netdissect', 'netdissect q=0.05', 'clip-dissect soft_wpmi (clip)', 'clip-dissect cos_similarity_cubed (oracle)'} <= set(lq.method)
    assert lq.label_auc.between(0, 1).all() and (lq.label_auc_low <= lq.label_auc_high).all()
    ceil = pd.read_csv(run/'netdissect_ceiling.csv')
    assert len(ceil) == 2 * 30 and (ceil.label == ceil.concept).all(), ceil[ceil.label != ceil.concept]
    assert len(pd.read_csv(run/'truth.csv')) == (292 + 264) * 30
    cats = pd.read_csv(run/'category_shares.csv')  # seed 001's question, per method, with intervals
    assert {'yardstick', 'oracle', 'clip'} <= set(cats.method) and (cats.share_low <= cats.share).all() and (cats.share <= cats.share_high).all(), cats
    for f in ['unique_concepts.csv', 'concept_categories.csv', 'agreement.csv', 'stages.csv', 'class_units.png', 'dissection.ipynb', 'netdissect_quantiles.csv']:
        assert (run/f).exists(), f
