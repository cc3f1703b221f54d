"""Load the London reference data and cluster files (the package's only file access)."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable
from pathlib import Path

from shared.reference.assemble import build_tables
from shared.reference.clusters import ClusterSet, parse_clusters
from shared.reference.errors import ReferenceDataError
from shared.reference.geometry import GeometryError, Shape, shape_from_geojson
from shared.reference.reference import LondonReference
from shared.reference.sources import DATA_FILES

DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "data"


def load_reference(data_dir: Path | None = None) -> LondonReference:
    """Read, validate and index the reference data (the packaged copy by default).

    Raises ReferenceDataError with a specific message if any file is missing or invalid.
    """
    raw = read_files(data_dir if data_dir is not None else DEFAULT_DATA_DIR, DATA_FILES)
    return LondonReference(build_tables(raw))


def load_clusters(path: Path, reference: LondonReference) -> ClusterSet:
    """Read and validate a TOML cluster file (format in ``shared.reference.clusters``)."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ReferenceDataError(f"cannot read cluster file {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ReferenceDataError(f"{path} is not valid TOML: {exc}") from exc
    return parse_clusters(data, reference, source=str(path))


def read_files(data_dir: Path, names: Iterable[str]) -> dict[str, bytes]:
    """The bytes of every named file; raise naming all the files that are missing."""
    if not data_dir.is_dir():
        raise ReferenceDataError(f"reference data directory {data_dir} does not exist")
    paths = {name: data_dir / name for name in names}
    missing = sorted(name for name, path in paths.items() if not path.is_file())
    if missing:
        raise ReferenceDataError(f"reference data file(s) {missing} missing from {data_dir}")
    return {name: path.read_bytes() for name, path in paths.items()}


EXACT_2022_DIR = "wards_2022_bng"


def load_2022_shapes(data_dir: Path | None = None) -> tuple[Shape, ...]:
    """The 2022-set ward polygons held exactly (Lewisham's), in British National Grid metres
    (x = easting, y = northing), keyed by ward code, in code order. Drawing only: ward
    resolution uses the LSOA lookups."""
    folder = (data_dir if data_dir is not None else DEFAULT_DATA_DIR) / EXACT_2022_DIR
    shapes = []
    for path in sorted(folder.glob("*.geojson")):
        try:
            document = json.loads(path.read_bytes())
            [feature] = document["features"]
            shapes.append(shape_from_geojson(feature["properties"]["WD22CD"],
                                             feature["geometry"]))  # fmt: skip
        except (ValueError, KeyError, TypeError, GeometryError) as exc:
            raise ReferenceDataError(f"{path.name}: not a one-ward 2022 GeoJSON: {exc}") from exc
    return tuple(sorted(shapes, key=lambda s: s.key))
