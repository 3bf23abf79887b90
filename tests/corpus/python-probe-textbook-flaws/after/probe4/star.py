import os

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.requests import Request
from starlette.responses import HTMLResponse as SHTML

app = FastAPI()


@app.get("/hi", response_class=HTMLResponse)
def hi(name: str):
    return f"<h1>Hello {name}</h1>"  # EXPECT xss


@app.get("/hi2")
def hi2(name: str):
    return HTMLResponse(f"<p>{name}</p>")  # EXPECT xss


async def star(request: Request):
    return SHTML("<p>" + request.query_params["q"] + "</p>")  # not found: xss


@app.get("/sys")
def sysrun(cmd: str):
    os.system(cmd)  # EXPECT cmd
    return {}
