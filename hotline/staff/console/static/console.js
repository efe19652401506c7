// The console's own script: the SMS cost as a text is typed (the hotline's count, asked of the
// server), and drawing the diagram. No inline script anywhere: the CSP allows only this file.
"use strict";
(function () {
  var token = document.querySelector('meta[name="csrf-token"]');
  var timers = {};
  function ask(area) {
    var box = document.getElementById(area.dataset.cost);
    var kind = document.getElementById("kind");
    var body = new URLSearchParams({ text: area.value,
                                     kind: area.dataset.kind || (kind ? kind.value : "content") });
    fetch("/staff/cost", { method: "POST", body: body, credentials: "same-origin",
                           headers: { "X-CSRFToken": token ? token.content : "" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (c) {
        if (!c || !box) { return; }
        box.querySelector('[data-f="characters"]').textContent = c.characters;
        box.querySelector('[data-f="segments"]').textContent = c.segments;
        box.querySelector('[data-f="encoding"]').textContent = c.encoding;
        box.querySelector('[data-f="limit"]').textContent = c.limit;
        box.querySelector('[data-f="forced"]').textContent = c.forced_by ? "; these letters force UCS-2: " + c.forced_by : "";
        box.classList.toggle("over", c.over);
      });
  }
  document.querySelectorAll("textarea[data-cost]").forEach(function (area) {
    area.addEventListener("input", function () {
      clearTimeout(timers[area.id]);
      timers[area.id] = setTimeout(function () { ask(area); }, 250);
    });
  });
  // A translation keeps the English's {placeholders}: said as it is typed (the server checks again).
  function names(text) {
    var found = {}, re = /\{(\w*)[^{}]*\}/g, m;
    while ((m = re.exec(text)) !== null) { found[m[1]] = true; }
    return found;
  }
  function placeholders(area) {
    var box = document.getElementById(area.dataset.check);
    if (!box) { return; }
    var wanted = area.dataset.placeholders ? area.dataset.placeholders.split(",") : [];
    var have = names(area.value), problems = [];
    if (area.value.trim()) {
      wanted.forEach(function (n) { if (!have[n]) { problems.push("keep {" + n + "}"); } });
      Object.keys(have).forEach(function (n) {
        if (wanted.indexOf(n) < 0) { problems.push("the English has no {" + n + "}"); }
      });
    }
    box.textContent = problems.join("; ");
  }
  document.querySelectorAll("textarea[data-check]").forEach(function (area) {
    area.addEventListener("input", function () { placeholders(area); });
    placeholders(area);
  });
  if (window.mermaid && document.getElementById("diagram")) {
    window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
    window.mermaid.run({ querySelector: "#diagram" });
  }
  var message = document.getElementById("message");
  if (message) { message.focus(); }
})();
