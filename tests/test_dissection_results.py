"The committed default run of the `dissection` experiment meets the issue's figures and is not stale."
from pathlib import Path
import pandas as pd, pytest
from conftest import committed_manifest
from xai_study.world import zoo
from xai_study.dissection import clip_dissect, netdissect, study
from xai_study.cache import module_version

RUN = Path(__file__).resolve().parents[1]/'results'/'dissection'/'default'

@pytest.fixture(scope='module')
def manifest(): return committed_manifest('dissection')

def test_run_complete(manifest):
    assert manifest['status'] == 'done'
    for f in ['descriptions.csv', 'unique_concepts.csv', 'concept_categories.csv', 'class_units.csv', 'agreement.csv', 'stages.csv',
              'class_units.png', 'concepts_layer4.png', 'dissection.ipynb']:
        assert (RUN/f).exists(), f

def test_results_not_stale(manifest):
    "The committed figures come from the code and zoo as they are now: a change to either needs a new run"
    p = manifest['params']
    assert p['code_version'] == module_version(study, clip_dissect, netdissect), 'results/dissection/default was made by other dissection code; rerun `xai-study run dissection` and commit'
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

def test_class_units():
    "The best similarity function labels at least 95% of the object model's class units with their own class (CLIP-Dissect: 95.5%)"
    cu = pd.read_csv(RUN/'class_units.csv')
    best = cu[(cu.model == 'object_resnet') & (cu.P == 'clip')].groupby('probe').accuracy.max()
    assert best['object_test'] >= 0.95, best.to_dict()
    assert best['broden'] >= 0.95, best.to_dict()
