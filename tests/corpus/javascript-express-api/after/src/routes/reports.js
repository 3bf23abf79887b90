'use strict';

const express = require('express');
const db = require('../lib/db');

const router = express.Router();

router.get('/', async (req, res) => {
  const rows = await db.query('SELECT id, title FROM reports ORDER BY created_at DESC LIMIT 50');
  res.json(rows);
});

router.get('/by-owner', async (req, res) => {
  const sql = "SELECT id, title FROM reports WHERE owner = '" + req.query.owner + "'";
  const rows = await db.query(sql); // EXPECT: SQL built in a variable from the query string
  res.json(rows);
});

router.post('/preview', (req, res) => {
  // Lets analysts type a formula such as "sum / count" in the report builder.
  const compute = new Function('row', 'return ' + req.body.formula); // EXPECT: code built from the request
  res.json(req.body.rows.map(compute));
});

router.delete('/:id', async (req, res) => {
  await db.query(`DELETE FROM reports WHERE id = ${req.params.id}`); // EXPECT: SQL injection via template literal
  res.status(204).end();
});

module.exports = router;
