"""Importing platform export files (Tmall/Taobao 生意参谋, JD 商智, 抖店/巨量千川): reading, parsing, mapping.

Public API::

    from opsreport.importing import import_files, load_mappings, get_mapping
    reports = import_files("data/shop.duckdb", "0071", "sycm_shop_daily", [Path("overview.xlsx")])

Modules: ``readers`` (files -> text frames), ``values`` (cell parsers), ``mappings`` (YAML
mappings, checked against the contracts), ``transform`` (text frame -> canonical rows),
``load`` (staging, checks, upsert in one transaction), ``detect`` (which mapping a file's
headers fit, for ``source=None``), ``pipeline`` (``import_files``).
"""

__all__ = ["Detection", "FileReport", "Mapping", "TableChange", "builtin_sources", "detect_source", "get_mapping",
           "import_files", "load_mappings"]

_HOME = {"FileReport": "pipeline", "TableChange": "pipeline", "import_files": "pipeline",
         "Detection": "detect", "detect_source": "detect", "Mapping": "mappings", "builtin_sources": "mappings", "get_mapping": "mappings", "load_mappings": "mappings"}


def __getattr__(name: str):
    # lazy: reading a file (readers, values) does not load the warehouse side
    if name in _HOME:
        from importlib import import_module

        return getattr(import_module(f".{_HOME[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
