const express = require('express');
const { exec } = require('child_process');
const path = require('path');
const axios = require('axios');
const mysql = require('mysql');
const app = express();
const db = mysql.createConnection({});

app.get('/hello', (req, res) => {
  res.send(`<h1>Hello ${req.query.name}</h1>`); // EXPECT xss
});

app.get('/ping', (req, res) => {
  exec('ping -c 1 ' + req.query.host, (err, out) => res.send(out)); // EXPECT cmd
});

app.get('/user/:id', (req, res) => {
  db.query("SELECT * FROM users WHERE id = " + req.params.id, (e, rows) => res.json(rows)); // EXPECT sqli
});

app.get('/download', (req, res) => {
  res.sendFile(path.join(__dirname, 'uploads', req.query.file)); // EXPECT path
});

app.get('/go', (req, res) => {
  res.redirect(req.query.next); // EXPECT redirect
});

app.post('/calc', (req, res) => {
  res.json({ value: eval(req.body.expr) }); // EXPECT eval
});

app.get('/fetch', async (req, res) => {
  const r = await axios.get(req.query.url); // EXPECT ssrf
  res.send(r.data);
});

app.get('/search', (req, res) => {
  const re = new RegExp(req.query.pattern); // EXPECT redos
  res.json(['a', 'b'].filter((x) => re.test(x)));
});
