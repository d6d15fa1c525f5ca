// The report's charts (reports/_blocks.html): each div.report-chart names the json_script holding its data
// ({kind, categories, percent, series: [{name, values}]}); drawn with the vendored ECharts, no inline script.
(function () {
  "use strict";
  function draw(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: {trigger: "axis"},
      legend: {show: data.series.length > 1},
      grid: {containLabel: true, left: 8, right: 8, bottom: 8},
      xAxis: {type: "category", data: data.categories, axisLabel: {interval: 0, rotate: data.categories.length > 8 ? 40 : 0}},
      yAxis: {type: "value", max: data.percent ? 100 : null},
      series: data.series.map(function (s) { return {name: s.name, type: data.kind, data: s.values}; })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function drawAll(root) {
    (root || document).querySelectorAll("div.report-chart[data-chart]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
  document.addEventListener("htmx:afterSwap", function (event) { drawAll(event.target); });
})();
