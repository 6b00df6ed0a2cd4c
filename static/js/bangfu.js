/* Bangfu: behaviour shared by every page. No outside resources. */
(function () {
  "use strict";

  // One submission per form. Staff on a slow connection click again when nothing seems to
  // happen; the browser would then send the form a second time (a second member, objection,
  // review …). A POST form sends once; it can be sent again when the page comes back (the
  // back button) or after a while (a download leaves the page as it was).
  var RESEND_AFTER_MS = 10000;

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented) {
      return; // handled by script (htmx)
    }
    if (!(form instanceof HTMLFormElement) || (form.method || "").toLowerCase() !== "post") {
      return;
    }
    if (form.target && form.target !== "_self") {
      return; // opens elsewhere (a printout): this page stays usable
    }
    var sent = Number(form.dataset.bfSentAt || 0);
    if (sent && Date.now() - sent < RESEND_AFTER_MS) {
      event.preventDefault();
      return;
    }
    form.dataset.bfSentAt = String(Date.now());
    form.setAttribute("aria-busy", "true");
  });

  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      return;
    }
    document.querySelectorAll("form[data-bf-sent-at]").forEach(function (form) {
      delete form.dataset.bfSentAt;
      form.removeAttribute("aria-busy");
    });
  });
})();
