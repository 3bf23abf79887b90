const express = require('express');
const cp = require('child_process');
const fs = require('fs');
const vm = require('vm');
const serialize = require('node-serialize');
const { Sequelize } = require('sequelize');
const app = express();
const sequelize = new Sequelize('sqlite::memory:');

app.get('/log', (req, res) => {
  res.send(cp.execSync(`git log ${req.query.branch}`).toString()); // EXPECT cmd
});

app.get('/stream', (req, res) => {
  fs.createReadStream(req.query.p).pipe(res); // EXPECT path
});

app.get('/loc', (req, res) => {
  res.setHeader('Location', req.query.u); // EXPECT redirect
  res.status(302).end();
});

app.post('/sandbox', (req, res) => {
  res.json(vm.runInNewContext(req.body.code)); // EXPECT code
});

app.post('/fn', (req, res) => {
  const f = new Function('x', req.body.f); // EXPECT code
  res.json(f(1));
});

app.get('/prefs', (req, res) => {
  const prefs = serialize.unserialize(req.cookies.prefs); // EXPECT deser
  res.json(prefs);
});

app.get('/items', async (req, res) => {
  const rows = await sequelize.query("SELECT * FROM items WHERE name = '" + req.query.name + "'"); // EXPECT sqli
  res.json(rows);
});
