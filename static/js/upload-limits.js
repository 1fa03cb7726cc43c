// Check the number and size of attached files in the browser, before anything is sent: an
// oversize request would be refused by the server (413) after the customer waited for the upload.
// The limits and the messages (in the page's language) come from the form's data attributes.
(function () {
  "use strict";
  document.querySelectorAll("form[data-upload-limits]").forEach(function (form) {
    var maxFiles = parseInt(form.dataset.maxFiles, 10);
    var maxBytes = parseInt(form.dataset.maxBytes, 10);
    var error = form.querySelector("#upload-limit-error");
    function problem() {
      var inputs = form.querySelectorAll('input[type="file"]');
      var count = form.querySelectorAll('input[name="keep_staged"]:checked').length;
      for (var i = 0; i < inputs.length; i++) {
        var files = inputs[i].files || [];
        count += files.length;
        for (var j = 0; j < files.length; j++) {
          if (files[j].size > maxBytes) {
            return form.dataset.tooLarge.replace("{name}", files[j].name);
          }
        }
      }
      return count > maxFiles ? form.dataset.tooMany : "";
    }
    function check() {
      var message = problem();
      if (error) {
        error.textContent = message;
        error.hidden = !message;
      }
      return message;
    }
    form.addEventListener("change", check);
    form.addEventListener("submit", function (event) {
      if (check()) {
        event.preventDefault();
        if (error) { error.focus(); }
      }
    });
  });
})();
