const express = require('express');
const { execFile } = require('child_process');
const path = require('path');
const escapeHtml = require('escape-html');
const app = express();
const db = require('./db');

app.get('/api/echo', (req, res) => {
  res.json({ query: req.query });
});

app.get('/page', (req, res) => {
  res.render('page', { name: req.query.name, title: 'Page' });
});

app.get('/list', (req, res) => {
  execFile('ls', ['-l', '--', String(req.query.dir)], (err, out) => res.json({ out }));
});

app.get('/file', (req, res) => {
  res.sendFile(path.basename(String(req.query.f)), { root: path.join(__dirname, 'public') });
});

app.get('/user/:id', async (req, res) => {
  const rows = await db.query('SELECT name FROM users WHERE id = $1', [req.params.id]);
  res.json(rows);
});

app.get('/to/:id', (req, res) => {
  res.redirect('/users/' + encodeURIComponent(req.params.id));
});

app.get('/hi', (req, res) => {
  res.send('<p>Hi ' + escapeHtml(req.query.name) + '</p>');
});

app.get('/count', (req, res) => {
  const n = parseInt(req.query.n, 10);
  res.send(`<b>${n}</b>`);
});

app.get('/text', (req, res) => {
  res.type('text/plain').send(String(req.query.msg));
});

app.get('/status', (req, res) => {
  res.status(200).json({ ok: true, q: req.query.q });
});

module.exports = app;
