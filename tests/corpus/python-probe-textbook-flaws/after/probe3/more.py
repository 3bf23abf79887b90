import hashlib
import random
import subprocess

import jwt
from django.http import HttpResponse
from django.utils.safestring import mark_safe
from flask import Flask, make_response, request
from lxml import etree
from markupsafe import Markup

app = Flask(__name__)


@app.route("/a")
def a():
    return make_response("<p>%s</p>" % request.args["n"])  # EXPECT xss


@app.route("/b")
def b():
    return Markup("<b>" + request.args["n"] + "</b>")  # EXPECT xss


def c(request):
    return HttpResponse(mark_safe(request.GET["x"]))  # EXPECT xss


@app.route("/d")
def d():
    subprocess.Popen(["sh", "-c", request.args["cmd"]])  # EXPECT cmd
    return "ok"


@app.route("/e", methods=["POST"])
def e():
    parser = etree.XMLParser(resolve_entities=True) # EXPECT xxe
    return etree.tostring(etree.fromstring(request.data, parser=parser))  # at the line above: xxe


def verify(token):
    return jwt.decode(token, options={"verify_signature": False})  # EXPECT jwt


def store(password):
    return hashlib.md5(password.encode()).hexdigest()  # EXPECT weakhash


def reset_token():
    return str(random.random())  # EXPECT random


if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)  # EXPECT debug
