"""Corridor Atlas: offline maps of South Caucasus and Caspian routes, and their data.

For notebooks: ``corridor_atlas.routes()``, ``places()`` (GeoDataFrames) and
``compare(set_id)`` (a DataFrame; ``corridor_atlas.compare`` is also the submodule, which
answers the call); every layer: ``corridor_atlas.api.layers()`` (``corridor_atlas.layers`` is
the validating loader module). See :mod:`corridor_atlas.api`. They are imported lazily
(PEP 562 ``__getattr__``), so ``import corridor_atlas`` (and a build with nothing to do)
never imports pandas or geopandas.
"""

_API = ("routes", "places")
__all__ = [*_API, "compare"]


def __getattr__(name: str):
    if name in _API:
        from . import api

        return getattr(api, name)
    if name == "compare":  # the submodule, callable: compare(set_id) is api.compare (see compare.py)
        import importlib

        return importlib.import_module(".compare", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
