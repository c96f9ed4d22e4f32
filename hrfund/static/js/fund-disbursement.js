// Disbursement form: fill in the recorded exchange rate and preview the amount in yen.
// The server does the same (and is the authority): an empty rate uses the recorded one.
(function () {
  "use strict";
  var form = document.getElementById("disbursement-form");
  if (!form) { return; }
  var currency = form.querySelector("#currency");
  var amount = form.querySelector("#amount");
  var rate = form.querySelector("#fx_rate");
  var paidOn = form.querySelector("#paid_on");
  var preview = document.getElementById("yen-preview");
  var status = document.getElementById("rate-status");
  var autoFilled = false;

  // Exact decimal arithmetic on strings (no floats): "1234.56" -> {n: 123456n, s: 2}.
  function parse(text) {
    var m = /^\s*(\d+)(?:\.(\d+))?\s*$/.exec((text || "").replace(/,/g, ""));
    if (!m) { return null; }
    var frac = m[2] || "";
    return { n: BigInt(m[1] + frac), s: frac.length };
  }

  function toYen(a, r) {
    var product = a.n * r.n;
    var scale = BigInt(10) ** BigInt(a.s + r.s);
    var whole = product / scale;
    if ((product % scale) * BigInt(2) >= scale) { whole += BigInt(1); } // half up
    return whole;
  }

  function showPreview() {
    var code = (currency.value || "").trim().toUpperCase();
    var a = parse(amount.value);
    if (!a) { preview.textContent = ""; return; }
    if (code === "JPY") {
      preview.textContent = status.dataset.yen + " ¥" + a.n.toLocaleString();
      return;
    }
    var r = parse(rate.value);
    preview.textContent = r ? status.dataset.yen + " ¥" + toYen(a, r).toLocaleString() : "";
  }

  function lookUpRate() {
    var code = (currency.value || "").trim().toUpperCase();
    if (code.length !== 3 || code === "JPY" || !paidOn.value) { status.textContent = ""; return; }
    if (rate.value && !autoFilled) { showPreview(); return; }
    var url = form.dataset.rateUrl + "?currency=" + encodeURIComponent(code) +
      "&on=" + encodeURIComponent(paidOn.value);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (found) {
        if (found) {
          rate.value = found.jpy_per_unit;
          autoFilled = true;
          status.textContent = status.dataset.found + " " + found.on + ": " + found.jpy_per_unit;
        } else {
          if (autoFilled) { rate.value = ""; }
          autoFilled = false;
          status.textContent = status.dataset.none;
        }
        showPreview();
      })
      .catch(function () { status.textContent = ""; });
  }

  rate.addEventListener("input", function () { autoFilled = false; showPreview(); });
  amount.addEventListener("input", showPreview);
  currency.addEventListener("change", lookUpRate);
  paidOn.addEventListener("change", lookUpRate);
  lookUpRate();
  showPreview();
}());
