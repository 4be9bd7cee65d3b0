"""Versions and releases: one version in CITATION.cff and datapackage.json (the validator stops a
build where they disagree), and `make release VERSION=x.y.z` bumping both and writing what changed
since the previous tag into CHANGELOG.md."""
from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess

from conftest import cli
from facereport.version import parse, version


def git(project, *args):
    return subprocess.run(["git", *args], cwd=project.root, capture_output=True, text=True, check=True).stdout


def repository(project):
    git(project, "init", "-q", "-b", "main")
    git(project, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", "-A")
    git(project, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "start")


def commit(project, message):
    git(project, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-am", message)


def bump(v: str, part: int) -> str:
    n = list(parse(v))
    n[part] += 1
    n[part + 1:] = [0] * (2 - part)
    return ".".join(map(str, n))


def test_a_data_package_whose_version_differs_from_the_citation_stops_validation(copy):
    path = copy.data_dir / "datapackage.json"
    desc = json.loads(path.read_text(encoding="utf-8"))
    desc["version"] = bump(version(copy), 2)
    path.write_text(json.dumps(desc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    result = cli(copy, "validate")
    assert result.returncode == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith("data/datapackage.json:") and "CITATION.cff" in first and desc["version"] in first


def test_a_release_bumps_the_version_everywhere_and_lists_what_changed_since_the_last_tag(copy):
    repository(copy)
    current = version(copy)
    first = bump(current, 1)
    result = cli(copy, "release", first)
    assert result.returncode == 0, result.stderr
    changelog = (copy.root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {first} ({dt.date.today().isoformat()})" in changelog and "The first numbered release" in changelog
    assert "- **rollout_events**: " in changelog
    commit(copy, f"Release {first}")
    git(copy, "tag", f"v{first}")
    # a correction and a new source after the release
    events = copy.data_dir / "rollout_events.csv"
    with open(events, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("confidence")
    rows[1][col] = "low" if rows[1][col] == "high" else "high"
    with open(events, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    commit(copy, "a correction")
    second = bump(first, 2)
    result = cli(copy, "release", second)
    assert result.returncode == 0, result.stderr
    assert f'version: "{second}"' in (copy.root / "CITATION.cff").read_text(encoding="utf-8")
    assert json.loads((copy.data_dir / "datapackage.json").read_text(encoding="utf-8"))["version"] == second
    assert cli(copy, "validate").returncode == 0
    changelog = (copy.root / "CHANGELOG.md").read_text(encoding="utf-8")
    new, old = changelog.index(f"## {second} "), changelog.index(f"## {first} ")
    assert new < old                                       # newest first, the earlier section kept
    section = changelog[new:old]
    assert f"Since v{first}:" in section and "- **rollout_events**: 1 changed" in section
    assert "regulations" not in section                    # only what changed is listed
    # not above the current version: refused, nothing written
    before = (copy.root / "CITATION.cff").read_text(encoding="utf-8")
    refused = cli(copy, "release", first)
    assert refused.returncode == 2 and "not above" in refused.stderr
    assert (copy.root / "CITATION.cff").read_text(encoding="utf-8") == before
