/* Quiz attempt page: a countdown, autosave of each answer, auto-submit at the limit.
   No framework. The server enforces the time limit; this only keeps the trainee informed. */
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) return;
  var status = form.querySelector(".quiz-save-status");
  var timer = document.querySelector(".quiz-timer");
  var pending = null;
  var submitting = false;

  function say(text) { if (status) status.textContent = text; }

  function save() {
    pending = null;
    var data = new FormData(form);
    data.set("action", "save");
    // Not form.action: the form's buttons are named "action", which shadows the property.
    return fetch(form.getAttribute("action") || window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok) {
          say(form.dataset.savedText || "✓");
        } else if (body.redirect) {
          window.location.assign(body.redirect);
        } else {
          say(body.detail || "!");
        }
      });
    }).catch(function () { say(form.dataset.offlineText || "…"); });
  }

  function schedule() {
    if (pending) window.clearTimeout(pending);
    pending = window.setTimeout(save, 800);
  }

  form.addEventListener("change", schedule);
  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA" || event.target.type === "text") schedule();
    if (event.target.tagName === "TEXTAREA") countWords(event.target);
  });
  form.addEventListener("submit", function () { submitting = true; if (pending) window.clearTimeout(pending); });

  function countWords(area) {
    var note = area.parentNode.querySelector(".word-count");
    if (!note) return;
    var text = area.value;
    var cjk = (text.match(/[\u3400-\u9fff\uf900-\ufaff]/g) || []).length;
    var other = (text.replace(/[\u3400-\u9fff\uf900-\ufaff]/g, " ").match(/\S+/g) || []).length;
    note.textContent = "(" + (cjk + other) + ")";
  }
  Array.prototype.forEach.call(form.querySelectorAll("textarea"), countWords);

  if (timer) {
    var left = parseInt(timer.dataset.secondsLeft, 10);
    var shown = timer.querySelector(".quiz-timer-value");
    var end = Date.now() + left * 1000;
    var tick = function () {
      var seconds = Math.max(0, Math.round((end - Date.now()) / 1000));
      var m = Math.floor(seconds / 60), s = seconds % 60;
      shown.textContent = (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
      if (seconds <= 60) timer.classList.add("quiz-timer-low");
      if (seconds === 0 && !submitting) {
        submitting = true;
        var action = document.createElement("input");
        action.type = "hidden"; action.name = "action"; action.value = "submit";
        form.appendChild(action);
        form.submit();
        return;
      }
      window.setTimeout(tick, 500);
    };
    tick();
  }
})();
