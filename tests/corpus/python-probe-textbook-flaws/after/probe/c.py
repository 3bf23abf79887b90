import os
import pickle
import base64
import sqlite3
import requests
from flask import Flask, request, render_template_string

app = Flask(__name__)


@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    return render_template_string("<p>Hello " + name + "</p>")  # EXPECT ssti


@app.route("/session")
def session_view():
    data = pickle.loads(base64.b64decode(request.cookies.get("session")))  # EXPECT deser
    return str(data)


@app.route("/proxy")
def proxy():
    return requests.get(request.args["url"], timeout=5).text  # EXPECT ssrf


@app.route("/convert", methods=["POST"])
def convert():
    os.system("convert " + request.form["filename"] + " out.png")  # EXPECT cmd
    return "ok"


@app.route("/delete", methods=["POST"])
def delete():
    item_id = request.json["id"]
    conn = sqlite3.connect("app.db")
    conn.execute(f"DELETE FROM items WHERE id = {item_id}")  # EXPECT sqli
    return "deleted"


@app.route("/file")
def read_file():
    filename = request.args.get("f")
    with open(os.path.join("/var/data", filename)) as fh:  # EXPECT path
        return fh.read()
