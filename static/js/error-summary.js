// After a refused submission the server renders #error-summary (templates/macros.html). Moving
// the focus there makes screen readers read it at once and lets keyboard users start from it;
// its links put the focus in the field they name.
(function () {
  var summary = document.getElementById("error-summary");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.focus();
    field.scrollIntoView({block: "center"});
  });
})();
