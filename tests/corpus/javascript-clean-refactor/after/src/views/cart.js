'use strict';

const { formatCents } = require('../util/money');

function lineItem(text) {
  const row = document.createElement('li');
  row.textContent = text;
  return row;
}

function cartTotal(items) {
  return items.reduce((sum, item) => sum + item.price * item.quantity, 0);
}

function renderCart(container, items) {
  const rows = items.map((item) => lineItem(`${item.name} x ${item.quantity}`));
  rows.push(lineItem(`Total: ${formatCents(cartTotal(items))}`));
  container.replaceChildren(...rows);
}

module.exports = { renderCart, cartTotal };
