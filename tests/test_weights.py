"The committed zoo weights (`weights/`): one current entry per member, nothing stale, every file as its digest says, so a fresh clone loads the zoo instead of training it."
import json
import pytest
from conftest import ROOT
from xai_study.cache import file_digest
from xai_study.world import zoo

W = ROOT/'weights'
FIX = 'rebuild and recommit: `xai-study run world -p retrain True -p save_weights True`, then `git add -A weights`'

def entries():
    return sorted(p for p in W.glob('*/*') if p.is_dir())

def test_every_member_committed():
    "Each classifier and the CLIP has an entry for its current key on the default world (seed 0, 64 px)"
    missing = [n for n in [*zoo.ZOO, 'clip'] if not (W/n/zoo.zoo_key(n)/'meta.json').is_file()]
    assert not missing, f"no committed weights for the current code of {missing}: {FIX}"

def test_second_world_committed():
    "Each member the world experiment trains on its second world (seed 1) has an entry there too"
    from xai_study.world import study
    missing = [n for n in study.replicas(list(zoo.ZOO)) if not (W/n/zoo.zoo_key(n, 1)/'meta.json').is_file()]
    assert not missing, f"no committed weights on the second world for {missing}: {FIX}"

@pytest.mark.parametrize('entry', entries(), ids=lambda p: f'{p.parent.name}/{p.name[:12]}')
def test_entry_current_and_intact(entry):
    "An entry's folder name is the key today's code gives its recipe, and its files match their digests"
    meta = json.loads((entry/'meta.json').read_text())
    info = meta['info']
    assert info['zoo'] == entry.parent.name
    key = zoo.zoo_key(info['zoo'], info['world_seed'], info['size'] or 64, info['overrides'])
    assert entry.name == key, f"{entry} was trained by other code or library versions (today's key {key[:12]}): {FIX}"
    for f in meta['files'].values():
        assert file_digest(entry/f['file']) == f['digest'], f"{entry/f['file']} does not match its digest: `git checkout -- {entry}`"
