"""The thread policy: usable cores and their overrides, training threads, and pools
really capped inside ``limited_threads``."""

from __future__ import annotations

import os

import lightgbm  # noqa: F401  (its libgomp, loaded, is one of the pools capped)
import numpy as np  # noqa: F401  (OpenBLAS)
import pytest
import sklearn.linear_model  # noqa: F401  (scipy's OpenBLAS, scikit-learn's OpenMP)
from threadpoolctl import threadpool_info, threadpool_limits

from arrearsrisk.models import threads
from arrearsrisk.models.threads import (
    THREADS_ENV,
    limited_threads,
    training_threads,
    usable_cores,
)


@pytest.fixture
def clean_env(monkeypatch):
    """No thread setting in the environment (``make test`` sets OMP_NUM_THREADS=1)."""
    monkeypatch.delenv(THREADS_ENV, raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    return monkeypatch


def machine(monkeypatch, cores: int) -> None:
    monkeypatch.setattr(threads, "_machine_cores", lambda: cores)


# --- usable_cores ----------------------------------------------------------------


def test_without_settings_the_cores_of_the_affinity_mask(clean_env):
    cores = usable_cores()
    assert cores >= 1
    if hasattr(os, "sched_getaffinity"):
        assert cores <= len(os.sched_getaffinity(0))


def test_arrearsrisk_threads_is_taken_as_given(clean_env):
    machine(clean_env, 2)
    clean_env.setenv(THREADS_ENV, "3")
    clean_env.setenv("OMP_NUM_THREADS", "1")  # ours wins
    assert usable_cores() == 3


@pytest.mark.parametrize(
    ("value", "expected"), [("1", 1), ("2", 2), ("64", 4), ("3,1", 3), (" 2 ", 2)]
)
def test_omp_num_threads_is_honoured_up_to_the_machine(clean_env, value, expected):
    machine(clean_env, 4)
    clean_env.setenv("OMP_NUM_THREADS", value)
    assert usable_cores() == expected


@pytest.mark.parametrize("value", ["", "abc", "0", "-2"])
def test_a_meaningless_omp_num_threads_is_ignored_as_openmp_ignores_it(clean_env, value):
    machine(clean_env, 4)
    clean_env.setenv("OMP_NUM_THREADS", value)
    assert usable_cores() == 4


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5"])
def test_a_bad_arrearsrisk_threads_is_an_error(clean_env, value):
    clean_env.setenv(THREADS_ENV, value)
    with pytest.raises(ValueError, match=THREADS_ENV):
        usable_cores()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("150000 100000\n", 2), ("50000 100000", 1), ("max 100000", None), ("garbage", None)],
)
def test_a_cgroup_cpu_quota_caps_the_cores(tmp_path, text, expected):
    path = tmp_path / "cpu.max"
    path.write_text(text)
    assert threads._quota_cores(path) == expected
    assert threads._quota_cores(tmp_path / "missing") is None


# --- training_threads ------------------------------------------------------------


@pytest.mark.parametrize(("cores", "expected"), [(1, 1), (2, 1), (3, 1), (4, 2), (16, 8)])
def test_training_takes_half_the_detected_cores(clean_env, cores, expected):
    machine(clean_env, cores)
    assert training_threads() == expected


def test_an_explicit_setting_is_used_whole(clean_env):
    machine(clean_env, 4)
    clean_env.setenv("OMP_NUM_THREADS", "4")
    assert training_threads() == 4
    clean_env.setenv(THREADS_ENV, "3")
    assert training_threads() == 3


def test_training_threads_is_at_least_one(clean_env):
    assert training_threads() >= 1
    clean_env.setenv("OMP_NUM_THREADS", "1")
    assert training_threads() == 1


# --- limited_threads -------------------------------------------------------------


def pools(user_api: str | None = None) -> list[int]:
    return [p["num_threads"] for p in threadpool_info() if user_api in (None, p["user_api"])]


def test_limited_threads_caps_every_pool_and_restores_them():
    assert pools("blas") and pools("openmp")  # numpy's OpenBLAS, LightGBM's libgomp
    with threadpool_limits(2):  # two threads outside, whatever OMP_NUM_THREADS says
        assert set(pools()) == {2}
        with limited_threads(1) as n:
            assert n == 1
            assert set(pools()) == {1}
        assert set(pools()) == {2}


def test_limited_threads_can_cap_one_kind_of_pool():
    with threadpool_limits(2), limited_threads(1, user_api="blas"):
        assert set(pools("blas")) == {1}
        assert set(pools("openmp")) == {2}


def test_limited_threads_defaults_to_training_threads(clean_env):
    clean_env.setenv("OMP_NUM_THREADS", "1")
    with limited_threads() as n:
        assert n == training_threads() == 1
        assert set(pools()) == {1}


def test_limited_threads_needs_a_thread():
    with pytest.raises(ValueError, match="at least 1"), limited_threads(0):
        pass
