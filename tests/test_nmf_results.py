"The committed default run of the `nmf` experiment is complete, not stale, and checked against the world's truth; NMF's speed bar."
from pathlib import Path
import pandas as pd, pytest
from conftest import committed_manifest
from xai_study.world import zoo
from xai_study.nmf import concepts as nmf, study
from xai_study.nmf.study import attribution_version
from xai_study.cache import module_version

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT/'results'/'nmf'/'default'

@pytest.fixture(scope='module')
def manifest(): return committed_manifest('nmf')

@pytest.fixture(scope='module')
def table():
    return pd.read_csv(RUN/'prediction_from_components.csv').set_index(['layer', 'variant'])

@pytest.fixture(scope='module')
def gains():
    return pd.read_csv(RUN/'strip_gain.csv').set_index(['layer', 'control'])

def test_run_complete(manifest):
    assert manifest['status'] == 'done'
    for f in ['prediction_from_components.csv', 'per_class.csv', 'strip_gain.csv', 'nmf_objective.csv', 'stages.csv', 'strip_test.png',
              'strip_gain.png', 'nmf.ipynb']:
        assert (RUN/f).exists(), f
    for layer in manifest['params']['layers']:
        for c in manifest['params']['figure_classes']:
            for kind in ('prototypes', 'heatmaps'): assert (RUN/f"{kind}_{layer}_{c.replace(' ', '_')}.png").exists(), (kind, layer, c)

def test_results_not_stale(manifest):
    "The committed tables come from the code and zoo as they are now: a change to either needs a new run"
    p = manifest['params']
    stale = 'results/nmf/default was made by other code; rerun `xai-study run nmf` and commit'
    assert p['code_version'] == module_version(study, nmf), stale  # what the template records: the study and the library module
    assert p.get('attribution_version') == attribution_version(p['method']), stale
    assert p['zoo_keys'][p['model']] == zoo.zoo_key(p['model'], p['seed'], p['size'], p['zoo_overrides'])

def test_every_class_two_layers(manifest, table):
    "Every class of the object-task model, for two layers, every variant (the issue's default run)"
    assert len(manifest['params']['layers']) == 2
    assert set(table.index.get_level_values('variant')) == set(nmf.VARIANTS)
    assert (table.classes == 36).all(), table.classes.to_dict()

def test_gains_from_the_per_class_rows(manifest):
    "strip_gain.csv is `study.gain_table` of the committed per-class rows, recomputed here with the run's seed and resamples"
    p = manifest['params']
    fresh = study.gain_table(pd.read_csv(RUN/'per_class.csv'), n_boot=p['n_boot'], seed=p['seed']).round(4)
    pd.testing.assert_frame_equal(fresh, pd.read_csv(RUN/'strip_gain.csv'), check_dtype=False)

def test_strip_beats_random_crops(manifest, table):
    "A floor, not the control: the strip is the model's top-1 at least 0.3 more often than six random crops of random images, and 10x chance"
    for layer in manifest['params']['layers']:
        top, rnd = table.top1[layer, 'all'], table.top1[layer, 'random']
        assert top >= rnd + 0.3 and top >= 10 / 36, (layer, top, rnd)

@pytest.mark.xfail(strict=True, reason="NMF's choice of cell adds less than 0.3 to the strip's top-1 rate over its like-for-like control, "
                   "random cells of images the model predicts as the class (never the prototype's own cell): 0.694 against 0.472 at "
                   "layer3, a gain of +0.222 (95% bootstrap interval over the 36 classes +0.000 to +0.444), 0.611 against 0.472 at layer4, "
                   "+0.139 (-0.083 to +0.361); the images of the class carry most of the strip's answer")
def test_strip_beats_class_cells(manifest, gains):
    "The strip test's control: the strip is the model's top-1 at least 0.3 more often than random cells of the class's own images"
    for layer in manifest['params']['layers']:
        g = gains.loc[(layer, 'random_class_cell')]
        assert g.gain >= 0.3, (layer, g.top1, g.control_top1, g.gain, g.gain_lo, g.gain_hi)

@pytest.mark.xfail(strict=True, reason='the prototype crops overlap their class\'s object for 70.8% (layer3) and 72.7% (layer4) of the '
                   'classes\' components: the other crops show background or other objects that the class\'s attribution-weighted '
                   'features share (sky, ground, a same-coloured object); the issue\'s goal is 80%')
def test_crops_on_the_object(manifest, table):
    for layer in manifest['params']['layers']:
        assert table.crop_overlap[layer, 'all'] >= 0.8, (layer, table.crop_overlap[layer, 'all'])

def _speed(file, case):
    "The time row of `case` in a benchmark CSV against its strongest reference (scikit-learn at its fastest threading in that run)"
    b = pd.read_csv(ROOT/'results'/'benchmarks'/file)
    t = b[(b.measure == 'time') & b.case.str.contains(case, regex=False) & ~b.note.str.contains("solver='torch'", regex=False)]
    return t.loc[t.reference_value.idxmin()]

def _cpu_why(case):
    "Why the 5x bar is not met on a CPU, with the committed run's own figures"
    t = _speed('nmf.csv', case)
    return (f"on a 2-core CPU nmf's default path (scikit-learn's solver, two classes at a time) takes {t.value:.2f} s against "
            f"{t.reference_value:.2f} s for scikit-learn class by class ({t.reference_value / t.value:.2f}x; results/benchmarks/nmf.csv): "
            "the same compiled solver, sped up only by the second core; 5x needs a GPU (nmf_gpu.csv)")

SPEED = [('nmf_gpu.csv', '8 classes x 2940 x 2048', None),
         ('nmf_gpu.csv', '36 classes x 960 x 256', 'on the H100 the world\'s small matrices (36 x 960 x 256) take 0.42 s against '
          'scikit-learn\'s 1.91 s: 4.6x, launch-bound (200 sweeps of small kernels)'),
         ('nmf.csv', '36 classes x 960 x 256', _cpu_why('36 classes x 960 x 256')),
         ('nmf.csv', '8 classes x 2940 x 2048', _cpu_why('8 classes x 2940 x 2048'))]

def _equal_error(file, t):
    b = pd.read_csv(ROOT/'results'/'benchmarks'/file)
    err = b[(b.measure == 'error') & (b.case == t.case) & ~b.note.str.contains("solver='torch'", regex=False)].iloc[0]
    assert err.value <= err.reference_value * (1 + 1e-6), err.to_dict()

@pytest.mark.parametrize('file,case,why', [pytest.param(f, c, w, marks=pytest.mark.xfail(strict=True, reason=w)) if w else (f, c, w)
                                           for f, c, w in SPEED])
def test_nmf_speed(file, case, why):
    "The committed benchmark rows: NMF at least 5x faster than scikit-learn at equal or lower error"
    t = _speed(file, case)
    _equal_error(file, t)
    assert t.value * 5 <= t.reference_value, t.to_dict()

@pytest.mark.parametrize('case', ['36 classes x 960 x 256', '8 classes x 2940 x 2048'])
def test_nmf_never_slower_on_cpu(case):
    "Issue 22: on the 2-core CPU, nmf's default path at least as fast as scikit-learn (its fastest threading) at equal error"
    t = _speed('nmf.csv', case)
    _equal_error('nmf.csv', t)
    assert t.value <= t.reference_value, t.to_dict()
