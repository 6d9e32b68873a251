"End to end: the `dissection` template runs through the CLI on a tiny world and zoo and writes every table and figure."
import json
import pandas as pd
from conftest import TINY_ZOO

def test_dissection_small(tmp_path, run_cli):
    r = run_cli('run', 'dissection', '--name', 'small', '--quiet', '-p', 'n_probe', '60', '-p', 'n_train', '64', '-p', 'n_val', '16',
                '-p', 'n_test', '72', '-p', 'layers', 'layer4,fc', '-p', 'n_boot', '2',
                '-p', 'class_similarities', 'soft_wpmi,cos_similarity_cubed', *TINY_ZOO)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    run = tmp_path/'results'/'dissection'/'small'
    m = json.loads((run/'manifest.json').read_text())
    assert m['status'] == 'done' and m['params']['layers'] == ['layer4', 'fc']
    desc = pd.read_csv(run/'descriptions.csv')
    # every unit of every layer once per method (NetDissect only on maps): object CNN 256 + 36, scene CNN 256 + 8
    counts = desc.groupby(['model', 'method']).size().to_dict()
    assert counts == {('object_resnet', 'clip-dissect'): 292, ('object_resnet', 'netdissect'): 256,
                      ('scene_resnet', 'clip-dissect'): 264, ('scene_resnet', 'netdissect'): 256}, counts
    cu = pd.read_csv(run/'class_units.csv')
    assert set(cu.similarity) == {'soft_wpmi', 'cos_similarity_cubed'} and set(cu.P) == {'clip', 'oracle'}
    assert set(cu.probe) == {'broden', 'object_test'} and cu.accuracy.between(0, 1).all()
    for f in ['unique_concepts.csv', 'concept_categories.csv', 'agreement.csv', 'stages.csv', 'class_units.png', 'dissection.ipynb']:
        assert (run/f).exists(), f
