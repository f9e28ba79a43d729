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
  for (const feature of countries.features) unwrapAcrossTheAntimeridian(feature.geometry);
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

// Outlines that cross the 180th meridian (eastern Russia, Fiji) jump from +179.9° to -179.9°
// between two points, which Leaflet draws as a line across the whole world. Each such ring is
// made continuous (+180.1° instead); a ring that goes round a pole (Antarctica) cannot be and
// stays as it is.
function unwrapAcrossTheAntimeridian(geometry) {
  if (!geometry) return;
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates]
    : geometry.type === 'MultiPolygon' ? geometry.coordinates : [];
  for (const polygon of polygons) {
    for (let r = 0; r < polygon.length; r += 1) {
      const ring = polygon[r];
      let shift = 0;
      const unwrapped = ring.map(([lon, lat], i) => {
        if (i > 0) {
          const step = lon + shift - (ring[i - 1][0] + shiftBefore[i - 1]);
          if (step > 180) shift -= 360;
          else if (step < -180) shift += 360;
        }
        shiftBefore[i] = shift;
        return [lon + shift, lat];
      });
      shiftBefore.length = 0;
      if (shift === 0) polygon[r] = unwrapped;
    }
  }
}
const shiftBefore = [];
