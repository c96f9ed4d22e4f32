// Progress bar of a training import: asks the server to check the next rows until it is done.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) { return; }
  var bar = document.getElementById("import-bar");
  var count = document.getElementById("import-count");
  var total = document.getElementById("import-total");

  function step() {
    fetch(box.dataset.stepUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": box.dataset.csrf, "Accept": "application/json"}
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (progress) {
      bar.value = progress.percent;
      bar.textContent = progress.percent + "%";
      count.textContent = progress.processed;
      total.textContent = progress.total === null ? "?" : progress.total;
      if (progress.done) { window.location.reload(); } else { step(); }
    }).catch(function () {
      var message = document.createElement("p");
      message.className = "text-danger";
      message.setAttribute("role", "alert");
      message.textContent = box.dataset.failed;
      box.appendChild(message);
    });
  }
  step();
}());
