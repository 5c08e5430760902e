// Polls a bulk job's progress until it finishes, then reloads to show the final state.
(function () {
  "use strict";
  var box = document.getElementById("bulk-job");
  if (!box || box.dataset.status === "finished") return;
  function tick() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        box.querySelector(".progress > span").style.width = job.percent + "%";
        box.querySelector('[data-field="done"]').textContent = job.done;
        box.querySelector('[data-field="failed"]').textContent = job.failed;
        if (job.status === "finished") { window.location.reload(); return; }
        setTimeout(tick, 1500);
      })
      .catch(function () { setTimeout(tick, 5000); });
  }
  setTimeout(tick, 1000);
})();
