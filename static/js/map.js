/* Province map: a Leaflet choropleth of the shipped GeoJSON, without any tile layer
   (nothing is loaded from another server). Config from json_script "map-config",
   labels from <template id="map-i18n">; the table under the map has the same numbers. */
(function () {
  "use strict";

  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  var configNode = document.getElementById("map-config");
  var container = document.getElementById("province-map");
  if (!configNode || !container || typeof L === "undefined") { return; }
  var config = JSON.parse(configNode.textContent);
  var t = document.getElementById("map-i18n").dataset;
  var fa = config.lang === "fa";
  var FA_DIGITS = "۰۱۲۳۴۵۶۷۸۹";
  // Sequential teal scale (light to dark) in the site's palette; grey means no data.
  var COLOURS = ["#d4ebee", "#9fd0d6", "#5fabb5", "#24808e", "#0b5462"];
  var NO_DATA = "#e3e6e8";

  function digits(text) {
    if (!fa) { return String(text); }
    return String(text).replace(/[0-9]/g, function (d) { return FA_DIGITS[d]; })
      .replace(/\./g, "٫").replace(/,/g, "٬");
  }
  function num(value, decimals) {
    if (value === null || value === undefined) { return "—"; }
    var d = decimals || 0;
    return digits(Number(value).toLocaleString("en-US", {
      minimumFractionDigits: d, maximumFractionDigits: d
    }));
  }
  function escape(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  var map = L.map(container, {
    zoomSnap: 0.25, scrollWheelZoom: false, attributionControl: true, minZoom: 3, maxZoom: 9
  });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("© OpenStreetMap contributors, ODbL");

  var metric = "avg_score";
  var layer = null;
  var breaks = [];
  var legend = L.control({ position: fa ? "bottomleft" : "bottomright" });

  function value(feature) {
    var v = feature.properties[metric];
    if (metric === "avg_score") { return v; }
    // No firm ranked in the province: no data, not "zero firms in the top list".
    return feature.properties.ranked ? v : null;
  }

  function computeBreaks(features) {
    var values = features.map(value).filter(function (v) { return v !== null && v !== undefined; });
    if (!values.length) { return []; }
    var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
    if (metric === "top_count") {
      // Whole firms: classes of whole numbers from zero, as few as the counts need.
      var size = Math.max(1, Math.ceil((hi + 1) / COLOURS.length));
      var out = [];
      for (var upper = size - 1; out.length < COLOURS.length; upper += size) {
        out.push(upper);
        if (upper >= hi) { break; }
      }
      return out;
    }
    var step = (hi - lo) / COLOURS.length || 1;
    return COLOURS.map(function (_, i) { return lo + step * (i + 1); });
  }

  function colour(v) {
    if (v === null || v === undefined) { return NO_DATA; }
    for (var i = 0; i < breaks.length; i++) { if (v <= breaks[i] + 1e-9) { return COLOURS[i]; } }
    return COLOURS[COLOURS.length - 1];
  }

  function style(feature) {
    return { fillColor: colour(value(feature)), fillOpacity: 0.9, color: "#ffffff", weight: 1 };
  }

  function tooltip(feature) {
    var p = feature.properties;
    var name = (fa ? p.name_fa : p.name_en) || p.name_fa;
    var lines = p.ranked ? [
      t.avg + ": " + num(p.avg_score, 1),
      t.top + ": " + num(p.top_count),
      t.ranked + ": " + num(p.ranked)
    ] : [t.nodata];
    return '<div dir="' + (fa ? "rtl" : "ltr") + '" lang="' + config.lang + '"><strong>' +
      escape(name) + "</strong><br>" + lines.map(escape).join("<br>") + "</div>";
  }

  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "sr-legend");
    div.setAttribute("dir", fa ? "rtl" : "ltr");
    div.setAttribute("lang", config.lang);
    return div;
  };

  function drawLegend() {
    var div = legend.getContainer();
    if (!div) { return; }
    var decimals = metric === "avg_score" ? 1 : 0;
    var title = metric === "avg_score" ? t.avg : t.top;
    var counts = metric === "top_count";
    var rows = breaks.map(function (upper, i) {
      var range;
      if (counts) {
        var lower = i === 0 ? 0 : breaks[i - 1] + 1;
        range = lower === upper ? num(upper) : num(lower) + " – " + num(upper);
      } else {
        range = i === 0 ? "≤ " + num(upper, decimals)
          : num(breaks[i - 1], decimals) + " – " + num(upper, decimals);
      }
      return '<div><i style="background:' + COLOURS[i] + '"></i>' + range + "</div>";
    });
    rows.push('<div><i style="background:' + NO_DATA + '"></i>' + escape(t.nodata) + "</div>");
    div.innerHTML = "<strong>" + escape(title) + "</strong>" + rows.join("");
  }

  function restyle() {
    if (!layer) { return; }
    breaks = computeBreaks(layer.toGeoJSON().features);
    layer.setStyle(style);
    drawLegend();
  }

  document.querySelectorAll('input[name="metric"]').forEach(function (input) {
    input.addEventListener("change", function () {
      if (input.checked) { metric = input.value; restyle(); }
    });
  });

  fetch(config.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    })
    .then(function (geojson) {
      breaks = computeBreaks(geojson.features);
      layer = L.geoJSON(geojson, {
        style: style,
        onEachFeature: function (feature, featureLayer) {
          featureLayer.bindTooltip(tooltip(feature), { sticky: true, direction: "top" });
          featureLayer.on("mouseover", function () { featureLayer.setStyle({ weight: 2.5, color: "#1d2b30" }); });
          featureLayer.on("mouseout", function () { layer.resetStyle(featureLayer); });
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [8, 8] });
      legend.addTo(map);
      drawLegend();
    })
    .catch(function () {
      container.textContent = t.error;
      container.classList.add("d-flex", "align-items-center", "justify-content-center", "p-3");
    });
})();
