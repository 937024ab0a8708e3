/* The service worker, served from the site root by offline.views.service_worker, which
   puts self.OFFLINE_CONFIG (hashed static names, offline pages, kept pages) above this.

   What it does with each request of the site:
   - static files: from a cache first (their names change with their content), kept as used;
   - pages: from the network; a copy is kept of pages the person saved (a course's lessons,
     in the "course-<id>" caches that offline.js fills) and of the pages people draft on
     (config.keptPages); with no network, the kept copy, else the offline page in the
     person's language;
   - media and documents of saved courses: from the network, else from the saved copy
     (a video asked for by range gets that range);
   - "Mark as done" posted with no network: the completion is queued (IndexedDB "queue")
     for offline.js to send, and the lesson opens again from its saved copy;
   - the API, log-in pages and quizzes: always the network (quizzes' time is kept by the
     server).
   Queued items (lesson completions, practicum entries, delivery reports) are sent by the
   page while it is open (offline.js, on its "online" event) and, where the browser has
   Background Sync (Chromium), by this worker on a "sync" event: the browser wakes it when
   the network is back, even with no page of the site open, and again later if the server
   could not be reached. Both send through queue.js, one at a time, each item with its
   Idempotency-Key, so an item sent by both is done once. */
"use strict";

const CONFIG = self.OFFLINE_CONFIG;
importScripts(CONFIG.queueScript); /* self.OfflineQueue */
const STATIC_CACHE = `static-${CONFIG.version}`;
const PAGES_CACHE = "pages";
const COURSE_PREFIX = "course-";

/* --- IndexedDB: the stores are opened (and made) by queue.js, one definition for all -- */

const dbRequest = self.OfflineQueue.db;

const metaValue = (name) => dbRequest("meta", "readonly", (s) => s.get(name)).then((row) => row && row.value, () => undefined);
const setMeta = (name, value) => dbRequest("meta", "readwrite", (s) => s.put({ name, value }));

/* --- lifecycle ---------------------------------------------------------------------- */

self.addEventListener("install", (event) => {
  const languagePages = Object.values(CONFIG.offlinePages).concat(Object.values(CONFIG.client));
  event.waitUntil(
    caches.open(STATIC_CACHE)
      .then((cache) => cache.addAll(CONFIG.precache.concat(languagePages)))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("static-") && name !== STATIC_CACHE).map((name) => caches.delete(name))
      ))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.language) event.waitUntil(setMeta("language", data.language));
  if ("user" in data) event.waitUntil(setMeta("user", data.user));
});

/* --- routing ------------------------------------------------------------------------ */

const keptPatterns = CONFIG.keptPages.map((pattern) => new RegExp(pattern));
const completePattern = new RegExp(CONFIG.completePattern);

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && request.mode === "navigate" && completePattern.test(url.pathname)) {
    event.respondWith(completeOrQueue(event));
    return;
  }
  if (request.method !== "GET") return;
  const networkOnly = CONFIG.networkOnly.some((prefix) => url.pathname.startsWith(prefix));
  if (request.mode === "navigate") {
    event.respondWith(networkOnly ? pageOrOffline(request) : pageFromNetwork(request, url));
  } else if (networkOnly) {
    return;
  } else if (url.pathname.startsWith(CONFIG.staticUrl) || languageFiles.has(url.pathname)) {
    event.respondWith(staticFirst(request));
  } else if (url.pathname.startsWith(CONFIG.mediaUrl) || url.pathname.startsWith("/documents/")) {
    event.respondWith(savedFileIfOffline(request, url));
  }
});

const languageFiles = new Set(Object.values(CONFIG.client));

async function pageOrOffline(request) {
  // Log-in pages, quizzes: never kept (a quiz's time is kept by the server).
  try {
    return await fetch(request);
  } catch (error) {
    return offlinePage();
  }
}

async function staticFirst(request) {
  const cached = await caches.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(STATIC_CACHE);
    cache.put(request, response.clone());
  }
  return response;
}

async function savedCopy(url) {
  // A saved lesson or kept page; its query string matters only if it was saved with one.
  return (await caches.match(url.href, { ignoreVary: true }))
    || (url.search ? caches.match(url.origin + url.pathname, { ignoreVary: true }) : undefined);
}

async function courseCacheHolding(url) {
  const names = (await caches.keys()).filter((name) => name.startsWith(COURSE_PREFIX));
  for (const name of names) {
    const cache = await caches.open(name);
    if (await cache.match(url, { ignoreVary: true })) return cache;
  }
  return null;
}

async function pageFromNetwork(request, url) {
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    return (await savedCopy(url)) || offlinePage();
  }
  if (response.status >= 500) {
    const copy = await savedCopy(url);
    if (copy) return copy;
  }
  if (response.ok && !response.redirected && response.type === "basic") {
    // A newer published revision replaces the saved one on the next online visit.
    const course = await courseCacheHolding(url.href);
    if (course) await course.put(url.href, response.clone());
    if (keptPatterns.some((pattern) => pattern.test(url.pathname))) {
      const pages = await caches.open(PAGES_CACHE);
      await pages.put(url.href, response.clone());
    }
  }
  return response;
}

async function offlinePage() {
  const language = (await metaValue("language")) || CONFIG.defaultLanguage;
  const path = CONFIG.offlinePages[language] || CONFIG.offlinePages[CONFIG.defaultLanguage];
  const page = await caches.match(path, { ignoreVary: true });
  return page || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

async function savedFileIfOffline(request, url) {
  try {
    const response = await fetch(request);
    if (response.status < 500) return response;
  } catch (error) {
    // no network: look for the saved copy below
  }
  let saved = await caches.match(url.href, { ignoreVary: true, ignoreSearch: true });
  if (!saved && url.pathname.startsWith(CONFIG.mediaUrl + "images/")) saved = await otherRendition(url);
  if (!saved) return new Response("", { status: 504 });
  const range = request.headers.get("Range");
  return range ? partial(saved, range) : saved;
}

async function otherRendition(url) {
  // A rendition another screen width chose (srcset): the same image, another size.
  const file = url.pathname.split("/").pop();
  const stem = file.split(".")[0];
  const names = (await caches.keys()).filter((name) => name.startsWith(COURSE_PREFIX));
  for (const name of names) {
    const cache = await caches.open(name);
    for (const key of await cache.keys()) {
      const other = new URL(key.url);
      if (other.pathname.startsWith(CONFIG.mediaUrl + "images/") && other.pathname.split("/").pop().split(".")[0] === stem) {
        return cache.match(key);
      }
    }
  }
  return undefined;
}

async function partial(response, range) {
  const blob = await response.blob();
  const match = /bytes=(\d*)-(\d*)/.exec(range);
  let start = match && match[1] ? Number(match[1]) : 0;
  let end = match && match[2] ? Number(match[2]) : blob.size - 1;
  if (match && !match[1] && match[2]) {
    start = Math.max(0, blob.size - Number(match[2]));
    end = blob.size - 1;
  }
  if (start >= blob.size) return new Response("", { status: 416, headers: { "Content-Range": `bytes */${blob.size}` } });
  end = Math.min(end, blob.size - 1);
  return new Response(blob.slice(start, end + 1), {
    status: 206,
    headers: {
      "Content-Type": response.headers.get("Content-Type") || "application/octet-stream",
      "Content-Range": `bytes ${start}-${end}/${blob.size}`,
      "Content-Length": String(end - start + 1),
      "Accept-Ranges": "bytes",
    },
  });
}

/* --- "Mark as done" with no network -------------------------------------------------- */

function uuid() {
  return self.crypto.randomUUID ? self.crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

async function completeOrQueue(event) {
  const request = event.request;
  try {
    return await fetch(request.clone());
  } catch (error) {
    const url = new URL(request.url);
    const lessonId = Number(completePattern.exec(url.pathname)[1]);
    const back = request.referrer || "/";
    const queue = await dbRequest("queue", "readonly", (s) => s.getAll());
    if (!queue.some((item) => item.kind === "completion" && item.lessonId === lessonId)) {
      const user = (await metaValue("user")) || "";
      await dbRequest("queue", "readwrite", (s) => s.put({
        key: uuid(),
        kind: "completion",
        lessonId,
        url: `/api/v1/lessons/${lessonId}/complete`,
        body: {},
        title: "",
        page: back,
        user,
        created: new Date().toISOString(),
        status: "waiting",
      }));
    }
    await OfflineQueue.requestSync(self.registration);
    // "#queued" tells the page (register.js) to wake the client, which shows the lesson
    // as waiting to be sent and sends it when the network returns.
    return Response.redirect(back.split("#")[0] + "#queued", 303);
  }
}

/* --- Background Sync: send what waits when the network is back ------------------------ */

self.addEventListener("sync", (event) => {
  if (event.tag === OfflineQueue.SYNC_TAG) event.waitUntil(sendQueued(event.lastChance));
});

async function clientWords() {
  const language = (await metaValue("language")) || CONFIG.defaultLanguage;
  const path = CONFIG.client[language] || CONFIG.client[CONFIG.defaultLanguage];
  try {
    const response = (await caches.match(path, { ignoreVary: true })) || (await fetch(path));
    return (await response.json()).words || {};
  } catch (error) {
    return {};
  }
}

async function tellPages(message) {
  for (const client of await self.clients.matchAll({ type: "window" })) client.postMessage(message);
}

async function sendQueued(lastChance) {
  // The account signed in on this phone (register.js says so on every page); another
  // account's items wait for that person. With nobody signed in, nothing can be sent.
  const user = await metaValue("user");
  if (!user) return;
  const words = await clientWords();
  const t = (key, params) => Object.entries(params || {}).reduce(
    (text, [name, value]) => text.split(`%(${name})s`).join(String(value)), words[key] || key);
  const { stopped } = await OfflineQueue.flush({
    user,
    tokenUrl: CONFIG.tokenUrl,
    t,
    isOnline: () => self.navigator.onLine,
    onSent: (item) => tellPages({
      offlineQueue: "sent",
      item: { key: item.key, kind: item.kind, lessonId: item.lessonId, entryUrl: item.entryUrl },
    }),
  });
  await tellPages({ offlineQueue: "changed" });
  // Rejecting asks the browser to fire the sync again later (with back-off); a refusal
  // or a lost session is kept for the person to see instead.
  if ((stopped === "wait" || stopped === "offline") && !lastChance) {
    throw new Error("The server could not be reached; the browser will try again.");
  }
}
