/* New methodology version: say that the (slow) preview is being computed, show the
   winmax box only when outliers are treated, and bring a fresh preview into view. */
(function () {
  "use strict";

  var form = document.getElementById("methodology-form");
  if (form) {
    var status = document.getElementById("form-status");
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (status && button && button.dataset.busy) { status.textContent = button.dataset.busy; }
      // Disable after the browser has read the pressed button's name/value.
      window.setTimeout(function () {
        form.querySelectorAll("button[name=action]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });

    var treat = document.getElementById("id_treat");
    var winmax = document.getElementById("id_winmax");
    if (treat && winmax) {
      var sync = function () { winmax.disabled = !treat.checked; };
      treat.addEventListener("change", sync);
      sync();
    }
  }

  var heading = document.getElementById("preview-title");
  if (heading) {
    heading.scrollIntoView({ behavior: "smooth", block: "start" });
    heading.focus({ preventScroll: true });
  }
})();
