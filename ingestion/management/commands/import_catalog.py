"""python manage.py import_catalog FILE: load the catalog (CSV or JSON Lines), streaming."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ingestion import services


class Command(BaseCommand):
    help = "Load videos from a CSV (or .jsonl) file; bad rows are reported by line, good ones load."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=["csv", "jsonl"], default=None)
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, file: Path, format: str | None, batch_size: int, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file")
        fmt = format or ("jsonl" if file.suffix.lower() in (".jsonl", ".ndjson") else "csv")
        with file.open("rb") as counting:
            total = max(sum(1 for _ in counting) - (1 if fmt == "csv" else 0), 0)
        with (
            file.open(encoding="utf-8-sig", newline="") as stream,
            tqdm(total=total, unit="rows", disable=options["verbosity"] == 0) as bar,
        ):
            try:
                report = services.catalog_import(
                    file=stream, fmt=fmt, batch_size=batch_size, progress=bar.update
                )
            except services.CatalogFileError as exc:
                raise CommandError(str(exc)) from exc
        for error in report.errors:
            self.stderr.write(f"line {error.line}: {error.uid or '(no uid)'}: {error.message}")
        if report.error_count > len(report.errors):
            self.stderr.write(f"... and {report.error_count - len(report.errors)} more bad rows")
        self.stdout.write(
            f"{report.rows} rows: {report.created} created, {report.updated} updated, "
            f"{report.error_count} refused"
        )
