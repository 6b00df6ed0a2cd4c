/* Bangfu: keep what was typed into a long form when the session times out.

   A form marked data-bf-draft="name" is copied, as the user types, into this tab's
   sessionStorage (never sent anywhere, gone when the tab closes). The copy is:
   - restored when the same user comes back to the same page after logging in again (the
     timeout sent them to the log-in page), or comes back to it without having submitted,
     with a notice and a button to throw the restored content away;
   - dropped once the form was submitted and the server moved on to another page, when the
     user logs out, and when another user logs in on this tab.
   Passwords, files and hidden fields are never copied, nor fields marked data-bf-no-draft. */
(function () {
  "use strict";

  var PREFIX = "bf.draft.";
  var body = document.body;
  var user = body.dataset.bfUser || "";
  var loginPath = body.dataset.bfLoginUrl || "";
  var store;
  try {
    store = window.sessionStorage;
    store.getItem(PREFIX);
  } catch (e) {
    return; // storage disabled: nothing is kept
  }

  function keys() {
    var found = [];
    for (var i = 0; i < store.length; i += 1) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0) {
        found.push(key);
      }
    }
    return found;
  }

  function read(key) {
    try {
      return JSON.parse(store.getItem(key) || "null");
    } catch (e) {
      return null;
    }
  }

  function write(key, draft) {
    try {
      store.setItem(key, JSON.stringify(draft));
    } catch (e) {
      /* full: the draft is not kept */
    }
  }

  function clearAll() {
    keys().forEach(function (key) {
      store.removeItem(key);
    });
  }

  // The log-in page: whatever drafts this tab holds wait for the log-in.
  if (location.pathname === loginPath) {
    keys().forEach(function (key) {
      var draft = read(key);
      if (draft) {
        draft.afterLogin = true;
        write(key, draft);
      }
    });
    return;
  }
  if (!user) {
    return;
  }

  // Logging out forgets every draft.
  document.querySelectorAll("form[data-bf-logout]").forEach(function (form) {
    form.addEventListener("submit", clearAll);
  });

  // Drafts of another user never stay on this tab; a submitted form that led to another
  // page was accepted: its draft is done.
  keys().forEach(function (key) {
    var draft = read(key);
    if (!draft || draft.user !== user) {
      store.removeItem(key);
    } else if (draft.submitted && !draft.afterLogin && draft.path !== location.pathname) {
      store.removeItem(key);
    }
  });

  function copyable(element) {
    if (!element.name || element.disabled || element.closest("[data-bf-no-draft]")) {
      return false;
    }
    var type = (element.type || "").toLowerCase();
    return ["password", "file", "hidden", "submit", "button", "reset", "image"].indexOf(type) < 0;
  }

  function fieldsOf(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!copyable(element)) {
        return;
      }
      var type = (element.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        values[element.name] = values[element.name] || [];
        if (element.checked) {
          values[element.name].push(element.value);
        }
      } else if (element.multiple) {
        values[element.name] = Array.prototype.filter
          .call(element.options, function (option) {
            return option.selected;
          })
          .map(function (option) {
            return option.value;
          });
      } else {
        values[element.name] = element.value;
      }
    });
    return values;
  }

  function fill(form, values) {
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!copyable(element) || !(element.name in values)) {
        return;
      }
      var value = values[element.name];
      var type = (element.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        element.checked = value.indexOf(element.value) >= 0;
      } else if (element.multiple) {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = value.indexOf(option.value) >= 0;
        });
      } else {
        element.value = value;
      }
    });
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function showRestored(form, key, savedAt) {
    var template = document.querySelector("template[data-bf-draft-restored-template]");
    if (!template) {
      return;
    }
    var notice = template.content.firstElementChild.cloneNode(true);
    var time = notice.querySelector("[data-bf-draft-time]");
    if (time) {
      time.textContent = new Date(savedAt).toLocaleTimeString([], {
        hour: "2-digit",
        minute: "2-digit",
      });
    }
    notice.querySelector("[data-bf-draft-discard]").addEventListener("click", function () {
      store.removeItem(key);
      location.reload();
    });
    form.parentNode.insertBefore(notice, form);
    // Fields the restored values belong to may be folded away: open them.
    form.querySelectorAll("details").forEach(function (details) {
      details.open = true;
    });
  }

  document.querySelectorAll("form[data-bf-draft]").forEach(function (form) {
    var key = PREFIX + user + "." + location.pathname + "." + form.dataset.bfDraft;
    var draft = read(key);
    // A page that came back from the server with errors already shows what was sent.
    var answeredWithErrors = Boolean(
      form.querySelector(".is-invalid, [data-testid=form-errors]")
    );
    if (draft && !answeredWithErrors && (draft.afterLogin || !draft.submitted)) {
      if (!same(draft.fields, fieldsOf(form))) {
        fill(form, draft.fields);
        showRestored(form, key, draft.savedAt);
      }
    }
    if (draft && (draft.afterLogin || draft.submitted)) {
      draft.afterLogin = false;
      draft.submitted = false;
      write(key, draft);
    }

    var timer = null;
    function save() {
      timer = null;
      write(key, {
        user: user,
        path: location.pathname,
        savedAt: Date.now(),
        submitted: false,
        afterLogin: false,
        fields: fieldsOf(form),
      });
    }
    function later() {
      if (timer === null) {
        timer = window.setTimeout(save, 400);
      }
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", function () {
      if (timer !== null) {
        window.clearTimeout(timer);
      }
      save();
      var saved = read(key);
      if (saved) {
        saved.submitted = true;
        write(key, saved);
      }
    });
    // The cancel link throws the draft away: the user chose to leave.
    form.querySelectorAll("[data-bf-draft-cancel]").forEach(function (link) {
      link.addEventListener("click", function () {
        store.removeItem(key);
      });
    });
    // Save once more when the session ends, whatever the last keystroke was.
    document.addEventListener("bf:session-expired", save);
  });
})();
