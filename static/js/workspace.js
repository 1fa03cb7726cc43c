// The staff complaint page: composer modes, canned responses, e-mail preview, the live SLA
// clock, presence of other agents (short polling of a small JSON endpoint) and the page's keys.
// Everything works without it; this only makes it quicker.
(function () {
  "use strict";
  var root = document.getElementById("workspace");
  if (!root) return;
  var texts = {};  // the page's words, in its language (data-* of #workspace-texts: data-send-reply → send_reply)
  var source = document.getElementById("workspace-texts").dataset;
  Object.keys(source).forEach(function (key) { texts[key.replace(/[A-Z]/g, function (c) { return "_" + c.toLowerCase(); })] = source[key]; });
  var csrf = root.dataset.csrf;
  var composer = document.getElementById("composer");
  var form = document.getElementById("composer-form");
  var message = document.getElementById("update-message");
  var format = function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (m, name) { return values[name] !== undefined ? values[name] : m; });
  };

  // --- the viewer's time zone: the server renders dates in it from the next page on (cookie);
  // until then the page says which zone it shows ("Times in UTC").
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("staff_tz=" + encodeURIComponent(zone)) === -1) {
      document.cookie = "staff_tz=" + encodeURIComponent(zone) + "; path=/staff; max-age=31536000; SameSite=Lax";
    }
  } catch (error) { /* no Intl: the page stays in UTC and says so */ }

  // --- composer: reply / internal note / fact
  var submit = document.getElementById("composer-submit");
  function setMode(mode) {
    if (!composer) return;
    var radio = document.getElementById("update-mode-" + mode);
    if (!radio) return;
    radio.checked = true;
    composer.dataset.mode = mode;
    submit.textContent = mode === "reply" ? texts.send_reply : mode === "fact" ? texts.record_fact : texts.add_note;
  }
  if (composer) {
    composer.classList.add("js");
    form.querySelectorAll("input[name='update-mode']").forEach(function (radio) {
      radio.addEventListener("change", function () { setMode(radio.value); });
    });
    var checked = form.querySelector("input[name='update-mode']:checked");
    if (checked) setMode(checked.value);
  }

  // --- canned responses: filled in on the server for this complaint, inserted at the cursor
  var insert = document.getElementById("canned-insert");
  if (insert && message) {
    insert.addEventListener("click", function (event) {
      event.preventDefault();
      var id = document.getElementById("canned").value;
      var url = root.dataset.cannedUrl.replace(/\/0$/, "/" + encodeURIComponent(id));
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
        .then(function (data) {
          var start = message.selectionStart || 0, end = message.selectionEnd || 0, value = message.value;
          message.value = value ? value.slice(0, start) + data.text + value.slice(end) : data.text;
          message.focus();
          var caret = (value ? start : 0) + data.text.length;
          message.setSelectionRange(caret, caret);
          typed = true;
        })
        .catch(function () { document.getElementById("canned-form").submit(); });
    });
  }

  // --- preview of the e-mail (rendered by the server's e-mail code)
  var previewButton = document.getElementById("preview-button");
  var preview = document.getElementById("preview");
  if (previewButton && preview) {
    previewButton.addEventListener("click", function (event) {
      event.preventDefault();
      if (!message.value.trim()) { message.focus(); return; }
      var data = new FormData(form);
      var files = form.querySelector("input[type=file]");
      data.delete("update-attachments");
      if (files) Array.prototype.forEach.call(files.files, function (file) { data.append("preview_attachment", file.name); });
      form.querySelectorAll("input[name='keep_staged']:checked").forEach(function (kept) { data.append("preview_attachment", kept.dataset.name); });
      fetch(root.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin",
                                        headers: { Accept: "application/json", "X-CSRFToken": csrf } })
        .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
        .then(function (mail) {
          preview.querySelector("[data-preview-to]").textContent = mail.to;
          preview.querySelector("[data-preview-subject]").textContent = mail.subject;
          preview.querySelector("[data-preview-text]").textContent = mail.text;
          preview.hidden = false;
        })
        .catch(function () {
          preview.querySelector("[data-preview-text]").textContent = texts.preview_failed;
          preview.hidden = false;
        });
    });
  }

  // --- the live SLA clock (counted from the server's "now", not the browser's clock)
  var loadedAt = Date.now();
  function span(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000), days = Math.floor(minutes / 1440), hours = Math.floor(minutes % 1440 / 60);
    if (days) return days + " " + texts.days + " " + hours + " " + texts.hours;
    if (hours) return hours + " " + texts.hours + " " + (minutes % 60) + " " + texts.minutes;
    return (minutes % 60) + " " + texts.minutes;
  }
  function tick() {
    document.querySelectorAll(".sla-clock[data-due]").forEach(function (clock) {
      var now = Date.parse(clock.dataset.now) + (Date.now() - loadedAt);
      var left = Date.parse(clock.dataset.due) - now;
      clock.textContent = left >= 0 ? format(texts.due_in, { time: span(left) }) : format(texts.overdue_by, { time: span(left) });
      clock.classList.toggle("overdue", left < 0);
    });
  }
  tick();
  setInterval(tick, 30000);

  // --- presence: who else has this complaint open or is typing; has it changed meanwhile?
  var typed = false;
  if (message) message.addEventListener("input", function () { typed = true; });
  var box = document.getElementById("presence");
  var pageVersion = parseInt(root.dataset.version, 10);
  function show(data) {
    var parts = [];
    var viewers = data.others.map(function (o) { return o.name; });
    if (viewers.length) parts.push(format(texts.viewing, { names: viewers.join(", ") }));
    data.others.forEach(function (o) { if (o.typing) parts.push(format(texts.typing, { name: o.name })); });
    box.textContent = parts.join(" · ");
    if (data.version > pageVersion) {
      var span = document.createElement("strong");
      span.textContent = (parts.length ? " · " : "") + texts.changed;
      box.appendChild(span);
      var link = document.createElement("button");
      link.type = "button";
      link.className = "secondary";
      link.textContent = texts.reload;
      link.addEventListener("click", function () { window.open(window.location.pathname, "_blank", "noopener"); });
      box.appendChild(link);
      box.dataset.changed = "1";
    }
    box.hidden = !box.textContent;
  }
  function beat(extra) {
    var body = JSON.stringify(Object.assign({ typing: typed }, extra || {}));
    typed = false;
    return fetch(root.dataset.presenceUrl, { method: "POST", body: body, credentials: "same-origin", keepalive: !!extra,
                                            headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf } })
      .then(function (response) { return response.ok ? response.json() : null; });
  }
  function poll() {
    if (document.hidden) return;
    beat().then(function (data) { if (data) show(data); }).catch(function () {});
  }
  poll();
  setInterval(poll, (parseInt(root.dataset.poll, 10) || 5) * 1000);
  window.addEventListener("pagehide", function () { beat({ leaving: true }).catch(function () {}); });

  // --- the page's own keys (static/js/keys.js dispatches them)
  if (window.staffKeys) {
    window.staffKeys.on("r", function () { setMode("reply"); if (message) message.focus(); });
    window.staffKeys.on("n", function () { setMode("note"); if (message) message.focus(); });
    window.staffKeys.on("a", function () { var owner = document.getElementById("assign-owner"); if (owner) owner.focus(); });
    window.staffKeys.on("e", function () {
      var panel = document.getElementById("resolve-panel");
      if (!panel) return;
      panel.open = true;
      document.getElementById("resolve-resolution").focus();
    });
    window.staffKeys.on("j", function () { if (root.dataset.nextUrl) window.location.href = root.dataset.nextUrl; });
    window.staffKeys.on("k", function () { if (root.dataset.previousUrl) window.location.href = root.dataset.previousUrl; });
  }
})();
