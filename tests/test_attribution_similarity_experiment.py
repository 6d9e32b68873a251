"End to end: the README's small `attribution_similarity` command runs through the CLI on a tiny zoo and writes every table and figure."
import json
import pandas as pd
from conftest import readme_command

MODELS = ['object_resnet', 'object_convnext', 'object_vit']
METHODS, SIMS = ['gradcam', 'ig', 'kernelshap'], ['cosine', 'pearson', 'rbf', 'cosine_seed', 'rbf_seed']

def test_attribution_similarity_small(family_home):
    base, run = family_home
    r = run(*readme_command('attribution_similarity'))  # as the README writes it; min_acc 0 there: the tiny zoo's members are near chance, all compared
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    out = base/'results'/'attribution_similarity'/'small'
    m = json.loads((out/'manifest.json').read_text())
    assert m['status'] == 'done' and m['params']['models'] == MODELS and set(m['params']['zoo_keys']) == set(MODELS), m
    assert [w.split(' is at ')[0] for w in m['warnings']] == [f'warning: {n}' for n in MODELS], m['warnings']  # each compared, each near chance
    for method in METHODS:
        for sim in SIMS:
            for sfx in ('', '_same'):
                S = pd.read_csv(out/f'matrix_{method}_{sim}{sfx}.csv', index_col=0)
                assert list(S.index) == MODELS and list(S.columns) == MODELS, (method, sim, sfx)
                assert (out/f'matrix_{method}_{sim}{sfx}.png').exists()
            S = pd.read_csv(out/f'matrix_{method}_{sim}.csv', index_col=0)
            if not S.isna().values.any():  # PCA and dendrogram are drawn for complete matrices only
                assert (out/f'pca_{method}_{sim}.png').exists() and (out/f'dendrogram_{method}_{sim}.png').exists(), (method, sim)
    counts = pd.read_csv(out/'same_prediction_counts.csv', index_col=0)
    assert (counts.values.diagonal() == 12).all()
    corr = pd.read_csv(out/'correlations.csv')
    assert len(corr) == len(METHODS) * len(SIMS) * 2 * 2 and set(corr.against) == {'same_prediction_counts', 'error_consistency'}
    assert corr.p.dropna().between(0, 1).all() and corr.r_full.dropna().between(-1, 1).all()
    sc = pd.read_csv(out/'seed_correlations.csv')  # the seed's figures beside ours, both ways
    assert list(sc.similarity) == ['cosine_seed', 'rbf_seed'] * 2 and sc.r_full_ours.notna().all()
    bl = pd.read_csv(out/'baselines.csv')
    assert len(bl) == len(METHODS) * len(SIMS) * len(MODELS)
    assert list(bl.columns[:9]) == ['method', 'similarity', 'model', 'others', 'others_shuffled', 'self_shuffled', 'centre_prior', 'randomised', 'drop']
    om = pd.read_csv(out/'object_mass.csv')
    assert len(om) == len(METHODS) * 2 * len(MODELS) and set(om.weights) == {'trained', 'randomised'}
    assert om.centre_mass.between(0, 1).all() and om.area_share.between(0, 1).all()
    res = pd.read_csv(out/'gradcam_resolution.csv')
    assert list(res.model) == MODELS + ['resnet18'] and res.finite.all()
    assert res.as_expected.all() and tuple(res.iloc[-1][['map_h', 'map_w']]) == (7, 7)
    deg = pd.read_csv(out/'degenerate.csv')
    assert len(deg) == 2 * 2 * len(MODELS) and deg.share.between(0, 1).all() and deg.extreme_share.between(0, 1).all()
    val = pd.read_csv(out/'validity.csv')
    assert len(val) == len(METHODS) * len(SIMS) and set(val.valid) <= {True, False}
    ss = pd.read_csv(out/'shap_samples.csv')
    assert list(ss.n_samples) == [20, 40, 100] and (ss.seconds_per_image > 0).all()
    ft = pd.read_csv(out/'finetune.csv')
    assert list(ft.model) == MODELS and (ft.task == 'scene').all() and ft.accuracy_after.between(0, 1).all()
    for k in ('before', 'after'):
        S = pd.read_csv(out/f'matrix_finetune_{k}.csv', index_col=0)
        assert list(S.index) == MODELS and S.stack().between(-1e-9, 1 + 1e-9).all(), k  # cosine of nonnegative maps
    ys = pd.read_csv(out/'seed_yardstick.csv')
    assert ys.empty and 'share_others_below_twin' in ys.columns  # the tiny zoo's three models are three architectures: no seed twins
    for f in ['models.csv', 'ig_completeness.csv', 'speed.csv', 'stages.csv', 'error_consistency.csv', 'error_consistency.png',
              'same_prediction_counts.png', 'object_mass.png', 'shap_samples.png',
              'matrix_finetune.png', 'finetune_maps.png']:
        assert (out/f).exists(), f
