"""Materialisation metadata: column schemas, lineage and markdown previews."""

from __future__ import annotations

import dagster as dg
import pandas as pd

_TYPE_NAMES = {"b": "boolean", "i": "integer", "u": "integer", "f": "double", "M": "timestamp"}


def column_schema(frame: pd.DataFrame) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=str(col), type=_TYPE_NAMES.get(frame[col].dtype.kind, "string"))
            for col in frame.columns
        ]
    )


def column_lineage() -> dg.TableColumnLineage:
    """Where the consensus columns come from: the normalised assessments."""
    source = dg.AssetKey("normalised_assessments")
    from_risk = [dg.TableColumnDep(asset_key=source, column_name="risk_score")]
    return dg.TableColumnLineage(
        deps_by_column={
            **{
                col: from_risk
                for col in (
                    "risk_median",
                    "risk_mean",
                    "risk_min",
                    "risk_max",
                    "ci_low",
                    "ci_high",
                    "risk_calibrated",
                )
            },
            "n_sources": [dg.TableColumnDep(asset_key=source, column_name="source")],
            "occupation": [dg.TableColumnDep(asset_key=source, column_name="occupation")],
        }
    )


PREVIEW_COLUMNS = (
    "occupation",
    "n_sources",
    "risk_median",
    "risk_mean",
    "ci_low",
    "ci_high",
    "agreement",
    "status",
)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return "" if pd.isna(value) else f"{value:.1f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(frame: pd.DataFrame, rows: int = 20, columns: list[str] | None = None) -> str:
    """The first ``rows`` rows of ``frame`` as a markdown table."""
    if frame.empty:
        return "_no rows_"
    wanted = [c for c in (columns or list(frame.columns)) if c in frame.columns]
    lines = ["| " + " | ".join(wanted) + " |", "|" + "---|" * len(wanted)]
    for record in frame[wanted].head(rows).itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v) for v in record) + " |")
    if len(frame) > rows:
        lines.append(f"\n_{len(frame) - rows} more rows_")
    return "\n".join(lines)


def markdown_preview(profiles: pd.DataFrame) -> str:
    """The consensus profiles' headline columns as markdown."""
    return markdown_table(profiles, columns=list(PREVIEW_COLUMNS))
