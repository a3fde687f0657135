// Warns before the web session ends (idle or absolute timeout) and then goes to the
// sign-in page, and back to this page afterwards. A page with a form the person typed in
// stays: sending it keeps the input through the sign-in (api/pages/refill.py). No inline
// script: the page gives the numbers as data attributes.
(function () {
  "use strict";
  var body = document.body;
  var left = parseInt(body.getAttribute("data-session-seconds-left") || "", 10);
  var warnBefore = parseInt(body.getAttribute("data-session-warning-seconds") || "300", 10);
  if (isNaN(left)) { return; }
  var banner = document.getElementById("sessie-waarschuwing");
  var keep = document.getElementById("sessie-verlengen");
  var started = Date.now();
  var edited = false;
  document.addEventListener("input", function () { edited = true; });
  function secondsLeft() { return left - Math.floor((Date.now() - started) / 1000); }
  function tick() {
    var rest = secondsLeft();
    if (rest <= 0) {
      if (edited && banner) {
        banner.querySelector("[data-bijna]").hidden = true;
        banner.querySelector("[data-afgemeld]").hidden = false;
        banner.hidden = false;
        return;
      }
      var here = window.location.pathname + window.location.search;
      window.location.assign("/?verlopen=1&terug=" + encodeURIComponent(here));
      return;
    }
    if (banner && rest <= warnBefore) {
      var minutes = Math.max(1, Math.ceil(rest / 60));
      var text = banner.querySelector("[data-minuten]");
      if (text) { text.textContent = String(minutes); }
      banner.hidden = false;
    }
    window.setTimeout(tick, 5000);
  }
  if (keep) {
    keep.addEventListener("click", function () { window.location.reload(); });
  }
  tick();
})();
