"""The scale registry: expected scales per source and label -> band mappings.

The registry is versioned data (``transforms/data/scale_registry.toml``). Each
source entry states the scale and polarity its headline score is expected to use
and maps the site's category labels onto the common ordinal band of the
canonical risk score (``very_low`` .. ``very_high``). Sources without an entry
are read with the ``generic`` entry.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd

from transforms.config import DATA_DIR

DEFAULT_REGISTRY_PATH = DATA_DIR / "scale_registry.toml"
GENERIC_SOURCE = "generic"
POLARITIES = ("risk", "safety")

_LABEL_SEPARATORS = re.compile(r"[\s\-_]+")


def is_missing(value: object) -> bool:
    """True for None, NaN, ``pd.NA`` and ``NaT`` (scalars only)."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # array-likes are not missing scalars
        return False


def normalise_label(label: object) -> str | None:
    """Matching key of a label: case-folded, ``-``/``_``/whitespace runs as one space.

    ``None``, NaN and blank labels give ``None``.
    """
    if is_missing(label):
        return None
    if not isinstance(label, str):
        label = str(label)
    key = _LABEL_SEPARATORS.sub(" ", label.casefold()).strip(" .:;,·|")
    return key or None


@dataclass(frozen=True, slots=True)
class Band:
    """One step of the ordinal band: ``lower <= risk < upper`` (the last includes 100)."""

    name: str
    label: str
    lower: float
    upper: float


@dataclass(frozen=True, slots=True)
class SourceScale:
    """What the registry expects of one source."""

    source: str
    description: str
    scale_min: float | None  # None: any scale accepted (generic)
    scale_max: float | None
    polarity: str | None
    labels: dict[str, str]  # normalised label -> band name
    observed: tuple[str, ...]

    def expects(self, scale_min: float, scale_max: float, polarity: str) -> bool:
        """Whether a stated scale matches what the registry expects of this source."""
        return (
            (self.scale_min is None or float(scale_min) == self.scale_min)
            and (self.scale_max is None or float(scale_max) == self.scale_max)
            and (self.polarity is None or polarity == self.polarity)
        )


@dataclass(frozen=True, slots=True)
class ScaleRegistry:
    """The parsed registry. Use :func:`load_registry` to obtain one."""

    version: str
    bands: tuple[Band, ...]
    sources: dict[str, SourceScale]

    @property
    def band_names(self) -> tuple[str, ...]:
        return tuple(b.name for b in self.bands)

    def source_scale(self, source: str) -> SourceScale:
        """The entry of ``source``, or the generic entry for unknown sources."""
        return self.sources.get(source, self.sources[GENERIC_SOURCE])

    def band_index(self, band: str | None) -> int | None:
        """Position of a band name in the ordinal order (0 = very_low), None for None."""
        if band is None:
            return None
        return self.band_names.index(band)

    def band_label(self, band: str | None) -> str | None:
        """Human label of a band name ("Moderate"), None for None."""
        if band is None:
            return None
        return self.bands[self.band_names.index(band)].label

    def band_of(self, risk: float) -> str | None:
        """Band of one canonical risk score; None for NaN or values outside [0, 100]."""
        codes = self.band_codes(np.asarray([risk], dtype=float))
        return None if codes[0] < 0 else self.bands[codes[0]].name

    def band_codes(self, risk: np.ndarray) -> np.ndarray:
        """Band positions of many scores (-1 for NaN / out of range), vectorised."""
        risk = np.asarray(risk, dtype=float)
        uppers = np.array([b.upper for b in self.bands[:-1]], dtype=float)
        codes = np.searchsorted(uppers, risk, side="right").astype(np.int64)
        lo, hi = self.bands[0].lower, self.bands[-1].upper
        codes[~((risk >= lo) & (risk <= hi))] = -1  # also catches NaN
        return codes

    def bands_of(self, risk: pd.Series | np.ndarray) -> pd.Series:
        """Band names of many scores (object dtype, None for NaN), keeping a Series index."""
        index = risk.index if isinstance(risk, pd.Series) else None
        codes = self.band_codes(np.asarray(risk, dtype=float))
        names = np.array([*self.band_names, None], dtype=object)
        return pd.Series(names[codes], index=index, dtype=object)

    def label_band(self, source: str, label: object) -> str | None:
        """Band a source's category label stands for; None for unknown or missing labels."""
        key = normalise_label(label)
        if key is None:
            return None
        return self.source_scale(source).labels.get(key)


def _float_or_none(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _parse_registry(data: dict) -> ScaleRegistry:
    version = str(data["version"])
    bands = tuple(
        Band(str(b["name"]), str(b["label"]), float(b["lower"]), float(b["upper"]))
        for b in data["bands"]
    )
    if not bands:
        raise ValueError("scale registry defines no bands")
    if bands[0].lower != 0.0 or bands[-1].upper != 100.0:
        raise ValueError("bands must cover [0, 100]")
    if any(b.lower >= b.upper for b in bands):
        raise ValueError("every band needs lower < upper")
    for prev, nxt in pairwise(bands):
        if prev.upper != nxt.lower:
            raise ValueError(f"bands {prev.name!r} and {nxt.name!r} are not contiguous")
    names = {b.name for b in bands}
    sources: dict[str, SourceScale] = {}
    for source, entry in data.get("sources", {}).items():
        polarity = entry.get("polarity")
        if polarity is not None and polarity not in POLARITIES:
            raise ValueError(f"{source}: polarity must be one of {POLARITIES}")
        labels: dict[str, str] = {}
        for raw_label, band in entry.get("labels", {}).items():
            if band not in names:
                raise ValueError(f"{source}: label {raw_label!r} maps to unknown band {band!r}")
            key = normalise_label(raw_label)
            if key is None:
                raise ValueError(f"{source}: blank label")
            if key in labels and labels[key] != band:
                raise ValueError(f"{source}: label {raw_label!r} mapped twice")
            labels[key] = band
        sources[source] = SourceScale(
            source=source,
            description=str(entry.get("description", "")),
            scale_min=_float_or_none(entry.get("scale_min")),
            scale_max=_float_or_none(entry.get("scale_max")),
            polarity=polarity,
            labels=labels,
            observed=tuple(entry.get("observed", ())),
        )
        for seen in sources[source].observed:
            if normalise_label(seen) not in labels:
                raise ValueError(f"{source}: observed label {seen!r} has no mapping")
    if GENERIC_SOURCE not in sources:
        raise ValueError("scale registry needs a 'generic' source entry")
    return ScaleRegistry(version=version, bands=bands, sources=sources)


@lru_cache(maxsize=8)
def _load_cached(path: str) -> ScaleRegistry:
    with open(path, "rb") as fh:
        return _parse_registry(tomllib.load(fh))


def load_registry(path: str | Path | None = None) -> ScaleRegistry:
    """Read (and cache) the scale registry; defaults to the packaged data file."""
    return _load_cached(str(Path(path) if path is not None else DEFAULT_REGISTRY_PATH))
