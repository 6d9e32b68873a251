"The package layout follows the data path: no module imports a later stage, and private names stay inside their package."
import ast
from pathlib import Path
import pytest

LIB = Path(__file__).resolve().parents[1]/'xai_study'
# stages along the data path: images -> activations -> scores -> tables/figures; then the harness that runs templates, then benchmarks
STAGES = [('core', 'cache', 'data'), ('models',), ('world',), ('attr',),
          ('dissection',), ('comparison',), ('nmf',), ('contrasting',), ('attribution_similarity',), ('harness',), ('bench',)]
STAGE = {name: i for i, names in enumerate(STAGES) for name in names}

def modules():
    "{dotted name: path} of every module of the library (the generated `_modidx` and package `__init__`s left out)"
    return {'.'.join(p.relative_to(LIB.parent).with_suffix('').parts): p for p in sorted(LIB.rglob('*.py'))
            if p.name not in ('_modidx.py', '__init__.py')}

def imports(name:str, path:Path)->list:
    "(imported module, names) for every import statement of the module, at any depth (function-level imports count too)"
    out, pkg = [], name.rsplit('.', 1)[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import): out += [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                parts = pkg.split('.')[:len(pkg.split('.')) - node.level + 1]
                base = '.'.join(parts + ([base] if base else []))
            names = [a.name for a in node.names]
            if not node.module or base == 'xai_study':  # `from . import scene` imports modules
                out += [(f'{base}.{n}', []) for n in names]
            else: out.append((base, names))
    return [(m, n) for m, n in out if m.startswith('xai_study.')]

def stage(mod:str)->int:
    top = mod.split('.')[1]
    assert top in STAGE, f'{mod}: package {top!r} has no stage in tests/test_layout.py STAGES'
    return STAGE[top]

def test_every_package_has_a_stage():
    for name in modules(): stage(name)

def test_no_import_of_a_later_stage():
    bad = [f'{name} imports {m}' for name, p in modules().items() for m, _ in imports(name, p)
           if m.split('.')[1] in STAGE and stage(m) > stage(name)]
    assert not bad, bad

def test_private_names_stay_in_their_package():
    bad = []
    for name, p in modules().items():
        for m, names in imports(name, p):
            if m.split('.')[:2] != name.split('.')[:2]:
                bad += [f'{name} takes {m}.{n}' for n in names if n.startswith('_')]
    assert not bad, bad

def test_the_checks_can_fail(tmp_path):
    "A module of an early stage importing a family, and a private name taken across packages, are both seen"
    p = tmp_path/'m.py'; p.write_text('from ..nmf.solver import _update\nimport xai_study.harness.runner\n')
    found = imports('xai_study.models.m', p)
    assert ('xai_study.nmf.solver', ['_update']) in found and ('xai_study.harness.runner', []) in found
    assert stage('xai_study.nmf.solver') > stage('xai_study.models.m')

def test_the_harness_knows_no_domain():
    "The harness runs templates and sweeps: it imports only the ground (core, cache, data) and itself; experiments register what it runs"
    bad = [f'{name} imports {m}' for name, p in modules().items() if name.startswith('xai_study.harness.')
           for m, _ in imports(name, p) if m.split('.')[1] not in ('core', 'cache', 'data', 'harness')]
    assert not bad, bad

TEMPLATES = sorted((LIB.parent/'nbs'/'experiments').glob('*.ipynb'))

def code_lines(path:Path)->int:
    "Code lines of a template: every non-blank, non-comment line of its code cells, the parameters cell left out"
    import json
    cells = json.loads(path.read_text())['cells']
    return sum(1 for c in cells if c['cell_type'] == 'code' and 'parameters' not in c['metadata'].get('tags', [])
               for l in ''.join(c['source']).split('\n') if l.strip() and not l.strip().startswith('#'))

@pytest.mark.parametrize('path', TEMPLATES, ids=lambda p: p.stem)
def test_templates_are_thin(path):
    "Issue 17: a template is parameters, one check, calls into its family's tested `study` module, tables, figures and prose: at most 60 code lines"
    assert len(TEMPLATES) == 6 and code_lines(path) <= 60, (path.name, code_lines(path))

def test_code_lines_counts(tmp_path):
    "The count can fail: a parameters cell, comments and blank lines do not count; code does"
    import json
    cell = lambda src, tags=(): dict(cell_type='code', metadata=dict(tags=list(tags)), source=src)
    p = tmp_path/'t.ipynb'
    p.write_text(json.dumps(dict(cells=[cell('a = 1\nb = 2', ['parameters']), cell('# a comment\n\nx = 1\ny = 2\n'), dict(cell_type='markdown', metadata={}, source='z = 3')])))
    assert code_lines(p) == 2
