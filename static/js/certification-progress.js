// Polls a bulk issue's progress (a small JSON endpoint) and updates the bar until it is finished.
(function () {
  var box = document.getElementById("job-progress");
  if (!box) return;
  var url = box.getAttribute("data-progress-url");
  function update(data) {
    box.querySelector("progress").value = data.percent;
    box.querySelector("[data-field=done]").textContent = data.done;
    box.querySelector("[data-field=total]").textContent = data.total;
    Object.keys(data.counts).forEach(function (state) {
      var cell = box.querySelector("[data-count=" + state + "]");
      if (cell) cell.textContent = data.counts[state];
    });
    if (data.finished) {
      box.querySelector("[data-field=finished]").hidden = false;
      return true;
    }
    return false;
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) { if (!update(data)) setTimeout(poll, 1500); })
      .catch(function () { setTimeout(poll, 5000); });
  }
  poll();
})();
