// The trainer's check-in screen: asks for the code every few seconds (a small JSON
// endpoint) and shows the new one as soon as the server gives one (every 30 seconds, and
// at once after someone used the current code). No inline script: the CSP forbids it.
(function () {
  var box = document.getElementById("check-in-code");
  if (!box) return;
  var url = box.getAttribute("data-code-url");
  var token = box.getAttribute("data-token") || "";
  var svgBox = box.querySelector("[data-field=svg]");
  var count = box.querySelector("[data-field=checked_in]");
  var offline = box.querySelector("[data-field=offline]");
  function poll() {
    fetch(url + "?current=" + encodeURIComponent(token), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        offline.hidden = true;
        if (data.token !== token) {
          token = data.token;
          svgBox.innerHTML = data.svg;  // markup made by our server (segno)
        }
        count.textContent = data.checked_in;
        setTimeout(poll, 3000);
      })
      .catch(function () {
        offline.hidden = false;
        setTimeout(poll, 5000);
      });
  }
  setTimeout(poll, 3000);
})();
