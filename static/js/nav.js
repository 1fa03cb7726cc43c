// The main navigation on a phone: below 768 px its links fold behind the "Menu" button, which
// opens them as a list under the header bar (Escape or a click elsewhere folds them again). The
// button is the menu's only state (aria-expanded); the CSS does the rest (static/css/app.css).
// Without this script the button stays hidden and the links wrap.
(function () {
  "use strict";
  var nav = document.querySelector("nav.app-menu");
  var button = nav && nav.querySelector(".app-menu-button");
  if (!button) return;
  nav.classList.add("js");
  button.hidden = false;
  function open(state) { button.setAttribute("aria-expanded", state ? "true" : "false"); }
  function isOpen() { return button.getAttribute("aria-expanded") === "true"; }
  button.addEventListener("click", function () { open(!isOpen()); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && isOpen()) { open(false); button.focus(); }
  });
  document.addEventListener("click", function (event) { if (isOpen() && !nav.contains(event.target)) open(false); });
})();
