import json
import os

import bleach
import yaml
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape, format_html
from django.utils.http import url_has_allowed_host_and_scheme

BASE = "/srv/files"


def config(request):
    data = yaml.safe_load(request.body)
    more = json.loads(request.body)
    return HttpResponse(json.dumps({"a": data, "b": more}), content_type="application/json")


def read(request):
    path = os.path.realpath(os.path.join(BASE, request.GET["f"]))
    if not path.startswith(BASE + os.sep):
        return HttpResponse(status=400)
    with open(path) as fh:
        return HttpResponse(fh.read(), content_type="text/plain")


def home(request):
    return redirect("home")


def go(request):
    nxt = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    return redirect(nxt)


def page(request):
    return render(request, "page.html", {"q": request.GET.get("q")})


def hello(request):
    return HttpResponse(format_html("<b>{}</b>", request.GET["name"]))


def hello2(request):
    return HttpResponse("<b>" + escape(request.GET["name"]) + "</b>")


def clean(request):
    return HttpResponse(bleach.clean(request.POST["html"]))


def items(request):
    page_no = int(request.GET.get("page", 1))
    return HttpResponse(f"<p>page {page_no}</p>")
