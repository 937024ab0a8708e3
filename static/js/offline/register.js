/* Every page: register the service worker after load; wake the offline client (offline.js)
   only when there is work: a page offering offline use, items waiting, a form sent with no
   network, or logging out (which clears the phone). Small: it is on every page. */
(() => {
  const tag = document.currentScript;
  if (!tag || !("serviceWorker" in navigator) || !window.indexedDB || !window.caches) return;
  const data = tag.dataset;
  const root = document.documentElement;
  let client = null;
  const wake = () => client || (client = new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = data.client;
    script.onload = () => resolve(window.OfflineClient.start(data));
    script.onerror = reject;
    document.head.append(script);
  }));
  const waiting = () => localStorage.getItem("offline-waiting") === "1" || location.hash === "#queued";
  const mark = () => root.classList.toggle("is-offline", !navigator.onLine);
  mark();
  addEventListener("offline", mark);
  addEventListener("online", () => { mark(); if (waiting()) wake(); });
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches("[data-offline-logout]")) {
      event.preventDefault();
      wake().then((c) => c.logOut(form), () => form.submit());
    } else if (!navigator.onLine && form.matches("[data-offline-complete],[data-offline-draft]")) {
      event.preventDefault();
      wake().then((c) => c.keep(form, event.submitter));
    }
  });
  addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" })
      .then(() => navigator.serviceWorker.ready)
      .then((r) => r.active && r.active.postMessage({ language: root.lang, user: data.user || "" }))
      .catch(() => {});
    if (document.querySelector("[data-offline],[data-offline-draft],[data-offline-course]") || waiting()) wake();
  });
})();
