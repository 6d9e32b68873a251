"Shared by the end-to-end tests: run an experiment through the `xai-study` command in a home of its own, with a tiny zoo."
import json, os, re, resource, shlex, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
TINY_ZOO = ['-p', 'zoo_overrides', "{'n_train': 256, 'epochs': 1, 'batch': 64, 'n_val': 200, 'n_test': 400}",
            '-p', 'clip_overrides', "{'n_image': 256, 'image_epochs': 1, 'text_steps': 10, 'text_batch': 64, 'image_batch': 64}"]

README = ROOT/'README.md'

def readme_commands(program:str='.venv/bin/xai-study')->list:
    "Every command in README.md's bash blocks that starts with `program` (continuation lines joined, comments dropped), as its arguments"
    out = []
    for block in re.findall(r'^```bash\n(.*?)^```', README.read_text(encoding='utf-8'), re.S | re.M):
        out += [shlex.split(l, comments=True)[1:] for l in block.replace('\\\n', ' ').splitlines() if l.startswith(program + ' ')]
    return out

def readme_params(args:list)->dict:
    "The `-p NAME VALUE` pairs of a command's arguments"
    return {args[i + 1]: args[i + 2] for i, a in enumerate(args) if a == '-p'}

def readme_command(experiment:str)->list:
    "The README's small run of `experiment` (its one `xai-study run <experiment> --name small ...`), as `xai-study` arguments: what CI runs"
    found = [a for a in readme_commands() if a[:4] == ['run', experiment, '--name', 'small']]
    assert len(found) == 1, f"README.md (from nbs/index.ipynb) must show one small run of {experiment}, `.venv/bin/xai-study run {experiment} --name small ...`; it shows {len(found)}"
    params = readme_params(found[0])
    for k, v in zip(TINY_ZOO[1::3], TINY_ZOO[2::3]):  # the tiny zoo (and CLIP, where the family uses one): what keeps CI fast
        if k == 'zoo_overrides' or k in params: assert params.get(k) == v, (experiment, k, params.get(k), v)
    return found[0]

def committed_manifest(experiment:str)->dict:
    "The manifest of `experiment`'s committed default run; fails saying how to make it when there is none"
    run = ROOT/'results'/experiment/'default'
    assert (run/'manifest.json').exists(), f'{run} has no manifest: run `xai-study run {experiment}` (or `make all`) and commit results/'
    return json.loads((run/'manifest.json').read_text())

def cli(base:Path):
    "`run(*args)` -> `subprocess.CompletedProcess` of `xai-study *args` with its caches, data and results under `base`"
    env = dict(os.environ, XAI_STUDY_HOME=str(base/'home'), XAI_STUDY_RESULTS=str(base/'results'))
    for k in ('XAI_STUDY_CACHE', 'XAI_STUDY_DATA', 'PYTEST_CURRENT_TEST'): env.pop(k, None)  # under pytest, ipykernel stops forwarding child output
    def run(*args, timeout=900):
        return subprocess.run([str(Path(sys.executable).parent/'xai-study'), *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=timeout)
    return run

@pytest.fixture
def run_cli(tmp_path):
    "`run_cli(*args)`: the CLI in a home of this test's own"
    return cli(tmp_path)

@pytest.fixture(scope='session')
def family_home(tmp_path_factory):
    "One home for the families' end-to-end tests, so the tiny zoo is trained once for all of them: (base folder, `run`)"
    base = tmp_path_factory.mktemp('families')
    return base, cli(base)

def pytest_collection_modifyitems(config, items):
    "Under `pytest -n` (pytest-xdist, `make test`), the tests that share `family_home` run on one worker, so the tiny zoo is still trained once"
    for item in items:
        if 'family_home' in getattr(item, 'fixturenames', ()): item.add_marker(pytest.mark.xdist_group('families'))

def _cpu_s()->float:
    "CPU seconds of this process and of its children that ended (the CLI and the kernels it started)"
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    "Record each test's CPU seconds (its call phase) in its report, beside the wall time `--durations` shows"
    t = _cpu_s(); yield
    item.user_properties.append(('cpu_s', _cpu_s() - t))

def pytest_terminal_summary(terminalreporter):
    "The tests that took most CPU, and the total: what the 25 CPU-minute budget of `make test` is spent on"
    rows = [(dict(r.user_properties).get('cpu_s', 0.0), r.nodeid) for k in ('passed', 'failed', 'xfailed', 'xpassed')
            for r in terminalreporter.stats.get(k, []) if r.when == 'call']
    if not rows: return
    terminalreporter.write_sep('=', f'most CPU (test calls: {sum(c for c, _ in rows):.0f} CPU-s in all)')
    for c, n in sorted(rows, reverse=True)[:15]: terminalreporter.write_line(f'{c:7.1f} CPU-s  {n}')
