// Keeps a background catalog import's progress current; reloads the page when it ends.
(function () {
  "use strict";
  var box = document.getElementById("catalog-import");
  if (!box || box.dataset.active !== "1") return;
  var bar = box.querySelector(".progress > span");
  var meter = box.querySelector(".progress");
  function tick() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (job) {
        bar.style.width = job.percent + "%";
        meter.setAttribute("aria-valuenow", job.percent);
        box.querySelectorAll("[data-field]").forEach(function (el) {
          var key = el.getAttribute("data-field");
          if (key in job && key !== "status") el.textContent = job[key];
        });
        if (job.active) setTimeout(tick, 1500);
        else window.location.reload();
      })
      .catch(function () { setTimeout(tick, 5000); });
  }
  setTimeout(tick, 1000);
})();
