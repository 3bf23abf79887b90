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

document.addEventListener('DOMContentLoaded', loadUsers);
