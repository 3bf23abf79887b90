import subprocess

from aiohttp import web


async def hello(request):
    name = request.query.get("name", "")
    return web.Response(text="<h1>" + name + "</h1>", content_type="text/html")  # EXPECT xss


async def run(request):
    data = await request.post()
    subprocess.run("ping -c 1 " + data["host"], shell=True)  # EXPECT cmd
    return web.Response(text="ok")


async def go(request):
    raise web.HTTPFound(request.query["next"])  # EXPECT redirect


async def read(request):
    return web.FileResponse("/srv/files/" + request.match_info["name"])  # EXPECT path
