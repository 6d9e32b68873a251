"""Issue 21, item 7: quiet and honest output. open_clip's spurious 'No pretrained weights loaded' warning about the world CLIP is not
printed (in the template's process or in a worker process it starts); other warnings are; a model near chance is named."""
import json, logging
import nbformat, pytest
from xai_study.harness.output import SPURIOUS, quiet_open_clip, check_learned
from xai_study.world import zoo

WORLD_LINE = "No pretrained weights loaded for model 'xai-world-clip-"
VIT_LINE = 'warning: object_vit is at 18% held-out accuracy (chance 3%): its explanations describe a model that did not learn'

@pytest.fixture
def home(tmp_path, monkeypatch):
    for k in ('XAI_STUDY_CACHE', 'XAI_STUDY_DATA'): monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv('XAI_STUDY_HOME', str(tmp_path/'home'))
    return tmp_path/'home'

def test_filter_knows_the_world_clip(home):
    "The filter's pattern names the world CLIP's open_clip config as `zoo` makes it (`CLIP_SPEC['config']` and a digest), and no other model"
    name = zoo.clip_config()
    assert name.startswith(zoo.CLIP_SPEC['config'] + '-')
    assert SPURIOUS.fullmatch(f"No pretrained weights loaded for model '{name}'. Model initialized randomly.")
    assert not SPURIOUS.fullmatch("No pretrained weights loaded for model 'ViT-B-32'. Model initialized randomly.")

def test_open_clip_records(home, tmp_path):
    "open_clip itself, building the world CLIP and another model untrained: only the world CLIP's record is dropped"
    import open_clip
    class Keep(logging.Handler):
        def __init__(self): super().__init__(); self.seen = []
        def emit(self, record): self.seen.append(record.getMessage())
    cfg = tmp_path/'tiny-test-clip.json'; cfg.write_text(json.dumps(zoo.CLIP_SPEC['model']))
    open_clip.add_model_config(cfg)
    root, keep, before = logging.getLogger(), Keep(), list(logging.getLogger().filters)
    root.addHandler(keep)
    try:
        zoo.build_clip()
        assert any(m.startswith(WORLD_LINE) for m in keep.seen), keep.seen  # open_clip does log it: the check below can fail
        keep.seen.clear(); quiet_open_clip()
        zoo.build_clip(); open_clip.create_model('tiny-test-clip', pretrained=None)
        assert keep.seen == ["No pretrained weights loaded for model 'tiny-test-clip'. Model initialized randomly."], keep.seen
    finally: root.removeHandler(keep); root.filters[:] = before

def test_check_learned_on_the_zoo(home):
    "The committed zoo: the pure LayerNorm members did not learn and are named, the ResNet learned and is not"
    names = ['object_resnet', 'object_vit', 'object_convnext', 'object_pvt', 'scene_resnet']
    models = {n: zoo.zoo_model(n, progress=False) for n in names}  # from the committed weights, into this test's home
    assert all(zoo.zoo_origin(n) == 'committed' for n in names)
    lines = check_learned(models)
    assert [l.split(' is at ')[0] for l in lines] == ['warning: object_vit', 'warning: object_convnext', 'warning: object_pvt'], lines
    assert lines[0] == VIT_LINE

TEMPLATE = '''import json, logging, subprocess, sys, tempfile, time
from pathlib import Path
import open_clip
from xai_study.harness.results import Run
from xai_study.world import zoo
run = Run('quiet', run_name, out_dir=out_dir)
zoo.build_clip()  # open_clip logs 'No pretrained weights loaded' about the world CLIP in this process ...
subprocess.run([sys.executable, '-c', 'from xai_study.world import zoo; zoo.build_clip(); print("worker done", flush=True)'], check=True)
time.sleep(0.5)  # ... and in a worker process, as the zoo trains it
cfg = Path(tempfile.mkdtemp())/'tiny-test-clip.json'; cfg.write_text(json.dumps(zoo.CLIP_SPEC['model'])); open_clip.add_model_config(cfg)
open_clip.create_model('tiny-test-clip', pretrained=None)  # another model: its warning stays
run.check_learned({n: zoo.zoo_model(n, progress=False) for n in ('object_vit', 'object_resnet')})
manifest = run.finish()'''

def test_template_run(tmp_path, run_cli):
    "A template run through `xai-study run` (output echoed, notebook published): no spurious line anywhere, the other warnings in place"
    d = tmp_path/'experiments'; d.mkdir()
    cells = [nbformat.v4.new_markdown_cell('# Quiet\n> Fixture: warnings in a template run'),
             nbformat.v4.new_code_cell("run_name = 'default'\nout_dir = None", metadata={'tags': ['parameters']}), nbformat.v4.new_code_cell(TEMPLATE)]
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata={'kernelspec': {'name': 'python3', 'display_name': 'python3', 'language': 'python'}}),
                   d/'quiet.ipynb')
    r = run_cli('run', 'quiet', '--experiments', str(d), '--name', 't')
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    out = tmp_path/'results'/'quiet'/'t'
    stored = ''.join(o.get('text', '') for c in nbformat.read(out/'quiet.ipynb', as_version=4).cells for o in c.get('outputs', []))
    for where, text in [('terminal', r.stdout + r.stderr), ('notebook', stored)]:
        assert WORLD_LINE not in text, where
        assert 'worker done' in text, where  # the worker's output did arrive
        assert "No pretrained weights loaded for model 'tiny-test-clip'. Model initialized randomly." in text, where
        assert VIT_LINE in text and 'object_resnet is at' not in text, where
    assert json.loads((out/'manifest.json').read_text())['warnings'] == [VIT_LINE]
