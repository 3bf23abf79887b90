import json
import logging
from pathlib import Path

from aiohttp import web
from tornado import escape
import tornado.web

STATIC = Path("/srv/static")
log = logging.getLogger(__name__)


async def info(request):
    log.info("request to %s", request.url)
    body = json.dumps({"q": request.query.get("q")})
    return web.Response(text=body, content_type="application/json")


async def home(request):
    raise web.HTTPFound(request.app.router["index"].url_for())


async def index(request):
    return web.FileResponse(STATIC / "index.html")


async def hello(request):
    return web.Response(text="Hello " + request.query.get("name", ""))


class Page(tornado.web.RequestHandler):
    def get(self):
        self.render("page.html", name=self.get_argument("name"))

    def post(self):
        self.write("<p>" + escape.xhtml_escape(self.get_argument("name")) + "</p>")

    def put(self):
        self.redirect(self.reverse_url("home"))

    def delete(self):
        self.write({"deleted": self.get_argument("id")})
