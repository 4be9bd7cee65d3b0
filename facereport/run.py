"""Run the notebooks of ``notebooks/runs.yml`` with papermill, into ``book/chapters/``.

A run is reused only when nothing it depends on changed: its notebook, its parameters, the tables
it reads (and the Data Package and source registry they are validated against), the package code
and the lock file. Their SHA-256 is the run's fingerprint, kept in ``_build/runs/<name>.json``.
(Jupyter Book's own cache hashes code cells only and misses changed data: jupyter-book#1633.)

A failing notebook prints the notebook, the failing cell and the traceback, keeps the executed
copy for inspection in ``_build/failed/``, and leaves the last good executed copy in place.

Runs of one template notebook (a page per province, per vendor) share a warm kernel, a few at a
time: starting a kernel and importing pandas and matplotlib costs about as much as running a short
notebook. Before each run the kernel's namespace is reset and the run's environment set, and the
executed copy is cleaned to the same bytes a fresh kernel gives (tests/test_run.py checks it).
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .paths import Project
from .runs import Run, RunListError, load_plan

RUNNER_VERSION = "4"      # bump when the way notebooks are executed or cleaned changes
KERNEL = "python3"        # papermill needs it explicit (papermill#251)
SOURCE_DATE_EPOCH = "1575244800"  # 2019-12-02, the seed article's day: any fixed value will do
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class RunFailed(Exception):
    pass


def _ipc_kernel_manager(socket_dir: str):
    """A kernel manager that talks to the kernel over Unix sockets in ``socket_dir``, not TCP.

    The kernel and papermill share this machine, so nothing needs a port; over TCP ipykernel 7
    warns on every run that the channel is unencrypted. Each run gets its own short-lived folder
    (a Unix socket path must stay under about 100 characters), so parallel runs never share one.
    """
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(transport="ipc", ip=os.path.join(socket_dir, "kernel"), **kwargs)

    return IPCKernelManager


SETUP_TAG = "facereport-setup"   # the cell a warm kernel runs first; removed from the executed copy


def _run_environment(project: Project, run: Run, figdata: Path) -> dict[str, str]:
    from .data import DECLARED_ENV
    from .figures import FIGDATA_ENV

    return {
        DECLARED_ENV: ",".join(run.reads),
        FIGDATA_ENV: str(figdata),
        "FACEREPORT_ROOT": str(project.root),
        "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH,
        "PYTHONHASHSEED": "0",
    }


class WarmKernel:
    """One kernel that executes several runs in turn (``with WarmKernel(project) as k``).
    ``setup_cell(env)`` is the first cell of each run: it clears the namespace the last run left
    and sets this run's environment, as a fresh kernel would have it."""

    def __init__(self, project: Project):
        self.project = project
        self.km = self.kc = None

    def __enter__(self):
        from jupyter_core.utils import run_sync

        self._sockets = tempfile.TemporaryDirectory(prefix="fr-")
        env = {**os.environ, "PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH,
               "FACEREPORT_ROOT": str(self.project.root)}
        self.km = _ipc_kernel_manager(self._sockets.name)(kernel_name=KERNEL)
        run_sync(self.km.start_kernel)(cwd=str(self.project.root), env=env)
        self.kc = self.km.client()
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=120)
        return self

    def __exit__(self, *exc):
        from jupyter_core.utils import run_sync

        with contextlib.suppress(Exception):
            self.kc.stop_channels()
        with contextlib.suppress(Exception):
            run_sync(self.km.shutdown_kernel)(now=True)
        self._sockets.cleanup()

    @staticmethod
    def setup_cell(env: dict[str, str]):
        cell = nbformat.v4.new_code_cell(
            "get_ipython().run_line_magic('reset', '-f')\nimport os as _os\n"
            f"_os.environ.update({json.dumps(env)})\n_os.chdir(_os.environ['FACEREPORT_ROOT'])\ndel _os")
        cell.metadata["tags"] = [SETUP_TAG]
        return cell


@dataclass
class Outcome:
    run: Run
    status: str          # "ran" or "reused"
    seconds: float
    changed: tuple[str, ...] = ()   # for a run that ran: the inputs that differ from its last run


def _data_files(project: Project, run: Run) -> list[Path]:
    from .data import descriptor
    from .validate import registry_path

    desc = descriptor(project)
    by_name = {r["name"]: r for r in desc["resources"]}
    missing = [name for name in run.reads if name not in by_name]
    if missing:
        raise RunFailed(f"run {run.name!r} reads {missing}, which data/datapackage.json does not list")
    files = [project.datapackage, registry_path(project, desc)]
    return files + [project.data_dir / by_name[name]["path"] for name in run.reads]


def fingerprint_parts(project: Project, run: Run) -> dict[str, str]:
    """SHA-256 of each input the run's output depends on, by name: what tells a later build
    which input changed."""
    digest = lambda payload: hashlib.sha256(payload).hexdigest()
    parts = {
        "runner": digest(RUNNER_VERSION.encode()),
        f"notebook {run.notebook.as_posix()}": digest((project.root / run.notebook).read_bytes()),
        "parameters": digest(json.dumps(run.parameters, sort_keys=True, ensure_ascii=False).encode()),
        "title": digest((run.title or "").encode()),
        "lock": digest(project.lock_file.read_bytes() if project.lock_file.exists() else b""),
    }
    for path in _data_files(project, run):
        parts[project.rel(path)] = digest(path.read_bytes())
    code = hashlib.sha256()
    for path in sorted(project.package_dir.rglob("*.py")):
        code.update(path.relative_to(project.package_dir).as_posix().encode() + b"\0" + path.read_bytes())
    parts["facereport code"] = code.hexdigest()
    return parts


def fingerprint(project: Project, run: Run) -> str:
    """SHA-256 of everything the run's output depends on."""
    return _combine(fingerprint_parts(project, run))


def _combine(parts: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def check_parameters(project: Project, run: Run) -> Run:
    """The run, its parameters checked against its notebook (names, types, values, the selection
    they make: facereport.params) and written as the notebook takes them (a YAML date as a string)."""
    from .params import check

    return Run(run.name, run.notebook, run.reads, check(project, run), run.title)


def normalised(project: Project, run: Run) -> Run:
    """The run with its parameters as the notebook takes them, unchecked (facereport.params.normalise)."""
    from .params import declared, normalise

    specs = declared(project, run.notebook)
    return Run(run.name, run.notebook, run.reads,
               {k: normalise(v, specs[k]) if k in specs else v for k, v in run.parameters.items()}, run.title)


LABEL = re.compile(r"^(\s*:name:\s*)(\S+)\s*$|^\((\S+)\)=\s*$", re.MULTILINE)


def namespace_labels(nb, run: Run) -> None:
    """Give the labels a notebook defines (``:name:`` of figures, ``(target)=``) a suffix per run,
    and rewrite its references to them, so that one notebook run for many parameter sets (a page
    per vendor, per jurisdiction) does not define the same label twice: Sphinx warns, and the
    strict build fails. A run named after its notebook keeps the labels as written."""
    if run.name == run.notebook.stem:
        return
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    labels = {m.group(2) or m.group(3) for c in markdown for m in LABEL.finditer(c.source)}
    if not labels:
        return
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, sorted(labels, key=len, reverse=True))) + r")(?![\w-])")
    for cell in markdown:
        cell.source = pattern.sub(lambda m: f"{m.group(1)}-{run.name}", cell.source)


def name_the_subject(nb, run: Run) -> None:
    """A page of a template notebook run for one subject (a vendor, a jurisdiction) is headed by
    its subject, so that its heading and its browser tab say which page it is ("Vendor profile:
    Huawei"), not only the contents' entry (``title`` in runs.yml)."""
    if not run.title or run.name == run.notebook.stem:
        return
    first = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if first is None or not first.source.startswith("# "):
        return
    heading, _, rest = first.source.partition("\n")
    first.source = f"{heading}: {run.title}\n{rest}"


def clean(path: Path, run: Run | None = None) -> None:
    """Drop what differs between two runs of the same inputs (timings and papermill's clock), and
    make the run's labels its own."""
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if SETUP_TAG not in c.metadata.get("tags", [])]
    renumber(nb)
    pm = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "exception", "environment_variables", "version", "input_path", "output_path"):
        pm.pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.get("papermill", {}).clear()
        cell.metadata.pop("papermill", None)
    if run is not None:
        namespace_labels(nb, run)
        name_the_subject(nb, run)
    hide_injected_like_declared(nb)
    nbformat.write(nb, path)


def renumber(nb) -> None:
    """Execution counts from 1, in order, as a fresh kernel numbers them: a warm kernel's copy
    then has the same bytes."""
    n = 0
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.get("execution_count") is None:
            continue
        n += 1
        cell.execution_count = n
        for output in cell.get("outputs", []):
            if "execution_count" in output:
                output["execution_count"] = n


def hide_injected_like_declared(nb) -> None:
    """papermill's injected-parameters cell is shown or hidden as the notebook's own parameters
    cell is: a page per parameter set need not show its parameters twice, or at all."""
    tags = lambda c: c.metadata.get("tags", [])
    declared = next((c for c in nb.cells if "parameters" in tags(c)), None)
    hidden = [t for t in tags(declared) if t.startswith("remove-")] if declared is not None else []
    for cell in nb.cells:
        if "injected-parameters" in tags(cell):
            cell.metadata["tags"] = sorted(set(tags(cell)) | set(hidden))
            cell["id"] = "injected-parameters"   # papermill draws a random id: same inputs, same bytes


@contextlib.contextmanager
def _environment(project: Project, run: Run, figdata: Path):
    saved = dict(os.environ)
    os.environ.update(_run_environment(project, run, figdata))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _source_cell(project: Project, run: Run, index: int, warm: bool = False) -> int:
    """The failing cell's index in the notebook as written: papermill's injected-parameters cell,
    present only when the run has parameters, and a warm kernel's setup cell are not ones the
    reader sees in notebooks/."""
    if warm:
        index -= 1
    if not run.parameters:
        return index
    cells = nbformat.read(project.root / run.notebook, as_version=4).cells
    declared = next((i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])), None)
    return index - 1 if declared is not None and index > declared else index


def _describe_failure(project: Project, run: Run, exc: Exception, kept: Path | None, warm: bool = False) -> str:
    head = f"run: {run.notebook} (run {run.name!r}, parameters {json.dumps(run.parameters, ensure_ascii=False)}) failed"
    lines = []
    if hasattr(exc, "cell_index"):
        # the useful line first: where, and what
        cell = _source_cell(project, run, exc.cell_index, warm)
        lines.append(f"{head} in cell {cell} of {run.notebook.as_posix()} (counting from 0 as the file does): "
                     f"{getattr(exc, 'ename', 'Error')}: {getattr(exc, 'evalue', '')}")
        lines.append("---- cell source ----")
        lines.append(exc.source.rstrip())
        lines.append("---- traceback ----")
        lines.append(ANSI.sub("", "\n".join(exc.traceback)).rstrip())
    else:
        lines.append(f"{head}: {type(exc).__name__}: {exc}")
    if kept:
        # under `make chapter` the run happens in a workspace copy: name the file from where the
        # command was typed
        shown = os.path.relpath(kept, os.environ.get("FACEREPORT_CALLER_CWD", project.root))
        lines.append(f"---- the executed copy, with the error, is in {shown}")
    lines.append("The last good executed copy and the last good book are unchanged.")
    return "\n".join(lines)


def _stale(project: Project, run: Run, force: bool) -> tuple[dict, tuple[str, ...]] | None:
    """The run's fingerprint parts and what changed since its last run; None if its executed copy
    is current (the run is reused)."""
    parts = fingerprint_parts(project, run)
    stamp = project.run_stamps_dir / f"{run.name}.json"
    before = json.loads(stamp.read_text()) if stamp.exists() else {}
    if not force and run.output(project).exists() and before.get("fingerprint") == _combine(parts):
        return None
    old_parts = before.get("parts", {})
    changed = tuple(k for k in parts if old_parts.get(k) != parts[k]) if old_parts else ("no earlier run",)
    return parts, (changed if not force else ("forced",))


def _papermill(project: Project, run: Run, tmp_out: Path, figdata: Path, kernel: WarmKernel | None) -> None:
    import papermill

    common = dict(parameters=run.parameters, kernel_name=KERNEL, cwd=str(project.root), progress_bar=False,
                  log_output=False, report_mode=False, request_save_on_cell_execute=False)
    if kernel is None:
        with _environment(project, run, figdata), tempfile.TemporaryDirectory(prefix="fr-") as sockets:
            papermill.execute_notebook(
                str(project.root / run.notebook), str(tmp_out), **common,
                kernel_manager_class=_ipc_kernel_manager(sockets),
                # Outputs are all in when the last cell ends: stop the kernel at once, and write
                # the notebook once at the end (papermill's default writes it twice per cell,
                # for watching a long run live). About 0.5 s of a 2.6 s run.
                shutdown_kernel="immediate")
        return
    nb = nbformat.read(project.root / run.notebook, as_version=4)
    nb.cells.insert(0, WarmKernel.setup_cell(_run_environment(project, run, figdata)))
    source = tmp_out.with_name("source-" + tmp_out.name)
    nbformat.write(nb, source)
    papermill.execute_notebook(str(source), str(tmp_out), **common, km=kernel.km, kc=kernel.kc)


def execute(project: Project, run: Run, force: bool = False, kernel: WarmKernel | None = None) -> Outcome:
    """Run one notebook unless an executed copy of the same fingerprint exists; in ``kernel`` if
    given (a warm kernel shared with other runs), else in a kernel of its own."""
    out = run.output(project)
    state = _stale(project, run, force)
    if state is None:
        return Outcome(run, "reused", 0.0)
    parts, changed = state
    check_parameters(project, run)
    out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=project.build_dir if project.build_dir.exists() else None) as tmp:
        tmp_out = Path(tmp) / out.name
        try:
            _papermill(project, run, tmp_out, Path(tmp) / "figdata", kernel)
        except Exception as exc:  # papermill's own error, or the kernel dying
            kept = None
            if tmp_out.exists():
                failed = project.build_dir / "failed"
                failed.mkdir(parents=True, exist_ok=True)
                kept = failed / out.name
                os.replace(tmp_out, kept)
                # CI collects failed notebooks from every build, test copies included
                collect = os.environ.get("FACEREPORT_FAILED_DIR")
                if collect:
                    Path(collect).mkdir(parents=True, exist_ok=True)
                    shutil.copy2(kept, Path(collect) / f"{run.name}.ipynb")
            raise RunFailed(_describe_failure(project, run, exc, kept, warm=kernel is not None)) from None
        clean(tmp_out, run)
        # the figures' data and images, replaced as a whole only now that the run has succeeded
        figdata = out.parent / "figdata" / run.name
        shutil.rmtree(figdata, ignore_errors=True)
        if (Path(tmp) / "figdata").is_dir():
            figdata.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(Path(tmp) / "figdata"), figdata)
        os.replace(tmp_out, out)
    seconds = time.perf_counter() - t0
    project.run_stamps_dir.mkdir(parents=True, exist_ok=True)
    stamp = project.run_stamps_dir / f"{run.name}.json"
    stamp.write_text(json.dumps({"fingerprint": _combine(parts), "seconds": round(seconds, 1), "parts": parts}, indent=1) + "\n")
    return Outcome(run, "ran", seconds, changed)


def execute_batch(project: Project, runs: list[Run], force: bool = False) -> list[Outcome | RunFailed]:
    """Runs of one notebook in turn in one warm kernel; after a failure the next run gets a new
    kernel (the failed run may have left it in any state)."""
    results: list[Outcome | RunFailed] = []
    todo = list(runs)
    while todo:
        with WarmKernel(project) as kernel:
            while todo:
                run = todo.pop(0)
                try:
                    results.append(execute(project, run, force=force, kernel=kernel))
                except RunFailed as exc:
                    results.append(exc)
                    break
    return results


def _execute_in_worker(root: str, runs: list[Run], force: bool) -> list[Outcome | RunFailed]:
    """One task in a worker process: a run in a kernel of its own, or runs of one notebook in a
    warm kernel."""
    project = Project(Path(root))
    if len(runs) > 1:
        return execute_batch(project, runs, force=force)
    try:
        return [execute(project, runs[0], force=force)]
    except RunFailed as exc:
        return [exc]


# A notebook with at least this many runs to execute shares warm kernels among them.
WARM_FROM = 3


def tasks(runs: list[Run], jobs: int) -> list[list[Run]]:
    """The runs to execute as tasks for ``jobs`` workers: each notebook with WARM_FROM or more
    runs in up to ``jobs`` batches of about equal size (one warm kernel each), every other run
    alone; the largest first, so that the workers finish together."""
    by_notebook: dict[Path, list[Run]] = {}
    for run in runs:
        by_notebook.setdefault(run.notebook, []).append(run)
    out: list[list[Run]] = []
    for group in by_notebook.values():
        if len(group) >= WARM_FROM:
            n = min(jobs, len(group))
            out += [group[i::n] for i in range(n)]
        else:
            out += [[run] for run in group]
    return sorted(out, key=len, reverse=True)


def _report(outcome: Outcome) -> str:
    if outcome.status == "reused":
        return f"run: {outcome.run.name}: reused"
    return f"run: {outcome.run.name}: ran in {outcome.seconds:.1f} s (changed: {', '.join(outcome.changed)})"


def run_all(project: Project, only: list[str] | None = None, overrides: dict[str, dict] | None = None,
            force: bool = False, jobs: int | None = None) -> list[Outcome]:
    """Execute every run (or the named ones), with parameter overrides by run name, ``jobs`` at a
    time (default: one per CPU). Each run prints one line as it ends. Every failing run is reported,
    the first line of each first, then their details."""
    import concurrent.futures
    import multiprocessing

    plan = load_plan(project)
    runs = [plan.run(n) for n in only] if only else plan.runs
    runs = [Run(r.name, r.notebook, r.reads, {**r.parameters, **(overrides or {}).get(r.name, {})}, r.title)
            for r in runs]
    # Parameters as the notebook takes them (a YAML date as a string), then which runs are stale;
    # the stale runs' parameters are checked in full (names, types, values, the selection) before
    # any kernel starts. A current run's were checked when it last ran, with the same notebook,
    # parameters and data: its fingerprint says so.
    runs = [normalised(project, run) for run in runs]
    jobs = max(1, jobs or os.cpu_count() or 1)
    results: dict[str, Outcome | RunFailed] = {}
    todo = []
    for run in runs:
        if _stale(project, run, force) is None:
            results[run.name] = Outcome(run, "reused", 0.0)
            _print_result(results[run.name], run)
        else:
            todo.append(run)
    todo = [check_parameters(project, run) for run in todo]
    work = tasks(todo, jobs)
    if jobs == 1 or len(work) <= 1:
        for task in work:
            for run, result in zip(task, _execute_in_worker(str(project.root), task, force)):
                results[run.name] = result
                _print_result(result, run)
    else:
        # fork: the workers inherit the loaded package; each sets its own environment
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = {pool.submit(_execute_in_worker, str(project.root), task, force): task for task in work}
            for future in concurrent.futures.as_completed(futures):
                task = futures[future]
                for run, result in zip(task, future.result()):
                    results[run.name] = result
                    _print_result(result, run)
    failures = [(name, r) for name, r in results.items() if isinstance(r, RunFailed)]
    if failures:
        heads = [f"  {name}: {str(exc).splitlines()[0]}" for name, exc in failures]
        details = "\n\n".join(str(exc) for _, exc in failures)
        raise RunFailed(f"run: {len(failures)} of {len(runs)} run(s) failed:\n" + "\n".join(heads) + "\n\n" + details)
    return [results[run.name] for run in runs]


def _print_result(result, run: Run) -> None:
    if isinstance(result, RunFailed):
        print(f"run: {run.name}: FAILED", flush=True)
    else:
        print(_report(result), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the notebooks of notebooks/runs.yml.")
    parser.add_argument("runs", nargs="*", help="run names (default: all)")
    parser.add_argument("--force", action="store_true", help="rerun even if nothing changed")
    parser.add_argument("-j", "--jobs", type=int, help="runs at a time (default: one per CPU)")
    args = parser.parse_args(argv)
    from .params import ParameterError

    try:
        run_all(Project.find(), args.runs or None, force=args.force, jobs=args.jobs)
    except (ParameterError, RunListError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except RunFailed as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
