/* Lotse: job-title suggestions while typing. Only an improvement - the form works without it.
   Accessible: suggestions are buttons in a list announced by a live region; Escape closes them. */
(function () {
  "use strict";
  var input = document.querySelector("input[data-suggest]");
  if (!input || !window.fetch) { return; }
  var list = document.getElementById(input.getAttribute("aria-controls"));
  var code = document.getElementById("f-target-occupation");
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  input.parentNode.appendChild(status);
  var timer = null;
  var lastQuery = "";

  function clear() { list.innerHTML = ""; }

  function show(items) {
    clear();
    items.forEach(function (item) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = item.title;
      button.addEventListener("click", function () {
        input.value = item.title;
        if (code) { code.value = item.code; }
        clear();
        status.textContent = "";
        input.focus();
      });
      li.appendChild(button);
      list.appendChild(li);
    });
    status.textContent = items.length ? items.length + " \u2193" : "";
  }

  input.addEventListener("input", function () {
    if (code) { code.value = ""; }
    var query = input.value.trim();
    clearTimeout(timer);
    if (query.length < 2) { clear(); return; }
    timer = setTimeout(function () {
      if (query === lastQuery) { return; }
      lastQuery = query;
      fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(show)
        .catch(clear);
    }, 250);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { clear(); }
    if (event.key === "ArrowDown" && list.firstChild) { event.preventDefault(); list.querySelector("button").focus(); }
  });
  list.addEventListener("keydown", function (event) {
    var current = document.activeElement.parentNode;
    if (event.key === "ArrowDown" && current.nextSibling) { event.preventDefault(); current.nextSibling.firstChild.focus(); }
    if (event.key === "ArrowUp") {
      event.preventDefault();
      if (current.previousSibling) { current.previousSibling.firstChild.focus(); } else { input.focus(); }
    }
    if (event.key === "Escape") { clear(); input.focus(); }
  });
}());
