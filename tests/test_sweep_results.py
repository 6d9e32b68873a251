"The committed seed sweep of the `world` experiment (issue 11's first use): complete, not stale, and its spread table in place."
import json, re
import pandas as pd, pytest
from conftest import ROOT
from xai_study.world import zoo

HOME = ROOT/'results'/'world'/'seeds.sweep'
SEEDS, MODELS = [0, 1, 2, 3, 4], ['object_efficientnet', 'object_densenet', 'scene_resnet']

@pytest.fixture(scope='module')
def record():
    assert (HOME/'sweep.json').exists(), f"{HOME} has no sweep.json: run `xai-study sweep world -p seed 0,1,2,3,4 -p models \"'{','.join(MODELS)}'\" -p clip False --name seeds` and commit results/"
    return json.loads((HOME/'sweep.json').read_text())

def test_sweep_complete(record):
    assert record['status'] == 'done' and record['grid']['seed'] == SEEDS, record['grid']
    for p in record['points']:
        m = json.loads((ROOT/'results'/'world'/p['run']/'manifest.json').read_text())
        assert p['status'] == 'done' and m['status'] == 'done' and m['params']['models'] == MODELS and not m['params']['clip']

def test_run_names_need_no_quoting(record):
    "Every point's folder name is one a shell and a browser take as it is (its values are in sweep.json)"
    for p in record['points']:
        assert re.fullmatch(r'[A-Za-z0-9_.+-]+', p['run']), p['run']
        assert (ROOT/'results'/'world'/p['run']).is_dir(), p['run']

def test_not_stale(record):
    "Every point's zoo members are the ones today's zoo code would build for its seed"
    for p in record['points']:
        cards = pd.read_csv(ROOT/'results'/'world'/p['run']/'zoo_metrics.csv')
        for r in cards.itertuples():
            assert r.zoo_key == zoo.zoo_key(r.model, p['params']['seed'], 64, {}), (p['run'], r.model)

def test_spread_table(record):
    s = pd.read_csv(HOME/'seeds_zoo_metrics.csv')
    acc = s[s.figure == 'test_acc'].set_index('model')
    assert sorted(acc.index) == sorted(MODELS) and (acc.seeds == len(SEEDS)).all()
    assert ((acc.ci_low <= acc['mean']) & (acc['mean'] <= acc.ci_high) & (acc['min'] <= acc['mean']) & (acc['mean'] <= acc['max'])).all()
