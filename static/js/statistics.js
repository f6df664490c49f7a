/* Draws every chart of the statistics page (templates/reporting/statistics*.html) from the numbers each section
   puts in <script id="statistics-data-<key>" type="application/json"> (json_script): no inline script, no CDN. */
(function () {
  "use strict";

  var PALETTE = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#dc3545", "#ffc107", "#0dcaf0", "#6c757d",
    "#198754", "#d63384", "#6610f2", "#adb5bd"];

  function axisLabel(width) {
    return { width: width, overflow: "truncate", fontSize: 11 };
  }

  /* Room for the longest category name (11 px type: about 11 px a Chinese character), within MIN..MAX, so that
     office names are not cut to their first few characters when there is space for them. */
  function labelRoom(categories, min, max) {
    var longest = categories.reduce(function (n, c) { return Math.max(n, String(c).length); }, 0);
    return Math.max(min, Math.min(max, longest * 11 + 6));
  }

  function option(spec) {
    var categories = spec.categories;
    var base = { color: PALETTE, animation: false, tooltip: { trigger: spec.type === "pie" ? "item" : "axis", confine: true } };
    if (spec.type === "pie") {
      base.legend = { type: "scroll", orient: "vertical", left: 0, top: "middle", textStyle: { fontSize: 11 } };
      base.series = spec.series.map(function (s) {
        return {
          name: s.name, type: "pie", radius: ["35%", "65%"], center: ["62%", "50%"],
          label: { formatter: "{b}\n{c}（{d}%）", fontSize: 11 },
          data: categories.map(function (label, i) { return { name: label, value: s.data[i] }; })
        };
      });
      return base;
    }
    var horizontal = spec.type === "hbar" || (spec.type === "stack" && categories.length > 6);
    var stacked = spec.type === "stack";
    var line = spec.type === "line";
    var room = horizontal ? labelRoom(categories, 60, 220) : labelRoom(categories, 70, categories.length > 3 ? 70 : 240);
    var categoryAxis = { type: "category", data: categories, axisLabel: axisLabel(room) };
    var valueAxis = { type: "value", minInterval: 1 };
    if (horizontal) {
      categoryAxis.inverse = true;
      base.xAxis = valueAxis;
      base.yAxis = categoryAxis;
      base.grid = { left: room + 10, right: 24, top: spec.series.length > 1 ? 30 : 10, bottom: 24 };
    } else {
      if (!line && categories.length > 6) { categoryAxis.axisLabel.rotate = 35; }
      base.xAxis = categoryAxis;
      base.yAxis = valueAxis;
      base.grid = { left: 48, right: 16, top: spec.series.length > 1 ? 30 : 12, bottom: line ? 30 : 60, containLabel: false };
    }
    if (spec.series.length > 1) {
      base.legend = { type: "scroll", top: 0, textStyle: { fontSize: 11 } };
    }
    base.series = spec.series.map(function (s) {
      return {
        name: s.name, type: line ? "line" : "bar", data: s.data, stack: stacked ? "total" : undefined,
        smooth: false, symbolSize: 6, barMaxWidth: 28,
        label: { show: !stacked && !line && spec.series.length === 1, position: horizontal ? "right" : "top", fontSize: 11 }
      };
    });
    return base;
  }

  var drawn = [];

  /* Draw the charts inside ROOT not drawn yet; each finds its numbers in #statistics-data-<key>. */
  function drawIn(root) {
    if (typeof window.echarts === "undefined") { return; }
    root.querySelectorAll("[data-chart]:not([data-drawn])").forEach(function (el) {
      var source = document.getElementById("statistics-data-" + el.getAttribute("data-chart"));
      if (!source) { return; }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(JSON.parse(source.textContent)));
      el.setAttribute("data-drawn", "");
      drawn.push(chart);
    });
    document.body.setAttribute("data-charts-ready", String(drawn.length));
  }

  function start() {
    drawIn(document);
    // The page's sections arrive one by one (htmx): draw each as it is settled in.
    document.body.addEventListener("htmx:afterSettle", function () { drawIn(document); });
    window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
