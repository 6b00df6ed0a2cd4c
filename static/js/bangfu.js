/* Bangfu: behaviour shared by every page. No outside resources. */
(function () {
  "use strict";

  // One submission per form. Staff on a slow connection click again when nothing seems to
  // happen; the browser would then send the form a second time (a second member, objection,
  // review …). A POST form sends once; it can be sent again when the page comes back (the
  // back button) or after a while (a download leaves the page as it was).
  var RESEND_AFTER_MS = 10000;

  // Behaviour hangs on data attributes, never on inline handlers: the Content-Security-Policy
  // allows no inline script.
  //   data-bf-confirm="…"  on a form, button or link: ask first, go on only when confirmed;
  //   data-bf-autosubmit   on a select: send its form when the choice changes;
  //   data-bf-print        on a button: print the page;
  //   data-bf-captcha-refresh="<url>"  on a button beside a CAPTCHA: draw another picture.
  document.addEventListener(
    "click",
    function (event) {
      var target = event.target instanceof Element ? event.target : null;
      var asker = target && target.closest("button[data-bf-confirm], a[data-bf-confirm], input[data-bf-confirm]");
      if (asker && !window.confirm(asker.getAttribute("data-bf-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      var printer = target && target.closest("[data-bf-print]");
      if (printer) {
        event.preventDefault();
        window.print();
        return;
      }
      var refresher = target && target.closest("[data-bf-captcha-refresh]");
      if (refresher) {
        event.preventDefault();
        refreshCaptcha(refresher);
      }
    },
    true
  );

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-bf-confirm")) {
        return;
      }
      if (!window.confirm(form.getAttribute("data-bf-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-bf-autosubmit") && target.form) {
      target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit();
    }
  });

  function refreshCaptcha(button) {
    var box = button.closest(".bf-captcha");
    if (!box) {
      return;
    }
    fetch(button.getAttribute("data-bf-captcha-refresh"), {
      headers: { "X-Requested-With": "XMLHttpRequest" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (data) {
        box.querySelector("img").src = data.image_url;
        var key = box.querySelector("input[type=hidden]");
        if (key) {
          key.value = data.key;
        }
        var answer = box.querySelector("input[type=text]");
        if (answer) {
          answer.value = "";
          answer.focus();
        }
      });
  }

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
