/* Bangfu: pick an org unit by typing part of its name (a city has 1,111 units: too many for a
 * select). Markup: an element with data-bf-unit-picker="<suggestions URL>" holding a hidden
 * input [data-bf-unit-id], a text input and a <ul class="dropdown-menu">. The URL answers
 * {"results": [{"id", "name", "place"}], "more"} for ?q=<text> within the user's scope.
 * Without script the typed name is sent and the server takes the one unit it fits. */
(function () {
  "use strict";

  var DELAY_MS = 200;

  function setUp(box) {
    var url = box.getAttribute("data-bf-unit-picker");
    var hidden = box.querySelector("[data-bf-unit-id]");
    var input = box.querySelector("input[type=search], input[type=text]");
    var list = box.querySelector("ul");
    if (!url || !hidden || !input || !list) {
      return;
    }
    var timer = null;
    var asked = 0;
    var active = -1;

    function items() {
      return Array.prototype.slice.call(list.querySelectorAll("button"));
    }

    function close() {
      list.classList.remove("show");
      input.setAttribute("aria-expanded", "false");
      active = -1;
    }

    function choose(button) {
      hidden.value = button.getAttribute("data-id");
      input.value = button.getAttribute("data-name");
      close();
    }

    function show(data) {
      list.textContent = "";
      (data.results || []).forEach(function (unit) {
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "dropdown-item text-wrap";
        button.setAttribute("role", "option");
        button.setAttribute("data-id", String(unit.id));
        button.setAttribute("data-name", unit.name);
        button.appendChild(document.createTextNode(unit.name));
        if (unit.place) {
          var place = document.createElement("small");
          place.className = "d-block text-muted";
          place.appendChild(document.createTextNode(unit.place));
          button.appendChild(place);
        }
        button.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the input until chosen
        });
        button.addEventListener("click", function () {
          choose(button);
        });
        li.appendChild(button);
        list.appendChild(li);
      });
      if (!data.results || !data.results.length) {
        var none = document.createElement("li");
        none.className = "dropdown-item-text text-muted small";
        none.appendChild(document.createTextNode(list.getAttribute("data-empty") || "—"));
        list.appendChild(none);
      } else if (data.more) {
        var more = document.createElement("li");
        more.className = "dropdown-item-text text-muted small";
        more.appendChild(document.createTextNode("…"));
        list.appendChild(more);
      }
      list.classList.add("show");
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function ask() {
      var number = ++asked;
      var target = url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(input.value);
      fetch(target, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          if (number === asked && document.activeElement === input) {
            show(data);
          }
        })
        .catch(function () {
          close();
        });
    }

    input.addEventListener("input", function () {
      hidden.value = ""; // the text no longer names the chosen unit
      asked++; // an answer to what was typed before is no longer wanted
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
    input.addEventListener("focus", ask);
    input.addEventListener("blur", function () {
      setTimeout(close, 150);
    });
    input.addEventListener("keydown", function (event) {
      var buttons = items();
      if (!list.classList.contains("show") || !buttons.length) {
        return;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        active = (active + (event.key === "ArrowDown" ? 1 : buttons.length - 1)) % buttons.length;
        buttons.forEach(function (button, i) {
          button.classList.toggle("active", i === active);
        });
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(buttons[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-bf-unit-picker]").forEach(setUp);
  });
})();
