"`xai-study run` never loses a result by accident, refuses bad input before any work, and ends cleanly on Ctrl-C or SIGTERM."
import os, signal, subprocess, sys, time
from pathlib import Path
import nbformat, pytest
from conftest import ROOT, cli

PARAMS = "flag = ''  # a file the run writes its kernel's pid (and its child's) to\nsecs = 0  # how long the run sleeps\nseed = 0\nrun_name = 'default'\nout_dir = None"
BODY = """import os, subprocess, sys, time
from pathlib import Path
out = Path(out_dir); out.mkdir(parents=True, exist_ok=True); (out/'secs.txt').write_text(str(secs))
if flag:
    child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'])  # a process of the kernel's own
    Path(flag).write_text(f'{os.getpid()} {child.pid}')
time.sleep(secs)"""

@pytest.fixture
def setup(tmp_path):
    "(base folder, fixture templates folder, `run(*args)`: the CLI on those templates in a home of its own)"
    d = tmp_path/'experiments'; d.mkdir()
    cells = [nbformat.v4.new_markdown_cell('# Slow\n> Fixture for the command line tests'),
             nbformat.v4.new_code_cell(PARAMS, metadata={'tags': ['parameters']}), nbformat.v4.new_code_cell(BODY)]
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata={'kernelspec': {'name': 'python3', 'display_name': 'python3', 'language': 'python'}}),
                   d/'slow.ipynb')
    run = cli(tmp_path)
    return tmp_path, d, lambda *a, **k: run(*a, '--experiments', str(d), **k)

def _secs(base, run): return (base/'results'/'slow'/run/'secs.txt').read_text()

def test_default_run_keeps_its_defaults(setup):
    base, _, run = setup
    r = run('run', 'slow', '-p', 'secs', '1', '--quiet')
    assert r.returncode == 2 and "secs=1 differ(s) from the template's defaults" in r.stderr and '--name NAME' in r.stderr \
        and '--force' in r.stderr, r.stderr
    assert not (base/'results').exists()  # refused before anything ran
    assert run('run', 'slow', '--quiet').returncode == 0 and _secs(base, 'default') == '0'
    r = run('run', 'slow', '-p', 'seed', '0', '--quiet')  # a default given again is still the default run: it may regenerate itself
    assert r.returncode == 0, r.stderr
    r = run('run', 'slow', '-p', 'secs', '1', '--quiet', '--force')
    assert r.returncode == 0 and _secs(base, 'default') == '1', r.stderr

def test_run_all_replaces_default_runs(setup):
    "What `make all` calls: every default run with the templates' defaults, again and again"
    base, _, run = setup
    for _ in range(2):
        r = run('run', 'all', '--quiet')
        assert r.returncode == 0 and _secs(base, 'default') == '0', r.stderr
    assert sorted(p.name for p in (base/'results'/'slow').iterdir()) == ['default']

def test_existing_run_needs_overwrite(setup):
    base, _, run = setup
    assert run('run', 'slow', '--name', 'r', '--quiet').returncode == 0
    r = run('run', 'slow', '--name', 'r', '-p', 'secs', '1', '--quiet')
    assert r.returncode == 2 and "slow: run 'r' exists already" in r.stderr and '--overwrite' in r.stderr, r.stderr
    assert _secs(base, 'r') == '0' and sorted(p.name for p in (base/'results'/'slow').iterdir()) == ['r']
    r = run('run', 'slow', '--name', 'r', '-p', 'secs', '1', '--quiet', '--overwrite')
    assert r.returncode == 0 and _secs(base, 'r') == '1', r.stderr

def test_bad_input_messages(setup):
    base, d, run = setup
    r = run('run', 'slow', '--name', 'x', '-p', 'secs', '1', '-p', 'seed', '2', '-p', 'secs', '3')
    assert r.returncode == 2 and r.stderr.strip() == "xai-study: error: -p secs was given twice ('1' and '3'): give each parameter once", r.stderr
    r = run('run', 'slow', '--name', 'x', '-p', 'seed', 'one')
    assert r.returncode == 2 and "seed='one' is a str, but seed takes an int; its default is 0" in r.stderr, r.stderr
    env = dict(os.environ, XAI_STUDY_HOME='/proc/xai', XAI_STUDY_RESULTS=str(base/'results'))
    for k in ('XAI_STUDY_CACHE', 'XAI_STUDY_DATA'): env.pop(k, None)
    r = subprocess.run([str(Path(sys.executable).parent/'xai-study'), 'run', 'slow', '--experiments', str(d)], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "XAI_STUDY_HOME='/proc/xai' cannot hold the cache folder /proc/xai/cache" in r.stderr \
        and 'set XAI_STUDY_HOME to a folder you can write to' in r.stderr and 'Traceback' not in r.stderr, r.stderr
    assert not (base/'results').exists()

def _gone(pid:int)->bool:
    "The process has ended (a zombie waiting for its parent counts: it runs no more)"
    try: return open(f'/proc/{pid}/status').read().split('State:')[1].split()[0] in ('Z', 'X')
    except (FileNotFoundError, IndexError): return True

@pytest.mark.parametrize('sig,status', [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupt_ends_kernel_and_staging(setup, sig, status):
    base, d, run = setup
    assert run('run', 'slow', '--name', 'r', '--quiet').returncode == 0  # the run the interrupted one would have replaced
    flag = base/'flag'
    env = dict(os.environ, XAI_STUDY_HOME=str(base/'home'), XAI_STUDY_RESULTS=str(base/'results'))
    for k in ('XAI_STUDY_CACHE', 'XAI_STUDY_DATA', 'PYTEST_CURRENT_TEST'): env.pop(k, None)
    cmd = [str(Path(sys.executable).parent/'xai-study'), 'run', 'slow', '--name', 'r', '--overwrite', '--quiet', '--experiments', str(d),
           '-p', 'secs', '120', '-p', 'flag', str(flag)]
    # as a terminal starts it: SIGINT at its default (a shell's background job inherits it ignored)
    p = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    t = time.time()
    while not (flag.exists() and len(flag.read_text().split()) == 2) and time.time() - t < 120 and p.poll() is None: time.sleep(0.1)
    assert flag.exists(), p.communicate()
    kernel, child = map(int, flag.read_text().split())
    staging = base/'results'/'slow'/'.staging-r'
    assert (staging/'secs.txt').exists()
    p.send_signal(sig)
    out, err = p.communicate(timeout=60)
    assert p.returncode == status, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"xai-study run: experiment 'slow', run 'r' interrupted ({sig.name})") \
        and 'its kernel was ended and its staging folder removed' in lines[0] and 'was left as it was' in lines[0], err
    assert out == ''
    t = time.time()
    while not (_gone(kernel) and _gone(child)) and time.time() - t < 10: time.sleep(0.1)
    assert _gone(kernel) and _gone(child), 'the kernel (or its child) still runs'
    assert not staging.exists() and sorted(p.name for p in (base/'results'/'slow').iterdir()) == ['r'] and _secs(base, 'r') == '0'
