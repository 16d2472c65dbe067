// Asks for what the map cannot be drawn without (the user, the areas, the
// configuration) while the page's scripts are still loading: a classic
// script at the top of index.html, not deferred, so the map has the
// answers when its modules start instead of asking only then. api.js's
// getJSON takes each answer once (takeEarly), for the same address, and
// handles its errors as it does any other's.
(function early() {
  'use strict';
  if (!window.fetch) return;
  var tiles = new URLSearchParams(location.search).get('tiles') === '1';
  var urls = ['/api/me', '/api/areas?shape=' + (tiles ? 'box' : 'auto'), '/api/config'];
  var early = {};
  urls.forEach(function ask(u) {
    var p = fetch(u, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    p.catch(function ignore() {}); // handled by whoever takes it
    early[u] = p;
  });
  window.diabanEarly = early;
}());
