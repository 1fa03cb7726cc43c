// The customer's time zone (IANA name, e.g. "Europe/Warsaw") goes with the complaint form, so the
// deadlines in our e-mails and on the tracking page read in their own local time.
(function () {
  var field = document.querySelector("input[name=timezone]");
  if (!field || field.value) return;
  try {
    field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    // Old browsers: the customer file keeps UTC.
  }
})();
