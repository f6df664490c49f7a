/* Behaviour every page shares, without inline script or style (the Content-Security-Policy allows neither). */
(function () {
  "use strict";
  // A progress bar's width comes from data-width (a percentage); also in fragments htmx swaps in.
  function sizeBars(root) {
    root.querySelectorAll("[data-width]").forEach(function (bar) {
      bar.style.width = Math.max(0, Math.min(100, Number(bar.dataset.width) || 0)) + "%";
    });
  }
  // A header checkbox with data-select-all="NAME" ticks or clears every checkbox named NAME.
  document.addEventListener("change", function (event) {
    var box = event.target.closest("[data-select-all]");
    if (!box) return;
    document.querySelectorAll('input[type=checkbox][name="' + box.dataset.selectAll + '"]').forEach(function (c) {
      c.checked = box.checked;
    });
  });
  document.addEventListener("DOMContentLoaded", function () { sizeBars(document); });
  document.addEventListener("htmx:afterSettle", function () { sizeBars(document); });
})();
