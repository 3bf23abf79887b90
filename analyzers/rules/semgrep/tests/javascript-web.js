const express = require("express");
const cp = require("child_process");
const { execSync } = require("child_process");
const fs = require("fs");
const path = require("path");
const axios = require("axios");
const _ = require("lodash");
const serialize = require("node-serialize");
const libxml = require("libxmljs");
const escapeHtml = require("escape-html");

const app = express();

app.get("/ping", (req, res) => {
  const host = req.query.host;
  // ruleid: js-taint-command-injection
  cp.exec("ping -c 1 " + host, (err, out) => res.json({ out }));
  // ruleid: js-taint-command-injection
  execSync(`nslookup ${host}`);
  // ok: js-taint-command-injection
  cp.execFile("ping", ["-c", "1", host]);
  // ok: js-taint-command-injection
  cp.exec("uptime");
});

app.get("/calc", (req, res) => {
  // ruleid: js-taint-code-injection
  const value = eval(req.query.expr);
  // ok: js-taint-code-injection
  const n = eval(String(parseInt(req.query.n, 10)) + "+1");
  res.json({ value, n });
});

app.get("/users", async (req, res) => {
  const name = req.query.name;
  // ruleid: js-taint-sql-injection
  const rows = await db.query("SELECT * FROM users WHERE name = '" + name + "'");
  // ruleid: js-taint-sql-injection
  const more = await db.query(`SELECT * FROM users WHERE name = '${name}'`);
  // ok: js-taint-sql-injection
  const safe = await db.query("SELECT * FROM users WHERE name = ?", [name]);
  // ok: js-taint-sql-injection
  const cached = cache.get(name);
  res.json({ rows, more, safe, cached });
});

app.get("/mongo", async (req, res) => {
  // ruleid: js-taint-nosql-injection
  const docs = await db.collection("orders").find({ $where: "this.user == '" + req.query.user + "'" });
  // ruleid: js-taint-nosql-injection
  const user = await users.findOne(req.body);
  // ok: js-taint-nosql-injection
  const mine = await users.findOne({ name: String(req.body.name) });
  res.json({ docs, user, mine });
});

app.get("/hello", (req, res) => {
  const name = req.query.name;
  if (name === "json") {
    // ok: js-taint-xss
    return res.send({ hello: name });
  }
  if (name === "escaped") {
    // ok: js-taint-xss
    return res.send("<p>Hello " + escapeHtml(name) + "</p>");
  }
  // ruleid: js-taint-xss
  res.send("<p>Hello " + name + "</p>");
});

app.get("/file", (req, res) => {
  const file = req.query.file;
  // ruleid: js-taint-path-traversal
  const text = fs.readFileSync(path.join(__dirname, "files", file), "utf8");
  // ok: js-taint-path-traversal
  const safe = fs.readFileSync(path.join(__dirname, "files", path.basename(file)), "utf8");
  // ok: js-taint-path-traversal
  res.sendFile(file, { root: path.join(__dirname, "public") });
  // ruleid: js-taint-path-traversal
  res.download(__dirname + "/uploads/" + req.params.name);
  return text + safe;
});

app.get("/proxy", async (req, res) => {
  // ruleid: js-taint-ssrf
  const page = await axios.get(req.query.url);
  // ok: js-taint-ssrf
  const item = await axios.get("https://api.example.com/items/" + req.query.id);
  res.json({ page: page.status, item: item.status });
});

app.get("/login", (req, res) => {
  const target = req.query.next;
  if (target === "home") {
    // ok: js-taint-open-redirect
    return res.redirect("/home/" + target);
  }
  // ruleid: js-taint-open-redirect
  res.redirect(target);
});

app.post("/session", (req, res) => {
  // ruleid: js-taint-deserialization
  const session = serialize.unserialize(Buffer.from(req.cookies.profile, "base64").toString());
  // ok: js-taint-deserialization
  const plain = JSON.parse(req.body.data);
  res.json({ session, plain });
});

function parseUpload(data) {
  // ruleid: js-xxe-noent
  const doc = libxml.parseXml(data, { noblanks: true, noent: true });
  // ok: js-xxe-noent
  const safe = libxml.parseXml(data, { noblanks: true });
  return [doc, safe];
}

app.post("/settings", (req, res) => {
  const settings = {};
  // ruleid: js-taint-prototype-pollution
  _.merge(settings, req.body);
  // ruleid: js-taint-prototype-pollution
  settings[req.body.section][req.body.key] = req.body.value;
  const key = req.query.key;
  if (key === "__proto__" || key === "constructor" || key === "prototype") {
    return res.sendStatus(400);
  }
  // ok: js-taint-prototype-pollution
  settings[key] = req.query.value;
  // ok: js-taint-prototype-pollution
  _.merge(settings, { theme: "dark" });
  res.json(settings);
});

function insecureClient() {
  // ruleid: js-tls-verification-disabled
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
  // ok: js-tls-verification-disabled
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "1";
  // ruleid: js-tls-verification-disabled
  return request({ url: "https://example.com", strictSSL: false });
}

app.post("/erase", (req, res) => {
  // ruleid: js-render-locals-from-request
  res.render("erased", { ...req.body });
  // ok: js-render-locals-from-request
  res.render("erased", { email: req.body.email });
});

app.post("/reviews", (req, res) => {
  // ruleid: js-nosql-operator-injection
  reviews.update({ _id: req.body.id }, { $set: { message: "x" } });
  // ok: js-nosql-operator-injection
  reviews.update({ _id: String(id) }, { $set: { message: "x" } });
});

function unpack(zipStream) {
  zipStream.on("entry", function (entry) {
    // ruleid: js-taint-zip-slip
    entry.pipe(fs.createWriteStream("uploads/" + entry.path));
    // ok: js-taint-zip-slip
    entry.pipe(fs.createWriteStream("uploads/" + path.basename(entry.path)));
  });
}
