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


def lock_pins(name: str = "requirements.lock") -> dict[str, str]:
    out = {}
    for line in (ROOT / name).read_text().splitlines():
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


def test_the_build_environment_does_not_carry_jupyterlab():
    """JupyterLab pulls in rfc3987-syntax, which builds a parser on import: about a second in
    every process that validates a notebook. It lives in the lab lock only."""
    from importlib.util import find_spec
    assert "jupyterlab" not in lock_pins() and "rfc3987-syntax" not in lock_pins()
    assert find_spec("rfc3987_syntax") is None and find_spec("jupyterlab") is None


def test_the_lab_lock_is_the_build_lock_plus_jupyterlab():
    """`make lab` notebooks run on the same versions the book is built with."""
    build, lab = lock_pins(), lock_pins("requirements-lab.lock")
    differ = {n: (v, lab.get(n)) for n, v in build.items() if lab.get(n) != v}
    assert not differ, f"requirements-lab.lock pins these differently from requirements.lock: {differ}"
    assert lab["jupyterlab"] == (ROOT / "requirements-lab.in").read_text().split("jupyterlab==")[1].split()[0]


def test_the_venv_is_kept_while_the_lock_content_is_unchanged(tmp_path):
    """Make decides on the lock's content, not its file time: a fresh clone or a .venv restored
    from CI's cache (newer lock mtime, same content) is kept; a changed lock rebuilds it."""
    import os
    import re
    import shutil
    import subprocess
    import sys
    for name in ("Makefile", "requirements.lock", "pyproject.toml"):
        shutil.copy2(ROOT / name, tmp_path / name)

    def plan() -> str:
        return subprocess.run(["make", "-n", "venv", f"PYTHON_SYS={sys.executable}"], cwd=tmp_path,
                              capture_output=True, text=True, check=True).stdout

    first = plan()
    assert "rm -rf .venv" in first                       # no .venv yet: it would be built
    stamp = re.search(r"touch (\.venv/\.installed-[0-9a-f]{16})", first).group(1)
    (tmp_path / ".venv").mkdir()
    (tmp_path / stamp).touch()
    later = (tmp_path / stamp).stat().st_mtime + 3600
    os.utime(tmp_path / "requirements.lock", (later, later))   # as a checkout or cache restore leaves it
    assert "rm -rf .venv" not in plan()
    with (tmp_path / "requirements.lock").open("a") as fh:
        fh.write("six==1.17.0\n")
    assert "rm -rf .venv" in plan()


def test_the_citation_has_a_release_date_and_names_the_repository_once_there_is_one(root):
    import re

    import yaml
    cff = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(cff["date-released"]))
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    named = (config.get("repository") or {}).get("url") or re.search(
        r"https://(?:github|gitlab)\.com/[\w.-]+/[\w.-]+", (root / "README.md").read_text(encoding="utf-8"))
    if named:
        assert cff.get("repository-code") and cff.get("url"), "the repository is public: name it in CITATION.cff"


def test_binder_installs_the_package_after_the_pinned_environment(root):
    import yaml
    env = yaml.safe_load((root / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
    assert any("requirements.lock" in line for line in pip)
    post = root / "postBuild"
    assert post.stat().st_mode & 0o111 and "pip install --no-deps -e ." in post.read_text()
