const express = require('express');
const { spawn, execFile } = require('child_process');
const db = require('./db');
const app = express();

app.get('/item/:id', async (req, res) => {
  const id = Number(req.params.id);
  const rows = await db.query(`SELECT * FROM items WHERE id = ${id}`);
  res.json(rows);
});

app.get('/to/:id', (req, res) => {
  res.redirect(`/items/${encodeURIComponent(req.params.id)}`);
});

app.get('/log', (req, res) => {
  const git = spawn('git', ['log', '--oneline', '--', String(req.query.path)]);
  git.stdout.pipe(res);
});

app.get('/clone', (req, res) => {
  execFile('git', ['clone', '--', String(req.query.url), '/tmp/x'], () => res.json({ ok: true }));
});

app.post('/data', (req, res) => {
  const data = JSON.parse(req.body.data);
  res.json({ keys: Object.keys(data) });
});

app.get('/repo', async (req, res) => {
  const r = await fetch('https://api.github.com/repos/' + encodeURIComponent(req.query.owner) + '/' + encodeURIComponent(req.query.repo));
  res.json(await r.json());
});

app.get('/n', (req, res) => {
  const page = parseInt(req.query.page, 10) || 1;
  res.send(`<p>Page ${page}</p>`);
});

app.use(express.static('public'));
module.exports = app;
