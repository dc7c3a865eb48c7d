/* Cluster pages: year selector, pillar radar, specialisation heatmap and choropleth, and
   the cluster editor's helpers. The CSP forbids inline code, so data comes from
   json_script nodes; every chart's numbers are also in a table on the page. */
(function () {
  "use strict";

  var FA_DIGITS = "۰۱۲۳۴۵۶۷۸۹";
  var rtl = document.documentElement.dir === "rtl";
  var fa = (document.documentElement.lang || "fa").slice(0, 2) === "fa";
  var FONT = "Vazirmatn, system-ui, sans-serif";
  var reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

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
  function json(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  // The year selectors submit on change; their button stays for keyboard and no-JS use.
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // Location quotient classes: below 1 the province is less specialised than the nation.
  var LQ_PIECES = [
    { lt: 0.8, color: "#e9eef0" },
    { gte: 0.8, lt: 1.25, color: "#cfe6e9" },
    { gte: 1.25, lt: 2, color: "#8cc6cd" },
    { gte: 2, lt: 4, color: "#3a96a3" },
    { gte: 4, color: "#0b5462" }
  ];
  function lqColour(v) {
    if (v === null || v === undefined) { return "#f7f8f9"; }
    for (var i = 0; i < LQ_PIECES.length; i++) {
      var p = LQ_PIECES[i];
      if ((p.gte === undefined || v >= p.gte) && (p.lt === undefined || v < p.lt)) { return p.color; }
    }
    return LQ_PIECES[LQ_PIECES.length - 1].color;
  }
  function short(v) {
    return digits(Number(v).toLocaleString("en-US", { maximumFractionDigits: 2 }));
  }
  function pieceLabel(p) {
    if (p.gte === undefined) { return "< " + short(p.lt); }
    if (p.lt === undefined) { return "≥ " + short(p.gte); }
    return short(p.gte) + " – " + short(p.lt);
  }

  /* ---- Cluster profile: pillars of the cluster against the national average ---- */
  (function radar() {
    var data = json("cluster-pillars-data");
    var el = document.getElementById("cluster-pillars-chart");
    if (!data || !el || typeof echarts === "undefined") { return; }
    var primary = getComputedStyle(document.documentElement).getPropertyValue("--sr-primary").trim() || "#0b5d6b";
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: !reducedMotion,
      textStyle: { fontFamily: FONT, color: "#33434a" },
      legend: { bottom: 0, data: [data.clusterName, data.nationalName] },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          return escape(p.name) + "<br>" + data.labels.map(function (label, i) {
            return escape(label) + ": " + num(p.value[i], 1);
          }).join("<br>");
        }
      },
      radar: {
        radius: el.clientWidth < 500 ? "48%" : "60%",
        center: ["50%", "46%"],
        indicator: data.labels.map(function (label) { return { name: label, max: 100 }; }),
        axisName: { color: "#33434a", fontFamily: FONT },
        splitArea: { areaStyle: { color: ["#ffffff", "#f4f7f8"] } }
      },
      series: [{
        type: "radar",
        data: [
          { value: data.national, name: data.nationalName, lineStyle: { type: "dashed", color: "#7a8a90" },
            itemStyle: { color: "#7a8a90" }, areaStyle: { opacity: 0 } },
          { value: data.cluster, name: data.clusterName, lineStyle: { width: 2, color: primary },
            itemStyle: { color: primary }, areaStyle: { color: primary, opacity: 0.18 } }
        ]
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  })();

  /* ---- Specialisation map: provinces x divisions heatmap ---- */
  var mapData = json("cluster-map-data");

  (function heatmap() {
    var el = document.getElementById("cluster-heatmap");
    if (!mapData || !el || typeof echarts === "undefined") { return; }
    var t = mapData.labels;
    el.style.blockSize = (mapData.provinces.length * 22 + 150) + "px";
    var chart = echarts.init(el, null, { renderer: "svg" });
    var cells = mapData.cells.filter(function (c) { return c[2] !== null; }).map(function (c) {
      var item = { value: c };
      if (c[3]) { item.itemStyle = { borderColor: "#a87400", borderWidth: 2 }; }
      // The star must stay readable on the darkest classes.
      if (c[2] >= 2) { item.label = { color: "#ffffff" }; }
      return item;
    });
    chart.setOption({
      animation: !reducedMotion,
      textStyle: { fontFamily: FONT, color: "#33434a" },
      grid: { top: 70, bottom: 16, left: 16, right: 16, containLabel: true },
      tooltip: {
        formatter: function (p) {
          var c = p.data.value;
          var d = mapData.divisions[c[0]], prov = mapData.provinces[c[1]];
          var lines = [
            "<strong>" + escape(prov.name) + "</strong>",
            escape(digits(d.code) + " " + d.title),
            escape(t.lq) + ": " + num(c[2], 2),
            escape(t.employment) + ": " + num(c[4]),
            escape(t.establishments) + ": " + num(c[5])
          ];
          if (c[3]) { lines.push("★ " + escape(t.strong)); }
          return '<div dir="' + (rtl ? "rtl" : "ltr") + '">' + lines.join("<br>") + "</div>";
        }
      },
      xAxis: {
        type: "category", inverse: rtl, position: "top",
        data: mapData.divisions.map(function (d) { return digits(d.code); }),
        splitArea: { show: true }, axisLabel: { fontSize: 11 }
      },
      yAxis: {
        type: "category", inverse: true, position: rtl ? "right" : "left",
        data: mapData.provinces.map(function (p) { return p.name; }),
        splitArea: { show: true }, axisLabel: { fontSize: 11 }
      },
      visualMap: {
        type: "piecewise", dimension: 2, orient: "horizontal", top: 0,
        left: "center", pieces: LQ_PIECES.map(function (p) {
          return { gte: p.gte, lt: p.lt, color: p.color, label: pieceLabel(p) };
        }),
        textStyle: { fontFamily: FONT }, itemSymbol: "rect", itemGap: 12
      },
      series: [{
        type: "heatmap", data: cells, progressive: 0,
        label: {
          show: true, color: "#5c4200", fontSize: 11,
          formatter: function (p) { return p.data.value[3] ? "★" : ""; }
        },
        emphasis: { itemStyle: { borderColor: "#1d2b30", borderWidth: 2 } }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  })();

  /* ---- Specialisation map: choropleth of the provinces (no tile layer) ---- */
  (function choropleth() {
    var container = document.getElementById("cluster-choropleth");
    if (!mapData || !container || typeof L === "undefined") { return; }
    var t = mapData.labels;
    var select = document.getElementById("choropleth-metric");
    var COUNT_COLOURS = ["#e3e6e8", "#cfe6e9", "#8cc6cd", "#3a96a3", "#0b5462"];
    var byProvince = {};
    mapData.provinces.forEach(function (p) { byProvince[p.code] = { strong: 0, lq: {} }; });
    mapData.cells.forEach(function (c) {
      var entry = byProvince[mapData.provinces[c[1]].code];
      entry.lq[mapData.divisions[c[0]].code] = c[2];
      if (c[3]) { entry.strong += 1; }
    });
    var maxStrong = Math.max.apply(null, [1].concat(
      Object.keys(byProvince).map(function (k) { return byProvince[k].strong; })));

    var map = L.map(container, {
      zoomSnap: 0.25, scrollWheelZoom: false, attributionControl: true, minZoom: 3, maxZoom: 9
    });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("© OpenStreetMap contributors, ODbL");
    var layer = null;
    var legend = L.control({ position: rtl ? "bottomleft" : "bottomright" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "sr-legend");
      div.setAttribute("dir", rtl ? "rtl" : "ltr");
      return div;
    };

    function division() { return select ? select.value : ""; }
    function value(code) {
      var entry = byProvince[code];
      if (!entry) { return null; }
      var d = division();
      if (!d) { return entry.strong; }
      return entry.lq[d] === undefined ? null : entry.lq[d];
    }
    function countColour(v) {
      if (v === null) { return "#f7f8f9"; }
      if (v === 0) { return COUNT_COLOURS[0]; }
      var step = Math.ceil(maxStrong / (COUNT_COLOURS.length - 1));
      return COUNT_COLOURS[Math.min(COUNT_COLOURS.length - 1, Math.ceil(v / step))];
    }
    function colour(code) {
      var v = value(code);
      return division() ? lqColour(v) : countColour(v);
    }
    function style(feature) {
      return { fillColor: colour(feature.properties.iso_3166_2), fillOpacity: 0.9, color: "#ffffff", weight: 1 };
    }
    function tooltip(feature) {
      var p = feature.properties;
      var v = value(p.iso_3166_2);
      var name = (fa ? p.name_fa : p.name_en) || p.name_fa;
      var line = v === null ? t.nodata : (division() ? t.lq + ": " + num(v, 2) : t.strongCount + ": " + num(v));
      return '<div dir="' + (rtl ? "rtl" : "ltr") + '"><strong>' + escape(name) + "</strong><br>" + escape(line) + "</div>";
    }
    function drawLegend() {
      var div = legend.getContainer();
      if (!div) { return; }
      var rows;
      if (division()) {
        rows = LQ_PIECES.map(function (p) {
          return '<div><i style="background:' + p.color + '"></i>' + escape(pieceLabel(p)) + "</div>";
        });
        div.innerHTML = "<strong>" + escape(t.lq) + "</strong>" + rows.join("");
      } else {
        var step = Math.ceil(maxStrong / (COUNT_COLOURS.length - 1));
        rows = COUNT_COLOURS.map(function (c, i) {
          var label = i === 0 ? num(0) : num((i - 1) * step + 1) + (step > 1 ? " – " + num(i * step) : "");
          return '<div><i style="background:' + c + '"></i>' + escape(label) + "</div>";
        });
        div.innerHTML = "<strong>" + escape(t.strongCount) + "</strong>" + rows.join("");
      }
    }
    function restyle() {
      if (!layer) { return; }
      layer.setStyle(style);
      layer.eachLayer(function (l) { l.setTooltipContent(tooltip(l.feature)); });
      drawLegend();
    }
    if (select) { select.addEventListener("change", restyle); }

    fetch(mapData.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (geojson) {
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

  /* ---- Cluster editor: find activities by name, filter the parks ---- */
  (function activityPicker() {
    var picker = document.querySelector("[data-activity-picker]");
    var field = document.getElementById("id_activities");
    if (!picker || !field) { return; }
    picker.hidden = false;
    var search = document.getElementById("activity-search");
    var chips = picker.querySelector("[data-activity-chips]");
    var titles = {};
    document.querySelectorAll("#activity-options option").forEach(function (o) {
      var parts = o.value.split(" — ");
      titles[parts[0]] = parts.slice(1).join(" — ");
    });
    function codes() {
      return field.value.replace(/[۰-۹]/g, function (d) { return String(FA_DIGITS.indexOf(d)); })
        .split(/[\s,،;؛]+/).filter(Boolean);
    }
    function render() {
      chips.innerHTML = "";
      codes().forEach(function (code) {
        var li = document.createElement("li");
        li.className = "sr-chip";
        li.textContent = digits(code) + " " + (titles[code] || "?");
        var remove = document.createElement("button");
        remove.type = "button";
        remove.setAttribute("aria-label", picker.dataset.removeLabel + " " + code);
        remove.textContent = "×";
        remove.addEventListener("click", function () {
          field.value = codes().filter(function (c) { return c !== code; }).join(", ");
          render();
        });
        li.appendChild(remove);
        chips.appendChild(li);
      });
    }
    function add() {
      var code = (search.value.split(" — ")[0] || "").trim();
      if (!titles[code]) { search.focus(); return; }
      var current = codes();
      if (current.indexOf(code) === -1) { current.push(code); }
      field.value = current.join(", ");
      search.value = "";
      render();
    }
    picker.querySelector("[data-activity-add]").addEventListener("click", add);
    search.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); add(); }
    });
    field.addEventListener("input", render);
    render();
  })();

  document.querySelectorAll("[data-filter-select]").forEach(function (input) {
    var select = document.getElementById(input.dataset.filterSelect);
    if (!select) { return; }
    input.hidden = false;
    input.addEventListener("input", function () {
      var term = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options, function (o) {
        o.hidden = term !== "" && o.textContent.toLowerCase().indexOf(term) === -1 && !o.selected;
      });
    });
  });
})();
