/* The survey page (surveys/views.py):
 * - one tap: the score tapped in the e-mail arrives as data-tap-score; this script POSTs it with
 *   the page's CSRF token once the page is visible to a person, and shows that it is recorded.
 *   A mail scanner fetching the link with GET/HEAD runs no script and records nothing. Changing
 *   the first answer is another tap. Without JavaScript the "Confirm my answer" button remains.
 * - branching: a question with data-show-if is shown only while the earlier answer is in range
 *   (the server applies the same rule when the answers arrive).
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-tap-url], form[data-preview]");
  if (!form) { return; }
  var preview = form.hasAttribute("data-preview");  // the builder's preview: branching only, nothing sent
  var status = document.getElementById("tap-status");
  var token = form.querySelector("input[name=csrf_token]");

  function record(score) {
    if (preview) { return; }
    var body = new FormData();
    body.append("csrf_token", token ? token.value : "");
    body.append("score", score);
    return fetch(form.getAttribute("data-tap-url"), {
      method: "POST", body: body, credentials: "same-origin", headers: {"Accept": "application/json"}
    }).then(function (response) {
      return response.json().then(function (data) { return {ok: response.ok, data: data}; });
    }).then(function (result) {
      status.textContent = result.ok ? result.data.message : result.data.error;
      status.className = "flash " + (result.ok ? "flash-success" : "flash-error");
      status.hidden = false;
    }).catch(function () { /* offline: the Confirm button still records the answer */ });
  }

  function applyConditions() {
    form.querySelectorAll("[data-show-if]").forEach(function (block) {
      var checked = form.querySelector("input[name='" + block.getAttribute("data-show-if") + "']:checked");
      var min = block.getAttribute("data-min"), max = block.getAttribute("data-max");
      var value = checked ? parseInt(checked.value, 10) : NaN;
      var show = !isNaN(value) && (min === "" || value >= parseInt(min, 10)) && (max === "" || value <= parseInt(max, 10));
      block.hidden = !show;
      block.querySelectorAll("input, textarea, select").forEach(function (input) { input.disabled = !show; });
    });
  }

  var first = form.querySelector("[data-tap-question]");
  if (first) {
    first.querySelectorAll("input[type=radio]").forEach(function (radio) {
      radio.addEventListener("change", function () { record(radio.value); });
    });
  }
  form.addEventListener("change", applyConditions);
  applyConditions();

  var tapped = form.getAttribute("data-tap-score");
  if (tapped === null) { return; }
  function start() { record(tapped); }
  if (document.visibilityState === "visible") { start(); return; }
  document.addEventListener("visibilitychange", function once() {
    if (document.visibilityState !== "visible") { return; }
    document.removeEventListener("visibilitychange", once);
    start();
  });
}());
