"The committed default run of the `contrasting` experiment is complete, not stale, and checked against the world's truth."
from pathlib import Path
import pandas as pd, pytest
from conftest import committed_manifest
from xai_study.world import zoo
from xai_study.contrasting import contrast, study
from xai_study.nmf.study import attribution_version
from xai_study.cache import module_version

RUN = Path(__file__).resolve().parents[1]/'results'/'contrasting'/'default'

@pytest.fixture(scope='module')
def manifest(): return committed_manifest('contrasting')

def test_run_complete(manifest):
    assert manifest['status'] == 'done'
    for f in ['curves.csv', 'summary.csv', 'insertion.csv', 'overall.csv', 'concepts.csv', 'checks.csv', 'over_seeds.csv',
              'curves_normalised.csv', 'summary_normalised.csv', 'shift_curves.png', 'insertion_colour.png', 'concepts_colour.png',
              'stages.csv', 'contrasting.ipynb']:
        assert (RUN/f).exists(), f

def test_results_not_stale(manifest):
    "The committed tables come from the code and zoo as they are now: a change to either needs a new run"
    p = manifest['params']
    stale = 'results/contrasting/default was made by other code; rerun `xai-study run contrasting` and commit'
    assert p['code_version'] == module_version(study, contrast), stale  # what the template records: the study and the library module
    assert p.get('attribution_version') == attribution_version(p['method']), stale
    assert p['zoo_keys'][p['model']] == zoo.zoo_key(p['model'], p['seed'], p['size'], p['zoo_overrides'])

def test_pairs_of_every_kind():
    s = pd.read_csv(RUN/'summary.csv')
    assert set(s.kind) == {'colour', 'shape', 'both'}

def test_colour_pairs():
    "Pairs that differ only in colour: the shift flips the prediction to B, and B's patch raises p(B) more than the neutral patch"
    c = pd.read_csv(RUN/'checks.csv')
    col = c[c.kind == 'colour']
    assert len(col) >= 3
    assert col.swap.all(), col[['a', 'b', 'swap']]
    assert col.patch_beats_neutral.all(), col[['a', 'b', 'p_b_patch', 'p_b_neutral']]

def test_classifiers_held_out():
    "Every pair's linear classifier separates A's from B's attributed feature vectors on held-out images"
    s = pd.read_csv(RUN/'summary.csv')
    assert (s.accuracy >= 0.8).all(), s[['a', 'b', 'accuracy']]
