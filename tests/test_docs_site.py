"The documentation site builds from the real notebooks (as `make all` builds it): nbdev must be able to document every notebook."
import os, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT/'nbs'
# the sidebar's headings: the top-level (ground) modules, then the packages along the data path (settings.ini's doc_sidebar)
HEADINGS = ['ground', 'models', 'world', 'attr', 'dissection', 'comparison', 'nmf', 'contrasting', 'attribution_similarity',
            'harness', 'bench', 'Experiments']

def library_notebooks()->list:
    "The numbered notebooks of the library: nbs/ and its package folders, without nbs/experiments/ and hidden folders"
    return [nb for nb in sorted(NBS.rglob('[0-9]*_*.ipynb'))
            if (folders := nb.relative_to(NBS).parts[:-1])[:1] != ('experiments',) and not any(p.startswith(('.', '_')) for p in folders)]

def expected_href(nb:Path)->str:
    "The page nbdev names a notebook: nbs/world/20_scene.ipynb -> world/scene.html"
    rel = nb.relative_to(NBS)
    return (rel.parent/re.sub(r'^\d+[a-z]?_', '', rel.stem)).as_posix() + '.html'

def check_site(site:Path):
    "Every library notebook and template has its page, the sidebar follows the packages, and no page links to a missing file"
    from xai_study.harness.docs import _missing_links
    pages = {p.relative_to(site).as_posix() for p in site.rglob('*.html')}
    want = [expected_href(nb) for nb in library_notebooks()] + [f'experiments/{nb.stem}.html' for nb in sorted((NBS/'experiments').glob('*.ipynb'))]
    assert {'core.html', 'world/scene.html', 'harness/docs.html', 'bench/timing.html'} <= set(want), want
    assert set(want) <= pages, (sorted(set(want) - pages), sorted(pages))
    nav = (site/'world'/'scene.html').read_text(encoding='utf-8').split('</nav>')[0]  # a page one folder down
    assert re.findall(r'<h2>([^<]*)</h2>', nav) == HEADINGS, nav
    assert 'href="../site.css"' in nav and 'href="../core.html"' in nav and 'href="../experiments/world.html"' in nav, nav
    bad = {p: m for p in sorted(pages) if (m := _missing_links(site/p, site))}
    assert not bad, bad

def test_docs_build(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != 'PYTEST_CURRENT_TEST'}
    r = subprocess.run([str(Path(sys.executable).parent/'xai-study'), 'docs', '--dest', str(tmp_path/'site'), '--no-check'],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    check_site(tmp_path/'site')
