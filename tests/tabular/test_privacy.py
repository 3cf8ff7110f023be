"""GANSampler(epsilon=...): DP-SGD on the discriminator, and its accountant."""

import json
import zipfile

import numpy as np
import pandas as pd
import pytest
import torch

from sksynth import BaseSampler, GANSampler
from sksynth._core.nn import PacDiscriminator
from sksynth.tabular._privacy import (
    CHUNK_ROWS,
    PENALTY_CLIP,
    SENSITIVITY,
    PrivateGANTrainer,
    clipped_gradient_sum,
    epsilon_spent,
    max_steps,
    subsampled_gaussian_rdp,
)

SCHEMA = {"age": (18, 90), "income": (0.0, 1e6), "city": ["Oslo", "Lima", "Pune"]}


def _table(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, n),
            "income": rng.lognormal(10, 0.5, n),
            "city": rng.choice(["Oslo", "Lima", "Pune"], n).astype(object),
        }
    )


def _private(**params):
    settings = {
        "epsilon": 5.0,
        "schema": SCHEMA,
        "noise_multiplier": 2.0,
        "epochs": 3,
        "batch_size": 50,
        "embedding_dim": 8,
        "generator_dim": (16,),
        "discriminator_dim": (16,),
        "device": "cpu",
        "random_state": 0,
    }
    return GANSampler(**{**settings, **params})


def test_the_accountant_agrees_with_opacus():
    rdp = pytest.importorskip("opacus.accountants.analysis.rdp")
    orders = [2, 3, 8, 32, 128]
    for q, sigma in [(0.01, 1.1), (0.2, 3.0), (1.0, 2.0)]:
        ours = [subsampled_gaussian_rdp(q, sigma, order) for order in orders]
        theirs = rdp.compute_rdp(q=q, noise_multiplier=sigma, steps=1, orders=orders)
        np.testing.assert_allclose(ours, theirs, rtol=1e-9)
    # Over our integer orders, epsilon is opacus's over the same orders.
    orders = list(range(2, 257))
    theirs = rdp.compute_rdp(q=0.01, noise_multiplier=1.1, steps=1000, orders=orders)
    expected, _ = rdp.get_privacy_spent(orders=orders, rdp=theirs, delta=1e-5)
    assert epsilon_spent(0.01, 1.1, 1000, 1e-5) == pytest.approx(expected, rel=1e-9)


def test_max_steps_is_the_last_step_within_epsilon():
    steps = max_steps(0.02, 1.0, 2.0, 1e-5, limit=100_000)
    assert epsilon_spent(0.02, 1.0, steps, 1e-5) <= 2.0
    assert epsilon_spent(0.02, 1.0, steps + 1, 1e-5) > 2.0
    assert max_steps(1.0, 0.1, 1.0, 1e-5, limit=10) == 0


def test_per_example_gradients_match_a_loop_and_are_clipped():
    torch.manual_seed(0)
    critic = PacDiscriminator(5, (8, 8), pac=1).eval()  # no dropout: comparable
    rows = torch.randn(CHUNK_ROWS + 7, 5) * 3  # two chunks

    def loss_of_row(score, row):
        (x,) = row
        return -score(x) + score(x * 0.5) ** 2

    summed, norms = clipped_gradient_sum(critic, loss_of_row, (rows,), 0.5)
    expected = {name: torch.zeros_like(p) for name, p in critic.named_parameters()}
    for x in rows:
        critic.zero_grad()
        score = critic(x[None]).squeeze()
        (-score + critic(x[None] * 0.5).squeeze() ** 2).backward()
        grads = {name: p.grad.clone() for name, p in critic.named_parameters()}
        norm = torch.sqrt(sum(g.square().sum() for g in grads.values()))
        for name, g in grads.items():
            expected[name] += g * min(1.0, 0.5 / float(norm))
    for name, value in expected.items():
        torch.testing.assert_close(summed[name], value, rtol=1e-4, atol=1e-5)
    assert len(norms) == len(rows)
    assert (norms > 0.5).any()  # the bound clipped something


def _private_trainer(noise_multiplier):
    """A fitted small sampler's private trainer, its critic without dropout
    (so that one row has one gradient), and 50 fake rows."""
    table = _table()
    sampler = _private().fit(table)
    scalars, slots = sampler.encoder_.fit_transform(table)
    modules = sampler._build_modules()
    base = sampler._trainer(modules, scalars, slots, None, torch.device("cpu"), 0)
    trainer = PrivateGANTrainer(
        base,
        len(table),
        noise_multiplier=noise_multiplier,
        max_grad_norm=0.5,
        gradient_penalty=10,
    )
    critic = base.discriminator.eval()
    with torch.no_grad():
        fake = trainer._fake(50)
    updates = []
    base.opt_d.step = lambda: updates.append(
        torch.cat([p.grad.ravel() for p in critic.parameters()])
    )
    fake_term, _ = clipped_gradient_sum(critic, lambda s, r: s(r[0]), (fake,), 0.5)
    fake_term = torch.cat([g.ravel() for g in fake_term.values()]) / 50
    return trainer, fake, fake_term, updates


def test_the_noise_has_the_stated_scale():
    """With no real row in the batch, the update is the fake term plus noise."""
    trainer, fake, fake_term, updates = _private_trainer(noise_multiplier=2.0)
    none = torch.zeros(0, fake.shape[1])
    for _ in range(20):
        trainer._discriminator_update(none, fake, none)
    noise = torch.stack(updates) - fake_term
    # noise_multiplier * SENSITIVITY * max_grad_norm over the expected batch
    # size, 50.
    assert float(noise.std()) == pytest.approx(2.0 * SENSITIVITY * 0.5 / 50, rel=0.05)
    assert abs(float(noise.mean())) < 0.004


def test_a_rows_score_and_penalty_are_clipped_each_on_its_own():
    """One real row's part of an update is its score's gradient clipped to
    max_grad_norm plus its penalty's clipped to PENALTY_CLIP times it."""
    trainer, fake, fake_term, updates = _private_trainer(noise_multiplier=0.0)
    with torch.no_grad():
        real = trainer._real()[:1] * 3  # far from the fakes: large gradients
        partner = trainer._fake(2)[:1]
    rng = trainer.trainer.rng
    state = rng.get_state()
    alpha = torch.rand(1, 1, generator=rng)  # the update's first draw
    rng.set_state(state)
    trainer._discriminator_update(real, fake, partner)
    critic = trainer.trainer.discriminator

    def clipped_gradient(loss, bound):
        critic.zero_grad()
        loss.backward()
        g = torch.cat(
            [
                torch.zeros_like(p).ravel() if p.grad is None else p.grad.ravel()
                for p in critic.parameters()
            ]
        )
        return g * min(1.0, bound / float(g.norm()))

    mixed = (alpha * real + (1 - alpha) * partner).requires_grad_(True)
    (slope,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
    penalty = 10 * (torch.sqrt(slope.square().sum() + 1e-12) - 1) ** 2
    expected = (
        fake_term
        + (
            clipped_gradient(-critic(real).sum(), 0.5)
            + clipped_gradient(penalty, 0.5 * PENALTY_CLIP)
        )
        / 50
    )
    torch.testing.assert_close(updates[0], expected, rtol=1e-4, atol=1e-6)


def test_a_private_fit_reports_its_budget_and_stores_no_data_values(tmp_path):
    table = _table()
    table.loc[0, "income"] = 123456.789  # a value to look for in the file
    sampler = _private().fit(table)
    epsilon, delta = sampler.privacy_spent_
    assert 0 < epsilon <= 5.0 and delta == pytest.approx(300**-1.1)
    synthetic = sampler.sample(200, random_state=0)
    assert synthetic["age"].between(18, 90).all()
    assert set(synthetic["city"].dropna()) <= {"Oslo", "Lima", "Pune"}
    path = tmp_path / "model.sksynth"
    sampler.save(path)
    with zipfile.ZipFile(path) as archive:
        text = " ".join(
            archive.read(name).decode("utf-8", "ignore") for name in archive.namelist()
        )
    assert "123456" not in text
    # The quantiles come from noisy counts (next test); nothing else holds
    # a number near a value of the data.
    columns = sampler.encoder_.to_dict()["columns"]
    encoder = json.dumps(
        [{**c, "quantiles": None, "marginal_map": None} for c in columns]
    )
    for value in table["income"].iloc[:20]:
        assert f"{value:.6g}"[:6] not in encoder
    loaded = BaseSampler.load(path)
    assert list(loaded.privacy_spent_) == [epsilon, delta]


def test_numeric_quantiles_read_the_data_only_through_noisy_counts():
    """Moving values within their histogram bins changes no stored quantile;
    the release counts in privacy_spent_, which stays within epsilon."""
    from sksynth.tabular._privacy import HISTOGRAM_BINS

    table = _table()
    bins = np.linspace(0.0, 1e6, HISTOGRAM_BINS + 1)
    bin_of = np.digitize(table["income"], bins)
    moved = table.assign(income=bins[bin_of - 1] + 1.0)  # each bin's left end
    assert (np.digitize(moved["income"], bins) == bin_of).all()
    fitted = [_private().fit(t) for t in (table, moved)]
    first, second = (
        [c.get("quantiles") for c in f.encoder_.to_dict()["columns"]] for f in fitted
    )
    assert first == second and first[1] is not None  # age and income
    assert len({tuple(q) for q in first if q}) == 2
    assert fitted[0].privacy_spent_[0] <= 5.0
    # Without quantiles, numbers are encoded by the schema's ranges alone.
    plain = _private(numeric_encoding="modes").fit(table)
    assert all(c.get("quantiles") is None for c in plain.encoder_.to_dict()["columns"])
    assert plain.privacy_spent_[0] < fitted[0].privacy_spent_[0]


def test_matched_marginals_under_privacy_map_onto_the_noisy_quantiles(monkeypatch):
    """The map's target is the released quantiles: post-processing, no cost."""
    import sksynth.tabular._encoder as encoder_module

    targets = []
    real_map = encoder_module.quantile_map

    def spied(source, target):
        targets.append(np.asarray(target).tolist())
        return real_map(source, target)

    monkeypatch.setattr(encoder_module, "quantile_map", spied)
    table = _table()
    fitted = _private().fit(table)
    unmapped = _private(marginals="learned").fit(table)
    columns = fitted.encoder_.columns
    released = [c.quantiles for c in columns if getattr(c, "quantiles", None)]
    assert targets == released and len(targets) == 2
    assert all(c.marginal_map is not None for c in columns if c.kind == "numeric")
    assert all(
        getattr(c, "marginal_map", None) is None for c in unmapped.encoder_.columns
    )
    assert fitted.privacy_spent_ == unmapped.privacy_spent_
    with pytest.raises(ValueError, match="numeric_encoding='modes' does not"):
        _private(numeric_encoding="modes", marginals="matched").fit(table)


def test_the_discriminator_only_ever_sees_poisson_batches_and_noise(monkeypatch):
    import sksynth.tabular._privacy as privacy

    sizes = []
    update = privacy.PrivateGANTrainer._discriminator_update

    def recorded(self, real, fake, partners):
        sizes.append(len(real))
        return update(self, real, fake, partners)

    monkeypatch.setattr(privacy.PrivateGANTrainer, "_discriminator_update", recorded)
    _private(epsilon=50.0, epochs=10).fit(_table())
    # Poisson batches of expected size 50 vary in size.
    assert len(set(sizes)) > 3 and 35 < np.mean(sizes) < 65


@pytest.mark.parametrize(
    ("params", "y", "match"),
    [
        ({"schema": None}, None, "epsilon needs a schema"),
        ({"schema": {"age": (18, 90)}}, None, "schema must describe exactly"),
        ({"schema": {**SCHEMA, "age": (90, 18)}}, None, r"schema\['age'\]"),
        ({"schema": {**SCHEMA, "city": ["Oslo"]}}, None, "does not list"),
        ({}, np.zeros(300), "without class labels"),
        ({"early_stopping": True}, None, "early_stopping"),
        ({"epsilon": 1e-3}, None, "does not pay for one step"),
    ],
)
def test_what_a_private_fit_cannot_do_is_refused(params, y, match):
    with pytest.raises(ValueError, match=match):
        _private(**params).fit(_table(), y)


def test_auto_noise_pays_for_the_whole_budget_and_no_more():
    sampler = _private(noise_multiplier="auto", epsilon=3.0, epochs=4).fit(_table())
    assert sampler.n_iter_ == 4  # every planned step ran
    epsilon, _ = sampler.privacy_spent_
    assert 2.9 < epsilon <= 3.0
    cheaper = epsilon_spent(50 / 300, sampler.noise_multiplier_ / 1.02, 24, 300**-1.1)
    assert cheaper > 3.0  # a little less noise would have overspent
    tiny = {"noise_multiplier": "auto", "epsilon": 1e-4, "delta": 1e-30}
    with pytest.raises(ValueError, match="too small to pay for the numeric"):
        _private(**tiny).fit(_table())
    with pytest.raises(ValueError, match="even with a noise multiplier of 1,000"):
        _private(**tiny, numeric_encoding="modes").fit(_table())


def test_membership_inference_finds_more_without_privacy():
    """The attack finds copied rows, and a plain sampler's overfit on 20 rows;
    the same sampler trained privately gives little away."""
    from sksynth.evaluation import membership_inference_auc

    rng = np.random.default_rng(0)
    members, others = (
        pd.DataFrame(rng.uniform(0, 1, (20, 6)), columns=list("abcdef"))
        for _ in range(2)
    )
    assert membership_inference_auc(members, others, members.iloc[:12]) > 0.75
    settings = {
        "epochs": 300,
        "batch_size": 10,
        "pac": 1,
        "embedding_dim": 32,
        "generator_dim": (128, 128),
        "discriminator_dim": (128, 128),
        "device": "cpu",
        "random_state": 0,
    }
    attacks = {}
    for name, private in [("plain", {}), ("private", {"epsilon": 1.0})]:
        sampler = GANSampler(**settings, **private, schema=(0.0, 1.0)).fit(members)
        synthetic = sampler.sample(5_000, random_state=0)
        attacks[name] = membership_inference_auc(members, others, synthetic)
    # Little over chance privately (below it is noise of 20 against 20 rows).
    assert attacks["plain"] > 0.62, attacks
    assert attacks["private"] < 0.6, attacks
    assert attacks["plain"] - attacks["private"] > 0.15, attacks


def test_a_column_may_be_missing_only_where_the_schema_says_so():
    table = _table().assign(income=lambda t: t["income"].where(t["age"] > 30))
    with pytest.raises(ValueError, match=r"list None in it"):
        _private().fit(table)
    schema = {**SCHEMA, "income": (0.0, 1e6, None)}
    synthetic = _private(schema=schema).fit(table).sample(500, random_state=0)
    assert synthetic[["age", "city"]].notna().all().all()
    assert synthetic["income"].isna().any()
