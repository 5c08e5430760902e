// Keeps the running revenue poll's progress bar current; reloads the page when the poll ends.
(function () {
  "use strict";
  var box = document.getElementById("active-poll");
  if (!box) return;
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector(".progress > span");
  var meter = box.querySelector(".progress");
  function tick() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        bar.style.width = data.percent + "%";
        meter.setAttribute("aria-valuenow", data.percent);
        box.querySelectorAll("[data-field]").forEach(function (el) {
          var key = el.getAttribute("data-field");
          if (key in data) el.textContent = data[key];
        });
        if (data.active) setTimeout(tick, 2000);
        else setTimeout(function () { window.location.reload(); }, 800);
      })
      .catch(function () { setTimeout(tick, 5000); });
  }
  setTimeout(tick, 1000);
})();
