// Live sums on the application and approval forms (served by the app: no inline scripts).
(function () {
  "use strict";
  const yen = (n) => n.toLocaleString("ja-JP");
  // amounts typed the Japanese way too (full-width digits, ¥, 円, separators), as the server reads them
  const plain = (el) => (el && el.value ? el.value.normalize("NFKC").replace(/[¥円,\s]/g, "") : "");
  const num = (el) => (/^\d+$/.test(plain(el)) ? parseInt(plain(el), 10) : 0);

  const items = ["travel_jpy", "stipend_jpy", "housing_jpy"].map((id) => document.getElementById(id));
  const total = document.getElementById("budget-total");
  if (total && items.every(Boolean)) {
    const update = () => { total.textContent = yen(items.reduce((s, el) => s + num(el), 0)); };
    items.forEach((el) => el.addEventListener("input", update));
  }

  const figures = document.getElementById("line-figures");
  const amount = document.getElementById("amount_jpy");
  const left = document.getElementById("left-after");
  if (figures && amount && left) {
    const available = parseInt(figures.dataset.available, 10);
    const update = () => {
      const rest = available - num(amount);
      // never a bare negative figure: past the available amount, say that it will be refused
      left.textContent = rest < 0
        ? figures.dataset.short.replace("{n}", yen(-rest))
        : figures.dataset.left.replace("{n}", yen(rest));
      figures.classList.toggle("alert-danger", rest < 0);
      figures.classList.toggle("alert-info", rest >= 0);
    };
    amount.addEventListener("input", update);
  }
})();
