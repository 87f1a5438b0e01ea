// Small additions to htmx.
// 1. Field errors come back as 400 and conflicts as 409 with a fragment to show: swap them (htmx 2 does not by default).
document.addEventListener("DOMContentLoaded", function () {
  if (window.htmx) {
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "40[039]", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
    ];
  }
});
// 2. Keep the 待办 badge current after any action that changes something.
document.addEventListener("htmx:afterRequest", function (e) {
  var xhr = e.detail.xhr;
  if (xhr && xhr.status >= 200 && xhr.status < 300 && e.detail.requestConfig && e.detail.requestConfig.verb !== "get") {
    document.body.dispatchEvent(new Event("todo-changed"));
  }
});
// 3. Behaviour that used to be inline (the Content-Security-Policy allows no inline script): declared by data
//    attributes, bound here once for the page and for every fragment htmx swaps in.
document.addEventListener("click", function (e) {
  var t = e.target.closest("[data-toggle-show], [data-print]");
  if (!t) return;
  if (t.hasAttribute("data-print")) { window.print(); return; }
  var el = document.getElementById(t.getAttribute("data-toggle-show"));
  if (el) el.classList.toggle("show");
});
document.addEventListener("change", function (e) {  // a checkbox that shows one block and hides another
  var t = e.target;
  if (!t.matches || !t.matches("input[data-shows], input[data-hides]")) return;
  var shows = t.getAttribute("data-shows"), hides = t.getAttribute("data-hides");
  if (shows && document.getElementById(shows)) document.getElementById(shows).hidden = !t.checked;
  if (hides && document.getElementById(hides)) document.getElementById(hides).hidden = t.checked;
});
function portalMoney(n) { return n.toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }); }
var portalInit = {
  // Asset purchase: the total as typed (the server recomputes it); a category fills in its usual depreciation years.
  "asset-purchase": function (table) {
    function total() {
      var sum = 0;
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var q = parseFloat(row.querySelector('[name="a_qty"]').value) || 0;
        var p = parseFloat((row.querySelector('[name="a_price"]').value || "").replace(/[,，¥￥]/g, "")) || 0;
        sum += q * p;
      });
      var out = document.getElementById("purchase-total");
      if (out) out.textContent = "¥" + portalMoney(sum);
    }
    table.addEventListener("input", total);
    table.addEventListener("change", function (e) {
      var years = document.getElementById("f-depreciation_years");
      if (e.target.name === "a_category" && years && !years.value) {
        var opt = e.target.options[e.target.selectedIndex];
        if (opt && opt.dataset.years) years.value = opt.dataset.years;
      }
    });
    total();
  },
  // Office-supplies purchase: each line's amount and the estimated total, in cents.
  "office-purchase": function (table) {
    function cents(text) { var t = (text || "").replace(/[,，¥￥\s]/g, ""); return /^\d+(\.\d{1,2})?$/.test(t) ? Math.round(parseFloat(t) * 100) : null; }
    function update() {
      var total = 0, any = false;
      table.querySelectorAll(".office-line").forEach(function (tr) {
        var q = tr.querySelector('[name="line_qty"]').value.trim(), p = cents(tr.querySelector('[name="line_price"]').value);
        var cell = tr.querySelector('[data-testid^="line-amount-"]');
        if (/^\d+$/.test(q) && p !== null) { var a = parseInt(q, 10) * p; total += a; any = true; cell.textContent = portalMoney(a / 100); } else { cell.textContent = ""; }
      });
      table.querySelector('[data-testid="purchase-total"]').textContent = any ? "¥" + portalMoney(total / 100) : "";
    }
    table.addEventListener("input", update);
    update();
  },
};
function portalBind(root) {
  (root.querySelectorAll ? root : document).querySelectorAll("[data-js]").forEach(function (el) {
    var init = portalInit[el.getAttribute("data-js")];
    if (init && !el.dataset.jsBound) { el.dataset.jsBound = "1"; init(el); }
  });
}
document.addEventListener("DOMContentLoaded", function () { portalBind(document); });
document.addEventListener("htmx:load", function (e) { portalBind(e.target.parentNode || document); });
// 4. Feedback after an action (issue 8 §2): toasts hide themselves; the first field in error gets the focus, on load
//    and after an HTMX swap; the error summary names each field by its label and focuses it when clicked.
function portalToasts(root) {
  (root || document).querySelectorAll(".toast[data-autohide]:not([data-timer])").forEach(function (t) {
    t.setAttribute("data-timer", "1");
    setTimeout(function () { t.classList.remove("show"); setTimeout(function () { t.remove(); }, 300); }, parseInt(t.getAttribute("data-autohide"), 10) || 6000);
  });
}
function portalFieldOf(name) {  // the input of a field named in an error summary: #f-name, or the one its message sits beside
  var el = document.getElementById("f-" + name) || document.querySelector('[name="' + name + '"]');
  var err = document.querySelector('[data-testid="error-' + name + '"]');
  if (!el && err && err.parentNode) el = err.parentNode.querySelector("input:not([type=hidden]), select, textarea");
  return { el: el, err: err };
}
function portalLabelOf(name) {  // its label, or for a cell of a table of lines: the column's heading and the line number
  var label = document.querySelector('label[for="f-' + name + '"]');
  if (label) return label.textContent.replace(/\s*\*\s*$/, "").trim();
  var f = portalFieldOf(name), td = (f.err || f.el) && (f.err || f.el).closest("td");
  if (!td) return "";
  var table = td.closest("table"), th = table && table.querySelectorAll("thead th")[td.cellIndex], tr = td.parentNode;
  var line = tr.parentNode ? Array.prototype.indexOf.call(tr.parentNode.children, tr) + 1 : 0;
  return (th ? th.textContent.trim() : "") + (line ? "（第 " + line + " 行）" : "");
}
function portalFocusInvalid(root) {
  var scope = root && root.querySelectorAll ? root : document;
  scope.querySelectorAll("[data-summary-label]").forEach(function (s) {
    if (s.textContent) return;
    var link = s.closest("[data-field-link]"), text = link && portalLabelOf(link.getAttribute("data-field-link"));
    if (text) s.textContent = text + "：";
  });
  var bad = Array.prototype.find.call(scope.querySelectorAll(".is-invalid"), function (el) { return el.offsetParent !== null && !el.disabled; });
  if (bad && bad.focus) bad.focus({ preventScroll: false });
}
document.addEventListener("DOMContentLoaded", function () { portalToasts(document); portalFocusInvalid(document); });
document.addEventListener("htmx:afterSettle", function (e) { portalToasts(document); portalFocusInvalid(e.target); });
document.addEventListener("click", function (e) {
  var close = e.target.closest("[data-dismiss-toast]");
  if (close) { var t = close.closest(".toast"); if (t) t.remove(); return; }
  var link = e.target.closest("[data-field-link]");
  if (link) {
    var el = portalFieldOf(link.getAttribute("data-field-link")).el;
    if (el && el.focus) { e.preventDefault(); el.scrollIntoView({ block: "center" }); el.focus(); }
  }
});
// 5. People pickers (抄送, 转交, 加签; the people_picker macro): without JavaScript a list of checkboxes or radios;
//    here the search box appears and the chosen become chips that carry the form values (the list only chooses).
portalInit.people = function (box) {
  var name = box.getAttribute("data-people"), multiple = box.getAttribute("data-multiple") === "1";
  var chips = box.querySelector("[data-chips]"), search = box.querySelector(".portal-people-search"), list = box.querySelector("[data-people-list]");
  if (!chips || !list) return;
  if (search) search.hidden = false;
  chips.hidden = false;
  function chosen() { return Array.prototype.map.call(chips.querySelectorAll("input[type=hidden]"), function (i) { return i.value; }); }
  function remove(value) { chips.querySelectorAll("input[type=hidden]").forEach(function (i) { if (i.value === value) i.parentNode.remove(); }); }
  function add(value, label) {
    if (!multiple) chips.innerHTML = "";
    if (chosen().indexOf(value) >= 0) return;
    var chip = document.createElement("span"), text = document.createElement("span"), input = document.createElement("input"), x = document.createElement("button");
    chip.className = "portal-chip"; chip.setAttribute("data-testid", "chip-" + value);
    text.textContent = label || value;
    input.type = "hidden"; input.name = name; input.value = value;
    x.type = "button"; x.className = "btn-close"; x.setAttribute("aria-label", "移除 " + (label || "")); x.setAttribute("data-chip-remove", value);
    chip.appendChild(text); chip.appendChild(input); chip.appendChild(x);
    chips.appendChild(chip);
  }
  function sync() {
    var c = chosen();
    list.querySelectorAll("input[data-person-of]").forEach(function (i) { i.removeAttribute("name"); i.checked = c.indexOf(i.value) >= 0; });
  }
  list.querySelectorAll("input[data-person-of]:checked").forEach(function (i) { add(i.value, i.getAttribute("data-label")); });
  sync();
  list.addEventListener("change", function (e) {
    var i = e.target;
    if (!i.matches || !i.matches("input[data-person-of]")) return;
    if (i.checked) add(i.value, i.getAttribute("data-label")); else remove(i.value);
    sync();
  });
  chips.addEventListener("click", function (e) {
    var b = e.target.closest("[data-chip-remove]");
    if (b) { remove(b.getAttribute("data-chip-remove")); sync(); }
  });
  box.addEventListener("htmx:afterSwap", sync);  // the search's matches arrived: tick the chosen ones
};
// 4. Small charts on the home page (Apache ECharts, vendored; loaded by the pages that have one): the data is the
//    element's data-chart JSON, the same figures are in a table beside it, so the page reads without JavaScript.
function portalCharts(root) {
  if (!window.echarts) return;
  (root.querySelectorAll ? root : document).querySelectorAll("[data-chart]").forEach(function (el) {
    if (el.dataset.chartBound) return;
    var spec;
    try { spec = JSON.parse(el.getAttribute("data-chart")); } catch (err) { return; }
    el.dataset.chartBound = "1";
    var chart = echarts.init(el, null, { renderer: "svg" });
    var horizontal = spec.type === "hbar";
    var cat = { type: "category", data: spec.labels, axisTick: { alignWithLabel: true }, axisLabel: { interval: 0 } };
    var series = spec.series.map(function (s) {
      var o = { name: s.name, type: s.kind, data: s.data, barMaxWidth: 28 };
      if (s.stack) o.stack = s.stack;
      if (s.axis) o.yAxisIndex = s.axis;
      if (s.kind === "line") { o.symbolSize = 6; }
      return o;
    });
    var values = horizontal ? [{ type: "value", minInterval: 1 }] : [{ type: "value", minInterval: 1, name: spec.series[0].name }].concat(
      spec.series.length > 1 ? [{ type: "value", name: spec.series[1].name, splitLine: { show: false } }] : []);
    chart.setOption({
      color: horizontal ? ["#206bc4", "#d63939"] : ["#206bc4", "#f59f00"],
      tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: horizontal ? 8 : 40, right: horizontal ? 16 : 48, top: 48, bottom: 8, containLabel: true },
      xAxis: horizontal ? values : cat, yAxis: horizontal ? Object.assign({}, cat, { inverse: true }) : values, series: series,
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
}
document.addEventListener("DOMContentLoaded", function () { portalCharts(document); });
// 5. The top bar's search dropdown: closes on Escape or a click elsewhere (the form still submits to /search).
document.addEventListener("click", function (e) {
  var box = document.getElementById("search-suggest");
  if (box && !e.target.closest(".portal-search")) box.innerHTML = "";
});
document.addEventListener("keydown", function (e) {
  var box = document.getElementById("search-suggest");
  if (box && e.key === "Escape") box.innerHTML = "";
});
// Customer care — repairs: the customer's signature pad (SPEC D3). A <canvas> inside [data-signature-pad="<hidden input id>"]
// is drawn on with a finger, pen or mouse; each stroke writes the drawing as a PNG data URL into the hidden input the
// form posts. Without JavaScript the pad stays hidden and the typed name + a photographed signature are the fallback.
function portalSignaturePads(root) {
  (root || document).querySelectorAll("[data-signature-pad]:not([data-sig-bound])").forEach(function (box) {
    box.setAttribute("data-sig-bound", "1");
    var canvas = box.querySelector("canvas"), input = document.getElementById(box.getAttribute("data-signature-pad"));
    if (!canvas || !input) return;
    box.hidden = false;
    var ctx = canvas.getContext("2d"), drawing = false, last = null, inked = false;
    ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#1d273b";
    function at(e) {
      var r = canvas.getBoundingClientRect();
      return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height };
    }
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true; last = at(e); canvas.setPointerCapture && canvas.setPointerCapture(e.pointerId); e.preventDefault();
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = at(e);
      ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(p.x, p.y); ctx.stroke();
      last = p; inked = true; e.preventDefault();
    });
    function end() {
      if (!drawing) return;
      drawing = false;
      if (inked) input.value = canvas.toDataURL("image/png");
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("pointerleave", end);
    var clear = box.querySelector("[data-signature-clear]");
    if (clear) clear.addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height); input.value = ""; inked = false;
    });
  });
}
document.addEventListener("DOMContentLoaded", function () { portalSignaturePads(document); });
document.addEventListener("htmx:afterSettle", function () { portalSignaturePads(document); });
// KPI board (customer care, /care/kpi): each [data-kpi-chart] is one KPI's last 12 months (percent, gaps for empty
// months) with its target as a dashed line; the same figures are links in the cards and tables. Bound on load and
// after an HTMX swap (the month picker replaces the board).
function portalKpiCharts(root) {
  if (!window.echarts) return;
  (root && root.querySelectorAll ? root : document).querySelectorAll("[data-kpi-chart]").forEach(function (el) {
    if (el.dataset.chartBound) return;
    var spec;
    try { spec = JSON.parse(el.getAttribute("data-kpi-chart")); } catch (err) { return; }
    el.dataset.chartBound = "1";
    var chart = echarts.init(el, null, { renderer: "svg" });
    var low = Math.min.apply(null, spec.data.filter(function (v) { return v !== null; }).concat([spec.target]));
    chart.setOption({
      color: ["#206bc4", "#d63939"],
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; } },
      legend: { top: 0, itemWidth: 14, textStyle: { fontSize: 11 } },
      grid: { left: 4, right: 12, top: 30, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: spec.labels, axisLabel: { fontSize: 10, hideOverlap: true } },
      yAxis: { type: "value", min: Math.max(0, Math.floor((low - 5) / 10) * 10), max: 100, axisLabel: { formatter: "{value}%", fontSize: 10 } },
      series: [
        { name: spec.name, type: "line", data: spec.data, connectNulls: false, symbolSize: 5 },
        { name: "目标", type: "line", data: spec.labels.map(function () { return spec.target; }), symbol: "none",
          lineStyle: { type: "dashed", width: 1.5 } },
      ],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
}
document.addEventListener("DOMContentLoaded", function () { portalKpiCharts(document); });
document.addEventListener("htmx:afterSettle", function (e) { portalKpiCharts(e.target); });
// Surveys (app/surveys): the results page swaps its charts in with HTMX when the questionnaire or project changes.
document.addEventListener("htmx:afterSettle", function (e) { if (e.target && e.target.querySelector && e.target.querySelector("[data-chart]")) portalCharts(e.target); });
// Idempotency keys (app/core/idempotency.py): each form carries `_idem`, recorded by the server once the action is
// done. After a successful HTMX post whose form is still on the page (e.g. a reveal targeting a sibling), the next
// submission is a new action: give the form a new key. A failed request (network, 5xx) keeps it, so a retry is
// recognised as the same action.
function portalNewIdemKey() {
  var bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
}
document.addEventListener("htmx:afterRequest", function (e) {
  var xhr = e.detail && e.detail.xhr;
  if (!xhr || xhr.status === 0 || xhr.status >= 500) return;
  var elt = e.detail.elt;
  var form = elt && (elt.tagName === "FORM" ? elt : elt.closest && elt.closest("form"));
  if (!form || !form.isConnected || !e.detail.successful) return;
  form.querySelectorAll('input[name="_idem"]').forEach(function (input) { input.value = portalNewIdemKey(); });
});
// 9. The sales office's tablet pages, on weak Wi-Fi (issue 13 §10): their post forms are sent by htmx (boosted), so a
//    send that fails or times out leaves the page as it is — what was typed, the photos chosen — and says so; the
//    form keeps its idempotency key, so sending it again after a lost response is recorded once. Every answer is shown:
//    the next page, or the form again with its field errors (4xx).
function portalSiteForms(root) {
  if (!window.htmx || !document.body.classList.contains("site-page")) return;
  var scope = root && root.querySelectorAll ? root : document;
  scope.querySelectorAll('form[method="post"]:not([hx-post]):not([hx-boost])').forEach(function (f) {
    f.setAttribute("hx-boost", "true");
    f.setAttribute("hx-request", '{"timeout": 30000}');
    f.setAttribute("hx-disabled-elt", "find [type=submit]");
    f.setAttribute("data-site-form", "1");
    htmx.process(f);
  });
}
function portalNetworkToast(text) {
  var box = document.getElementById("portal-toasts");
  if (!box) return;
  var t = document.createElement("div");
  t.className = "toast show portal-toast border-warning";
  t.setAttribute("role", "alert");
  t.setAttribute("data-testid", "network-toast");
  t.innerHTML = '<div class="toast-header"><span class="badge bg-yellow me-2"></span><strong class="me-auto">未能提交</strong>' +
    '<button type="button" class="btn-close" data-dismiss-toast aria-label="关闭"></button></div><div class="toast-body"></div>';
  t.querySelector(".toast-body").textContent = text;
  box.appendChild(t);
}
document.addEventListener("DOMContentLoaded", function () { portalSiteForms(document); });
document.addEventListener("htmx:afterSettle", function (e) { portalSiteForms(document); });
document.addEventListener("htmx:beforeSwap", function (e) {
  var xhr = e.detail.xhr;
  if (e.detail.boosted && xhr && xhr.status >= 400 && xhr.status < 500) { e.detail.shouldSwap = true; e.detail.isError = false; }
});
function portalSendFailed(e) {
  var elt = e.detail && e.detail.elt;
  if (!elt || !elt.closest || !elt.closest("[data-site-form]")) return;
  portalNetworkToast("网络不稳定，这次没有提交成功。填写的内容和照片都还在，请稍后再点一次提交；重复提交只会记录一次。");
}
document.addEventListener("htmx:sendError", portalSendFailed);
document.addEventListener("htmx:timeout", portalSendFailed);
document.addEventListener("htmx:responseError", function (e) {
  var elt = e.detail && e.detail.elt;
  if (elt && elt.closest && elt.closest("[data-site-form]")) portalNetworkToast("服务器暂时无法处理，填写的内容还在，请稍后再提交。");
});
