"""The machine a benchmark runs on, as every script in ``benchmarks/`` prints it first."""

from __future__ import annotations

import os
import platform


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: '1.0, 1.2, 1.2'."""
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def machine(**versions: str) -> str:
    """'machine: Linux-...-x86_64, 2 CPUs, Python 3.11.7, pandas 3.1.1, load average 1.0, ...'."""
    extra = "".join(f", {name} {version}" for name, version in versions.items())
    return (
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}{extra}, load average {load_average()}"
    )
