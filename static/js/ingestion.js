// Video list: "select all" checkbox for the bulk actions.
(function () {
  var all = document.getElementById("select-all");
  if (!all) return;
  all.addEventListener("change", function () {
    document.querySelectorAll('#video-bulk input[name="ids"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();
