/* The initiatives map: clustered markers from the directory's GeoJSON, or one point on a
   profile. Tiles only when the site configures a tile server; otherwise the Netherlands'
   outline shipped with the site, so no visitor's address goes to a third party. */
(function () {
  "use strict";

  var element = document.getElementById("kaart");
  if (!element || typeof L === "undefined") { return; }
  var data = element.dataset;
  var NL_BOUNDS = [[50.75, 3.36], [53.55, 7.23]];

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }

  function makeMap() {
    element.textContent = "";
    // maxZoom is required by MarkerCluster when no tile layer sets one.
    var map = L.map(element, { maxZoom: 18, minZoom: 6, zoomSnap: 0.5 });
    map.attributionControl.setPrefix(false);
    if (data.tileUrl) {
      L.tileLayer(data.tileUrl, { maxZoom: 18, attribution: data.attribution || "" }).addTo(map);
    } else {
      getJSON(data.outlineUrl).then(function (outline) {
        L.geoJSON(outline, { interactive: false, style: {
          color: "#0b5d3b", weight: 1.5, fillColor: "#f3f1ec", fillOpacity: 1 } }).addTo(map).bringToBack();
      }).catch(function () { /* the markers still work without the outline */ });
    }
    // Keyboard users land in the popup they opened, on the link to the profile.
    map.on("popupopen", function (event) {
      var link = event.popup.getElement().querySelector("a");
      if (link) { link.focus(); }
    });
    return map;
  }

  function popupContent(properties) {
    var wrapper = document.createElement("div");
    var link = document.createElement("a");
    link.href = properties.url || (data.profilePrefix + encodeURIComponent(properties.slug));
    link.textContent = properties.name;
    wrapper.appendChild(link);
    if (properties.place) {
      var place = document.createElement("div");
      place.textContent = properties.place;
      wrapper.appendChild(place);
    }
    return wrapper;
  }

  function marker(latlng, name) {
    return L.marker(latlng, { title: name, alt: name, keyboard: true });
  }

  function clusterIcon(cluster) {
    var count = cluster.getChildCount();
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    var html = "<div><span aria-hidden=\"true\">" + count + "</span><span class=\"marker-cluster-label\">" +
      count + " " + (data.textCluster || "") + "</span></div>";
    return L.divIcon({ html: html, className: "marker-cluster marker-cluster-" + size,
                       iconSize: L.point(40, 40) });
  }

  function showDirectory(map) {
    var cluster = L.markerClusterGroup({ iconCreateFunction: clusterIcon, maxClusterRadius: 50,
                                         spiderfyOnMaxZoom: true, showCoverageOnHover: false });
    map.addLayer(cluster);
    map.fitBounds(NL_BOUNDS);
    getJSON(data.geojsonUrl).then(function (collection) {
      var markers = collection.features.map(function (feature) {
        var c = feature.geometry.coordinates;
        return marker([c[1], c[0]], feature.properties.name)
          .bindPopup(popupContent(feature.properties));
      });
      cluster.addLayers(markers);
      if (markers.length) {
        map.fitBounds(cluster.getBounds(), { padding: [30, 30], maxZoom: 11 });
      }
    });
  }

  function showPoint(map) {
    var latlng = [parseFloat(data.lat), parseFloat(data.lon)];
    marker(latlng, data.name).addTo(map);
    map.setView(latlng, 10);
  }

  var map = makeMap();
  if (data.geojsonUrl) { showDirectory(map); } else if (data.lat) { showPoint(map); }
}());
