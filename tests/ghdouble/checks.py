"""Check runs, with annotations accumulated across updates as GitHub does."""

from __future__ import annotations

import base64
from typing import Any

from aiohttp import web

from .context import Ctx, Handler, paginate
from .responses import json_response, not_found, now_iso
from .state import next_id

_COPIED = ("name", "details_url", "external_id", "started_at", "completed_at")


def _apply(run: dict[str, Any], body: dict[str, Any]) -> None:
    for key in _COPIED:
        if key in body:
            run[key] = body[key]
    if "status" in body:
        run["status"] = body["status"]
    if "conclusion" in body:
        # GitHub: giving a conclusion completes the run.
        run["conclusion"] = body["conclusion"]
        run["status"] = "completed"
    if run["status"] == "completed" and not run.get("completed_at"):
        run["completed_at"] = now_iso()
    if "output" in body:
        output = body["output"]
        for key in ("title", "summary", "text"):
            if key in output:
                run["output"][key] = output[key]
        run["annotations"].extend(output.get("annotations", []))
        run["output"]["annotations_count"] = len(run["annotations"])
    if "actions" in body:
        run["actions"] = body["actions"]


async def create_check_run(ctx: Ctx) -> web.Response:
    double = ctx.double
    run_id = next_id()
    url = f"{double.base_url}/repos/{ctx.repo.full_name}/check-runs/{run_id}" if ctx.repo else ""
    run: dict[str, Any] = {
        "id": run_id,
        "head_sha": ctx.body["head_sha"],
        "node_id": base64.b64encode(f"08:CheckRun{run_id}".encode()).decode(),
        "external_id": "",
        "url": url,
        "html_url": url.replace(double.base_url, double.web_origin),
        "details_url": None,
        "status": "queued",
        "conclusion": None,
        "started_at": now_iso(),
        "completed_at": None,
        "output": {
            "title": None,
            "summary": None,
            "text": None,
            "annotations_count": 0,
            "annotations_url": url + "/annotations",
        },
        "name": ctx.body["name"],
        "check_suite": {"id": next_id()},
        "app": double.spec.example("check-run")["app"],
        "pull_requests": [],
        "annotations": [],
    }
    run["app"]["id"] = double.app_id
    _apply(run, ctx.body)
    double.check_runs.setdefault(ctx.repo_key, []).append(run)
    return json_response(_public(run), status=201)


def _find(ctx: Ctx) -> dict[str, Any] | None:
    for run in ctx.double.check_runs.get(ctx.repo_key, []):
        if run["id"] == ctx.params["check_run_id"]:
            return run
    return None


async def update_check_run(ctx: Ctx) -> web.Response:
    run = _find(ctx)
    if run is None:
        return not_found()
    _apply(run, ctx.body)
    return json_response(_public(run))


async def get_check_run(ctx: Ctx) -> web.Response:
    run = _find(ctx)
    return json_response(_public(run)) if run else not_found()


async def list_for_ref(ctx: Ctx) -> web.Response:
    ref = ctx.params["ref"]
    runs = [_public(r) for r in ctx.double.check_runs.get(ctx.repo_key, []) if r["head_sha"] == ref]
    if name := ctx.params.get("check_name"):
        runs = [r for r in runs if r["name"] == name]
    if status := ctx.params.get("status"):
        runs = [r for r in runs if r["status"] == status]
    if app_id := ctx.params.get("app_id"):
        runs = [r for r in runs if str(r["app"]["id"]) == str(app_id)]
    response = paginate(ctx, runs)
    page = response.text
    response.text = f'{{"total_count": {len(runs)}, "check_runs": {page}}}'
    return response


def _public(run: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in run.items() if k != "annotations"}


HANDLERS: dict[str, Handler] = {
    "checks/create": create_check_run,
    "checks/update": update_check_run,
    "checks/get": get_check_run,
    "checks/list-for-ref": list_for_ref,
}
