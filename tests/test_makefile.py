"`make` refuses a Python other than 3.11 at once, with a message, instead of building a venv the lock does not fit."
import shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAKE = shutil.which('make')

def _make(tmp_path, *args, env=None):
    for f in ['Makefile', 'requirements.lock', 'setup.py', 'settings.ini']: shutil.copy(ROOT/f, tmp_path/f)
    return subprocess.run([MAKE, '-C', str(tmp_path), 'install', *args], capture_output=True, text=True, timeout=60, env=env)

def test_no_python311_on_path(tmp_path):
    r = _make(tmp_path, env={'PATH': str(tmp_path/'empty'), 'HOME': str(tmp_path)})
    assert r.returncode != 0 and 'Python 3.11 not found' in r.stderr, r.stderr
    assert not (tmp_path/'.venv').exists()

def test_other_python_refused(tmp_path):
    fake = tmp_path/'python3.12'
    fake.write_text('#!/bin/sh\n# a Python that is not 3.11\nexit 1\n'); fake.chmod(0o755)
    r = _make(tmp_path, f'PYTHON={fake}')
    assert r.returncode != 0 and f'PYTHON={fake} is not Python 3.11' in r.stderr, r.stderr
    assert not (tmp_path/'.venv').exists()

def test_python311_accepted(tmp_path):
    "With a 3.11 interpreter the check passes and make goes on to create the venv (stopped there by a stand-in)"
    assert sys.version_info[:2] == (3, 11)
    py = tmp_path/'python3.11'
    py.write_text(f'#!/bin/sh\nif [ "$1" = "-m" ]; then echo "venv step reached"; exit 3; fi\nexec {sys.executable} "$@"\n'); py.chmod(0o755)
    r = _make(tmp_path, f'PYTHON={py}')
    assert 'venv step reached' in r.stdout and 'Python 3.11' not in r.stderr, r.stdout + r.stderr
