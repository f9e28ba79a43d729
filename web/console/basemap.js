// The offline basemap: Natural Earth country outlines (world-atlas, 1:50m) drawn as GeoJSON.
// No tile server: the console works on a network that reaches only this server, and the CSP
// allows nothing else anyway.
// The UMD build, imported for its side effect: in a module it finds no `exports` or `define`
// and sets self.topojson (web/vendor/topojson-client/SOURCE.md).
import '/vendor/topojson-client/topojson-client.min.js';

export async function addBasemap(map, L) {
  const response = await fetch('/vendor/world-atlas/countries-50m.json');
  if (!response.ok) throw new Error(`basemap: HTTP ${response.status}`);
  const topology = await response.json();
  const countries = self.topojson.feature(topology, topology.objects.countries);
  const pane = map.createPane('basemap');
  pane.classList.add('basemap-pane');
  // Canvas: a few hundred detailed polygons are cheaper to paint than as SVG nodes, and the
  // outlines never need a pointer.
  L.geoJSON(countries, {
    pane: 'basemap',
    renderer: L.canvas({ pane: 'basemap' }),
    interactive: false,
    attribution: 'Basemap: Natural Earth',
    style: { color: '#8d99a6', weight: 0.7, fillColor: '#f3f1ea', fillOpacity: 1 },
  }).addTo(map);
}
