/* The offline client, loaded by register.js only when there is work for it.

   - Save a course for offline ([data-offline-course]): its course page, unlocked lessons,
     their styles, scripts, phone-sized images and documents, and its videos when chosen,
     in the cache "course-<id>"; the space used is shown; "Remove" deletes it. A newer
     published revision of a saved lesson is saved again on the next online visit.
   - Keep on the phone what cannot be sent now (IndexedDB "queue"): a lesson marked done
     ([data-offline-complete]), a practicum entry or a delivery report
     ([data-offline-draft="entry"|"report"]). Each item has a key made here, sent as the
     API's Idempotency-Key, so sending it again after a lost answer does nothing twice.
     Items are sent to the API (queue.js) when the phone is online: by this page while it
     is open, and by the service worker on a Background Sync event where the browser has
     it (also once the page is closed); a refusal keeps the draft with the server's
     reason, and "Open in the form" puts it back into the form.
   - Log out: offers to send what waits; then deletes every saved course, kept page and
     draft from the phone.
   No framework, no inline script (the Content-Security-Policy allows neither). */
(() => {
  "use strict";

  const DB_NAME = "talent-pool-offline";
  const COURSE_PREFIX = "course-";
  const CHECK_EVERY_MS = 15 * 60 * 1000;
  let config = { token: "/offline/token/" };
  let words = {};
  let ready = null;

  /* --- storage --------------------------------------------------------------------- */

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

  const all = (store) => db(store, "readonly", (s) => s.getAll());
  const get = (store, key) => db(store, "readonly", (s) => s.get(key));
  const put = (store, value) => db(store, "readwrite", (s) => s.put(value));
  const remove = (store, key) => db(store, "readwrite", (s) => s.delete(key));
  const clear = (store) => db(store, "readwrite", (s) => s.clear());

  const me = () => config.user || "";
  const newKey = () => (crypto.randomUUID ? crypto.randomUUID()
    : `${Date.now().toString(16)}-${Math.random().toString(16).slice(2)}-${Math.random().toString(16).slice(2)}`);

  async function queued() {
    const items = await all("queue");
    return items.sort((a, b) => (a.created < b.created ? -1 : 1));
  }

  async function noteWaiting() {
    const items = await queued();
    localStorage.setItem("offline-waiting", items.length ? "1" : "0");
    return items;
  }

  /* --- words and numbers ----------------------------------------------------------- */

  function t(key, params) {
    let text = words[key] || key;
    Object.entries(params || {}).forEach(([name, value]) => {
      text = text.split(`%(${name})s`).join(String(value));
    });
    return text;
  }

  function size(bytes) {
    const number = (value) => value.toLocaleString(document.documentElement.lang || undefined, { maximumFractionDigits: 1 });
    if (bytes >= 1024 * 1024) return `${number(bytes / (1024 * 1024))} MB`;
    return `${number(Math.max(1, Math.round(bytes / 1024)))} KB`;
  }

  const day = (iso) => new Date(iso).toLocaleDateString(document.documentElement.lang || undefined);

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([name, value]) => {
      if (value === false || value == null) return;
      if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    });
    children.flat().filter(Boolean).forEach((child) => node.append(child));
    return node;
  }

  function say(place, text, kind) {
    let line = place.querySelector(":scope > .offline-say");
    if (!line) {
      line = element("p", { class: "offline-say message", role: "status" });
      place.prepend(line);
    }
    line.className = `offline-say message ${kind || "success"}`;
    line.textContent = text;
  }

  /* --- sending what waits (queue.js, shared with the service worker) ----------------- */

  let flushing = null;

  function flush() {
    if (!flushing) flushing = flushQueue().finally(() => { flushing = null; });
    return flushing;
  }

  // After a lost answer or a server in trouble, try again: 5 s, 10 s, 20 s … up to 5 min.
  let retryDelay = 5000;
  let retryTimer = null;

  function retryLater() {
    if (retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      if (navigator.onLine) flush();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 5 * 60 * 1000);
  }

  /* Where the browser has Background Sync, the worker sends what waits when the network
     is back, even once this page is closed; this page still sends while it is open. */
  function requestSync() {
    if (!navigator.serviceWorker) return;
    navigator.serviceWorker.ready.then((registration) => window.OfflineQueue.requestSync(registration)).catch(() => {});
  }

  async function flushQueue() {
    const { stopped } = await window.OfflineQueue.flush({
      user: me(),
      tokenUrl: config.token,
      t,
      isOnline: () => navigator.onLine,
      onSending: () => render(),
      onSent: (item) => announce(item),
    });
    if (stopped === "wait") {
      retryLater();
      requestSync();
    } else if (!stopped) {
      retryDelay = 5000;
    }
    const left = await noteWaiting();
    render();
    return left;
  }

  function announce(item) {
    const text = { completion: t("completion_sent"), entry: t("entry_sent"), report: t("report_sent") }[item.kind];
    const place = document.querySelector(`[data-offline-complete="${item.lessonId}"]`)
      || (item.kind !== "completion" && document.querySelector(`[data-offline-draft="${item.kind}"]`))
      || document.querySelector("main");
    const host = place.closest("section, .card, main") || place;
    say(host, text);
    if (item.entryUrl) host.querySelector(".offline-say").append(" ", element("a", { href: item.entryUrl, text: t("open") }));
  }

  function hearWorker() {
    // The worker sent (or tried to send) what waits, on a Background Sync event.
    if (!navigator.serviceWorker) return;
    navigator.serviceWorker.addEventListener("message", async (event) => {
      const data = event.data || {};
      if (!data.offlineQueue) return;
      await ready;
      if (data.offlineQueue === "sent" && data.item) announce(data.item);
      await noteWaiting();
      render();
    });
  }

  /* --- keeping what cannot be sent now --------------------------------------------- */

  function fieldsOf(form) {
    const fields = {};
    Array.from(form.elements).forEach((field) => {
      if (!field.name || field.type === "file" || field.type === "submit" || field.type === "button") return;
      if (field.name === "csrfmiddlewaretoken") return;
      if ((field.type === "checkbox" || field.type === "radio") && !field.checked) return;
      fields[field.name] = field.value;
    });
    return fields;
  }

  async function filesOf(form) {
    const files = [];
    for (const input of form.querySelectorAll("input[type=file]")) {
      for (const file of Array.from(input.files || [])) {
        files.push({ field: input.name, name: file.name, type: file.type, blob: new Blob([await file.arrayBuffer()], { type: file.type }) });
      }
    }
    return files;
  }

  const count = (value) => (value === "" || value == null ? 0 : Number(value));
  const optional = (value) => (value === "" || value == null ? null : value);

  function entryBody(form, f) {
    const select = form.elements.activity_type;
    const option = select && select.selectedOptions && select.selectedOptions[0];
    const body = {
      placement_id: f.placement ? Number(f.placement) : null,
      date: f.date || null,
      start_time: optional(f.start_time),
      end_time: optional(f.end_time),
      minutes: f.minutes ? Number(f.minutes) : null,
      venue_id: f.venue ? Number(f.venue) : null,
      activity_type: (option && option.dataset.code) || "",
      topic: f.topic || "",
      description: f.description || "",
      reflection: f.reflection || "",
    };
    ["children_0_5", "children_6_11", "children_12_17", "caregivers", "teachers"].forEach((name) => {
      body[name] = count(f[name]);
    });
    if (f.language) body.language = f.language;
    return body;
  }

  function reportBody(f) {
    const children = [];
    Object.entries(f).forEach(([name, value]) => {
      const cell = /^children_(.+)_(\d+)_(\d+)$/.exec(name);
      if (cell && count(value) > 0) children.push({ group: cell[1], age_band: `${cell[2]}-${cell[3]}`, count: count(value) });
    });
    return {
      actual_minutes: f.actual_minutes ? Number(f.actual_minutes) : null,
      children,
      caregivers_count: count(f.caregivers_count),
      teachers_count: count(f.teachers_count),
      others_count: count(f.others_count),
      notes: f.notes || "",
    };
  }

  async function keep(form, submitter) {
    await ready;
    if (form.matches("[data-offline-complete]")) return keepCompletion(form);
    const kind = form.dataset.offlineDraft;
    const fields = fieldsOf(form);
    const item = {
      key: newKey(),
      kind,
      fields,
      user: me(),
      page: location.pathname,
      created: new Date().toISOString(),
      status: "waiting",
      then: submitter && submitter.value === "submit" ? "submit" : "draft",
    };
    if (kind === "entry") {
      item.url = "/api/v1/practicum/entries";
      item.body = entryBody(form, fields);
      item.title = t("label_entry", { date: fields.date || "" });
      try {
        item.files = await filesOf(form);
      } catch (error) {
        item.files = [];
        item.fileReason = t("files_dropped");
      }
    } else {
      item.sessionId = form.dataset.session;
      item.url = `/api/v1/sessions/${item.sessionId}/delivery-report`;
      item.body = reportBody(fields);
      item.title = t("label_report", { title: form.dataset.title || "" });
    }
    const replacing = form.dataset.offlineEditing;
    if (replacing) await remove("queue", replacing);
    delete form.dataset.offlineEditing;
    await put("queue", item);
    form.reset();
    say(form.closest("section, .card") || form, t("draft_kept"));
    await noteWaiting();
    render();
    requestSync();
    if (navigator.onLine) flush();
  }

  async function keepCompletion(form) {
    const lessonId = Number(form.dataset.offlineComplete);
    const items = await queued();
    if (!items.some((item) => item.kind === "completion" && item.lessonId === lessonId)) {
      await put("queue", {
        key: newKey(),
        kind: "completion",
        lessonId,
        url: `/api/v1/lessons/${lessonId}/complete`,
        body: {},
        title: (document.querySelector("h1") || {}).textContent || "",
        page: location.pathname,
        user: me(),
        created: new Date().toISOString(),
        status: "waiting",
      });
    }
    await noteWaiting();
    render();
    requestSync();
    if (navigator.onLine) flush();
  }

  function showCompletions(items) {
    document.querySelectorAll("[data-offline-complete]").forEach((form) => {
      const lessonId = Number(form.dataset.offlineComplete);
      const waiting = items.find((item) => item.kind === "completion" && item.lessonId === lessonId);
      let note = form.parentElement.querySelector(".offline-done");
      if (waiting && !note) {
        note = element("p", { class: "offline-done", role: "status", "data-testid": "completion-queued" },
          element("span", { class: "badge warn", text: t("completion_queued") }));
        form.after(note);
      }
      if (note) note.hidden = !waiting;
      form.hidden = Boolean(waiting);
    });
  }

  /* --- the list of what waits ------------------------------------------------------ */

  function itemLabel(item) {
    if (item.kind === "completion") return t("label_completion", { title: item.title });
    return item.title + (item.files && item.files.length ? ` (${t("with_files")})` : "");
  }

  function itemStatus(item) {
    if ((item.user || "") !== me()) return t("other_account");
    if (item.status === "refused") return t("refused", { reason: item.reason });
    if (item.status === "sending") return t("sending");
    return item.reason || t("waiting");
  }

  function queueList(items) {
    return element("ul", { class: "offline-queue" }, items.map((item) => element("li", {
      class: `offline-item status-${item.status}`, "data-key": item.key, "data-testid": `queued-${item.kind}`,
    },
    element("strong", { text: itemLabel(item) }),
    element("span", { class: item.status === "refused" ? "error" : "help", text: itemStatus(item) }),
    element("span", { class: "offline-actions" },
      item.kind !== "completion" && element("button", {
        type: "button", class: "button small secondary", text: t("open_in_form"), onclick: () => openDraft(item),
      }),
      item.entryUrl && element("a", { href: item.entryUrl, text: t("open") }),
      element("button", {
        type: "button", class: "link-button", text: t("delete"), onclick: () => deleteItem(item),
      })))));
  }

  async function deleteItem(item) {
    if (item.kind !== "completion" && !item.entryId && !window.confirm(t("confirm_delete"))) return;
    await remove("queue", item.key);
    await noteWaiting();
    render();
  }

  function openDraft(item) {
    const form = document.querySelector(`[data-offline-draft="${item.kind}"]`);
    const samePlace = form && (item.kind !== "report" || form.dataset.session === String(item.sessionId));
    if (!samePlace) {
      location.assign(`${item.page}#draft-${item.key}`);
      return;
    }
    fill(form, item);
  }

  function fill(form, item) {
    Object.entries(item.fields || {}).forEach(([name, value]) => {
      const field = form.elements[name];
      if (!field || field.type === "hidden" && name === "csrfmiddlewaretoken") return;
      if (field.type === "checkbox") field.checked = Boolean(value);
      else field.value = value;
    });
    const input = form.querySelector("input[type=file]");
    if (input && item.files && item.files.length && window.DataTransfer) {
      const transfer = new DataTransfer();
      item.files.filter((file) => !file.sent).forEach((file) => transfer.items.add(new File([file.blob], file.name, { type: file.type })));
      input.files = transfer.files;
    }
    form.dataset.offlineEditing = item.key;
    if (item.status === "refused") say(form.closest("section, .card") || form, t("refused", { reason: item.reason }), "error");
    form.scrollIntoView({ block: "start" });
    const first = form.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }

  let renderedOnce = false;

  async function render() {
    const items = await queued();
    showCompletions(items);
    document.querySelectorAll("[data-offline-draft]").forEach((form) => {
      const kind = form.dataset.offlineDraft;
      const mine = items.filter((item) => item.kind === kind && (kind !== "report" || String(item.sessionId) === form.dataset.session));
      let panel = form.parentElement.querySelector(":scope > .offline-drafts");
      if (!mine.length) {
        if (panel) panel.remove();
        return;
      }
      if (!panel) {
        panel = element("div", { class: "offline-drafts" });
        form.after(panel);
      }
      panel.replaceChildren(element("h3", { text: t("drafts_heading") }), queueList(mine));
    });
    const home = document.querySelector("[data-offline-queue]");
    if (home) home.replaceChildren(items.length ? queueList(items) : element("p", { class: "help", text: t("nothing_waiting") }));
    let banner = document.querySelector(".offline-banner");
    const elsewhere = items.filter((item) => !document.querySelector(`[data-offline-draft="${item.kind}"]`) && item.kind !== "completion");
    if (elsewhere.length && !home) {
      if (!banner) {
        banner = element("div", { class: "offline-banner message warning", role: "status" });
        document.querySelector("main").prepend(banner);
      }
      banner.replaceChildren(
        element("details", {}, element("summary", { text: t("pending_banner", { count: elsewhere.length }) }), queueList(elsewhere)),
        navigator.onLine && element("button", { type: "button", class: "button small", text: t("send_now"), onclick: () => flush() }),
      );
    } else if (banner) {
      banner.remove();
    }
    if (!renderedOnce) {
      renderedOnce = true;
      const draft = /^#draft-(.+)$/.exec(location.hash);
      const item = draft && items.find((i) => i.key === draft[1]);
      if (item) openDraft(item);
    }
  }

  function decorateDraftForms() {
    document.querySelectorAll("[data-offline-draft]").forEach((form) => {
      if (form.querySelector(".offline-keep")) return;
      const actions = form.querySelector(".actions") || form;
      actions.append(element("button", {
        type: "button", class: "button secondary offline-keep", text: t("keep_on_phone"),
        onclick: () => keep(form, { value: "draft" }),
      }));
      // A draft opened from the phone goes back through the queue, so its refusal (if
      // any) shows here with the reason and the draft stays on the phone.
      form.addEventListener("submit", (event) => {
        if (!form.dataset.offlineEditing || !navigator.onLine) return;
        event.preventDefault();
        keep(form, event.submitter);
      });
    });
  }

  /* --- saving courses -------------------------------------------------------------- */

  function pickImage(image, base) {
    const srcset = image.getAttribute("srcset");
    if (!srcset) return image.getAttribute("src") && new URL(image.getAttribute("src"), base).href;
    const want = Math.min(window.innerWidth, 800) * Math.min(window.devicePixelRatio || 1, 2);
    const candidates = srcset.split(",").map((part) => part.trim().split(/\s+/))
      .map(([url, width]) => ({ url: new URL(url, base).href, width: parseInt(width, 10) || 0 }))
      .sort((a, b) => a.width - b.width);
    return (candidates.find((c) => c.width >= want) || candidates[candidates.length - 1]).url;
  }

  function assetsOf(html, base) {
    const page = new DOMParser().parseFromString(html, "text/html");
    const found = new Set();
    const add = (url) => {
      if (!url) return;
      const absolute = new URL(url, base);
      if (absolute.origin === location.origin) found.add(absolute.href.split("#")[0]);
    };
    page.querySelectorAll("link[rel~=stylesheet][href], link[rel~=icon][href]").forEach((link) => add(link.getAttribute("href")));
    page.querySelectorAll("script[src]").forEach((script) => {
      add(script.getAttribute("src"));
      Object.entries(script.dataset).forEach(([, value]) => { if (/^\/static\//.test(value)) add(value); });
    });
    page.querySelectorAll("img").forEach((image) => add(pickImage(image, base)));
    page.querySelectorAll("a[download][href], .block-document a[href]").forEach((link) => add(link.getAttribute("href")));
    return found;
  }

  async function storeCopy(cache, url, headers) {
    const response = await fetch(url, { credentials: "same-origin", headers: headers || {} });
    if (!response.ok) throw new Error(`${response.status} ${url}`);
    const body = await response.blob();
    await cache.put(url, new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers }));
    return body;
  }

  async function coursePlan(courseId) {
    const response = await fetch(`/api/v1/courses/${courseId}/offline`, { credentials: "same-origin", headers: { Accept: "application/json" } });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.detail || response.status);
    return data;
  }

  /* Save (or bring up to date) a course: the lessons whose revision changed, and what
     they need. ``onlyChanged`` is the quiet check of an online visit. */
  async function saveCourse(courseId, { withVideos, onlyChanged, progress }) {
    const plan = await coursePlan(courseId);
    const cache = await caches.open(COURSE_PREFIX + courseId);
    const before = (await get("courses", Number(courseId))) || { lessons: {} };
    const videos = withVideos == null ? Boolean(before.withVideos) : withVideos;
    const open = plan.lessons.filter((lesson) => !lesson.locked);
    const changed = open.filter((lesson) => !onlyChanged || before.lessons[lesson.id] !== lesson.revision);
    const pages = onlyChanged ? changed.map((l) => l.url) : [plan.course_url].concat(changed.map((l) => l.url));
    const wanted = new Set([plan.course_url, ...open.map((l) => l.url)].map((url) => new URL(url, location.href).href));
    const assets = new Set();
    let done = 0;
    const total = pages.length + (videos ? plan.videos.length : 0);
    for (const url of pages) {
      const body = await storeCopy(cache, new URL(url, location.href).href, { "X-Offline-Copy": "1" });
      assetsOf(await body.text(), new URL(url, location.href).href).forEach((asset) => assets.add(asset));
      done += 1;
      if (progress) progress(done, total + assets.size);
    }
    let missing = 0;
    for (const asset of assets) {
      // A file that will not come (moved, or a rendition not made yet) does not stop the
      // lessons being saved; the count is shown.
      try {
        if (!(await cache.match(asset)) || !/\/static\/|\/media\/images\//.test(asset)) await storeCopy(cache, asset);
      } catch (error) {
        missing += 1;
      }
      done += 1;
      if (progress) progress(done, total + assets.size);
    }
    if (videos) {
      for (const video of plan.videos) {
        const url = new URL(video.url, location.href).href;
        if (!(await cache.match(url))) await storeCopy(cache, url);
        done += 1;
        if (progress) progress(done, total + assets.size);
      }
    }
    const lessons = {};
    open.forEach((lesson) => {
      lessons[lesson.id] = changed.includes(lesson) ? lesson.revision : before.lessons[lesson.id];
    });
    // Lessons no longer published (or no longer open) leave the phone.
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      const isPage = /text\/html/.test(response.headers.get("Content-Type") || "");
      if (isPage && !wanted.has(request.url)) await cache.delete(request);
    }
    if (!videos) {
      for (const video of plan.videos) await cache.delete(new URL(video.url, location.href).href);
    }
    let bytes = 0;
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      bytes += (await response.clone().blob()).size;
    }
    const record = {
      id: Number(courseId),
      title: plan.title,
      url: plan.course_url,
      lessons,
      withVideos: videos,
      bytes,
      savedAt: onlyChanged && before.savedAt ? before.savedAt : new Date().toISOString(),
      checkedAt: Date.now(),
      locked: plan.lessons.length - open.length,
      missing,
    };
    await put("courses", record);
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
    return { record, plan, changed: changed.length };
  }

  async function removeCourse(courseId) {
    await caches.delete(COURSE_PREFIX + courseId);
    await remove("courses", Number(courseId));
  }

  async function spaceUsed() {
    if (!navigator.storage || !navigator.storage.estimate) return "";
    const estimate = await navigator.storage.estimate();
    return t("space", { used: size(estimate.usage || 0) });
  }

  async function coursePanel(panel) {
    const courseId = panel.dataset.offlineCourse;
    const status = element("p", { class: "help", "data-testid": "offline-status", role: "status" });
    const videoBox = element("input", { type: "checkbox", id: `offline-videos-${courseId}` });
    const videoLabel = element("label", { for: videoBox.id });
    const videoLine = element("p", { class: "offline-videos", hidden: true }, videoBox, " ", videoLabel);
    const space = element("p", { class: "help" });
    const save = element("button", { type: "button", class: "button", "data-testid": "save-offline" });
    const drop = element("button", { type: "button", class: "button secondary", text: t("remove"), "data-testid": "remove-offline" });
    panel.append(status, videoLine, element("p", { class: "actions" }, save, " ", drop), space);
    panel.hidden = false;

    async function show(note) {
      const record = await get("courses", Number(courseId));
      save.textContent = record ? t("save_again") : t("save");
      drop.hidden = !record;
      const lines = [];
      if (note) lines.push(note);
      if (record) {
        lines.push(t(record.withVideos ? "saved_with_videos" : "saved", { size: size(record.bytes), date: day(record.savedAt) }));
        if (record.locked) lines.push(t("locked_skipped", { count: record.locked }));
        if (record.missing) lines.push(t("files_missing", { count: record.missing }));
      }
      status.textContent = lines.join(" ");
      space.textContent = await spaceUsed();
      if (record) videoBox.checked = record.withVideos;
    }

    save.addEventListener("click", async () => {
      save.disabled = true;
      try {
        const result = await saveCourse(courseId, {
          withVideos: videoBox.checked,
          onlyChanged: false,
          progress: (done, total) => { status.textContent = t("saving", { done, total }); },
        });
        await show();
        return result;
      } catch (error) {
        await show(t("save_failed", { reason: error.message }));
      } finally {
        save.disabled = false;
      }
      return null;
    });
    drop.addEventListener("click", async () => {
      await removeCourse(courseId);
      await show(t("removed"));
    });
    await show();
    if (navigator.onLine) {
      coursePlan(courseId).then((plan) => {
        const bytes = plan.videos.reduce((sum, video) => sum + (video.size || 0), 0);
        videoLine.hidden = !plan.videos.length;
        videoLabel.textContent = t("include_videos", { size: size(bytes) });
      }).catch(() => {});
    }
  }

  async function checkSavedCourses() {
    const records = await all("courses");
    for (const record of records) {
      if (Date.now() - (record.checkedAt || 0) < CHECK_EVERY_MS) continue;
      try {
        const { changed } = await saveCourse(record.id, { onlyChanged: true });
        const panel = document.querySelector(`[data-offline-course="${record.id}"]`);
        if (panel && changed) say(panel, t("updated", { count: changed }));
      } catch (error) {
        /* withdrawn, unpublished or no network: tried again next time */
      }
    }
  }

  async function savedList(place) {
    const records = await all("courses");
    if (!records.length) {
      place.replaceChildren(element("p", { class: "help", text: t("nothing_saved") }));
      return;
    }
    place.replaceChildren(element("ul", { class: "offline-saved" }, records.map((record) => element("li", {},
      element("a", { href: record.url, text: record.title }),
      element("span", { class: "help", text: ` ${size(record.bytes)}` })))));
  }

  /* --- logging out ----------------------------------------------------------------- */

  async function clearPhone() {
    for (const name of await caches.keys()) {
      if (!name.startsWith("static-")) await caches.delete(name);
    }
    await Promise.all(["queue", "courses", "meta"].map(clear));
    localStorage.removeItem("offline-waiting");
  }

  async function logOut(form) {
    await ready;
    const items = await queued();
    if (!items.length) {
      await clearPhone();
      form.submit();
      return;
    }
    const text = element("p", { text: t("logout_text", { count: items.length }) });
    const leave = async () => {
      text.textContent = t("logout_clearing");
      await clearPhone();
      form.submit();
    };
    const dialog = element("dialog", { class: "offline-dialog", "aria-labelledby": "offline-logout-title", "data-testid": "logout-dialog" },
      element("h2", { id: "offline-logout-title", text: t("logout_title") }),
      text,
      queueList(items),
      element("p", { class: "actions" },
        element("button", {
          type: "button", class: "button", text: t("logout_send"), onclick: async () => {
            const left = await flush();
            if (!left.length) await leave();
            else text.textContent = t("still_unsent", { count: left.length });
          },
        }),
        element("button", { type: "button", class: "button danger", text: t("logout_anyway"), onclick: leave }),
        element("button", { type: "button", class: "button secondary", text: t("logout_stay"), onclick: () => dialog.close() })));
    document.body.append(dialog);
    dialog.addEventListener("close", () => dialog.remove());
    dialog.showModal();
  }

  /* --- start ----------------------------------------------------------------------- */

  function loadQueue() {
    if (window.OfflineQueue || !config.queue) return Promise.resolve();
    return new Promise((resolve, reject) => {
      document.head.append(element("script", { src: config.queue, onload: resolve, onerror: reject }));
    });
  }

  async function begin() {
    // Words, stylesheet and token address in the page's language (offline.views.client_settings;
    // kept by the worker, so also there with no network).
    try {
      const response = await fetch(`/offline/${document.documentElement.lang}/client.json`, { credentials: "same-origin" });
      const settings = await response.json();
      words = settings.words || {};
      config.css = settings.css;
      config.token = settings.token;
      config.queue = settings.queue;
    } catch (error) {
      words = {};
    }
    await loadQueue();
    if (config.css && !document.querySelector(`link[href="${config.css}"]`)) {
      document.head.append(element("link", { rel: "stylesheet", href: config.css }));
    }
    decorateDraftForms();
    document.querySelectorAll("[data-offline-course]").forEach((panel) => coursePanel(panel));
    const saved = document.querySelector("[data-offline-saved]");
    if (saved) savedList(saved);
    if (location.hash === "#queued") history.replaceState(null, "", location.pathname + location.search);
    await noteWaiting();
    await render();
  }

  window.OfflineClient = {
    start(data) {
      if (ready) return this;
      config = { ...config, ...data };
      ready = begin();
      ready.then(() => {
        if (navigator.onLine) {
          flush();
          checkSavedCourses();
        }
      });
      addEventListener("online", () => ready.then(flush));
      hearWorker();
      return this;
    },
    keep: (form, submitter) => keep(form, submitter),
    logOut: (form) => logOut(form),
    flush: () => ready.then(flush),
  };
})();
