import React from 'react';

export function Bio({ html }) {
  return <div dangerouslySetInnerHTML={{ __html: html }} />; // EXPECT xss
}

export function FromUrl() {
  const q = new URLSearchParams(window.location.search).get('msg');
  return <div dangerouslySetInnerHTML={{ __html: q }} />; // EXPECT xss
}

export function Link() {
  const next = new URLSearchParams(window.location.search).get('next');
  window.location.href = next; // EXPECT redirect
  return null;
}
