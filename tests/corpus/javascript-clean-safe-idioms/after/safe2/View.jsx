import React from 'react';

export function Greeting({ name, bio }) {
  return (
    <div>
      <h1>Hello {name}</h1>
      <p title={bio}>{bio}</p>
    </div>
  );
}

export function Search() {
  const q = new URLSearchParams(window.location.search).get('q');
  return <p>Results for {q}</p>;
}
