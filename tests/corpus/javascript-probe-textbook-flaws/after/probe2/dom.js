function render() {
  const q = new URLSearchParams(location.search).get('q');
  document.getElementById('out').innerHTML = 'Results for ' + q; // EXPECT domxss
  document.write(location.hash.substring(1)); // EXPECT domxss
}
render();
