"The documentation site builds from the real notebooks (as `make all` builds it): nbdev must be able to document every notebook."
import os, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_docs_build(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != 'PYTEST_CURRENT_TEST'}
    r = subprocess.run([str(Path(sys.executable).parent/'xai-study'), 'docs', '--dest', str(tmp_path/'site'), '--no-check'],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    pages = {p.relative_to(tmp_path/'site').as_posix() for p in (tmp_path/'site').rglob('*.html')}
    for nb in sorted((ROOT/'nbs').glob('[0-9]*_*.ipynb')) + sorted((ROOT/'nbs'/'experiments').glob('*.ipynb')):
        assert any(nb.stem.split('_', 1)[-1] in p for p in pages), (nb.name, sorted(pages))
