'use strict';

async function loadUsers() {
  const response = await fetch('/users');
  const users = await response.json();
  const list = document.getElementById('users');
  for (const user of users) {
    const item = document.createElement('li');
    item.textContent = user.name;
    list.appendChild(item);
  }
}

function showBanner(message) {
  const banner = document.getElementById('banner');
  banner.innerHTML = `<strong>${message}</strong>`; // EXPECT: XSS sink
}

function renderSearch() {
  const term = new URLSearchParams(window.location.search).get('q');
  document
    .getElementById('results')
    .insertAdjacentHTML('beforeend', '<p>Results for ' + term + '</p>'); // EXPECT: XSS via insertAdjacentHTML
}

document.addEventListener('DOMContentLoaded', () => {
  loadUsers();
  renderSearch();
  showBanner(localStorage.getItem('motd') || 'Welcome');
});
