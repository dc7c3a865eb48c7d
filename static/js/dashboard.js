/* Analyst dashboard: the year selector and three ECharts charts.
   Data comes from the page's json_script "dashboard-data" (the CSP forbids inline code);
   every number is also in a table next to its chart. */
(function () {
  "use strict";

  // The year selector submits on change; its button stays for keyboard and no-JS use.
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  var node = document.getElementById("dashboard-data");
  if (!node || typeof echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var fa = data.lang === "fa";
  var rtl = document.documentElement.dir === "rtl";
  var FA_DIGITS = "۰۱۲۳۴۵۶۷۸۹";

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

  var primary = getComputedStyle(document.documentElement).getPropertyValue("--sr-primary").trim() || "#0b5d6b";
  var accent = getComputedStyle(document.documentElement).getPropertyValue("--sr-accent").trim() || "#e0a526";
  var text = { fontFamily: "Vazirmatn, system-ui, sans-serif", color: "#33434a" };
  var charts = [];

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var c = echarts.init(el, null, { renderer: "svg" });
    option.textStyle = text;
    option.animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    c.setOption(option);
    charts.push(c);
  }

  chart("chart-histogram", {
    grid: { left: 48, right: 24, top: 24, bottom: 56 },
    tooltip: {
      trigger: "axis",
      formatter: function (p) { return p[0].name + "<br>" + data.histogram.yName + ": " + num(p[0].value); }
    },
    xAxis: {
      type: "category", data: data.histogram.labels, inverse: rtl,
      name: data.histogram.xName, nameLocation: "middle", nameGap: 38,
      axisLabel: { rotate: 45, fontSize: 10 }
    },
    yAxis: {
      type: "value", position: rtl ? "right" : "left",
      axisLabel: { formatter: function (v) { return num(v); } }
    },
    series: [{ type: "bar", data: data.histogram.counts, itemStyle: { color: primary }, barCategoryGap: "8%" }]
  });

  chart("chart-provinces", {
    grid: { left: rtl ? 24 : 130, right: rtl ? 130 : 24, top: 8, bottom: 24 },
    tooltip: {
      trigger: "axis", axisPointer: { type: "shadow" },
      formatter: function (p) { return p[0].name + "<br>" + data.provinces.name + ": " + num(p[0].value); }
    },
    xAxis: {
      type: "value", inverse: rtl, minInterval: 1,
      axisLabel: { formatter: function (v) { return num(v); } }
    },
    yAxis: { type: "category", data: data.provinces.labels, position: rtl ? "right" : "left" },
    series: [{
      type: "bar", data: data.provinces.counts, itemStyle: { color: primary },
      label: {
        show: true, position: rtl ? "left" : "right",
        formatter: function (p) { return num(p.value); }
      }
    }]
  });

  var max = Math.max.apply(null, [100].concat(data.pillars.values));
  chart("chart-pillars", {
    tooltip: {
      trigger: "item",
      formatter: function (p) {
        return data.pillars.name + "<br>" + data.pillars.labels.map(function (label, i) {
          return label + ": " + num(p.value[i], 1);
        }).join("<br>");
      }
    },
    radar: {
      radius: "62%",
      indicator: data.pillars.labels.map(function (label) { return { name: label, max: max }; }),
      axisName: { color: "#33434a", fontFamily: text.fontFamily }
    },
    series: [{
      type: "radar",
      data: [{ value: data.pillars.values, name: data.pillars.name }],
      areaStyle: { color: primary, opacity: 0.25 },
      lineStyle: { color: primary }, itemStyle: { color: accent }
    }]
  });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
