'use strict';

const formatter = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' });

function formatCents(cents) {
  return formatter.format(cents / 100);
}

module.exports = { formatCents };
