"""pytest glue for the two kinds of tests in this repository (scripts/test.sh runs both).

- Pure business rules (``ar_policy/rules/tests``), run with ``-p no:odoo``: the addon
  directories become bare namespace packages, so collecting a test below ``ar_policy/``
  never runs the addon's ``__init__`` (its models only import inside an Odoo registry).
- Odoo tests (``ar_policy/tests``), run by pytest-odoo with ``--odoo-database``: the
  browser tours (``HttpCase`` tagged ``ar_policy_tour``) are left to Odoo's own test
  runner; their ids go to the file named by ``AR_TOURS_FILE`` so that the runner's
  report can be checked against them.
"""

import os
import sys
import types

import pytest

ROOT = os.path.dirname(os.path.abspath(__file__))
TOUR_TAG = "ar_policy_tour"


def _odoo_mode(config):
    return config.pluginmanager.has_plugin("odoo") and bool(
        config.getoption("--odoo-database") or config.getoption("--odoo-config")
    )


def pytest_configure(config):
    if _odoo_mode(config):
        return
    if config.pluginmanager.has_plugin("odoo"):
        raise pytest.UsageError(
            "pytest-odoo is active without a database: run the pure tests with "
            "`python3 -m pytest -p no:odoo ar_policy/rules/tests`, the Odoo tests "
            "with scripts/test.sh (or --odoo-config/--odoo-database)."
        )
    for entry in sorted(os.listdir(ROOT)):
        path = os.path.join(ROOT, entry)
        if os.path.isfile(os.path.join(path, "__manifest__.py")) and entry not in sys.modules:
            stub = types.ModuleType(entry)
            stub.__path__ = [path]
            sys.modules[entry] = stub


def pytest_collection_modifyitems(config, items):
    if not _odoo_mode(config) or config.getoption("--odoo-http"):
        return
    from odoo.tests import HttpCase

    tours, kept = [], []
    for item in items:
        cls = getattr(item, "cls", None)
        is_tour = (
            cls is not None
            and issubclass(cls, HttpCase)
            and TOUR_TAG in getattr(cls, "test_tags", ())
        )
        (tours if is_tour else kept).append(item)
    if tours:
        config.hook.pytest_deselected(items=tours)
        items[:] = kept
    if os.environ.get("AR_TOURS_FILE"):
        with open(os.environ["AR_TOURS_FILE"], "w", encoding="utf-8") as out:
            out.writelines(f"{item.cls.__qualname__}.{item.name}\n" for item in tours)
