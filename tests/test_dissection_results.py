"The committed default run of the `dissection` experiment meets the issue's figures and is not stale."
import re
from pathlib import Path
import pandas as pd, pytest
from conftest import committed_manifest
from xai_study.world import zoo
from xai_study.dissection import clip_dissect, netdissect, study, yardstick
from xai_study.cache import module_version

RUN = Path(__file__).resolve().parents[1]/'results'/'dissection'/'default'

@pytest.fixture(scope='module')
def manifest(): return committed_manifest('dissection')

def test_run_complete(manifest):
    assert manifest['status'] == 'done'
    for f in ['descriptions.csv', 'unique_concepts.csv', 'concept_categories.csv', 'class_units.csv', 'agreement.csv', 'stages.csv',
              'class_units.png', 'concepts_layer4.png', 'dissection.ipynb', 'truth.csv', 'label_quality.csv', 'netdissect_ceiling.csv',
              'netdissect_quantiles.csv', 'clip_calibration.csv', 'a_sensitivity.csv', 'category_shares.csv']:
        assert (RUN/f).exists(), f

def test_results_not_stale(manifest):
    "The committed figures come from the code and zoo as they are now: a change to either needs a new run"
    p = manifest['params']
    assert p['code_version'] == module_version(study, clip_dissect, netdissect, yardstick), 'results/dissection/default was made by other dissection code; rerun `xai-study run dissection` and commit'
    for name in p['models']:
        assert p['zoo_keys'][name] == zoo.zoo_key(name, p['seed'], p['size'], p['zoo_overrides']), name
    assert p['zoo_keys']['clip'] == zoo.zoo_key('clip', p['seed'], overrides=p['clip_overrides'])

def test_every_unit_described(manifest):
    d = pd.read_csv(RUN/'descriptions.csv')
    sizes = {'layer1': 32, 'layer2': 64, 'layer3': 128, 'layer4': 256}
    for (model, method), g in d.groupby(['model', 'method']):
        got = g.groupby('layer').size().to_dict()
        want = {l: n for l, n in sizes.items() if l in manifest['params']['layers']}
        if method == 'clip-dissect': want['fc'] = 36 if model.startswith('object') else 8
        assert got == want, (model, method, got)
    assert d.description.notna().all()

@pytest.mark.parametrize('model', ['object_resnet', 'scene_resnet'])
def test_class_units_soft_wpmi(model):
    "Issue 19 item 5: soft-WPMI itself (not the best of five functions), with CLIP's P and the class names (CLIP-Dissect's Table 3, closed set), labels at least 95% of each model's final-layer units with their own class on every probe set (CLIP-Dissect: 95.5%)"
    cu = pd.read_csv(RUN/'class_units.csv')
    sw = cu[(cu.model == model) & (cu.P == 'clip') & (cu.similarity == 'soft_wpmi') & (cu.concept_set == 'closed')].set_index('probe').accuracy
    want = {'broden', 'object_test'} if model == 'object_resnet' else {'broden'}  # the object task's own test images too, as before
    assert want <= set(sw.index) and (sw >= 0.95).all(), sw.to_dict()

def test_class_units_open_vocabulary():
    "Issue 19 item 5: beside the closed set, the open-vocabulary variant (world words + class names + the renderer's phrases) for every model, probe, P and similarity function"
    cu = pd.read_csv(RUN/'class_units.csv')
    key = ['model', 'probe', 'P', 'similarity']
    closed, opened = cu[cu.concept_set == 'closed'], cu[cu.concept_set == 'open']
    assert set(cu.concept_set) == {'closed', 'open'} and len(opened) == len(closed)
    assert set(map(tuple, opened[key].values)) == set(map(tuple, closed[key].values))
    assert opened.accuracy.between(0, 1).all() and (opened.concepts > closed.concepts.max()).all()

def test_clip_calibration(manifest):
    "Issue 19 item 3: the world CLIP's cosine range, the rule's a (0.25 / per-image std) and the run's a (the calibrated one, the adopted default); the CLIP sees regions and scenes in the probe images, objects far less well"
    c = pd.read_csv(RUN/'clip_calibration.csv').set_index('quantity').value
    for k in ['cosine_min', 'cosine_max', 'cosine_image_std', 'cosine_image_range', 'target_logit_spread', 'clip_logit_scale', 'a_from_logit_scale']: assert k in c, k
    assert c['cosine_min'] < c['cosine_mean'] < c['cosine_max'] and 0 < c['cosine_image_std'] < c['cosine_image_range']
    assert abs(c['calibrated_a'] - c['target_logit_spread'] / c['cosine_image_std']) < 0.01 * c['calibrated_a']
    assert manifest['params']['a'] == 'calibrated' and c['run_a'] == c['calibrated_a'] < c['reference_a']
    assert min(c['presence_auc_region'], c['presence_auc_scene']) > 0.99 and c['presence_auc_object'] < 0.9, c.filter(like='presence').to_dict()

def test_a_sensitivity(manifest):
    "Issue 19 item 3: label quality by the yardstick at every a and the calibrated one, on layer2 (no reported finding rests on it); the calibrated a labels better than a=10 in both models (paired difference above 0)"
    s = pd.read_csv(RUN/'a_sensitivity.csv')
    cal = pd.read_csv(RUN/'clip_calibration.csv').set_index('quantity').value['calibrated_a']
    assert set(s.layer) == {manifest['params']['calibration_layer']} == {'layer2'}
    for m, g in s.groupby('model'):
        assert {1, 3, 10, 30, 100, cal} == set(g.a), (m, sorted(g.a))
        assert (g.label_auc_low <= g.label_auc).all() and (g.label_auc <= g.label_auc_high).all()
    c = s[s.rule == 'calibrated']
    assert len(c) == 2 and (c['diff'] > 0).all(), c[['model', 'diff', 'diff_low', 'diff_high']]

def test_perfect_detectors():
    "Issue 19 item 2: a perfect detector of every concept (its own label map, planted as a unit) is labelled with its concept and is interpretable at q=0.05; at NetDissect's 0.005 the regions and scenes covering more than 0.005/0.04 = 12.5% of the pixels are not"
    c = pd.read_csv(RUN/'netdissect_ceiling.csv')
    assert set(c['quantile']) == {0.005, 0.05} and len(c) == 2 * 30
    assert (c.label == c.concept).all(), c[c.label != c.concept]
    assert ((c.ceiling - c.expected).abs() < 0.002).all()  # the ceiling is min(share, q) / max(share, q)
    q05, q005 = c[c['quantile'] == 0.05], c[c['quantile'] == 0.005]
    assert q05.interpretable.all(), q05[~q05.interpretable]
    rs = q005[q005.category.isin(['region', 'scene'])]
    big = rs[rs.share > 0.005 / 0.04]
    assert len(big) >= 4 and not big.interpretable.any(), big
    assert rs.ceiling.max() < 0.05 and q005[~q005.category.isin(['region', 'scene'])].ceiling.min() > 0.15, q005

def test_netdissect_quantiles():
    "'No interpretable unit in the scene model's layer3/4' is the threshold: none at 0.005, every unit at 0.05"
    nq = pd.read_csv(RUN/'netdissect_quantiles.csv').set_index(['model', 'layer', 'quantile'])
    for layer in ('layer3', 'layer4'):
        assert nq.loc[('scene_resnet', layer, 0.005), 'interpretable'] == 0
        assert nq.loc[('scene_resnet', layer, 0.05), 'interpretable_share'] == 1.0
    assert (nq.ceiling_score.between(0, 1)).all()

@pytest.mark.parametrize('method', ['clip-dissect soft_wpmi (clip)', 'clip-dissect cos_similarity_cubed (clip)', 'clip-dissect soft_wpmi (oracle)',
                                    'netdissect', 'netdissect q=0.05', 'class name'])
def test_labels_beat_the_random_control(method):
    "Issue 19 item 1: on the ground-truth yardstick every method's labels score a higher AUC than a random world word, in every model and layer it labels (intervals apart)"
    q = pd.read_csv(RUN/'label_quality.csv')
    rnd = q[q.method == 'random label'].set_index(['model', 'layer'])
    m = q[q.method == method].set_index(['model', 'layer'])
    assert len(m), method
    worse = [(k, r.label_auc_low, rnd.loc[k, 'label_auc_high']) for k, r in m.iterrows() if not r.label_auc_low > rnd.loc[k, 'label_auc_high']]
    assert not worse, worse

def test_yardstick_truth():
    "The truth table: one row per unit and world word, each unit one best concept; the scene model's deep units are near-perfect scene detectors, the object model's not"
    t = pd.read_csv(RUN/'truth.csv')
    assert (t.groupby(['model', 'layer', 'unit']).best.sum() == 1).all()
    best = t[t.best].groupby(['model', 'layer']).auc.mean()
    assert best[('scene_resnet', 'layer4')] > 0.95 and best[('object_resnet', 'layer4')] < 0.8, best.to_dict()

def test_category_shares():
    "Issue 19 item 4: seed 001 with intervals: every labelling (`study.CATEGORY_METHODS`) of both models; each interval holds its mean; a group's share is the sum of its categories'"
    cs = pd.read_csv(RUN/'category_shares.csv')
    assert set(cs.method) == set(study.CATEGORY_METHODS), set(cs.method)
    for m in study.CATEGORY_METHODS: assert set(cs[cs.method == m].model) == {'object_resnet', 'scene_resnet'}, m
    assert set(cs[cs.method == 'yardstick'].layer) == {'layer1', 'layer2', 'layer3', 'layer4', 'fc'} and (cs.units > 0).all()
    assert cs.share.between(0, 1).all() and ((cs.share_low <= cs.share) & (cs.share <= cs.share_high)).all()
    w = cs.pivot_table(index=['model', 'layer', 'method'], columns='category', values='share')
    for group, members in study.CATEGORY_GROUPS.items(): assert ((w[list(members)].sum(axis=1) - w[group]).abs() < 1e-3).all(), group
    assert (w[['color', 'object', 'texture', 'region', 'scene']].sum(axis=1) <= 1 + 1e-3).all()

# (labelling, claim) -> why the seed's answer fails on layer4, with the default run's figures (shares of units, 95% intervals over units)
SEED_001_LAYER4 = {
    ('clip', 'scene+region'): "CLIP-Dissect with CLIP's P: scene+region labels scene_resnet 51.9% [46.1%, 57.8%] vs object_resnet 46.5% [40.6%, 52.7%], "
                              "intervals overlap (unclear); the yardstick decides: 100.0% [100.0%, 100.0%] vs 0.0% [0.0%, 0.0%], yes",
    ('clip', 'color+object'): "CLIP-Dissect with CLIP's P: colour+object labels object_resnet 29.7% [23.8%, 35.2%] vs scene_resnet 31.6% [25.8%, 37.5%], "
                              "intervals overlap (unclear); the yardstick decides: 100.0% [100.0%, 100.0%] vs 0.0% [0.0%, 0.0%], yes",
    ('oracle', 'color+object'): "CLIP-Dissect with the oracle's P: colour+object labels object_resnet 29.7% [24.2%, 35.5%] vs scene_resnet 21.5% [16.4%, 26.6%], "
                                "intervals overlap (unclear); the yardstick decides: 100.0% [100.0%, 100.0%] vs 0.0% [0.0%, 0.0%], yes",
}

def seed_cases(claim:str)->list:
    return [pytest.param(m, marks=pytest.mark.xfail(strict=True, reason=SEED_001_LAYER4[(m, claim)])) if (m, claim) in SEED_001_LAYER4 else m
            for m in study.CATEGORY_METHODS]

def layer4_verdict(method:str, claim:str):
    v = study.category_verdicts(pd.read_csv(RUN/'category_shares.csv')).set_index(['layer', 'method', 'category']).loc[('layer4', method, claim)]
    return v.verdict, v.to_dict()

@pytest.mark.parametrize('method', seed_cases('scene+region'))
def test_seed_001_scene_model_holds_more_scene_concepts(method):
    "Seed 001: the scene (Places365) model learned scenes the object model did not; on layer4 its share of scene and region labels lies above the object model's (intervals apart)"
    verdict, row = layer4_verdict(method, 'scene+region')
    assert verdict == 'yes', row

@pytest.mark.parametrize('method', seed_cases('color+object'))
def test_seed_001_object_model_holds_more_object_concepts(method):
    "Seed 001: the object (ImageNet) model learned objects the scene model did not; on layer4 its share of colour and object labels lies above the scene model's (intervals apart)"
    verdict, row = layer4_verdict(method, 'color+object')
    assert verdict == 'yes', row

def _bench(name):
    return pd.read_csv(Path(__file__).resolve().parents[1]/'results'/'benchmarks'/f'{name}.csv').set_index('measure')

def test_soft_wpmi_speed():
    "Issue 22 item 5: soft-WPMI at least 3x the per-neuron loop in every repetition (median of at least 5), labels identical"
    b = _bench('dissection')
    t = b.loc['time']
    worst = float(re.search(r"worst repetition's ratio ([0-9.]+)", t.note).group(1))
    assert t.repeats >= 5 and t.value * 3 <= t.reference_value and worst <= 1 / 3, t.to_dict()
    assert b.loc['labels_identical', 'value'] == 1.0

def test_netdissect_speed():
    "Issue 22 item 7: NetDissect from cached maps at least half the throughput of extracting the same maps"
    t = _bench('dissection_netdissect').loc['time']
    assert t.value <= 2 * t.reference_value, t.to_dict()
