// The self-registration page works without this script; it only shows the other-province code field when that
// option is chosen, moves to the error summary, and stops a double tap from sending the form twice.
(function () {
  document.documentElement.classList.add("js");
  var select = document.getElementById("id_origin_region");
  var other = document.getElementById("origin-other");
  function sync() {
    if (select && other) other.classList.toggle("selfreg-js-hide", select.value !== "other");
  }
  if (select) select.addEventListener("change", sync);
  sync();
  // A field the person corrects loses its red mark at once (the server checks it again on submit).
  document.addEventListener("input", function (event) {
    var field = event.target.closest(".is-invalid, .selfreg-chips, .selfreg-agree");
    if (!field) return;
    field.classList.remove("is-invalid");
    var box = field.closest(".mb-3, .mb-1, fieldset");
    if (box) box.querySelectorAll(".invalid-feedback, .selfreg-error").forEach(function (m) { m.remove(); });
  });
  var errors = document.getElementById("errors");
  if (errors) errors.focus();
  var form = document.getElementById("selfreg-form");
  if (form) {
    form.addEventListener("submit", function () {
      var button = document.getElementById("selfreg-submit");
      if (button) {
        setTimeout(function () { button.disabled = true; button.textContent = "正在提交…"; }, 0);
      }
    });
  }
})();
