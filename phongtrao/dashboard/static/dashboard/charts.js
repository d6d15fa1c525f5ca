// The charts of the dashboard pages, drawn with ECharts (vendored, served from /static/) from the data the
// page writes with json_script next to each <div data-chart="ID">: categories, series, drill-down links.
// Nothing is computed here; the table under each chart holds the same figures. No inline script (CSP).
"use strict";

(() => {
  const lang = document.documentElement.lang === "en" ? "en-GB" : "vi-VN";
  const integer = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  const decimal = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const format = (value, percent) => (percent ? `${decimal.format(value)}%` : integer.format(value));
  const palette = ["#9b1c1c", "#0a58ca", "#2f7d32", "#b26a00", "#6f42c1", "#00838f"];

  const option = (spec) => {
    const percent = spec.series.length > 0 && spec.series.every((s) => s.percent);
    if (spec.kind === "pie") {
      const [first] = spec.series;
      return {
        color: palette, tooltip: { trigger: "item", valueFormatter: (v) => format(v, false) },
        legend: { bottom: 0 },
        series: [{ type: "pie", radius: ["35%", "65%"], name: first.name,
                   label: { formatter: (p) => `${p.name}: ${integer.format(p.value)}` },
                   data: spec.categories.map((name, i) => ({ name, value: first.values[i] })) }],
      };
    }
    const category = { type: "category", data: spec.categories, axisLabel: { width: 160, overflow: "truncate" } };
    const value = { type: "value", axisLabel: { formatter: (v) => format(v, percent) }, max: percent ? 100 : null };
    return {
      color: palette,
      tooltip: { trigger: "axis", valueFormatter: (v) => format(v, percent) },
      legend: spec.series.length > 1 ? { top: 0 } : undefined,
      grid: { left: spec.horizontal ? 170 : 50, right: 24, top: spec.series.length > 1 ? 32 : 12, bottom: 28 },
      xAxis: spec.horizontal ? value : category,
      yAxis: spec.horizontal ? { ...category, inverse: true } : value,
      series: spec.series.map((s) => ({
        name: s.name, type: spec.kind === "line" ? "line" : "bar", data: s.values,
        label: spec.kind === "line" ? undefined : { show: spec.categories.length <= 40, position: spec.horizontal ? "right" : "top",
                                                     formatter: (p) => format(p.value, s.percent) },
      })),
    };
  };

  document.querySelectorAll("[data-chart]").forEach((element) => {
    const source = document.getElementById(element.dataset.chart);
    if (!source || !window.echarts) return;
    const spec = JSON.parse(source.textContent);
    if (spec.horizontal) element.style.height = `${Math.max(280, 26 * spec.categories.length + 60)}px`;
    const chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption({ animation: false, ...option(spec) });  // drawn at once (print, screenshots)
    if (spec.links && spec.links.some((link) => link)) {
      chart.on("click", (params) => {
        const link = spec.links[params.dataIndex];
        if (link) window.location.assign(link);
      });
    }
    window.addEventListener("resize", () => chart.resize());
  });
})();
