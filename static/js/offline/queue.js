/* The queue of what waits on the phone to be sent (IndexedDB "queue"), and the one way it
   is sent: used by the page (offline.js, when it is open and online) and by the service
   worker (sw.js, on a Background Sync event, also when no page of the site is open).

   Each item carries a key made when it was queued, sent as the API's Idempotency-Key, so
   an item sent twice (an answer lost on the way back, the page and the worker both
   sending) is done once by the server. One sender at a time on a phone (a Web Lock where
   the browser has them), so the page and the worker do not send the same item at once.
   No DOM here: it runs in a worker too. */
(function (scope) {
  "use strict";

  const DB_NAME = "talent-pool-offline";
  const LOCK = "talent-pool-offline-queue";
  const COURSE_PREFIX = "course-";
  const SYNC_TAG = "offline-queue";

  /* --- storage (the same database as offline.js and sw.js) ----------------------------- */

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("queue")) db.createObjectStore("queue", { keyPath: "key" });
        if (!db.objectStoreNames.contains("courses")) db.createObjectStore("courses", { keyPath: "id" });
        if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta", { keyPath: "name" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function db(store, mode, action) {
    const handle = await openDb();
    try {
      return await new Promise((resolve, reject) => {
        const request = action(handle.transaction(store, mode).objectStore(store));
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    } finally {
      handle.close();
    }
  }

  async function queued() {
    const items = await db("queue", "readonly", (s) => s.getAll());
    return items.sort((a, b) => (a.created < b.created ? -1 : 1));
  }

  const put = (item) => db("queue", "readwrite", (s) => s.put(item));
  const remove = (key) => db("queue", "readwrite", (s) => s.delete(key));

  /* --- sending --------------------------------------------------------------------- */

  function reasonOf(answer) {
    const data = answer.data || {};
    const lines = [data.detail || `${answer.status}`];
    if (data.errors && !Array.isArray(data.errors)) {
      Object.entries(data.errors).forEach(([field, messages]) => {
        if (field !== "__all__") lines.push(`${field}: ${[].concat(messages).join(" ")}`);
      });
    } else if (Array.isArray(data.errors)) {
      data.errors.slice(0, 5).forEach((error) => {
        const where = (error.loc || []).filter((part) => typeof part === "string" && part !== "body" && part !== "payload");
        if (where.length) lines.push(`${where[where.length - 1]}: ${error.msg}`);
      });
    }
    return Array.from(new Set(lines)).join(" · ");
  }

  /* "sent", "refused" (the reason kept on the item), "wait" (network, server trouble:
     try later) or "login" (the session is gone). */
  function settle(item, answer) {
    if (answer.network) return "wait";
    if (answer.ok) return "sent";
    if (answer.status === 401) return "login";
    if (answer.status >= 500 || answer.status === 429 || answer.data.code === "request_in_progress") return "wait";
    item.reason = reasonOf(answer);
    item.errors = answer.data.errors || null;
    return "refused";
  }

  /* A sender: a CSRF token fetched once (again after a refusal for it), then POSTs with
     the item's Idempotency-Key. */
  function sender(tokenUrl) {
    let token = null;

    async function csrfToken(fresh) {
      if (token && !fresh) return token;
      const response = await fetch(tokenUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      token = (await response.json()).csrfToken;
      return token;
    }

    return async function send(url, key, body, asForm) {
      let answer;
      for (let attempt = 0; attempt < 2; attempt += 1) {
        let response;
        try {
          const headers = { "X-CSRFToken": await csrfToken(attempt > 0), "Idempotency-Key": key, Accept: "application/json" };
          if (!asForm) headers["Content-Type"] = "application/json";
          response = await fetch(url, {
            method: "POST", credentials: "same-origin", headers, body: asForm ? body() : JSON.stringify(body),
          });
        } catch (error) {
          return { network: true };
        }
        let data = {};
        try { data = await response.json(); } catch (error) { data = {}; }
        answer = { status: response.status, ok: response.ok, data };
        const csrfRefused = response.status === 403 && /csrf/i.test(data.detail || "");
        if (!csrfRefused) break;
      }
      return answer;
    };
  }

  async function sendItem(item, send, t) {
    if (item.kind === "completion" || item.kind === "report") {
      return settle(item, await send(item.url, item.key, item.body));
    }
    if (item.kind !== "entry") return "refused";
    if (item.stage !== "created") {
      const answer = await send(item.url, item.key, item.body);
      const outcome = settle(item, answer);
      if (outcome !== "sent") return outcome;
      item.stage = "created";
      item.entryId = answer.data.id;
      item.entryUrl = `/practicum/entries/${answer.data.id}/`;
      await put(item);
    }
    const files = item.files || [];
    for (let index = 0; index < files.length; index += 1) {
      const file = files[index];
      if (file.sent) continue;
      const answer = await send(`/api/v1/practicum/entries/${item.entryId}/attachments`, `${item.key}.file${index}`, () => {
        const form = new FormData();
        form.append("file", file.blob, file.name);
        return form;
      }, true);
      const outcome = settle(item, answer);
      if (outcome === "wait" || outcome === "login") return outcome;
      file.sent = true;
      if (outcome === "refused") item.fileReason = reasonOf(answer);
      await put(item);
    }
    if (item.then === "submit") {
      const answer = await send(`/api/v1/practicum/entries/${item.entryId}/submit`, `${item.key}.submit`, {});
      const outcome = settle(item, answer);
      if (outcome !== "sent") {
        if (outcome === "refused") item.reason = t("entry_submit_refused", { reason: reasonOf(answer) });
        return outcome;
      }
    }
    if (item.fileReason) {
      item.reason = item.fileReason;
      return "refused";
    }
    return "sent";
  }

  async function refreshSavedLesson(item) {
    // The saved copy showed "Mark as done"; keep the one that shows it done.
    if (item.kind !== "completion" || !item.page) return;
    const page = new URL(item.page.split("#")[0], scope.location.href).href;
    for (const name of (await caches.keys()).filter((n) => n.startsWith(COURSE_PREFIX))) {
      const cache = await caches.open(name);
      if (await cache.match(page, { ignoreVary: true })) {
        try {
          const response = await fetch(page, { credentials: "same-origin", headers: { "X-Offline-Copy": "1" } });
          if (response.ok) await cache.put(page, response);
        } catch (error) { /* the next online visit refreshes it */ }
      }
    }
  }

  function exclusively(work) {
    const locks = scope.navigator && scope.navigator.locks;
    return locks ? locks.request(LOCK, work) : work();
  }

  /* Send, oldest first, the person's items that wait; stop at the first that cannot be
     sent now. Returns { left: the items still queued, stopped: "wait" | "login" | "offline" | null }.
     ``user``: whose items (another account's wait for that person to log in);
     ``t``: the client's words; ``onSending(item)`` and ``onSent(item)``: for the page. */
  function flush({ user, tokenUrl, t, isOnline, onSending, onSent }) {
    return exclusively(async () => {
      let stopped = null;
      if (user) {
        const send = sender(tokenUrl);
        // Read under the lock: what another sender sent meanwhile is gone from the queue.
        for (const item of await queued()) {
          if (!isOnline()) {
            stopped = "offline";
            break;
          }
          if (item.status === "refused" || (item.user || "") !== user) continue;
          if (onSending) await onSending(item);
          const outcome = await sendItem(item, send, t);
          if (outcome === "sent") {
            await remove(item.key);
            await refreshSavedLesson(item);
            if (onSent) await onSent(item);
            continue;
          }
          item.status = outcome === "refused" ? "refused" : "waiting";
          item.reason = outcome === "login" ? t("log_in_to_send") : (outcome === "refused" ? item.reason : "");
          await put(item);
          if (outcome !== "refused") {
            stopped = outcome;
            break;
          }
        }
      }
      return { left: await queued(), stopped };
    });
  }

  /* Ask the browser to wake the worker when the network is back (Background Sync), so
     what waits is sent even if no page of the site is open then. True if it will; false
     where the browser has no Background Sync (the page sends on its "online" event). */
  async function requestSync(registration) {
    if (!registration || !registration.sync) return false;
    try {
      await registration.sync.register(SYNC_TAG);
      return true;
    } catch (error) {
      return false; // e.g. Background Sync switched off in the browser's settings
    }
  }

  scope.OfflineQueue = { SYNC_TAG, queued, put, remove, flush, requestSync, db };
})(self);
