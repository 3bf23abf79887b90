import os
import sqlite3
import subprocess
from urllib.parse import quote

import requests
from flask import Flask, abort, jsonify, redirect, render_template, request, send_from_directory, url_for
from markupsafe import escape
from werkzeug.utils import secure_filename

app = Flask(__name__)
UPLOADS = "/srv/uploads"
ALLOWED_HOSTS = {"api.example.com"}


@app.route("/list")
def list_dir():
    path = request.args.get("dir", ".")
    out = subprocess.run(["ls", "-l", "--", path], capture_output=True, check=False)
    return jsonify(out=out.stdout.decode())


@app.route("/user")
def user():
    conn = sqlite3.connect("app.db")
    row = conn.execute("SELECT name FROM users WHERE id = ?", (request.args["id"],)).fetchone()
    return render_template("user.html", name=row[0] if row else None)


@app.route("/hello")
def hello():
    return "<h1>Hello " + str(escape(request.args.get("name", ""))) + "</h1>"


@app.route("/home")
def home():
    return redirect(url_for("hello"))


@app.route("/files/<path:name>")
def files(name):
    return send_from_directory(UPLOADS, name)


@app.route("/upload", methods=["POST"])
def upload():
    f = request.files["file"]
    target = os.path.join(UPLOADS, secure_filename(f.filename))
    f.save(target)
    return jsonify(saved=os.path.basename(target))


@app.route("/profile")
def profile():
    uid = request.args["uid"]
    r = requests.get("https://api.example.com/users/" + quote(uid, safe=""), timeout=5)
    return jsonify(r.json())


@app.route("/greet")
def greet():
    return render_template("greet.html", name=request.args.get("name"))


@app.route("/api/echo", methods=["POST"])
def echo():
    data = request.get_json(force=True)
    return jsonify(received=data)


@app.route("/go")
def go():
    target = request.args.get("next", "/")
    if not target.startswith("/") or target.startswith("//"):
        abort(400)
    return redirect(target)
