"""FastAPI dependencies, as `Annotated` aliases: what an endpoint needs, by name."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from medcite.engine import Engine
from medcite.settings import Settings
from medcite.web.service import AskService


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_service(request: Request) -> AskService:
    service: AskService = request.app.state.service
    return service


def get_engine(service: Annotated[AskService, Depends(get_service)]) -> Engine:
    return service.engine


def get_templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServiceDep = Annotated[AskService, Depends(get_service)]
EngineDep = Annotated[Engine, Depends(get_engine)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
