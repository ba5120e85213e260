"""cnnc from Python: the command line's commands as calls, in one process.

Each call takes a ``.cnn`` description as a path (``str`` or ``os.PathLike``)
or as its source text, and returns what ``cnnc ... --format json`` prints,
as plain dicts and lists (``json.loads`` of the same bytes). A problem
raises :class:`CnncError`, carrying the diagnostics the command line would
print. docs/python.md is the guide.
"""

import json
import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _native

__version__ = _native.__version__

__all__ = [
    "CnncError",
    "check",
    "import_model",
    "run",
    "sweep",
    "to_frame",
]

PathOrSource = Union[str, "os.PathLike[str]"]


class CnncError(Exception):
    """cnnc refused the input or the options.

    ``str(error)`` is the diagnostics as the command line prints them;
    ``error.diagnostics`` is a list of dicts, one per diagnostic, as
    ``--diagnostics json`` prints them (``code``, ``message``, ``file``,
    ``range``, ``start``, ``end``, ``labels``, ``notes``, ``help``, ...).
    ``error.result`` is the report when a run produced one but refused part
    of it (a layer of a network that does not fit, ...), else ``None``.
    """

    def __init__(self, text: str, diagnostics: List[Dict[str, Any]], result: Any = None):
        super().__init__(text)
        self.diagnostics = diagnostics
        self.result = result

    @property
    def codes(self) -> List[str]:
        """The diagnostics' codes, e.g. ``['E0041']``."""
        return [d["code"] for d in self.diagnostics]


def _input(path: PathOrSource) -> Tuple[str, bool]:
    """(text, is_path): a path-like object or a one-line string without
    ``{`` is a path; a string with a newline or ``{`` is source text."""
    if isinstance(path, os.PathLike):
        return os.fspath(path), True
    if not isinstance(path, str):
        raise TypeError(f"expected a path or .cnn source text, got {type(path).__name__}")
    if "\n" in path or "{" in path:
        return path, False
    return path, True


def _raise(failure: Tuple[str, str], result: Any = None) -> None:
    text, lines = failure
    diagnostics = [json.loads(line) for line in lines.splitlines() if line.strip()]
    raise CnncError(text.rstrip("\n"), diagnostics, result)


def _sets(values: Optional[Mapping[str, Any]]) -> List[str]:
    return [f"{key}={_value(value)}" for key, value in (values or {}).items()]


def _value(value: Any) -> str:
    if isinstance(value, bool):
        raise TypeError("an arch value is a number, a size or a name, not a bool")
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return f"{value[0]}x{value[1]}"  # an array shape, (rows, columns)
    return str(value)


def check(path: PathOrSource) -> None:
    """``cnnc check``: returns ``None`` or raises :class:`CnncError`."""
    failure = _native.check(*_input(path))
    if failure is not None:
        _raise(failure)


def run(
    path: PathOrSource,
    *,
    layer: Optional[str] = None,
    arch: str = "eyeriss",
    passes: str = "forward",
    dataflow: str = "rs",
    objective: str = "energy",
    verify: str = "sample",
    set: Optional[Mapping[str, Any]] = None,
    seed: int = 0,
    compare: bool = False,
) -> Any:
    """``cnnc FILE --format json``: the report as dicts and lists.

    ``layer`` is ``--layer`` (a layer, ``net.layer`` or a network), ``passes``
    is ``--pass`` (``forward``, ``igrad``, ``fgrad``, ``all``), ``set`` the
    ``--set KEY=VALUE`` overrides as a dict (``{"array": "12x14"}``).
    """
    text, failure = _native.run(
        *_input(path),
        layer,
        arch,
        passes,
        dataflow,
        objective,
        verify,
        _sets(set),
        seed,
        compare,
    )
    result = json.loads(text) if text is not None else None
    if failure is not None:
        _raise(failure, result)
    return result


def sweep(
    path: PathOrSource,
    *,
    vary: Mapping[str, Iterable[Any]],
    layer: Optional[str] = None,
    arch: str = "eyeriss",
    set: Optional[Mapping[str, Any]] = None,
    passes: str = "forward",
    dataflow: Union[str, Sequence[str]] = "rs",
    objective: str = "energy",
    seed: int = 0,
    shard: Union[None, str, Tuple[int, int]] = None,
    pareto: bool = True,
) -> List[Dict[str, Any]]:
    """``cnnc sweep FILE --format json``: one dict per design point.

    ``vary`` maps arch keys to their values (``{"array": ["8x8", "12x14"]}``;
    the first key changes slowest); ``dataflow`` is one name or a list;
    ``shard`` is ``"K/N"``, ``(K, N)`` or ``"auto"`` (the job-array task
    this process runs in), as ``--shard``; ``pareto=False`` is
    ``--no-pareto``.
    """
    varies = [f"{key}={','.join(_value(v) for v in values)}" for key, values in vary.items()]
    dataflows = [dataflow] if isinstance(dataflow, str) else list(dataflow)
    if isinstance(shard, tuple):
        shard = f"{shard[0]}/{shard[1]}"
    text, failure = _native.sweep(
        *_input(path),
        layer,
        arch,
        varies,
        _sets(set),
        passes,
        dataflows,
        objective,
        seed,
        shard,
        not pareto,
    )
    if failure is not None:
        _raise(failure)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def import_model(path: "Union[str, os.PathLike[str]]", *, batch: Optional[int] = None) -> str:
    """``cnnc import``: the ``.cnn`` text of an ONNX model or a SCALE-Sim
    topology (``.csv``)."""
    text, failure = _native.import_model(os.fspath(path), batch)
    if failure is not None:
        _raise(failure)
    return text


def _reports(value: Any) -> Iterable[Dict[str, Any]]:
    """Every per-layer, per-pass report in a result, in order."""
    if isinstance(value, dict):
        if "layer" in value and "pass" in value and "dataflow" in value:
            yield value
            return
        for v in value.values():
            yield from _reports(v)
    elif isinstance(value, list):
        for v in value:
            yield from _reports(v)


def _flatten(prefix: str, value: Dict[str, Any], row: Dict[str, Any]) -> None:
    for key, v in value.items():
        name = f"{prefix}{key}"
        if isinstance(v, dict):
            _flatten(name + ".", v, row)
        elif not isinstance(v, list):
            row.setdefault(name, v)


def to_frame(result: Any) -> "pandas.DataFrame":  # noqa: F821
    """A pandas DataFrame with one row per layer and pass (and dataflow, with
    ``compare=True``) of a :func:`run` result; or one row per design point
    of a :func:`sweep`. The columns are the report's own fields and the
    whole-layer statistics' fields (nested ones dotted:
    ``energy_pj.total``); per-PE lists are left out."""
    import pandas

    if isinstance(result, list) and all(isinstance(r, dict) and "point" in r for r in result):
        rows = []
        for r in result:
            row: Dict[str, Any] = {}
            _flatten("", r, row)
            rows.append(row)
        return pandas.DataFrame(rows)
    rows = []
    for report in _reports(result):
        row = {k: v for k, v in report.items() if not isinstance(v, (dict, list))}
        for part in ("layer_stats", "layer_refused"):
            if isinstance(report.get(part), dict):
                _flatten("" if part == "layer_stats" else part + ".", report[part], row)
        rows.append(row)
    return pandas.DataFrame(rows)
