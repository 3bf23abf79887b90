from django.http import HttpResponse
from django.template import Template, Context
from flask import Flask, request
import jinja2

app = Flask(__name__)


def render_page(request):
    t = Template(request.GET["tpl"])  # EXPECT ssti
    return HttpResponse(t.render(Context({})))


@app.route("/j")
def j():
    env = jinja2.Environment()
    return env.from_string(request.args["t"]).render()  # EXPECT ssti


@app.route("/fmt")
def fmt():
    return request.args["f"].format(app=app)  # not found: format
