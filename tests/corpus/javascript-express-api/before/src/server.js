'use strict';

const express = require('express');
const cp = require('child_process');
const db = require('./db');

const app = express();
app.use(express.json());

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

module.exports = app;
