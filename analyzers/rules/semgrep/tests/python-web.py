import os
import pickle
import subprocess
import ssl
import tarfile
import zipfile

import requests
import tornado.web
from aiohttp import web
from django.http import HttpResponse, HttpResponseRedirect
from django.template import Template as DjangoTemplate
from flask import Flask, make_response, redirect, render_template, render_template_string, request, send_file
from lxml import etree
from markupsafe import escape
from werkzeug.utils import secure_filename

app = Flask(__name__)


@app.route("/ping")
def ping():
    host = request.args.get("host")
    # ruleid: py-taint-command-injection
    os.system("ping -c 1 " + host)
    # ruleid: py-taint-command-injection
    subprocess.run(f"nslookup {host}", shell=True)
    # ok: py-taint-command-injection
    subprocess.run(["ping", "-c", "1", host])
    # ok: py-taint-command-injection
    os.system("uptime")
    return "ok"


@app.route("/calc/<expr>")
def calc(expr):
    # ruleid: py-taint-code-injection
    eval(expr)
    return "done"


@app.route("/number")
def number():
    # ok: py-taint-code-injection
    return str(eval(str(int(request.args["n"])) + "+1"))


def search(request, cursor):
    name = request.GET["name"]
    # ruleid: py-taint-sql-injection
    cursor.execute("SELECT * FROM users WHERE name = '%s'" % name)
    query = f"SELECT * FROM users WHERE name = '{name}'"
    # ruleid: py-taint-sql-injection
    cursor.execute(query)
    # ok: py-taint-sql-injection
    cursor.execute("SELECT * FROM users WHERE name = %s", (name,))
    # ruleid: py-taint-xss
    return HttpResponse("<p>Hello " + name + "</p>")


@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    if name == "admin":
        # ok: py-taint-xss
        return render_template("hello.html", name=name)
    if name == "x":
        # ok: py-taint-xss
        return "<p>Hello " + escape(name) + "</p>"
    if name == "y":
        # ruleid: py-taint-xss
        return render_template_string("<p>Hello " + name + "</p>")
    # ruleid: py-taint-xss
    return f"<p>Hello {name}</p>"


@app.route("/download")
def download():
    filename = request.args["file"]
    # ruleid: py-taint-path-traversal
    data = open(os.path.join("/srv/files", filename)).read()
    # ok: py-taint-path-traversal
    safe = open(os.path.join("/srv/files", secure_filename(filename))).read()
    # ruleid: py-taint-path-traversal
    return send_file("/srv/files/" + filename) or len(data + safe)


@app.route("/fetch")
def fetch():
    url = request.args["url"]
    # ruleid: py-taint-ssrf
    body = requests.get(url, timeout=5).text
    # ok: py-taint-ssrf
    other = requests.get("https://api.example.com/items/" + url, timeout=5).text
    return make_response(escape(body + other))


@app.route("/login")
def login():
    target = request.args.get("next")
    if target == "home":
        # ok: py-taint-open-redirect
        return redirect("/home/" + target)
    # ruleid: py-taint-open-redirect
    return redirect(target)


def legacy_login(request):
    # ruleid: py-taint-open-redirect
    return HttpResponseRedirect(request.GET.get("next"))


@app.route("/restore", methods=["POST"])
def restore():
    # ruleid: py-taint-deserialization
    state = pickle.loads(request.data)
    # ok: py-taint-deserialization
    other = pickle.loads(open("/srv/state.pickle", "rb").read())
    return len([state, other])


def parse(xml_text):
    # ruleid: py-xxe-entity-resolution
    parser = etree.XMLParser(resolve_entities=True)
    # ok: py-xxe-entity-resolution
    safe = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(xml_text, parser), safe


def contexts():
    # ruleid: py-ssl-verification-disabled
    ctx = ssl._create_unverified_context()
    other = ssl.create_default_context()
    # ruleid: py-ssl-verification-disabled
    other.check_hostname = False
    # ruleid: py-ssl-verification-disabled
    other.verify_mode = ssl.CERT_NONE
    # ok: py-ssl-verification-disabled
    good = ssl.create_default_context()
    return ctx, other, good


def unzip(path, dest):
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            target = os.path.join(dest, name)
            # ruleid: py-zip-slip
            with open(target, "wb") as out:
                out.write(archive.read(name))
        for info in archive.infolist():
            target = os.path.realpath(os.path.join(dest, info.filename))
            if not target.startswith(os.path.realpath(dest) + os.sep):
                raise ValueError(info.filename)
            # ok: py-zip-slip
            with open(target, "wb") as out:
                out.write(archive.read(info))


def untar(path, dest):
    with tarfile.open(path) as archive:
        # ruleid: py-tarfile-extract-unfiltered
        archive.extractall(dest)
    with tarfile.open(path) as archive:
        # ok: py-tarfile-extract-unfiltered
        archive.extractall(dest, filter="data")


# --- framework sink APIs from each framework's documentation -----------------------------------

ALLOWED_NEXT = {"/home", "/profile"}


@app.route("/away")
def away():
    target = request.args.get("next", "/")
    if target in ALLOWED_NEXT:
        # ok: py-taint-open-redirect
        return redirect(target)
    resp = make_response("moved", 302)
    # ruleid: py-taint-open-redirect
    resp.headers["Location"] = target
    # ruleid: py-taint-xss
    page = Response(f"<p>{target}</p>", mimetype="text/html")
    # ok: py-taint-xss
    text = Response(target, mimetype="text/plain")
    return resp


@api.get("/hello", response_class=HTMLResponse)
async def hello(name: str):
    # ruleid: py-taint-open-redirect
    back = RedirectResponse(url=name)
    # ruleid: py-taint-xss
    return f"<h1>Hello {name}</h1>"


@api.get("/file")
async def file(name: str):
    # ruleid: py-taint-path-traversal
    return FileResponse(path="/srv/files/" + name)


class ArticleView(View):
    def get(self, request, slug):
        # ruleid: py-taint-ssrf
        requests.get("https://" + slug)
        # ok: py-taint-ssrf
        requests.get("https://api.example.com/articles/")
        return HttpResponse("ok")


def django_text(request):
    name = request.GET.get("name", "")
    # ok: py-taint-xss
    text = HttpResponse(name, content_type="text/plain")
    # ruleid: py-taint-xss
    return HttpResponse("<p>" + name + "</p>", content_type="text/html; charset=utf-8")


# A record looked up with request data is stored data, not the request's: rendering it, or
# sending the file it names, is not the request data reaching the sink.
@app.route("/notes")
def notes():
    rows = Note.objects.filter(owner=request.args["owner"])
    # ok: py-taint-xss
    page = HttpResponse("<ul>" + "".join(f"<li>{n.title}</li>" for n in rows) + "</ul>")
    document = get_object_or_404(Document, pk=request.args.get("id"))
    # ok: py-taint-path-traversal
    sent = send_file(document.path)
    user = User.query.filter_by(name=request.args["name"]).first()
    # ok: py-taint-xss
    greeting = HttpResponse(f"<h1>{user.display_name}</h1>")
    # ruleid: py-taint-xss
    echoed = HttpResponse("<p>" + request.args["name"] + "</p>")
    return page, sent, greeting, echoed


# aiohttp handlers.
async def aio_hello(request):
    name = request.query.get("name", "")
    # ruleid: py-taint-xss
    page = web.Response(text="<h1>" + name + "</h1>", content_type="text/html")
    # ok: py-taint-xss
    plain = web.Response(text="Hello " + name)
    # ruleid: py-taint-path-traversal
    doc = web.FileResponse("/srv/files/" + request.match_info["file"])
    form = await request.post()
    # ruleid: py-taint-open-redirect
    raise web.HTTPFound(form["next"])


class TornadoHandler(tornado.web.RequestHandler):
    def get(self, slug):
        # ruleid: py-taint-xss
        self.write("<p>" + self.get_argument("name") + "</p>")
        # ok: py-taint-xss
        self.write({"name": self.get_argument("name")})
        # ok: py-taint-xss
        self.write("<p>" + tornado.escape.xhtml_escape(self.get_argument("name")) + "</p>")
        # ruleid: py-taint-xss
        self.finish("<h1>" + slug + "</h1>")

    def post(self):
        # ruleid: py-taint-open-redirect
        self.redirect(self.get_body_argument("next"))
        # ok: py-taint-open-redirect
        self.redirect("/home")


def django_template(request):
    # ruleid: py-taint-xss
    template = DjangoTemplate(request.GET["tpl"])
    # ok: py-taint-xss
    fixed = DjangoTemplate("<p>{{ name }}</p>")
    return template, fixed
