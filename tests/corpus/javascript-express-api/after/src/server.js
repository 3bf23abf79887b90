'use strict';

const express = require('express');
const cp = require('child_process');
const https = require('https');
const crypto = require('crypto');
const db = require('./lib/db');
const reports = require('./routes/reports');

const app = express();
app.use(express.json());
app.use('/reports', reports);

app.get('/health', (req, res) => {
  res.json({ status: 'ok' });
});

// Pre-existing: the disk-usage probe builds a shell command from the query string.
app.get('/du', (req, res) => {
  cp.exec('du -sh ' + req.query.path, (err, out) => res.send(out));
});

app.get('/users/:id', async (req, res) => {
  const user = await db.query('SELECT id, name FROM users WHERE id = ?', [req.params.id]);
  res.json(user);
});

app.get('/users', async (req, res) => {
  const order = req.query.sort || 'name';
  const users = await db.query("SELECT id, name FROM users ORDER BY " + order); // EXPECT: SQL built from the query string
  res.json(users);
});

app.post('/export', (req, res) => {
  const archive = `/tmp/export-${Date.now()}.tgz`;
  cp.exec(
    `tar czf ${archive} ${req.body.directory}`, // EXPECT: command injection through the directory name
    (err) => (err ? res.status(500).end() : res.download(archive)),
  );
});

app.post('/login', async (req, res) => {
  const digest = crypto
    .createHash('md5') // EXPECT: MD5 for password hashes
    .update(req.body.password)
    .digest('hex');
  const rows = await db.query('SELECT id FROM users WHERE name = ? AND password_hash = ?', [req.body.name, digest]);
  if (rows.length === 0) {
    return res.status(401).end();
  }
  const sessionToken = Math.random().toString(36).slice(2); // EXPECT: predictable session token
  res.cookie('session', sessionToken, { httpOnly: true });
  return res.json({ ok: true });
});

app.get('/avatar', (req, res) => {
  const upstream = https.request({
    host: 'avatars.internal',
    path: `/u/${encodeURIComponent(req.query.user)}`,
    rejectUnauthorized: false, // EXPECT: TLS verification off
  }, (answer) => answer.pipe(res));
  upstream.end();
});

module.exports = app;
