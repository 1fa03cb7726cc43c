// Send an import form with XMLHttpRequest so the page can show the upload's progress, then show
// the server's answer (the import report) in place of the page. Without JavaScript the form
// posts normally and the report arrives the same way.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload-progress]");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    bar.hidden = false;
    status.hidden = false;
    status.textContent = status.dataset.sending;
    form.querySelector("button[type=submit]").disabled = true;
    request.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable) { bar.value = Math.round(100 * progress.loaded / progress.total); }
    });
    request.upload.addEventListener("load", function () {
      bar.removeAttribute("value");  // indeterminate while the server imports
      status.textContent = status.dataset.importing;
    });
    request.addEventListener("load", function () {
      document.open();
      document.write(request.responseText);
      document.close();
    });
    request.send(new FormData(form));
  });
})();
