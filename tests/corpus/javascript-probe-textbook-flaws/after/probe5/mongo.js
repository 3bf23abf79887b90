const express = require('express');
const app = express();

app.post('/login', async (req, res) => {
  const user = await db.collection('users').findOne({ username: req.body.username, password: req.body.password }); // EXPECT nosql
  res.json({ ok: !!user });
});

app.get('/search', async (req, res) => {
  const rows = await db.collection('posts').find({ $where: `this.title == '${req.query.t}'` }).toArray(); // EXPECT nosql
  res.json(rows);
});

app.post('/merge', (req, res) => {
  const settings = {};
  Object.assign(settings, JSON.parse(req.body.json));
  _.merge(settings, req.body); // EXPECT proto
  res.json(settings);
});
