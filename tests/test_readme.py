"""Issue 21, item 8: README.md shows a small command for every family (the end-to-end tests run them as written), each with its
measured time, and sweep folders named as the code names them."""
import re
from conftest import README, readme_command, readme_commands, readme_params
from xai_study.harness.runner import list_experiments
from xai_study.harness.sweep import grid_points, point_names, split_values

def _blocks()->list: return re.findall(r'^```bash\n(.*?)^```', README.read_text(encoding='utf-8'), re.S | re.M)

def test_a_small_command_per_family():
    "One block per family: a comment with the measured time, then the command (which `readme_command` finds once, with the tiny zoo)"
    for name in list_experiments():
        readme_command(name)
        block = [b for b in _blocks() if f'xai-study run {name} --name small' in b]
        assert len(block) == 1 and block[0].startswith(f'# {name}: '), (name, block)
        assert re.search(r'\(about \d+ s on 2 cores\)$', block[0].splitlines()[0]), block[0].splitlines()[0]

def test_sweep_folder_names():
    "Every folder a README sweep names is one `point_names` gives its command: the first and the last point"
    text, exps = README.read_text(encoding='utf-8'), list_experiments()
    sweeps = [a for a in readme_commands() if a[0] == 'sweep' and '--resume' not in a]
    assert len(sweeps) == 2, sweeps
    for a in sweeps:
        grid = {k: split_values(v) for k, v in readme_params(a).items()}
        names = point_names(a[a.index('--name') + 1], grid_points(exps[a[1]], grid)[1])
        for n in (names[0], names[-1]): assert f'{n}/' in text, n
    assert 'results/world/tiny-000/' in text and 'seed=0' not in text
