"""Where a page's time goes: pyinstrument over repeated in-process requests to one page.

    .venv/bin/python -m bench.profile [/posts/<slug>] [--requests N]

Seeds the same data as `make bench` in a temporary folder. Needs the `bench` extra
(pip install -e '.[bench]').
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from . import seed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", default=f"/posts/{seed.BIG_SLUG}")
    parser.add_argument("--requests", type=int, default=50)
    arguments = parser.parse_args()

    from pyinstrument import Profiler

    folder = Path(tempfile.mkdtemp(prefix="treatment-talk-profile-"))
    try:
        seeded = seed.build(folder)
        app = seed.bench_app(Path(seeded.database_url.removeprefix("sqlite:///")), folder)
        client = app.test_client()
        client.get(arguments.path)  # warm up templates and caches
        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(arguments.requests):
                client.get(arguments.path, headers={"Accept-Encoding": "gzip"})
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
