/* Lotse: small improvements for forms; every form works without them.
   1. Job-title suggestions while typing. Only an improvement - the form works without it.
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

/* Inline checks for number fields: the same rules and words as the server's, shown while typing
   stops (on change), so a mistake is seen before sending. The server still checks everything. */
(function () {
  "use strict";
  var pattern = /^-?(\d{1,3}([.,\s]\d{3})+|\d{1,9})$/;
  Array.prototype.forEach.call(document.querySelectorAll("input[data-min]"), function (input) {
    var field = input.closest(".field");
    var errorId = input.id + "-error";
    function message() {
      var value = input.value.trim();
      if (value === "") { return ""; }
      if (!pattern.test(value)) { return input.getAttribute("data-msg-number"); }
      var number = parseInt(value.replace(/[.,\s]/g, ""), 10);
      var min = parseInt(input.getAttribute("data-min"), 10);
      var max = parseInt(input.getAttribute("data-max"), 10);
      return (number < min || number > max) ? input.getAttribute("data-msg-range") : "";
    }
    // Errors appear when the person leaves the field and disappear while they type the fix, so
    // nothing moves under the pointer at the moment a button is pressed.
    input.addEventListener("change", function () { show(message()); });
    input.addEventListener("input", function () { if (!message()) { show(""); } });
    function show(text) {
      var span = document.getElementById(errorId);
      if (text && !span) {
        span = document.createElement("span");
        span.className = "error-message";
        span.id = errorId;
        span.setAttribute("role", "alert");
        input.parentNode.insertBefore(span, input);
      }
      if (span) { span.textContent = text; }
      var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id !== errorId;
      });
      if (text) { described.push(errorId); input.setAttribute("aria-invalid", "true"); }
      else { input.removeAttribute("aria-invalid"); }
      input.setAttribute("aria-describedby", described.join(" "));
      if (field) { field.classList.toggle("field-error", Boolean(text)); }
    }
  });
}());
