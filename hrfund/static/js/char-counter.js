// How much is left in a long text field: a small counter under each textarea (and long text
// input) that has a maxlength, announced politely to screen readers and linked to the field by
// aria-describedby. The wording comes from the page (data-left), in the user's language.
(function () {
  "use strict";
  var script = document.currentScript;
  var template = (script && script.getAttribute("data-left")) || "{n} characters left";
  function attach(field) {
    var max = parseInt(field.getAttribute("maxlength"), 10);
    if (!max || (field.tagName !== "TEXTAREA" && max < 200)) return;
    var counter = document.createElement("div");
    counter.className = "form-text char-counter";
    counter.id = (field.id || field.name) + "-left";
    counter.setAttribute("aria-live", "polite");
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    function update() {
      counter.textContent = template.replace("{n}", String(max - field.value.length));
    }
    field.addEventListener("input", update);
    update();
    field.insertAdjacentElement("afterend", counter);
  }
  function start() {
    var fields = document.querySelectorAll("textarea[maxlength], input[type=text][maxlength]");
    Array.prototype.forEach.call(fields, attach);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
