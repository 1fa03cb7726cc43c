// Keyboard shortcuts of the staff pages (no library, CSP-friendly: no inline code).
//   ?  help (the page's <dialog id="keys-help">)     /  the queue's search field (or go to the queue)
//   j / k  next / previous complaint: rows of the queue, or the neighbours of the complaint page
//   r reply, n note, a assign, e resolve: the complaint page (static/js/workspace.js registers them)
// Keys are ignored while typing in a field (Esc leaves the field) and with Ctrl, Alt or Meta.
(function () {
  "use strict";
  var handlers = {};
  window.staffKeys = { on: function (key, fn) { handlers[key] = fn; } };

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }
  function searchField() {
    return document.querySelector("input[type=search], input[name=q]");
  }
  function queueLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("main table tbody a[href*='/staff/complaints/']"));
  }
  function moveInQueue(step) {
    var links = queueLinks();
    if (!links.length) return false;
    var index = links.indexOf(document.activeElement);
    var next = index === -1 ? (step > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, index + step));
    links[next].focus();
    var row = links[next].closest("tr");
    links.forEach(function (link) { var r = link.closest("tr"); if (r) r.classList.remove("keyboard-current"); });
    if (row) row.classList.add("keyboard-current");
    return true;
  }

  handlers["?"] = function () {
    var help = document.getElementById("keys-help");
    if (help && typeof help.showModal === "function" && !help.open) help.showModal();
  };
  handlers["/"] = function () {
    var field = searchField();
    if (field) { field.focus(); field.select(); return; }
    var workspace = document.getElementById("workspace");
    if (workspace && workspace.dataset.queueUrl) window.location.href = workspace.dataset.queueUrl + "#search";
  };
  handlers.j = function () { moveInQueue(1); };
  handlers.k = function () { moveInQueue(-1); };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    var handler = handlers[event.key];
    if (!handler) return;
    event.preventDefault();
    handler(event);
  });
  document.querySelectorAll("[data-keys-help]").forEach(function (button) {
    button.addEventListener("click", function () { handlers["?"](); });
  });
  if (window.location.hash === "#search") {
    var field = searchField();
    if (field) field.focus();
  }
})();
