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
  // ruleid: js-taint-nosql-injection, js-nosql-where-code-built
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

app.get("/thumb", (req, res) => {
  const name = req.query.name;
  // ruleid: js-taint-command-injection
  cp.spawn("sh", ["-c", `convert ${name} thumb.png`]);
  // ok: js-taint-command-injection
  cp.spawn("convert", [name, "thumb.png"]);
});

app.get("/page", (req, res) => {
  // ruleid: js-taint-xss
  res.type("html").send("<h1>" + req.query.title + "</h1>");
  // ok: js-taint-xss
  res.type("html").send("<h1>" + escapeHtml(req.query.title) + "</h1>");
  // ruleid: js-taint-path-traversal
  res.render(req.query.view);
  // ok: js-taint-path-traversal
  res.render("page", { title: req.query.title });
  // ruleid: js-taint-path-traversal
  const raw = require("fs").readFileSync("/srv/pages/" + req.query.file);
});

app.get("/preview", (req, res) => {
  // ruleid: js-taint-ssrf
  http.get({ hostname: req.query.host, path: "/status" }, (r) => r.pipe(res));
  // ok: js-taint-ssrf
  http.get({ hostname: "status.example.com", path: "/" + encodeURIComponent(req.query.p) }, (r) => r.pipe(res));
  const target = req.query.url;
  if (ALLOWED_HOSTS.includes(new URL(target).hostname)) {
    // ok: js-taint-ssrf
    axios.get(target);
  }
});

app.get("/report", async (req, res) => {
  // ruleid: js-taint-sql-injection
  const rows = await repo.createQueryBuilder("r").where(`r.owner = '${req.query.owner}'`).getMany();
  // ok: js-taint-sql-injection
  const same = await repo.createQueryBuilder("r").where("r.owner = :owner", { owner: req.query.owner }).getMany();
  // ruleid: js-taint-sql-injection
  const order = sequelize.literal(req.query.sort);
  // ok: js-taint-sql-injection
  const fixed = sequelize.literal("created_at DESC");
  res.json({ rows, same, order, fixed });
});

app.post("/prefs", (req, res) => {
  // ruleid: js-taint-prototype-pollution
  set(settings, req.body.path, req.body.value);
  // ok: js-taint-prototype-pollution
  set(settings, "theme", req.body.value);
  // ruleid: js-taint-nosql-injection
  Users.find().$where(req.body.filter);
  // ok: js-taint-nosql-injection
  Users.find().$where("this.active === true");
  res.json(settings);
});

app.post("/template", (req, res) => {
  const { VM } = require("vm2");
  // ruleid: js-taint-code-injection
  const out = new VM({ timeout: 100 }).run(req.body.code);
  // ok: js-taint-code-injection
  const fixed = new VM({ timeout: 100 }).run("1 + 1");
  res.json({ out, fixed });
});

function allocationsFor(collection, userId, threshold) {
  const parsedUserId = parseInt(userId);
  // ruleid: js-nosql-where-code-built
  collection.find({ $where: `this.userId == ${parsedUserId} && this.stocks > '${threshold}'` });
  // ok: js-nosql-where-code-built
  collection.find({ $where: `this.userId == ${parsedUserId}` });
  // ruleid: js-nosql-where-code-built
  collection.find({ $where: "this.owner == '" + userId + "'" });
  // ok: js-nosql-where-code-built
  collection.find({ userId: parsedUserId, stocks: { $gt: Number(threshold) } });
}

function renderGreeting(res, name) {
  // ruleid: js-taint-xss
  res.send("<h1>Hello " + name + "</h1>");
}

function renderFooter(res, text) {
  // ok: js-taint-xss
  res.send("<footer>" + text + "</footer>");
}

function runQuery(sql, values) {
  // ok: js-taint-sql-injection
  return db.query(sql, values);
}

const renderBanner = (res, title) => {
  // ruleid: js-taint-xss
  res.send("<h2>" + title + "</h2>");
};

const renderNote = async (res, note) => {
  // ok: js-taint-xss
  res.send("<p>" + note + "</p>");
};

const runTool = (log, opts, target) =>
  // ruleid: js-taint-command-injection
  cp.exec(`ping -c 1 ${target}`, log);

class Pages {
  profile(res, who) {
    // ruleid: js-taint-xss
    res.send("<h3>" + who + "</h3>");
  }

  legal(res, text) {
    // ok: js-taint-xss
    res.send("<small>" + text + "</small>");
  }

  async goTo(res, dest) {
    // ruleid: js-taint-open-redirect
    res.redirect(dest);
  }

  register(router) {
    router.get("/go", (req, res) => this.goTo(res, req.query.next));
  }
}

const pages = new Pages();

app.get("/banner", (req, res) => {
  renderBanner(res, req.query.title);
  renderNote(res, "static");
  runTool(console.log, {}, req.body.host);
  pages.profile(res, req.params.who);
  pages.legal(res, "(c)");
});

app.get("/greet", (req, res) => {
  renderGreeting(res, req.query.name);
  renderFooter(res, "(c) Example");
  runQuery("SELECT * FROM users WHERE id = ?", [req.query.id]);
});

// A file named by the request: reading it is path traversal, its contents are not request data.
app.get("/doc", (req, res) => {
  const name = req.query.doc;
  // ruleid: js-taint-path-traversal
  const body = fs.readFileSync("/srv/docs/" + name, "utf8");
  // ok: js-taint-xss
  res.send(body);
  // ruleid: js-taint-xss
  res.send("<h1>" + name + "</h1>");
});

// --- framework sink APIs from each framework's documentation --------------------------------

const { Hono } = require("hono");
const { html } = require("hono/html");
const { getCookie } = require("hono/cookie");
const send = require("koa-send");
const hono = new Hono();

hono.get("/hi", (c) => {
  const name = c.req.query("name");
  // ok: js-taint-xss
  c.html(html`<p>${name}</p>`);
  // ruleid: js-taint-open-redirect
  c.header("Location", getCookie(c, "back"));
  // ruleid: js-taint-xss
  return c.html(`<p>${name}</p>`);
});

hono.post("/go", async (c) => {
  const { next } = c.req.valid("form");
  if (!ALLOWED_TARGETS.includes(next)) {
    return c.redirect("/");
  }
  // ok: js-taint-open-redirect
  return c.redirect(next);
});

hono.post("/away", async (c) => {
  const { next } = c.req.valid("form");
  // ruleid: js-taint-open-redirect
  return c.redirect(next);
});

koa.use(async (ctx) => {
  // ruleid: js-taint-path-traversal
  await send(ctx, ctx.query.file);
  // ok: js-taint-path-traversal
  await send(ctx, ctx.path, { root: __dirname + "/public" });
});

require("http").createServer((req, res) => {
  let body = "";
  req.on("data", (chunk) => {
    body += chunk;
  });
  // ruleid: js-taint-open-redirect
  res.setHeader("location", req.url.slice(1));
  // ruleid: js-taint-ssrf
  req.on("data", (chunk) => fetch(chunk.toString()));
});

app.get("/filter", (req, res) => {
  const names = ["ada", "grace", "linus"];
  // ruleid: js-taint-regex-injection
  const re = new RegExp(req.query.pattern);
  // ruleid: js-taint-regex-injection
  const prefix = RegExp("^" + req.query.prefix, "i");
  // ok: js-taint-regex-injection
  const escaped = new RegExp(_.escapeRegExp(req.query.word));
  // ok: js-taint-regex-injection
  const quoted = new RegExp(req.query.term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  // ok: js-taint-regex-injection
  const fixed = new RegExp("^[a-z]+$");
  res.json(names.filter((n) => re.test(n) || prefix.test(n) || escaped.test(n) || quoted.test(n) || fixed.test(n)));
});

// A record looked up with request data is stored data, not the request's.
app.get("/profile", async (req, res) => {
  const user = await User.findOne({ name: String(req.query.name) });
  // ok: js-taint-xss
  res.send(`<h1>${user.bio}</h1>`);
  const post = await prisma.post.findUnique({ where: { id: req.params.id } });
  // ok: js-taint-xss
  res.write("<article>" + post.body + "</article>");
  const rows = await knex("items").where({ owner: req.query.owner });
  // ok: js-taint-xss
  res.end(rows.map((r) => r.name).join("<br>"));
  // ruleid: js-taint-xss
  res.send(`<p>${req.query.name}</p>`);
});

app.get("/plain", (req, res) => {
  // ok: js-taint-xss
  res.type("text/plain").send(String(req.query.msg));
  // ok: js-taint-xss
  res.status(400).type("json").send(req.query.msg);
  // ruleid: js-taint-xss
  res.type("html").send(req.query.msg);
});

app.get("/plain-header", (req, res) => {
  res.setHeader("Content-Type", "text/plain; charset=utf-8");
  // ok: js-taint-xss
  res.end(req.query.msg);
});

hapiServer.route({
  method: "GET",
  path: "/hello",
  // ruleid: js-taint-xss
  handler: (request, h) => h.response("<h1>" + request.query.name + "</h1>"),
});

hapiServer.route({
  method: "GET",
  path: "/hello.json",
  // ok: js-taint-xss
  handler: (request, h) => h.response({ name: request.query.name }),
});

hapiServer.route({
  method: "GET",
  path: "/hello.txt",
  // ok: js-taint-xss
  handler: (request, h) => h.response("Hello " + request.query.name).type("text/plain"),
});
