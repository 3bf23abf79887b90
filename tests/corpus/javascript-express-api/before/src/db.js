'use strict';

const { Pool } = require('pg');

const pool = new Pool({ connectionString: process.env.DATABASE_URL });

async function query(text, params) {
  const { rows } = await pool.query(text, params);
  return rows;
}

module.exports = { query, pool };
