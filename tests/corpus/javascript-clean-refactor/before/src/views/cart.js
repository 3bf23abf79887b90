'use strict';

function renderCart(container, items) {
  while (container.firstChild) {
    container.removeChild(container.firstChild);
  }
  var total = 0;
  for (var i = 0; i < items.length; i++) {
    var row = document.createElement('li');
    row.textContent = items[i].name + ' x ' + items[i].quantity;
    container.appendChild(row);
    total = total + items[i].price * items[i].quantity;
  }
  var footer = document.createElement('li');
  footer.textContent = 'Total: ' + (total / 100).toFixed(2);
  container.appendChild(footer);
}

module.exports = { renderCart };
