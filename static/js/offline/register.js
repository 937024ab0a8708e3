/* Every page: register the service worker (/sw.js) after the page has loaded, and wake the
   offline client (offline.js, loaded on demand) only when there is work for it: a page
   that offers offline use (data-offline…), items waiting on this phone, a form sent with
   no network, or logging out (which clears the phone). Kept small: it is on every page. */
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || !("serviceWorker" in navigator) || !window.indexedDB || !window.caches) return;
  const data = script.dataset;
  const root = document.documentElement;
  let client = null;
  const wake = () => client || (client = new Promise((resolve, reject) => {
    const tag = document.createElement("script");
    tag.src = data.client;
    tag.onload = () => resolve(window.OfflineClient.start(data));
    tag.onerror = reject;
    document.head.appendChild(tag);
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
    } else if (!navigator.onLine && form.matches("[data-offline-complete], [data-offline-draft]")) {
      event.preventDefault();
      wake().then((c) => c.keep(form, event.submitter));
    }
  });
  addEventListener("load", () => {
    navigator.serviceWorker.register(data.worker, { scope: "/" })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => registration.active && registration.active.postMessage({
        language: root.lang, user: data.user || "",
      }))
      .catch(() => {});
    if (document.querySelector("[data-offline], [data-offline-draft], [data-offline-course]") || waiting()) wake();
  });
})();
