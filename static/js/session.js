/* Bangfu: warn before the idle timeout, keep the session alive while the user types.

   The server ends a session after BANGFU_SESSION_IDLE_MINUTES without a request, and every
   request moves that end forward. This page knows when its session ends (data-bf-session-*
   on <body>), shares it with the user's other tabs (localStorage holds only the time, no
   content), and:
   - shows a warning with a "继续" button some time before the end (data-bf-session-warning
     seconds); "继续" asks the server to keep the session (a POST with the CSRF token);
   - while the user types into any form, asks the same at most once per throttle period, so a
     long form being typed never times out;
   - after the end, says so, with a link to log in again that comes back to this page; what was
     typed into a draft form is kept by drafts.js and restored after logging in.
   No inline script: the page's CSP allows only files from the server. */
(function () {
  "use strict";

  var body = document.body;
  var total = Number(body.dataset.bfSessionSeconds || 0);
  if (!total || !window.fetch) {
    return; // not logged in (or a very old browser: the server still ends the session)
  }
  var warnBefore = Number(body.dataset.bfSessionWarning || 120) * 1000;
  var keepaliveUrl = body.dataset.bfKeepaliveUrl;
  var storageKey = "bf.session.end." + (body.dataset.bfUser || "");
  // While typing: at most one keep-alive per this many milliseconds.
  var throttle = Math.max(5000, Math.min(60000, (total * 1000) / 4));

  var box = document.querySelector("[data-bf-session-box]");
  var warningBox = document.querySelector("[data-bf-session-warning-box]");
  var expiredBox = document.querySelector("[data-bf-session-expired-box]");
  var countdown = document.querySelector("[data-bf-session-countdown]");
  var continueButton = document.querySelector("[data-bf-session-continue]");
  var draftNote = document.querySelector("[data-bf-session-draft-note]");

  var sessionEnd = Date.now() + total * 1000;
  var lastPing = Date.now();
  var expired = false;
  var pinging = false;

  function store() {
    try {
      localStorage.setItem(storageKey, String(sessionEnd));
    } catch (e) {
      /* storage disabled: this tab alone keeps count */
    }
  }

  function stored() {
    try {
      return Number(localStorage.getItem(storageKey) || 0);
    } catch (e) {
      return 0;
    }
  }

  function extendTo(end) {
    if (end > sessionEnd) {
      sessionEnd = end;
      store();
    }
  }

  function csrfToken() {
    try {
      return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function show(element, visible) {
    if (element) {
      element.hidden = !visible;
    }
  }

  function render() {
    var left = sessionEnd - Date.now();
    if (expired || left <= 0) {
      expired = true;
      show(box, true);
      show(warningBox, false);
      show(expiredBox, true);
      show(draftNote, Boolean(document.querySelector("form[data-bf-draft]")));
      document.dispatchEvent(new CustomEvent("bf:session-expired"));
      return;
    }
    if (left <= warnBefore) {
      var seconds = Math.ceil(left / 1000);
      if (countdown) {
        countdown.textContent =
          Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
      }
      var wasHidden = warningBox && warningBox.hidden;
      show(box, true);
      show(expiredBox, false);
      show(warningBox, true);
      if (wasHidden && continueButton) {
        continueButton.focus({ preventScroll: true });
      }
      return;
    }
    show(box, false);
    show(warningBox, false);
  }

  function markExpired() {
    expired = true;
    render();
  }

  function ping() {
    if (expired || pinging || !keepaliveUrl) {
      return;
    }
    pinging = true;
    lastPing = Date.now();
    fetch(keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" },
    })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          markExpired();
          return null;
        }
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (answer && answer.expires_in) {
          extendTo(Date.now() + answer.expires_in * 1000);
          render();
        }
      })
      .catch(function () {
        /* the server is unreachable: the countdown goes on; "继续" can be pressed again */
      })
      .then(function () {
        pinging = false;
      });
  }

  if (continueButton) {
    continueButton.addEventListener("click", ping);
  }

  // Typing in a form keeps the session alive (throttled).
  function typing(event) {
    if (expired || !(event.target instanceof Element) || !event.target.closest("form")) {
      return;
    }
    if (Date.now() - lastPing >= throttle) {
      ping();
    }
  }
  document.addEventListener("input", typing, true);
  document.addEventListener("change", typing, true);

  // Any request of this page (htmx: a progress bar, a panel) moved the end on the server.
  body.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.status && xhr.status < 400) {
      extendTo(Date.now() + total * 1000);
      render();
    }
  });

  // Another tab of the same user moved it too.
  window.addEventListener("storage", function (event) {
    if (event.key === storageKey && event.newValue) {
      extendTo(Number(event.newValue));
      render();
    }
  });

  extendTo(Math.max(stored(), sessionEnd));
  store();
  render();
  window.setInterval(function () {
    if (!expired) {
      extendTo(stored());
      render();
    }
  }, 1000);
})();
