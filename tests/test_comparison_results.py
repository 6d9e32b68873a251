"The committed default run of the `comparison` experiment is complete, not stale, and meets the issue's held-out figure."
from pathlib import Path
import pandas as pd, pytest
from conftest import committed_manifest
from xai_study.comparison import study
from xai_study.cache import module_version

RUN = Path(__file__).resolve().parents[1]/'results'/'comparison'/'default'

@pytest.fixture(scope='module')
def manifest(): return committed_manifest('comparison')

def test_run_complete(manifest):
    assert manifest['status'] == 'done'
    for f in ['steps.csv', 'concept_types.csv', 'generated_share.csv', 'clip_dissect.csv', 'vs_clip_dissect.csv', 'heldout.csv',
              'heldout_gain.csv', 'stages.csv', 'concept_types.png', 'heldout.png', 'comparison.ipynb']:
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

def test_heldout_gain():
    "On zoo units the search's label scores at least as well on held-out images as the best predefined concept, on average"
    g = pd.read_csv(RUN/'heldout_gain.csv')
    row = g[(g.model == 'all') & (g.reference == 'best predefined')].iloc[0]
    assert row.gain >= 0, row.to_dict()
    assert row.ci_low <= row.gain <= row.ci_high
