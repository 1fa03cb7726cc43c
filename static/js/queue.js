// The queue: "/" focuses the search box (unless one is typing somewhere), "select all" for the
// page's checkboxes, and the bulk bar shows only the fields the chosen action needs.
(function () {
  "use strict";
  var search = document.getElementById("q");
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || !search) return;
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (typing) return;
    event.preventDefault();
    search.focus();
    search.select();
  });

  var all = document.getElementById("select-all");
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name="complaints"]'));
  if (all && boxes.length) {
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
  }

  var action = document.getElementById("bulk-action");
  var needs = {assign: ["bulk-owner"], priority: ["bulk-priority"], close: ["bulk-root_cause", "bulk-resolution"]};
  var optional = ["bulk-owner", "bulk-priority", "bulk-root_cause", "bulk-resolution"];
  function wrapper(id) {
    var input = document.getElementById(id);
    return input ? (input.closest(".bulk-field") || input) : null;
  }
  function show() {
    var wanted = needs[action.value] || [];
    optional.forEach(function (id) {
      var box = wrapper(id);
      if (box) box.hidden = wanted.indexOf(id) < 0;
    });
  }
  if (action) {
    action.addEventListener("change", show);
    show();
  }
})();
