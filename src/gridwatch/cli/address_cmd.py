"""``gridwatch address``: parse, train, evaluate, match to the standard registry, link entities."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gridwatch.cli.app import workspace


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Chinese addresses (地址): parse, normalise, match to standard door plates (标准地址), link entities.",
        no_args_is_help=True,
    )

    @group.command("parse")
    def parse(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="Text file, one raw address per line (UTF-8).")],
        out: Annotated[Path, typer.Option("--out", help="Output JSON lines, one object per input line.")],
    ) -> None:
        """Split each address into labelled components (21 labels) with admin codes where resolvable."""
        from gridwatch.address.service import parse_file

        if not file.exists():
            typer.echo(f"error: {file}: no such file", err=True)
            raise typer.Exit(2)
        counts = parse_file(workspace(ctx), file, out)
        typer.echo(
            f"{sum(counts.values())} addresses → {out}  " + "  ".join(f"{k}={v}" for k, v in counts.items())
        )

    @group.command("train")
    def train(
        ctx: typer.Context,
        files: Annotated[
            list[Path], typer.Argument(help="Labelled files: 'char TAG' per line, blank line between.")
        ],
        out: Annotated[
            Path | None,
            typer.Option(
                "--out",
                help="Model file to write (default: <home>/models/address.crfsuite or address.bilstm.npz).",
            ),
        ] = None,
        dev: Annotated[
            Path | None, typer.Option("--dev", help="Labelled file to report chunk F1 on.")
        ] = None,
        model: Annotated[
            str, typer.Option("--model", help="Model kind: crf, or neural (training needs PyTorch).")
        ] = "crf",
        iterations: Annotated[
            int | None, typer.Option(help="L-BFGS iterations (crf) or epochs (neural); default per kind.")
        ] = None,
    ) -> None:
        """Retrain the address labeller on your own labelled addresses; set address.model_path to use it."""
        from gridwatch.address.corpus import CorpusError, read_corpus
        from gridwatch.address.evaluate import format_report, score
        from gridwatch.address.neural_train import TrainingDependencyMissing
        from gridwatch.address.tagger import MODEL_KINDS, model_kind

        kind = MODEL_KINDS.get(model)
        if kind is None:
            typer.echo(f"error: --model must be one of {', '.join(MODEL_KINDS)}", err=True)
            raise typer.Exit(2)
        ws = workspace(ctx)
        target = out or ws.home / "models" / kind.default_file
        try:
            if model_kind(target) is not kind:
                raise ValueError(f"{target}: a {kind.name} model file must end with {kind.suffix}")
            sents = [s for f in files for s in read_corpus(f)]
            kind.train(sents, target, iterations)
        except (CorpusError, ValueError, TrainingDependencyMissing) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(f"trained a {kind.name} model on {len(sents)} addresses → {target}")
        if dev is not None:
            tagger = kind.load(target)
            typer.echo(format_report(score((s.tags, tagger.tag(s.tokens)) for s in read_corpus(dev))))

    @group.command("evaluate")
    def evaluate(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="Labelled file (gold).")],
        model: Annotated[
            Path | None, typer.Option(help="Model file (default: configured or shipped).")
        ] = None,
    ) -> None:
        """Chunk-level precision, recall and F1 (conlleval exact chunks), overall and per label."""
        from gridwatch.address.corpus import read_corpus
        from gridwatch.address.evaluate import format_report, score
        from gridwatch.address.tagger import load_tagger

        ws = workspace(ctx)
        path = model or (Path(ws.settings.address.model_path) if ws.settings.address.model_path else None)
        tagger = load_tagger(path)
        typer.echo(format_report(score((s.tags, tagger.tag(s.tokens)) for s in read_corpus(file))))

    @group.command("match")
    def match(
        ctx: typer.Context,
        engine: Annotated[str | None, typer.Option(help="duckdb or spark (default: engine.name).")] = None,
        no_parser: Annotated[
            bool, typer.Option("--no-parser", help="Skip the parser fallback (faster).")
        ] = False,
    ) -> None:
        """Match every customer address to the standard registry → results/address/matches.parquet."""
        from gridwatch.address.service import match_workspace

        try:
            path, counts = match_workspace(workspace(ctx), engine, use_parser=not no_parser)
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(
            f"{sum(counts.values())} customers → {path}  " + "  ".join(f"{k}={v}" for k, v in counts.items())
        )

    @group.command("link")
    def link(ctx: typer.Context) -> None:
        """Link customers to permits and the business registry by name and address → links.parquet."""
        from gridwatch.address.links import link_workspace

        try:
            path, n = link_workspace(workspace(ctx))
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(f"{n} links → {path}")

    app.add_typer(group, name="address")
