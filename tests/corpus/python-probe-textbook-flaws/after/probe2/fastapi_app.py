import os
import subprocess
import tarfile

import yaml
from fastapi import FastAPI, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from jinja2 import Template

api = FastAPI()


@api.get("/run")
def run(cmd: str):
    return subprocess.run(cmd, shell=True, capture_output=True).stdout  # EXPECT cmd


@api.post("/config")
async def config(request: Request):
    body = await request.body()
    return yaml.load(body, Loader=yaml.Loader)  # EXPECT deser


@api.get("/calc")
def calc(expr: str):
    return {"v": eval(expr)}  # EXPECT eval


@api.get("/tpl", response_class=HTMLResponse)
def tpl(t: str):
    return Template(t).render()  # EXPECT ssti


@api.get("/popen")
def popen(host: str):
    return os.popen("dig " + host).read()  # EXPECT cmd


@api.get("/next")
def go_next(next_url: str):
    return RedirectResponse(next_url)  # EXPECT redirect


@api.get("/dl")
def download(path: str):
    return FileResponse(path)  # EXPECT path


@api.post("/upload")
async def upload(file: UploadFile):
    with tarfile.open(fileobj=file.file) as tar:
        tar.extractall("/srv/uploads")  # EXPECT zipslip
    return {"ok": True}
