"""Build and write packs for `snt pack`, reading the services' APIs over HTTP."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

from services.dashboard.areas import Directory
from services.dashboard.pack.build import Area, build_pack, data_date
from services.dashboard.pack.map import WardMap
from services.dashboard.pack.meeting import MeetingError, build_meeting
from services.dashboard.pack.render import render_html, render_pdf, render_template
from services.dashboard.upstream import Upstream, UpstreamError
from shared.reference import load_2022_shapes, load_clusters, load_reference


class PackError(RuntimeError):
    """The pack could not be made; the message says why."""


async def write_pack(urls: dict[str, str], token: str, borough: str | None, as_of: date | None,
                     meeting: str | None, cluster: str | None, formats: list[str], out: Path,
                     clusters_file: str | None = None) -> list[Path]:  # fmt: skip
    """Write the pack files; return their paths."""
    reference = load_reference()
    directory = Directory(reference, None)
    boroughs = directory.boroughs
    if borough is not None and borough not in boroughs:
        raise PackError(f"{borough} is not an MPS borough code")
    upstream = Upstream(urls, timeout_s=60)
    source = upstream.source(token)
    try:
        day = as_of or await data_date(
            source, "/v1/kpi/mps" if borough is None else f"/v1/kpi/boroughs/{borough}"
        )
        now = datetime.now(UTC)
        if meeting is None:
            assert borough is not None
            wards = [Area(w.code, w.name) for w in directory.wards_of(borough)]
            made = await build_pack(source, Area(borough, boroughs[borough]), wards, day, now)
            html = render_html(made, WardMap(reference, load_2022_shapes()))
            stem = f"sn-pack-{borough}-{day.isoformat()}"
        else:
            names = directory.names()
            wards_only = None
            if cluster is not None:
                if not clusters_file:
                    raise PackError("--cluster needs SNT_DASHBOARD_CLUSTERS_FILE (a clusters file)")
                chosen = load_clusters(Path(clusters_file), reference).cluster(cluster)
                wards_only = frozenset(chosen.ward_codes)
            scope = None if borough is None else (borough, boroughs[borough])
            meeting_pack = await build_meeting(source, meeting, scope, day, now, names,
                                               wards_only)  # fmt: skip
            html = render_template("meeting.html", pack=meeting_pack)
            stem = f"meeting-{meeting}-{borough or 'MPS'}{'-' + cluster if cluster else ''}-{day}"
    except (UpstreamError, MeetingError) as exc:
        raise PackError(str(exc)) from exc
    finally:
        await upstream.aclose()
    return await asyncio.to_thread(_write, html, out, stem, formats)


def _write(html: str, out: Path, stem: str, formats: list[str]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    if "html" in formats:
        written.append(out / f"{stem}.html")
        written[-1].write_text(html, encoding="utf-8")
    if "pdf" in formats:
        written.append(out / f"{stem}.pdf")
        written[-1].write_bytes(render_pdf(html))
    return written
