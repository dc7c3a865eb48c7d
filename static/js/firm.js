/* Firm pages: the pillar chart against peers and the score/rank history (ECharts).
   Data comes from the page's json_script block "firm-charts"; no inline script (CSP). */
(function () {
  "use strict";
  var source = document.getElementById("firm-charts");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var fa = data.lang === "fa";
  var numbers = new Intl.NumberFormat(fa ? "fa-IR" : "en-US", { maximumFractionDigits: 1 });
  var font = "Vazirmatn, system-ui, sans-serif";
  var palette = ["#0b5d6b", "#e0a526", "#7a8c93", "#9b4f96"];
  var charts = [];

  function fmt(value) {
    return value === null || value === undefined ? "—" : numbers.format(value);
  }

  function make(id, option) {
    var node = document.getElementById(id);
    if (!node) return;
    var chart = echarts.init(node, null, { renderer: "svg" });
    option.textStyle = { fontFamily: font };
    option.color = palette;
    option.aria = { enabled: true };
    chart.setOption(option);
    charts.push(chart);
  }

  if (data.pillars) {
    var node = document.getElementById("chart-pillars");
    // Room per category, so long pillar names wrap instead of running into each other.
    var room = node ? Math.max(56, node.clientWidth / data.pillars.labels.length - 16) : 80;
    make("chart-pillars", {
      legend: { top: 0, textStyle: { fontFamily: font } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: fmt },
      grid: { left: 8, right: 8, bottom: 8, top: 44, containLabel: true },
      // Right to left in Persian: the first pillar sits on the right, the scale too.
      xAxis: {
        type: "category",
        data: data.pillars.labels,
        inverse: fa,
        axisLabel: { interval: 0, width: room, overflow: "break", fontFamily: font }
      },
      yAxis: {
        type: "value",
        min: 0,
        max: data.pillars.max,
        position: fa ? "right" : "left",
        axisLabel: { formatter: fmt, fontFamily: font }
      },
      series: data.pillars.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.values, barMaxWidth: 16 };
      })
    });
  }

  if (data.history) {
    var h = data.history;
    make("chart-history", {
      legend: { top: 0, textStyle: { fontFamily: font } },
      tooltip: { trigger: "axis", valueFormatter: fmt },
      grid: { left: 8, right: 8, bottom: 8, top: 44, containLabel: true },
      xAxis: { type: "category", data: h.years, boundaryGap: false, inverse: fa },
      yAxis: [
        {
          type: "value", name: h.labels.score, min: 0, max: 100,
          position: fa ? "right" : "left", axisLabel: { formatter: fmt }
        },
        {
          // Rank 1 on top: a better rank reads as a rise.
          type: "value", name: h.labels.rank, nameLocation: "start", inverse: true,
          min: 1, minInterval: 1,
          position: fa ? "left" : "right", splitLine: { show: false },
          axisLabel: { formatter: fmt }
        }
      ],
      series: [
        { name: h.labels.score, type: "line", data: h.score, symbolSize: 8, yAxisIndex: 0 },
        {
          name: h.labels.rank, type: "line", data: h.rank, symbolSize: 8, yAxisIndex: 1,
          lineStyle: { type: "dashed" }
        }
      ]
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
