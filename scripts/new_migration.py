"""Generate a capability's next Alembic revision from its models, looking only at its tables.

    .venv/bin/python scripts/new_migration.py records "records: persons, documents, vehicles"

The first revision of a capability starts its own branch (depends on the foundation); later
ones follow that branch's head.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from interlink.core.db import Base
from interlink.core.migrate import MIGRATIONS_DIR, alembic_config
from interlink.models import load_all_models


def capability_tables(capability: str) -> set[str]:
    module = f"interlink.{capability}.models"
    importlib.import_module(module)
    return {m.local_table.name for m in Base.registry.mappers if m.class_.__module__ == module}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("capability")
    parser.add_argument("message")
    parser.add_argument(
        "--depends-on",
        action="append",
        default=[],
        help="another capability's revision this one needs (tables it refers to)",
    )
    args = parser.parse_args()
    load_all_models()
    tables = capability_tables(args.capability)
    if not tables:
        print(f"error: no tables in interlink.{args.capability}.models", file=sys.stderr)
        return 2
    folder = MIGRATIONS_DIR / "versions" / args.capability
    folder.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = alembic_config(f"sqlite:///{Path(tmp) / 'scratch.db'}")
        command.upgrade(cfg, "heads")
        script = ScriptDirectory.from_config(cfg)
        existing = [
            r
            for r in script.walk_revisions()
            if args.capability in (r.branch_labels or ()) or Path(r.path).parent == folder
        ]
        number = len(existing) + 1
        rev_id = f"{args.capability}_{number:04d}"
        cfg.attributes["only_tables"] = tables
        options = (
            {"head": f"{args.capability}@head"}
            if existing
            else {
                "head": "base",
                "branch_label": args.capability,
                "depends_on": ["foundation_0001", *args.depends_on],
            }
        )
        command.revision(
            cfg,
            message=args.message,
            autogenerate=True,
            rev_id=rev_id,
            version_path=str(folder),
            **options,
        )
    generated = next(folder.glob(f"{rev_id}_*.py"))
    generated.rename(folder / f"{rev_id}.py")
    print(f"wrote {folder / f'{rev_id}.py'} for tables: {', '.join(sorted(tables))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
