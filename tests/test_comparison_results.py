"The committed default run of the `comparison` experiment is complete, not stale, and meets (or, as strict expected failures with the measured reason, misses) the issue's bars."
from pathlib import Path
import numpy as np, pandas as pd, pytest
from conftest import committed_manifest
from xai_study.comparison import study, findings
from xai_study.cache import module_version
from xai_study.core import bootstrap_mean

RUN = Path(__file__).resolve().parents[1]/'results'/'comparison'/'default'
HELD = 'held-out (search metric)'

@pytest.fixture(scope='module')
def manifest(): return committed_manifest('comparison')

@pytest.fixture(scope='module')
def gain(): return pd.read_csv(RUN/'heldout_gain.csv')

def test_run_complete(manifest):
    assert manifest['status'] == 'done'
    for f in ['steps.csv', 'concept_types.csv', 'generated_share.csv', 'clip_dissect.csv', 'vs_clip_dissect.csv', 'heldout.csv',
              'heldout_controls.csv', 'yardstick.csv', 'control_steps.csv', 'heldout_gain.csv', 'planted.csv', 'planted_shares.csv',
              'stages.csv', 'concept_types.png', 'heldout.png', 'comparison.ipynb']:
        assert (RUN/f).exists(), f

def test_results_not_stale(manifest):
    "The committed tables come from the code and zoo as they are now: a change to either needs a new run"
    p = manifest['params']
    stale = 'results/comparison/default was made by other code; rerun `xai-study run comparison` and commit'
    assert p['code_version'] == module_version(study), stale
    assert p['similarity_version'] == study.similarity_version(p['similarity']), stale
    now = study.zoo_keys(list(dict.fromkeys(p['late_models'] + p['final_models'])), p['seed'], p['size'], p['zoo_overrides'], p['clip_overrides'])
    for name, key in now.items(): assert p['zoo_keys'][name] == key, name

def test_every_unit_labelled(manifest):
    "100 units of each late layer and 10 of each final layer (the scene task has 8), once per metric, each with a label and its steps"
    p = manifest['params']
    vs = pd.read_csv(RUN/'vs_clip_dissect.csv')
    per_metric = len(p['late_models']) * p['n_late'] + sum(min(p['n_final'], 8 if m.startswith('scene') else 36) for m in p['final_models'])
    assert len(vs) == per_metric * len(p['metrics']), len(vs)
    assert vs.our.notna().all() and vs['CLIP-Dissect'].notna().all()
    assert pd.read_csv(RUN/'steps.csv').groupby(['model', 'layer', 'unit', 'metric']).ngroups == len(vs)

def test_line_defaults(manifest):
    "The run searched with the LINE paper's history update and control policy, and the shortest label within the stated tolerance"
    p = manifest['params']
    assert (p['policy'], p['history_update'], p['tie_tol']) == ('class', 'line', 0.02)
    steps = pd.read_csv(RUN/'steps.csv')
    assert steps[steps.concept.notna()].kept.all()  # every scored proposal entered the history

def test_gains_by_unit(gain, manifest):
    "The gain table counts units, not rows: recomputed from heldout.csv by unit for one layer, it matches the committed row"
    held = pd.read_csv(RUN/'heldout.csv')
    h = held[(held.model == 'object_resnet') & (held.layer == 'layer4')].pivot_table(index=['neuron', 'metric'], columns='method', values='auc')
    per_unit = (h['search'] - h['clip-dissect']).dropna().groupby('neuron').mean()
    mean, lo, hi = bootstrap_mean(per_unit.to_numpy(), manifest['params']['n_boot'], 0.95, manifest['params']['seed'])
    row = gain[(gain.judge == HELD) & (gain.model == 'object_resnet') & (gain.layer == 'layer4') & (gain.reference == 'clip-dissect')].iloc[0]
    assert row.units == len(per_unit) == manifest['params']['n_late']
    assert np.allclose([row.gain, row.ci_low, row.ci_high], [mean, lo, hi], atol=1e-4), (row.to_dict(), mean, lo, hi)

def test_unlearned_models_apart(gain):
    "Models below 50% held-out accuracy are marked and left out of the pooled rows"
    zm = pd.read_csv(Path(__file__).resolve().parents[1]/'results'/'world'/'default'/'zoo_metrics.csv').set_index('model').test_acc
    for m, ok in gain[gain.model != 'all learned'].groupby('model').learned.first().items(): assert bool(ok) == (zm[m] >= 0.5), m
    g = gain[(gain.judge == HELD) & (gain.reference == 'clip-dissect')]
    assert g[g.model == 'all learned'].units.iloc[0] == g[g.learned & (g.model != 'all learned')].units.sum()

LAYERS = [('object_resnet', 'layer4'), ('scene_resnet', 'layer4'), ('object_resnet', 'fc'), ('scene_resnet', 'fc')]
XFAIL_CD = {('object_resnet', 'fc'): "measured (default run): object_resnet fc search minus CLIP-Dissect -0.031 [-0.051, -0.011] held-out AUC over 10 "
                                    "units: CLIP-Dissect's label (mostly the class name) scores higher on the final layer"}  # the measured reason where the bar is missed

@pytest.mark.parametrize('model,layer', [pytest.param(m, l, marks=pytest.mark.xfail(strict=True, reason=XFAIL_CD[m, l]) if (m, l) in XFAIL_CD else ())
                                         for m, l in LAYERS], ids=lambda x: str(x))
def test_search_beats_clip_dissect(gain, model, layer):
    "Per learned model and layer, by unit: the search's label beats CLIP-Dissect's (same candidates) on held-out images, the interval above 0"
    r = gain[(gain.judge == HELD) & (gain.model == model) & (gain.layer == layer) & (gain.reference == 'clip-dissect')].iloc[0]
    assert r.ci_low > 0, r.to_dict()

XFAIL_RANDOM = ("measured (default run): over 218 learned units the search minus a random proposer at the same budget is -0.012 [-0.018, -0.007] "
                "held-out AUC (yardstick -0.001 [-0.006, +0.004]): the proposer's reading of the history does not beat random phrases")

@pytest.mark.xfail(XFAIL_RANDOM is not None, strict=True, reason=str(XFAIL_RANDOM))
def test_search_beats_random_phrases(gain):
    "Over the learned models' units, the search's label beats a random proposer's at the same budget (held-out, interval above 0)"
    r = gain[(gain.judge == HELD) & (gain.model == 'all learned') & (gain.reference == 'random phrase')].iloc[0]
    assert r.ci_low > 0, r.to_dict()

def test_both_policies_and_judges_reported(gain):
    "The LINE paper's control policy against the fixed pool, and every reference under both judges, per model and layer"
    for judge in (HELD, 'yardstick'):
        g = gain[gain.judge == judge]
        assert {'clip-dissect', 'best predefined', 'random phrase', 'search (fixed)'} <= set(g.reference), judge
        assert g.groupby('reference').size().nunique() == 1, judge  # every reference for every model and layer

def test_planted_shares_from_rows():
    "planted_shares.csv is what its rows give"
    pl, sh = pd.read_csv(RUN/'planted.csv'), pd.read_csv(RUN/'planted_shares.csv')
    pd.testing.assert_frame_equal(study.planted_shares(pl).reset_index(drop=True), sh, check_dtype=False)
    assert list(sh.set) == ['tuned', 'held-out'] and (sh.units == 12).all()

XFAIL_PLANTED = {'tuned': 'measured (default run): 33% of the 12 tuned planted units meet the claim (90% bar); colour x texture and shape x ground are missed',
                 'held-out': 'measured (default run): 58% of the 12 held-out planted units (other compositions, seed 100) meet the claim (90% bar)'}

@pytest.mark.parametrize('which', [pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=XFAIL_PLANTED[s]) if s in XFAIL_PLANTED else ())
                                   for s in ('tuned', 'held-out')])
def test_planted_bar(which):
    "The issue's bar: at least 90% of the planted units meet the claim, on the tuned set and on the held-out set"
    sh = pd.read_csv(RUN/'planted_shares.csv').set_index('set')
    assert sh.meets[which] >= 0.9, sh.loc[which].to_dict()

def test_findings_read_the_run(gain):
    "The docs page's findings print the committed run's numbers"
    md, (text, fig) = findings.findings(RUN), findings.summary(RUN)
    r = gain[(gain.judge == 'yardstick') & (gain.model == 'all learned') & (gain.reference == 'clip-dissect')].iloc[0]
    assert f"{r.gain:+.3f} [{r.ci_low:+.3f}, {r.ci_high:+.3f}]" in md and (RUN/fig).exists()
