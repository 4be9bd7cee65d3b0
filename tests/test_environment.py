"""requirements.in (what the project asks for), requirements.lock (every pin) and environment.yml
(conda, Binder: exactly the lock) describe one environment."""
from __future__ import annotations

from importlib import metadata

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import ROOT


def env_pins() -> dict[str, str]:
    """The packages the project asks for, pinned, from requirements.in."""
    out = {}
    for line in (ROOT / "requirements.in").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            out[canonicalize_name(name)] = version
    return out


def test_environment_yml_installs_exactly_the_lock():
    deps = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    assert pip == ["-r requirements.lock"]


def lock_pins() -> dict[str, str]:
    out = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            out[canonicalize_name(name)] = version
    return out


def test_environment_pins_python_311():
    deps = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    assert "python=3.11" in deps


def test_every_environment_package_is_locked_at_the_same_version():
    lock = lock_pins()
    for name, version in env_pins().items():
        assert name in lock, f"{name} is in requirements.in but not in requirements.lock"
        assert lock[name] == version, f"{name}: requirements.in {version}, requirements.lock {lock[name]}"


def test_jupyter_book_stays_on_1x():
    assert env_pins()["jupyter-book"].startswith("1.")


def test_every_locked_package_is_needed_by_the_environment():
    """The lock is the closure of requirements.in's packages, computed from installed metadata."""
    needed, seen = set(), set()
    todo = [(name, "") for name in env_pins()]
    while todo:
        name, extra = todo.pop()
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        needed.add(name)
        for req in metadata.requires(name) or []:
            r = Requirement(req)
            if r.marker is None or r.marker.evaluate({"extra": extra}):
                # a requirement with extras (jsonschema[format-nongpl]) brings those extras' deps
                todo += [(canonicalize_name(r.name), e) for e in ("", *sorted(r.extras))]
    extra = sorted(set(lock_pins()) - needed)
    assert not extra, f"requirements.lock pins packages nothing in requirements.in needs: {extra}"


def test_installed_versions_match_the_lock():
    """The environment the tests run in is the locked one."""
    wrong = {n: (v, metadata.version(n)) for n, v in lock_pins().items()
             if canonicalize_name(n) and metadata.version(n) != v}
    assert not wrong, wrong
