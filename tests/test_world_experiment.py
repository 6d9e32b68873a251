"End to end: the README's small `world` command runs through the CLI and writes its tables, figures and manifest, without open_clip's spurious warning."
import json
import pandas as pd
from conftest import readme_command

def test_world_small(tmp_path, run_cli):
    r = run_cli(*readme_command('world'))  # as the README writes it
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    run = tmp_path/'results'/'world'/'small'
    m = json.loads((run/'manifest.json').read_text())
    assert m['status'] == 'done' and m['params']['n_probe'] == 40 and m['params']['models'] == ['scene_resnet', 'object_resnet']
    cards = pd.read_csv(run/'zoo_metrics.csv')
    assert cards.model.tolist() == ['scene_resnet', 'object_resnet'] and cards.train_images[0] == 256
    assert abs(cards.test_acc[0] - cards.test_acc_in_memory[0]) < 1e-3  # disk path == in-memory path
    second = pd.read_csv(run/'zoo_metrics_second_world.csv')  # the object member again, on world seed 1
    assert second.model.tolist() == ['object_resnet'] and second.world_seed.tolist() == [1] and second.weights.tolist() == ['trained']
    assert second.zoo_key[0] != cards.zoo_key[1]
    assert set(pd.read_csv(run/'clip_zero_shot.csv').category) == {'color', 'object', 'texture', 'scene'}
    freq = pd.read_csv(run/'concept_frequency.csv')
    assert set(freq.category) == {'color', 'object', 'texture', 'region', 'scene'}
    # the zoo's members print their own progress while they train (in worker processes), and it reaches the notebook
    nb = (run/'world.ipynb').read_text()
    for line in ['[scene_resnet] epoch 1/1: loss', '[clip] image tower epoch 1/1', '[clip] text tower step 10/10', '[zoo] clip ready in']:
        assert line in nb and line in r.stdout, line  # in the notebook, and echoed by the runner
    # open_clip's 'No pretrained weights loaded' about the world CLIP, built untrained three times (twice in the zoo's worker process), is gone
    assert "No pretrained weights loaded for model 'xai-world-clip-" not in r.stdout + r.stderr + nb
    for f in ['samples.png', 'phrase.png', 'confusion.png', 'clip_similarity.png', 'world.ipynb', 'build_times.csv']:
        assert (run/f).exists(), f
