"""The ``compendium`` command: demo data, report rendering and the published scorecard.

    compendium demo --out DIR
    compendium render PARAMS.yml [-p NAME VALUE ...] [--out DIR]
    compendium batch RUN.yml [--only CODE ...] [--workers N] [--out DIR]
                             [--executor local|dask --scheduler ADDRESS]
    compendium scorecard --data-dir DIR --la CODE --period YEAR [--indicators ID ...]
                         [--format table|csv|json]
    compendium validate PATH ...
    compendium fetch --out DIR [--sources FILE] [--base-url URL] [--retries N]

Bad input ends with a one-line message naming the file, row and column, and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import warnings
from pathlib import Path

from analysis.errors import DataError


def _demo(args: argparse.Namespace) -> int:
    from analysis.demo import write_demo

    written = write_demo(Path(args.out))
    print(f"Wrote the fictional demo data set ({len(written)} files) to {Path(args.out).resolve()}")
    return 0


def _render(args: argparse.Namespace) -> int:
    from papermill.exceptions import PapermillExecutionError

    from analysis.page import PageError
    from analysis.params import load_run_file, read_yaml
    from analysis.render import render_report

    overrides = {name: read_yaml(value, f"-p {name}") for name, value in args.parameter}
    run = load_run_file(args.params, overrides, Path(args.out) if args.out else None)
    try:
        path = render_report(run)
    except PapermillExecutionError as error:
        if error.ename == DataError.__name__:  # bad input: the message names file, row, column
            print(f"compendium: {error.evalue}", file=sys.stderr)
            return 2
        print(
            f"compendium: the report failed in cell {error.exec_count}: "
            f"{error.ename}: {error.evalue}",
            file=sys.stderr,
        )
        return 1
    except PageError as error:
        print(f"compendium: {run.notebook.name}: {error}", file=sys.stderr)
        return 1
    print(path.resolve())
    return 0


def _batch(args: argparse.Namespace) -> int:
    from analysis.batch import main_batch

    if args.executor == "dask" and not args.scheduler:
        raise DataError("--scheduler", "--executor dask needs the scheduler's address")
    cores = os.cpu_count() or 1
    if args.executor == "local" and args.workers > cores:
        print(
            f"compendium: warning: --workers {args.workers} is more than this machine's {cores} "
            "cores; the extra kernels only wait for a core, each holding its own copy of the data",
            file=sys.stderr,
        )
    return main_batch(
        args.run_file, args.only, args.workers, args.out, args.executor, args.scheduler
    )


def _scorecard(args: argparse.Namespace) -> int:
    from analysis.catalogue import load_catalogue
    from analysis.published import load_published
    from analysis.scorecard import scorecard

    indicators = None
    if args.indicators:
        indicators = list(dict.fromkeys(args.indicators))  # each once, in the order given
        unknown = [i for i in indicators if i not in load_catalogue()]
        if unknown:
            raise DataError(
                "the command line",
                f"expected catalogue indicator ids, found {', '.join(unknown)}",
                column="--indicators",
            )
    data = load_published(args.data_dir, indicators=indicators)
    table = scorecard(data, args.la, args.period, indicators)
    if args.format == "json":
        records = table.astype(object).where(table.notna(), None).to_dict(orient="records")
        print(json.dumps(records, indent=2, default=str))
    elif args.format == "csv":
        print(table.to_csv(index=False), end="")
    else:
        print(table.to_string(index=False))
    return 0


def _validate(args: argparse.Namespace) -> int:
    from analysis.validate import validate_paths

    findings = validate_paths(args.paths)
    if not findings:
        raise DataError(
            ", ".join(args.paths), "expected data files that Compendium reads, found none"
        )
    for finding in findings:
        print(f"{'ok  ' if finding.ok else 'FAIL'} {finding.path}: {finding.message}")
        for warning in finding.warnings:
            print(f"     warning: {warning}")
    failed = sum(not f.ok for f in findings)
    print(f"{len(findings) - failed} passed, {failed} failed")
    return 2 if failed else 0


def _fetch(args: argparse.Namespace) -> int:
    from analysis.fetch import fetch, load_sources, summary

    sources = load_sources(args.sources, args.base_url)
    outcomes = fetch(args.out, sources, retries=args.retries)
    print("\n".join(summary(outcomes)))
    return 1 if any(o.status == "failed" for o in outcomes) else 0


def _at_least_one(text: str) -> int:
    """An argparse type: a whole number of 1 or more.

    >>> _at_least_one("2")
    2
    """
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, found {text!r}")
    return number


def _year(text: str) -> int:
    """An argparse type: a year of four digits.

    >>> _year("2025")
    2025
    """
    if not re.fullmatch(r"[12][0-9]{3}", text.strip()):
        raise argparse.ArgumentTypeError(f"expected a year such as 2025, found {text!r}")
    return int(text)


def _folder(text: str) -> str:
    """An argparse type: a folder to write into, or one that can be made.

    >>> _folder("outputs")
    'outputs'
    """
    path = Path(text).absolute()
    existing = next(p for p in (path, *path.parents) if p.exists())
    if not existing.is_dir():
        raise argparse.ArgumentTypeError(f"expected a folder, {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"expected a folder you can write to, not {existing}")
    return text


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="compendium", description=__doc__.splitlines()[0])
    commands = top.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="write the fictional demo data set")
    demo.add_argument("--out", required=True, type=_folder, help="folder to write into")
    demo.set_defaults(run=_demo)
    render = commands.add_parser("render", help="execute a report and render it to HTML")
    render.add_argument("params", help="parameters file (params/*.yml)")
    render.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="override a parameter (VALUE is read as YAML)",
    )
    render.add_argument("--out", type=_folder, help="outputs folder (default: outputs/)")
    render.set_defaults(run=_render)
    batch = commands.add_parser("batch", help="render every report of a run file")
    batch.add_argument("run_file", help="run file (params/*.yml) of one or many reports")
    batch.add_argument("--only", nargs="+", metavar="CODE", help="only these councils")
    batch.add_argument("--workers", type=_at_least_one, default=2, help="warm kernels (default 2)")
    batch.add_argument("--out", type=_folder, help="outputs folder (default: outputs/)")
    batch.add_argument("--executor", choices=["local", "dask"], default="local")
    batch.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    batch.set_defaults(run=_batch)
    card = commands.add_parser("scorecard", help="published figures for one council and year")
    card.add_argument(
        "--data-dir", help="folder with ees/ and lait/ (default $COMPENDIUM_DFE_DATA)"
    )
    card.add_argument("--la", required=True, help="DfE number or ONS code")
    card.add_argument("--period", required=True, type=_year, help="year, e.g. 2025")
    card.add_argument("--indicators", nargs="+", help="catalogue ids (default: all)")
    card.add_argument("--format", choices=["table", "csv", "json"], default="table")
    card.set_defaults(run=_scorecard)
    check = commands.add_parser("validate", help="check data files without rendering anything")
    check.add_argument("paths", nargs="+", help="files or folders")
    check.set_defaults(run=_validate)
    get = commands.add_parser("fetch", help="download the public DfE and Ofsted files")
    get.add_argument(
        "--out", required=True, type=_folder, help="data folder to fetch into (ees/ and lait/)"
    )
    get.add_argument("--sources", help="sources file (default: analysis/data/sources.yml)")
    get.add_argument("--base-url", help="fetch each file from BASE_URL/<path> (a mirror)")
    get.add_argument(
        "--retries", type=_at_least_one, default=3, help="attempts per file (default 3)"
    )
    get.set_defaults(run=_fetch)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            return args.run(args)
    except (DataError, KeyError) as error:
        message = error.args[0] if isinstance(error, KeyError) else str(error)
        print(f"compendium: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
